"""Packages whose names load on first use: every listed name resolves, and one name loads one module."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PACKAGES = [
    "audioclass_gui.audio",
    "audioclass_gui.batch",
    "audioclass_gui.formats",
    "audioclass_gui.models",
    "audioclass_gui.project",
    "audioclass_gui.review",
    "audioclass_gui.spectrogram",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_is_mapped_and_resolves(name: str) -> None:
    package = importlib.import_module(name)
    assert set(package.__all__) == set(package._WHERE)
    for attr in package.__all__:
        assert getattr(package, attr) is not None
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError, match="no_such_name"):
        package.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    ("statement", "absent"),
    [
        ("from audioclass_gui.formats import atomic_write_text", "audioclass_gui.formats.aoef"),
        ("from audioclass_gui.review import DetectionFilter, Status", "soundevent"),
        ("from audioclass_gui.audio import read_info", "soundevent"),
        ("from audioclass_gui.models import RunSettings", "audioclass_gui.models.birdnet"),
    ],
)
def test_one_name_does_not_load_the_rest(statement: str, absent: str) -> None:
    code = f"import sys; {statement}; print({absent!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
