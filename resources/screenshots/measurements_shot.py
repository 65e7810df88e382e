"""Raven's measurements of boxes and of a time selection, for the README's picture.

    python resources/screenshots/measurements_shot.py BIRDS_WAV WORK_DIR OUT.png

Opens a folder holding the field recording, draws two boxes over songs
(3.05-4.55 s, 4-10 kHz, tagged Tennessee Warbler; 7.0-8.1 s, 6.5-9.8 kHz,
tagged Bay-breasted Warbler) and a time interval (8.5-9.4 s), selects a
time range over another song (0.4-1.0 s, Shift+drag), brings the
Measurements tab to the front and waits until every row is measured.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from find_similar_shot import wait  # the screenshot scripts' own helper (this folder)
from PySide6.QtCore import QEventLoop, QTimer


def pause(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(birds: str, work: str, out: str) -> None:
    from audioclass_gui.qt.app import AppOptions, create_application, start_window

    site = Path(work) / "measure-site"
    site.mkdir(parents=True, exist_ok=True)
    wav = site / Path(birds).name
    shutil.copyfile(birds, wav)
    _app = create_application()  # kept alive while the window runs
    window, _ = start_window(AppOptions(path=site, size=(1400, 900)))
    wait(window.projects.project_opened)
    for _ in range(100):
        if window.session is not None and window.view.painted_range:
            break
        pause(100)
    session = window.session
    session.set_common_names(
        {"Leiothlypis peregrina": "Tennessee Warbler", "Setophaga castanea": "Bay-breasted Warbler"}
    )
    first = session.add_box(wav, 3.05, 4.55, 4000.0, 10000.0, "Leiothlypis peregrina").box_id
    session.add_box(wav, 7.0, 8.1, 6500.0, 9800.0, "Setophaga castanea")
    session.add_box(wav, 8.5, 9.4, scientific_name="Setophaga castanea")  # a time interval
    window.view.set_selection((0.4, 1.0))
    window.boxes.select(first)
    window.measurements.dock.raise_()
    measurements = window.app.measurements
    for _ in range(200):  # until every row has its values
        if measurements.rows and not any(r.pending for r in measurements.rows):
            break
        pause(100)
    window.view.zoom_to_fit()
    pause(1500)
    window.grab().save(out)
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
