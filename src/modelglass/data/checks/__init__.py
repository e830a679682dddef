"""The data checks; importing this package registers each of them (one file per check)."""

from __future__ import annotations

from . import (  # noqa: F401  imported for registration
    class_imbalance,
    column_mismatch,
    conflicting_labels,
    constant_feature,
    duplicate_rows,
    high_cardinality,
    infinite_values,
    label_issues,
    missing_values,
    mixed_types,
    outliers,
    target_leakage,
    train_test_drift,
    train_test_leakage,
)
