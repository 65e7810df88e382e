"""audioclass_gui.formats loads its names on first use; every listed name resolves."""

from __future__ import annotations

import subprocess
import sys

import audioclass_gui.formats as formats


def test_every_exported_name_is_mapped_and_resolves() -> None:
    assert set(formats.__all__) == set(formats._WHERE)
    for name in formats.__all__:
        assert getattr(formats, name) is not None


def test_importing_one_format_does_not_load_the_others() -> None:
    code = (
        "import sys; from audioclass_gui.formats import atomic_write_text;"
        "print('audioclass_gui.formats.aoef' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
