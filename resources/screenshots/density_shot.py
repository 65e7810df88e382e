"""Detection density on a half hour of real birdsong, for the README's picture.

    python resources/screenshots/density_shot.py BIRDS_WAV WORK_DIR OUT.png

Builds a 30-minute dawn recording from the field recording
(``20240515_050000.wav``, named as an AudioMoth names it, so the axis reads
clock time): 600 windows of 3 s, each field noise or one of the recording's
three warbler songs at 6 to 20 dB SNR, the Tennessee Warbler singing most
early on, the Bay-breasted Warbler mid-way and the Blackburnian Warbler
late, with quiet spells between. BirdNET runs over it (``audioclass-gui
predict``, with BirdNET's location filter for central Pennsylvania in
mid-May); the window opens the folder, selects the Tennessee Warbler
detection BirdNET scores highest and shows the whole half hour: density
lanes instead of boxes, on the spectrogram and under the timeline's overview.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from find_similar_shot import wait  # beside this script
from PySide6.QtCore import QEventLoop, QTimer

MINUTES = 30
WINDOW_S = 3
#: Each song's peak (minute) and spread (minutes): piece 0 is the Bay-breasted
#: Warbler's song, 1 the Tennessee Warbler's, 2 the Blackburnian Warbler's.
PEAKS = ((15.0, 3.0), (7.0, 3.5), (23.0, 2.5))
NAME = "20240515_050000.wav"
#: Where and when (BirdNET's location filter): central Pennsylvania, mid-May,
#: when the field recording's warblers pass through on migration.
LAT, LON, WEEK = 40.8, -77.9, 19


def build(birds: Path, site: Path) -> Path:
    """Write the half hour, window by window; return its path."""
    audio, rate = sf.read(birds, dtype="float32")
    window = WINDOW_S * rate
    songs = [audio[i : i + window] for i in range(0, 3 * window, window)]
    rng = np.random.default_rng(601)
    site.mkdir(parents=True, exist_ok=True)
    path = site / NAME
    noise_level = 0.01
    with sf.SoundFile(path, "w", samplerate=rate, channels=1, subtype="PCM_16") as out:
        for k in range(MINUTES * 60 // WINDOW_S):
            minute = k * WINDOW_S / 60
            chances = np.array(
                [0.7 * np.exp(-0.5 * ((minute - peak) / spread) ** 2) for peak, spread in PEAKS]
            )
            piece = rng.normal(scale=noise_level, size=window).astype(np.float32)
            if rng.random() < min(chances.sum(), 0.85):
                song = songs[rng.choice(len(songs), p=chances / chances.sum())]
                snr = rng.uniform(6, 20)
                piece += noise_level * 10 ** (snr / 20) / np.sqrt(np.mean(song**2)) * song
            out.write(np.clip(piece, -1, 1))
    return path


def settle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(birds: str, work: str, out: str) -> None:
    site = Path(work) / "dawn"
    if not (site / NAME).exists():
        build(Path(birds), site)
        subprocess.run(
            [sys.executable, "-m", "audioclass_gui", "predict", str(site), "-o", str(site),
             "--model", "birdnet", "--threshold", "0.05", "-q",
             "--lat", str(LAT), "--lon", str(LON), "--week", str(WEEK)],
            check=True,
        )
    from audioclass_gui.qt.app import AppOptions, create_application, start_window

    _app = create_application()  # kept alive while the window runs
    window, _ = start_window(AppOptions(path=site, size=(1400, 900), threshold=0.25))
    wait(window.recording_opened)
    session = window.session
    target = max(
        (d for d in session.detections() if d.scientific_name == "Leiothlypis peregrina"),
        key=lambda d: d.score,
    )
    window.review.select(target.id)
    window.zoom_to_fit()
    duration = window.view.duration
    while window.timeline.filled < duration - 1:  # the overview, computed in the background
        wait(window.view.overview_progress, 300_000)
    settle(2000)  # the spectrogram's tiles paint
    mode = window.overlay.mode
    if mode != "density":
        raise SystemExit(f"density_shot: the view draws {mode}, not the density")
    window.grab().save(out)
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
