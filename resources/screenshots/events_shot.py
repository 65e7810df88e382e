"""Review by events on real birdsong, for the README's picture (run by make_screenshots.sh).

    python resources/screenshots/events_shot.py BIRDS_WAV WORK_DIR OUT.png

Copies the field recording into a folder, runs BirdNET over it with
``audioclass-gui predict`` (3-s windows every second: ``--overlap 2``, as
BirdNET-Analyzer users run it to find short calls), opens the folder in the
window at a 0.3 threshold and switches to Review by events: the Tennessee
Warbler's four overlapping windows (1-7 s) are one event. The Blackburnian
Warbler's event (its two windows) is accepted with one key, the Eastern
Towhee's rejected, and the Tennessee Warbler's event is selected: its span
is the box over the spectrogram, the Events table lists all six events.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from find_similar_shot import wait  # this folder is the script's: on sys.path
from PySide6.QtCore import QEventLoop, QTimer

TENNESSEE, BLACKBURNIAN, TOWHEE = (
    "Leiothlypis peregrina",
    "Setophaga fusca",
    "Pipilo erythrophthalmus",
)


def pause(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(birds: str, work: str, out: str) -> None:
    site = Path(work) / "events-site"
    if not site.is_dir():
        site.mkdir(parents=True)
        shutil.copy(birds, site)
        subprocess.run(
            [sys.executable, "-m", "audioclass_gui", "predict", str(site), "-o", str(site),
             "--model", "birdnet", "--threshold", "0.05", "--overlap", "2", "-q"],
            check=True,
        )
    from audioclass_gui.app.event_review import ReviewUnit
    from audioclass_gui.qt.app import AppOptions, create_application, start_window
    from audioclass_gui.review import Status

    _app = create_application()  # kept alive while the window runs
    window, _ = start_window(AppOptions(path=site, size=(1400, 900), threshold=0.3))
    wait(window.recording_opened)
    events = window.app.event_review
    events.set_mode(ReviewUnit.EVENTS)
    if not events.ready:  # grouped in the window's thread pool
        wait(events.listing_changed)
    names = window.session.species_list()

    def event_of(species: str) -> int:
        found = [i for i in events.order() if names[int(events.events.species[i])] == species]
        if not found:
            raise SystemExit(f"events_shot: BirdNET found no {species} event at 0.3")
        return int(found[0])

    for species, status in ((BLACKBURNIAN, Status.ACCEPTED), (TOWHEE, Status.REJECTED)):
        events.select(event_of(species))
        window.review.set_status(status)  # the key A / R, as the window's actions call it
    events.select(event_of(TENNESSEE))
    window.view.zoom_to_fit()
    pause(2500)  # the spectrogram's tiles paint
    window.grab().save(out)
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
