"""Figure builders: compute a frozen dataclass of what to show, then draw it with plotly."""

from __future__ import annotations

from ._curves import PALETTE, Curve, CurvesData, curves_data, draw_curves
from ._surface import Path2D, SurfaceData, draw_surface, surface_data

__all__ = [
    "PALETTE",
    "Curve",
    "CurvesData",
    "Path2D",
    "SurfaceData",
    "curves_data",
    "draw_curves",
    "draw_surface",
    "surface_data",
]
