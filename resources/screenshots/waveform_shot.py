"""The waveform above the spectrogram, for the README's picture (run by make_screenshots.sh).

    python resources/screenshots/waveform_shot.py BIRDS_WAV OUT.png

Opens the field recording, chooses View › Waveform › Waveform above
spectrogram, runs BirdNET over it in the window, selects the Tennessee
Warbler detection BirdNET scores highest (its box and row), Shift+drags a
time selection over one of its songs (on the waveform, so the band shows
in both plots) and puts the playhead in it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from find_similar_shot import wait  # beside this script
from PySide6.QtCore import QEventLoop, QTimer


def pause(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(birds: str, out: str) -> None:
    from audioclass_gui.qt.app import AppOptions, create_application, start_window

    _app = create_application()  # kept alive while the window runs
    window, _ = start_window(
        AppOptions(path=Path(birds), model="birdnet", run=True, threshold=0.25, size=(1400, 900))
    )
    window.waveform.set_mode("above")
    wait(window.run_finished, 300_000)
    session = window.session
    target = max(
        (d for d in session.detections() if d.scientific_name == "Leiothlypis peregrina"),
        key=lambda d: d.score,
    )
    window.review.select(target.id)
    wave = window.waveform.view
    wave.viewbox.selection_dragged.emit(3.05, 4.55, True)  # as a Shift+drag on the waveform
    window.playback.position_changed.emit(3.8)
    window.view.zoom_to_fit()
    for _ in range(100):  # until the whole recording is drawn in both plots
        piece = wave.shown
        if piece is not None and piece.known and piece.start == 0.0 and window.view.painted_range:
            break
        pause(100)
    pause(500)
    window.grab().save(out)
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
