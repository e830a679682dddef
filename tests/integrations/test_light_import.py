"""``import modelglass`` (and ``modelglass.integrations``) loads no framework."""

from __future__ import annotations

import subprocess
import sys


def test_no_framework_is_imported_until_its_integration_is():
    code = ("import sys, modelglass, modelglass.integrations; "
            "print(sorted(m for m in ('keras', 'lightning', 'transformers', 'tensorflow', 'accelerate', "
            "'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_framework_names_the_extra_to_install():
    code = ("import sys; sys.modules['lightning'] = None; sys.modules['lightning.pytorch'] = None\n"
            "try:\n    import modelglass.integrations.lightning\n"
            "except ImportError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "modelglass[lightning]"' in out.stdout
