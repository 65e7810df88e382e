"""The tile loader across a settings change while a tile of the old settings is computing.

A tile is known by its place on the grid (``TileSpec``), which does not
change with the channel or the colour settings: the loader must compute it
again for the new generation even while the old one's computation has not
come back, or the view stays blank (seen on a loaded machine: a stereo file
whose channel was chosen while its first tile was computing never painted).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from audioclass_gui.audio.info import read_info
from audioclass_gui.qt.spectrogram.tile_loader import TileLoader
from audioclass_gui.spectrogram import SpectrogramParams
from audioclass_gui.spectrogram.layout import TileSpec


class HeldRunner:
    """Runs nothing until told: each job and its callbacks wait in ``jobs``."""

    def __init__(self) -> None:
        self.jobs: list[tuple] = []

    def submit(self, fn, on_done=None, on_error=None):
        self.jobs.append((fn, on_done, on_error))
        return object()

    def finish(self, index: int) -> None:
        fn, on_done, on_error = self.jobs[index]
        try:
            result = fn()
        except Exception as exc:  # handed to the loader as the runner does
            on_error(exc)
        else:
            on_done(result)


def stereo(tmp_path: Path) -> Path:
    sr = 8000
    t = np.arange(4 * sr) / sr
    data = np.stack([np.sin(2 * np.pi * 1000 * t), np.sin(2 * np.pi * 3000 * t)], axis=1)
    path = tmp_path / "stereo.wav"
    sf.write(path, (0.5 * data).astype(np.float32), sr)
    return path


def tile_jobs(runner: HeldRunner) -> list[int]:
    """Indexes of the runner's jobs that compute tiles (not overview steps)."""
    return [i for i, (_fn, done, _err) in enumerate(runner.jobs) if "_submit" in getattr(done, "__qualname__", "")]


def test_a_tile_wanted_again_under_new_settings_is_computed_again(qtbot, tmp_path: Path) -> None:
    runner = HeldRunner()
    loader = TileLoader(runner)  # type: ignore[arg-type]
    info = read_info(stereo(tmp_path))
    spec = TileSpec(256, 0, 512)
    ready = []
    loader.tile_ready.connect(lambda s, tile: ready.append((loader.generation, s, tile)))

    loader.reset(info, SpectrogramParams())
    loader.request([spec])
    first = tile_jobs(runner)
    assert len(first) == 1
    # The channel changes while the first tile is still computing.
    loader.reset(info, SpectrogramParams(channel=1))
    loader.request([spec])
    again = [i for i in tile_jobs(runner) if i not in first]
    assert len(again) == 1, "the tile of the new settings was never asked for"

    runner.finish(first[0])  # the old result comes back: not shown
    assert ready == []
    runner.finish(again[0])
    assert [(g, s) for g, s, _tile in ready] == [(loader.generation, spec)]
    tile = ready[0][2]
    peak = int(np.argmax(tile.data.mean(axis=1)))
    assert abs(peak * 8000 / 1024 - 3000) < 10  # channel 1's tone, not the mix
    assert loader.pending == 0
