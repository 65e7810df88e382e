"""Shared fixtures: offscreen Qt, an isolated cache, generated recordings."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: ../shared/data beside the checkout, as in CI.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BIRDS_10S = SHARED_DATA / "birds_10s.wav"


@pytest.fixture
def birds_10s() -> Path:
    """The real field recording from ../shared/data (skipped where absent)."""
    if not BIRDS_10S.exists():
        pytest.skip(f"{BIRDS_10S} is absent (the shared data folder sits beside the checkout)")
    return BIRDS_10S


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never write the demo recording or settings into the real user folders."""
    monkeypatch.setenv("AUDIOCLASS_GUI_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def write_calls(
    path: Path,
    *,
    duration: float = 12.0,
    samplerate: int = 32000,
    calls: tuple[tuple[float, float, float], ...] = ((1.2, 1.8, 4000.0), (5.3, 5.9, 6000.0), (9.1, 9.6, 3000.0)),
    noise: float = 0.005,
    channels: int = 1,
    subtype: str = "PCM_16",
) -> Path:
    """Write tone bursts ``(start, end, Hz)`` in white noise; return the path."""
    rng = np.random.default_rng(1234)
    t = np.arange(int(duration * samplerate)) / samplerate
    x = noise * rng.standard_normal(t.size)
    for start, end, freq in calls:
        mask = (t >= start) & (t < end)
        ramp = np.sin(np.pi * (t[mask] - start) / (end - start))
        x[mask] += 0.3 * ramp * np.sin(2 * np.pi * freq * t[mask])
    x = x.astype(np.float32)
    if channels > 1:
        x = np.stack([x] * channels, axis=1)
    sf.write(path, x, samplerate, subtype=subtype)
    return path


@pytest.fixture
def calls_wav(tmp_path: Path) -> Path:
    """A 12 s recording with three tone calls at 1.2, 5.3 and 9.1 s."""
    return write_calls(tmp_path / "calls.wav")


@pytest.fixture
def qapp():
    """pytest-qt's QApplication, configured the way the app configures it."""
    from audioclass_gui.qt.app import create_application

    return create_application()


@pytest.fixture
def window(qtbot):
    """The real main window, shown, closed after the test."""
    from audioclass_gui.qt.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
