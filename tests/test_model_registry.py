"""The model registry: built-ins, lookup, and plugins from entry points.

The plugin test writes a real (tiny) distribution, a module plus a
``.dist-info`` folder with ``entry_points.txt``, onto ``sys.path``, the way
``pip install`` would leave it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.models import (
    DEFAULT_MODEL,
    BandEnergyDetector,
    available_models,
    create_model,
    get_entry,
)
from tests.plugin_dist import make_distribution

PLUGIN_FILE = Path(__file__).parent / "example_plugin" / "tiny_plugin.py"
PLUGIN = PLUGIN_FILE.read_text(encoding="utf-8")


@pytest.fixture
def plugin_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    make_distribution(
        root,
        "tiny-plugin",
        "tiny_plugin",
        PLUGIN,
        "tiny = tiny_plugin:LoudnessModel\n"
        "broken = tiny_plugin_missing_module:Model\n"
        "energy = tiny_plugin:LoudnessModel",
    )
    monkeypatch.syspath_prepend(str(root))
    return root


def test_builtins_first_and_default() -> None:
    entries = available_models()
    assert [e.key for e in entries[:2]] == ["birdnet", "energy"]
    assert DEFAULT_MODEL == "birdnet" == entries[0].key
    assert entries[0].title == "BirdNET v2.4"
    assert entries[1].title == "Band energy detector"
    assert all(e.source == "built-in" for e in entries[:2])
    assert all(e.description for e in entries[:2])
    # Deduplicated: the package's own entry points do not list the built-ins twice.
    assert [e.key for e in entries].count("birdnet") == 1


def test_lookup_is_case_insensitive() -> None:
    assert get_entry("BirdNET").key == "birdnet"
    assert get_entry("ENERGY").key == "energy"
    assert get_entry("band energy detector").key == "energy"
    assert get_entry("birdnet v2.4").key == "birdnet"
    with pytest.raises(
        KeyError, match=r"unknown model 'perch'; available models: birdnet, energy"
    ):
        get_entry("perch")


def test_create_builtin_with_arguments(tmp_path: Path) -> None:
    model = create_model("Energy", confidence_threshold=0.3, frame_seconds=0.5)
    assert isinstance(model, BandEnergyDetector)
    assert model.confidence_threshold == 0.3 and model.frame_seconds == 0.5


def test_plugin_listed_and_runs(
    plugin_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="audioclass_gui.models.registry"):
        entries = available_models()
    keys = [e.key for e in entries]
    assert keys[:2] == ["birdnet", "energy"] and "tiny" in keys
    assert keys.count("energy") == 1  # a plugin cannot shadow a built-in
    assert "broken" not in keys
    assert any("broken" in r.getMessage() for r in caplog.records)
    tiny = get_entry("Tiny loudness model")
    assert tiny.key == "tiny" and tiny.source == "tiny-plugin"
    assert tiny.description == "Flags half-second frames whose RMS exceeds a level."

    sr = 16000
    x = np.zeros(2 * sr, np.float32)
    x[sr // 2 : sr] = 0.5 * np.sin(np.linspace(0, 2000, sr // 2))
    path = tmp_path / "plugin_input.wav"
    sf.write(path, x, sr)
    model = create_model("TINY", level=0.2)
    preds = model.process_file(path, compute_hash=False)
    assert [p.clip.start_time for p in preds] == [0.0, 0.5, 1.0, 1.5]
    assert [bool(p.tags) for p in preds] == [False, True, False, False]


def test_the_window_lists_plugins_found_after_it_shows(qtbot, plugin_path: Path) -> None:
    """Built-ins at once; plugins once the background look at the packages is done."""
    from audioclass_gui.models import builtin_models
    from audioclass_gui.qt.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    combo = win.model_panel.model_combo
    assert [e.key for e in builtin_models()] == ["birdnet", "energy"]
    qtbot.waitUntil(lambda: combo.findData("tiny") >= 0, timeout=10_000)
    keys = [combo.itemData(i) for i in range(combo.count())]
    assert keys[:3] == ["birdnet", "energy", "tiny"] and keys.count("energy") == 1
    assert "broken" not in keys  # a plugin that fails to load is left out
    assert win.model_panel.model_key == "birdnet"  # the default stays chosen
    win.close()


def test_a_plugin_asked_for_by_name_at_start_is_chosen(qtbot, plugin_path: Path) -> None:
    from audioclass_gui.qt.app import AppOptions, start_window

    window, _driver = start_window(AppOptions(model="tiny"))
    qtbot.addWidget(window)
    assert window.model_panel.model_key == "tiny"
    window.close()
