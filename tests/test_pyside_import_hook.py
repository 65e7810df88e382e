"""PySide6's per-import check answers as before, from a plain read of the file."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy.core.multiarray  # noqa: F401  (an extension module: no source)

import audioclass_gui.qt  # noqa: F401  (installs the faster check)
from audioclass_gui.qt import pyside_import_hook
from audioclass_gui.qt.pyside_import_hook import install, uses_pyside


def _feature():
    for name in ("PySide6.support.feature", "shibokensupport.feature"):
        if name in sys.modules:
            return sys.modules[name]
    return None


def test_installed_once_and_the_same_answers_as_pysides_own(tmp_path: Path) -> None:
    feature = _feature()
    assert feature is not None, "PySide6's feature support is loaded with QtCore"
    check = feature._mod_uses_pyside
    assert getattr(check, "_audioclass_gui", False) and install() is True
    assert feature._mod_uses_pyside is check  # a second install changes nothing
    original = check.__defaults__[0]

    uses = tmp_path / "uses_qt.py"
    uses.write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    plain = tmp_path / "plain.py"
    plain.write_text("x = 1  # no Qt here\n", encoding="utf-8")
    modules = []
    for path in (uses, plain):
        module = types.ModuleType(path.stem)
        module.__file__ = str(path)
        modules.append(module)
    gone = types.ModuleType("gone")
    gone.__file__ = str(tmp_path / "gone.py")  # its file was removed since
    modules += [
        gone,
        sys,  # built in
        sys.modules["numpy.core.multiarray"],  # an extension module
        pyside_import_hook,
        sys.modules["audioclass_gui.qt.main_window"] if "audioclass_gui.qt.main_window" in sys.modules
        else __import__("audioclass_gui.qt.main_window", fromlist=["x"]),
        sys.modules["audioclass_gui.review"],
    ]
    for module in modules:
        assert uses_pyside(module, original) == original(module), module.__name__
    assert [uses_pyside(m, original) for m in modules[:2]] == [True, False]
