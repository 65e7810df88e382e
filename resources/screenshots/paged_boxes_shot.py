"""A box drawn in a row of the paged view, on real birdsong, for the README's picture.

    python resources/screenshots/paged_boxes_shot.py BIRDS_WAV WORK_DIR OUT.png

Builds the four-minute dawn recording of ``paged_shot.py`` (copies of the
field recording with pauses of its own background), opens it, runs BirdNET
at threshold 0.5 and shows 4 rows of 15 s with 3 s of overlap. It then
looks for a copy of the recording's third song (6.4-8.4 s into each copy,
5.5-10.5 kHz) that no detection at 0.5 covers and that lies whole in a row,
turns to its page and draws a box around it as a reviewer does: B, a
mouse drag in that row, the species picker's first offer (the species
BirdNET scored best there, below the threshold). The box is then
deselected so it shows in the drawn boxes' colour (the status bar still
describes it), and the window is photographed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from find_similar_shot import wait  # the screenshot scripts' own helper (this folder)
from paged_shot import (  # the same recording as the paged view's picture
    NAME,
    build,
    pause,
)
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QDockWidget

#: The song boxed, in seconds from the start of a copy and Hz.
SONG = (6.4, 8.4, 5500.0, 10500.0)
THRESHOLD = 0.5


def copy_starts(recording: Path, birds: Path) -> list[float]:
    """Seconds at which each copy of ``birds`` starts in ``recording`` (its samples repeat exactly)."""
    audio, rate = sf.read(recording, dtype="int16")
    head = audio[:256]
    length = sf.info(birds).frames
    starts = [i for i in np.flatnonzero(audio == head[0]) if np.array_equal(audio[i : i + 256], head)]
    kept: list[int] = []
    for i in starts:  # one per copy (a copy cannot start inside the one before)
        if not kept or i >= kept[-1] + length:
            kept.append(int(i))
    return [i / rate for i in kept]


def drag(viewport, a: QPoint, b: QPoint) -> None:
    """Press at ``a``, move to ``b`` with the left button held, release: as a mouse does."""
    def send(kind, p: QPointF, button, buttons) -> None:
        event = QMouseEvent(kind, p, viewport.mapToGlobal(p), button, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send(QEvent.Type.MouseButtonPress, QPointF(a), left, left)
    for i in range(1, 9):
        send(QEvent.Type.MouseMove, QPointF(a + (b - a) * (i / 8)), none, left)
        pause(30)
    send(QEvent.Type.MouseButtonRelease, QPointF(b), left, none)


def main(birds: str, work: str, out: str) -> None:
    from audioclass_gui.qt.app import AppOptions, create_application, start_window
    from audioclass_gui.spectrogram.pages import PageLayout

    recording = build(Path(birds), Path(work) / "paged-boxes" / NAME)
    _app = create_application()  # kept alive while the window runs
    window, _ = start_window(AppOptions(path=recording, size=(1400, 900), threshold=THRESHOLD))
    wait(window.recording_opened)
    window.model_panel.set_model("birdnet")
    window.run_model("birdnet")
    wait(window.run_finished, 600_000)
    paged, state = window.paged, window.app.paged
    bar = paged.view  # the bar's boxes, set as a user sets them
    bar.rows_box.setValue(4)
    bar.seconds_box.setValue(15.0)
    bar.overlap_box.setValue(3.0)
    layout = state.layout
    assert layout == PageLayout(4, 15.0, 3.0)
    table = window.findChild(QDockWidget, "dock-detections")
    window.resizeDocks([table], [190], Qt.Orientation.Vertical)  # room for the rows
    paged.set_active(True)

    # A copy of the song no detection at the threshold covers, whole in a row.
    listed = list(window.review.visible())
    missed = None
    for copy in copy_starts(recording, Path(birds))[1:]:
        start, end = copy + SONG[0], copy + SONG[1]
        if end > state.duration or any(d.start < end and d.end > start for d in listed):
            continue
        page = layout.page_for_span(start, end, state.duration, 0)
        rows = layout.page_rows(page)
        row = next((i for i, r in enumerate(rows) if r.start <= start and end <= r.end), None)
        if row is not None:
            missed = (page, row, start, end)
            break
    if missed is None:
        raise SystemExit("paged_boxes_shot: BirdNET found every copy of the song at 0.5")
    page, row, start, end = missed
    state.show_page(page)
    for _ in range(240):
        if paged.view.page_painted:
            break
        pause(250)

    view = paged.view
    plot = view.rows[row].viewbox

    def at(seconds: float, hz: float) -> QPoint:
        return view.graphics.mapFromScene(plot.mapViewToScene(QPointF(seconds, hz)))

    window.boxes.toggle_drawing()  # B
    picker = []
    window.boxes.picker_shown.connect(picker.append)
    drag(view.graphics.viewport(), at(start, SONG[3]), at(end, SONG[2]))
    if not picker:
        raise SystemExit("paged_boxes_shot: the drag drew no box")
    offered = picker[0].first
    picker[0].choose(offered[0] if offered else "Setophaga fusca")
    pause(300)
    # The new box is selected and the status bar describes it; deselected, it
    # shows in the drawn boxes' colour (the description stays a while).
    window.boxes.select(None)
    pause(800)
    window.grab().save(out)
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
