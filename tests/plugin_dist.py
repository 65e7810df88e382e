"""Write a tiny installed-looking distribution, as ``pip install`` leaves one."""

from __future__ import annotations

from pathlib import Path


def make_distribution(root: Path, name: str, module: str, source: str, entry_points: str) -> None:
    """Write ``module.py`` and a ``.dist-info`` declaring model entry points into ``root``."""
    (root / f"{module}.py").write_text(source, encoding="utf-8")
    info = root / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[audioclass_gui.models]\n{entry_points}\n", encoding="utf-8"
    )
