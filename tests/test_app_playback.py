"""Playback from the window: Space plays exactly the selected detection, the playhead follows.

The engine is the real PlaybackEngine with a paced in-process output
stream; the PortAudio path itself is tested against an ALSA file sink in
test_playback.py.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from audioclass_gui.audio.playback import PlaybackEngine
from audioclass_gui.audio.reader import read_window
from audioclass_gui.qt.main_window import MainWindow
from tests.test_app_review import open_and_run


class PacedStream:
    """An output stream that pulls blocks at 4x real time and keeps them."""

    def __init__(self, samplerate: int, channels: int, fill, finished) -> None:
        self.samplerate, self.channels = samplerate, channels
        self.fill, self.finished = fill, finished
        self.blocks: list[np.ndarray] = []
        self.stopped = threading.Event()
        self.latency = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        frames = 1024
        while not self.stopped.is_set():
            out = np.empty((frames, self.channels), np.float32)
            done = self.fill(out, frames)
            self.blocks.append(out.copy())
            if done:
                break
            time.sleep(frames / self.samplerate / 4)
        self.finished()

    def abort(self) -> None:
        self.stopped.set()

    def close(self) -> None:
        self.stopped.set()


def test_space_plays_the_selected_detection_with_a_moving_playhead(qtbot, calls_wav: Path):
    streams: list[PacedStream] = []

    def factory(**kwargs):
        streams.append(PacedStream(**kwargs))
        return streams[-1]

    win = MainWindow(playback_engine=PlaybackEngine(stream_factory=factory))
    qtbot.addWidget(win)
    win.show()
    open_and_run(qtbot, win, calls_wav)
    detection = win.review.selected
    assert detection is not None

    positions: list[float] = []
    win.playback.position_changed.connect(lambda p: positions.append(p) if p is not None else None)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: bool(streams) and not streams[-1]._thread.is_alive(), timeout=10_000)
    qtbot.waitUntil(lambda: not win.playback.is_playing(), timeout=5_000)

    # Exactly the detection's samples went out.
    sent = np.concatenate(streams[-1].blocks)[:, 0]
    expected = read_window(calls_wav, detection.start, detection.end)
    np.testing.assert_array_equal(sent[: expected.size], expected)
    assert not sent[expected.size :].any()

    # The playhead moved forward through the detection, then hid.
    assert len(positions) >= 3
    assert positions == sorted(positions)
    assert detection.start <= positions[0] and positions[-1] <= detection.end
    assert positions[-1] - positions[0] > 0.3 * (detection.end - detection.start)
    qtbot.waitUntil(lambda: not win.view.playhead.isVisible(), timeout=2_000)
    win.close()


def test_space_again_stops(qtbot, calls_wav: Path):
    streams: list[PacedStream] = []

    def factory(**kwargs):
        streams.append(PacedStream(**kwargs))
        return streams[-1]

    win = MainWindow(playback_engine=PlaybackEngine(stream_factory=factory))
    qtbot.addWidget(win)
    win.show()
    open_and_run(qtbot, win, calls_wav)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.playback.is_playing(), timeout=5_000)
    qtbot.waitUntil(lambda: win.view.playhead.isVisible(), timeout=5_000)
    qtbot.keyClick(win.table, Qt.Key.Key_Space)
    assert not win.playback.is_playing()
    assert streams[-1].stopped.is_set()
    assert not win.view.playhead.isVisible()
    win.close()
