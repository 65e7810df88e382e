"""Reference examples beside a detection, on real birdsong, for the README's picture.

    python resources/screenshots/reference_shot.py BIRDS_WAV WORK_DIR OUT.png

Builds a small deployment from the field recording (six 30-s recordings,
each ten 3-s windows: the recording's three songs, a Bay-breasted, a
Tennessee and a Blackburnian Warbler, in shuffled orders, with field noise
at 6 to 24 dB SNR), runs BirdNET over it (``audioclass-gui predict``), and
gives the verdicts a reviewer would: in the first five recordings, every
Tennessee and Bay-breasted Warbler detection of a window that holds that
song is accepted and every other one rejected. The window then opens the
sixth recording, still unreviewed, selects its best Tennessee Warbler
detection and shows the Reference examples panel beside it: the accepted
calls of the species from the other recordings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from find_similar_shot import wait  # beside this script
from PySide6.QtCore import QEventLoop, QTimer

#: The field recording's songs by 3-s window (from its data notes).
SONGS = ("Setophaga castanea", "Leiothlypis peregrina", "Setophaga fusca")
REVIEWED = ("Setophaga castanea", "Leiothlypis peregrina")
SNRS = (24, 18, 12, 9, 6, 15)


def build(birds: Path, site: Path) -> dict[str, list[int]]:
    """Write the recordings; return which song each window holds, by file name."""
    audio, rate = sf.read(birds, dtype="float32")
    window = 3 * rate
    songs = [audio[i * window : (i + 1) * window] for i in range(len(SONGS))]
    rng = np.random.default_rng(15)
    site.mkdir(parents=True, exist_ok=True)
    layout = {}
    for n, snr in enumerate(SNRS):
        order = rng.integers(0, len(songs), 10)
        signal = np.concatenate([songs[i] for i in order])
        noise = rng.normal(size=signal.size).astype(np.float32)
        noise *= np.sqrt(np.mean(signal**2) / 10 ** (snr / 10)) / np.std(noise)
        name = f"2024050{n + 1}_053000.wav"
        sf.write(site / name, signal + noise, rate)
        layout[name] = order.tolist()
    return layout


def review(site: Path, layout: dict[str, list[int]]) -> None:
    """Accept the reviewed species where their song is, reject them elsewhere (not the last file)."""
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.project.identity import make_reviewer, save_reviewer
    from audioclass_gui.review import Status

    save_reviewer(make_reviewer("Screenshot reviewer"))
    project = ReviewProject.open(site)
    try:
        session = project.session
        accept, reject = [], []
        last = sorted(layout)[-1]
        for d in session.detections():
            name = Path(d.recording.path).name
            if name == last or d.scientific_name not in REVIEWED:
                continue
            song = SONGS[layout[name][int(round(d.start / 3.0))]]
            (accept if song == d.scientific_name else reject).append(d.id)
        session.set_status(accept, Status.ACCEPTED)
        session.set_status(reject, Status.REJECTED)
        print(f"reference_shot: {len(accept)} accepted, {len(reject)} rejected", file=sys.stderr)
    finally:
        project.close()


def main(birds: str, work: str, out: str) -> None:
    site = Path(work) / "reference-site"
    layout = build(Path(birds), site)
    subprocess.run(
        [sys.executable, "-m", "audioclass_gui", "predict", str(site), "-o", str(site),
         "--model", "birdnet", "--threshold", "0.05", "-q"],
        check=True,
    )
    review(site, layout)
    from audioclass_gui.qt.app import AppOptions, create_application, start_window

    _app = create_application()  # kept alive while the window runs
    window, _ = start_window(AppOptions(path=site, size=(1400, 900), threshold=0.25))
    wait(window.recording_opened)
    last = site / sorted(layout)[-1]
    if window.info.path.name != last.name:
        window.projects.open_recording(str(last.absolute()))
        wait(window.recording_opened)
    window.references.dock.raise_()
    session = window.session
    target = max(
        (d for d in session.detections()
         if d.scientific_name == SONGS[1] and Path(d.recording.path).name == last.name),
        key=lambda d: d.score,
    )
    window.review.select(target.id)
    panel = window.references.panel
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if all(c.has_picture for c in panel.cards) else None)
    timer.start(100)
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()
    pause = QEventLoop()  # a moment for the spectrogram's tiles to paint
    QTimer.singleShot(1500, pause.quit)
    pause.exec()
    window.grab().save(out)
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
