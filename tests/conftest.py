"""Shared fixtures: offscreen Qt, an isolated cache, generated recordings."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.project.identity import make_reviewer, save_reviewer

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


@pytest.fixture(scope="session")
def _first_run_guide_seen(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The first-run guide is for people: tests see it only with a fresh ``config_dir``.

    Marks it seen in the settings file the app uses under the isolated cache
    (see ``open_settings``), once, before any test writes settings there.
    """
    settings = tmp_path_factory.getbasetemp() / "cache" / "config" / "settings.ini"
    if not settings.exists():
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text("[first_run]\nguide_seen=true\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, _first_run_guide_seen: None
) -> None:
    """Never write the demo recording or settings into the real user folders."""
    monkeypatch.setenv("AUDIOCLASS_GUI_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder per test: single recordings' reviews and Open Recent go there.

    Outside ``tmp_path``, so tests that list their own folder see only their files.
    """
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("AUDIOCLASS_GUI_DATA_DIR", str(folder))
    return folder


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


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh settings folder (``tmp_path / "config"``) the app uses instead of the user's."""
    folder = tmp_path / "config"
    monkeypatch.setenv("AUDIOCLASS_GUI_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def reviewer_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Save a reviewer in a fresh settings folder and point the app at it.

    Call it as ``reviewer_settings(name, email=None)``; it returns the
    folder (``tmp_path / "settings"``).
    """

    def save(name: str, email: str | None = None) -> Path:
        folder = tmp_path / "settings"
        save_reviewer(make_reviewer(name, email), folder)
        monkeypatch.setenv("AUDIOCLASS_GUI_CONFIG_DIR", str(folder))
        return folder

    return save


#: The header of a BirdNET-Analyzer CSV result table.
BIRDNET_CSV_HEADER = "Start (s),End (s),Scientific name,Common name,Confidence,File\n"


def write_birdnet_csv(path: Path, audio: Path | str, rows: Iterable[tuple]) -> Path:
    """Write a BirdNET-Analyzer CSV table for ``audio``; return the path.

    Each row is ``(start, end, scientific name, common name, confidence)``,
    each value written as ``str()`` gives it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(str(v) for v in (*row, audio)) + "\n" for row in rows]
    path.write_text(BIRDNET_CSV_HEADER + "".join(lines), encoding="utf-8")
    return path


def open_main_window(qtbot, path: Path, *, threshold: float | None = None, timeout: int = 20_000):
    """A new, shown main window with ``path`` (a recording or a project folder) open.

    ``threshold``, when given, is set before the path opens, as a user sets it first.
    """
    from audioclass_gui.qt.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    if threshold is not None:
        win.model_panel.set_threshold(threshold)
    with qtbot.waitSignal(win.recording_opened, timeout=timeout):
        win.open_path(path)
    return win
