"""The core is a headless library: importing it never loads Qt."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import annotator
names = [m.name for m in pkgutil.walk_packages(annotator.__path__, "annotator.")]
for name in names:
    if name.endswith("__main__") or name.startswith("annotator.db.migrations.env"):
        continue
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "ui"))
print(len(names), loaded)
"""


def test_importing_every_core_module_leaves_qt_out() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], check=True, capture_output=True, text=True
    ).stdout.split()
    assert int(out[0]) >= 15  # the walk really found the submodules
    assert out[1] == "[]"
