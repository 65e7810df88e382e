"""The README's examples are the ones the tests run, so they cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_readme_plugin_example_is_the_tested_plugin():
    plugin = (ROOT / "tests" / "example_plugin" / "tiny_plugin.py").read_text(encoding="utf-8")
    assert plugin in _code_blocks("python")
    # ...declared under the entry point the registry test installs.
    assert any('tiny = "tiny_plugin:LoudnessModel"' in block for block in _code_blocks("toml"))
    from tests import test_model_registry

    assert test_model_registry.PLUGIN == plugin


def test_readme_links_every_screenshot_that_exists():
    shots = sorted(p.name for p in (ROOT / "resources" / "screenshots").glob("*.png"))
    linked = re.findall(r"\]\(resources/screenshots/([^)]+\.png)\)", README)
    assert shots and sorted(set(linked)) == shots


def test_licences_are_named():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "CC BY-NC-SA 4.0" in README and "non-commercial" in README
    assert "Ecological Informatics" in README  # BirdNET's attribution
