"""View › Paged view on real birdsong, for the README's picture (run by make_screenshots.sh).

    python resources/screenshots/paged_shot.py BIRDS_WAV WORK_DIR OUT.png

Builds a four-minute dawn recording from the field recording: copies of it
one after another, each followed by a pause of 3 to 9 s of the recording's
own background level, named as an AudioMoth names its files
(``20240601_051500.wav``, so the axes read the time of day). The window
opens it, runs BirdNET (threshold 0.4), sets the paged view to 4 rows of 15 s with 3 s of
overlap, selects the best Tennessee Warbler of the second page and
photographs the window.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from find_similar_shot import wait  # beside this script
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QDockWidget

NAME = "20240601_051500.wav"
MINUTES = 4.0


def build(birds: Path, out: Path) -> Path:
    """Write the recording; returns its path."""
    audio, rate = sf.read(birds, dtype="float32")
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    frames = audio[: len(audio) // 1024 * 1024].reshape(-1, 1024)
    floor = float(np.percentile(np.sqrt(np.mean(frames**2, axis=1)), 10))  # the quiet background
    rng = np.random.default_rng(6)
    pieces, total = [], 0
    while total < MINUTES * 60 * rate:
        pause = rng.normal(scale=floor, size=int(rng.uniform(3.0, 9.0) * rate)).astype(np.float32)
        pieces += [audio, pause]
        total += len(audio) + len(pause)
    out.parent.mkdir(parents=True, exist_ok=True)
    sf.write(out, np.concatenate(pieces)[: int(MINUTES * 60 * rate)], rate)
    return out


def pause(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(birds: str, work: str, out: str) -> None:
    from audioclass_gui.qt.app import AppOptions, create_application, start_window
    from audioclass_gui.spectrogram.pages import PageLayout

    recording = build(Path(birds), Path(work) / "paged" / NAME)
    _app = create_application()  # kept alive while the window runs
    window, _ = start_window(AppOptions(path=recording, size=(1400, 900), threshold=0.4))
    wait(window.recording_opened)
    window.model_panel.set_model("birdnet")
    window.run_model("birdnet")
    wait(window.run_finished, 600_000)
    paged = window.paged
    bar = paged.view  # the bar's boxes, set as a user sets them
    bar.rows_box.setValue(4)
    bar.seconds_box.setValue(15.0)
    bar.overlap_box.setValue(3.0)
    assert window.app.paged.layout == PageLayout(4, 15.0, 3.0)
    table = window.findChild(QDockWidget, "dock-detections")
    window.resizeDocks([table], [190], Qt.Orientation.Vertical)  # room for the rows
    paged.set_active(True)
    page = window.app.paged.layout.page_span(1)
    on_page = [
        d for d in window.review.visible()
        if d.scientific_name == "Leiothlypis peregrina" and page[0] <= d.start and d.end <= page[1]
    ]  # fmt: skip
    window.review.select(max(on_page, key=lambda d: d.score).id)
    deadline = 0
    while not paged.view.page_painted and deadline < 60:
        pause(250)
        deadline += 1
    pause(500)
    window.grab().save(out)
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
