"""Reports › Activity on a deployment made from real birdsong, for the README's picture.

    python resources/screenshots/activity_shot.py BIRDS_WAV WORK_DIR OUT.png

Builds two recorders' cards (``site01/``, ``site02/``) of 30-s recordings
taken at the top of every hour for ten days from 1 May 2024, named as an
AudioMoth names them (``20240501_050000.wav``). Each 3-s window holds
either field noise or one of the field recording's warbler songs at 3 to
20 dB SNR, more often at dawn, less at midday and in the evening, never at
night, and less on two rainy days; site02's recorder stops for two days
(a flat battery). BirdNET runs over every recording (``audioclass-gui
predict``); the window opens the folder, and Reports › Activity shows
Tennessee Warbler at site01 and at all sites.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from find_similar_shot import wait  # beside this script
from PySide6.QtCore import QEventLoop, QTimer

DAYS = 10
FIRST = dt.datetime(2024, 5, 1)
WINDOWS = 10  # 3-s windows per 30-s recording
# Chance that a window holds a song, by hour of day: a dawn chorus, a
# quieter day, some song at dusk, none at night.
SONG = np.array([0, 0, 0, 0, 0.05, 0.45, 0.7, 0.55, 0.4, 0.3, 0.2, 0.15,
                 0.1, 0.08, 0.08, 0.1, 0.12, 0.15, 0.25, 0.3, 0.1, 0, 0, 0])
RAINY = {3, 7}  # days (from 0) with little song
BATTERY = {("site02", 5), ("site02", 6)}  # (site, day) with no recording


def build(birds: Path, root: Path) -> int:
    """Write the recordings; returns how many."""
    audio, rate = sf.read(birds, dtype="float32")
    window = 3 * rate
    songs = [audio[i : i + window] for i in range(0, 3 * window, window)]
    rng = np.random.default_rng(2024)
    made = 0
    for site, site_factor in (("site01", 1.0), ("site02", 0.6)):
        folder = root / site
        folder.mkdir(parents=True, exist_ok=True)
        for day in range(DAYS):
            if (site, day) in BATTERY:
                continue
            weather = 0.25 if day in RAINY else 1.0
            for hour in range(24):
                p = SONG[hour] * site_factor * weather
                noise_level = 0.01 * (2.5 if day in RAINY else 1.0)
                pieces = []
                for _w in range(WINDOWS):
                    noise = rng.normal(scale=noise_level, size=window).astype(np.float32)
                    if rng.random() < p:
                        song = songs[rng.integers(len(songs))]
                        snr = rng.uniform(3, 20)
                        gain = noise_level * 10 ** (snr / 20) / np.sqrt(np.mean(song**2))
                        noise += gain * song
                    pieces.append(noise)
                start = FIRST + dt.timedelta(days=day, hours=hour)
                sf.write(folder / f"{start:%Y%m%d_%H%M%S}.wav", np.concatenate(pieces), rate)
                made += 1
    return made


def main(birds: str, work: str, out: str) -> None:
    root = Path(work) / "deployment"
    if not (root / "site01").is_dir():
        build(Path(birds), root)
        subprocess.run(
            [sys.executable, "-m", "audioclass_gui", "predict", str(root), "-o", str(root),
             "--model", "birdnet", "--threshold", "0.05", "-q"],
            check=True,
        )
    from audioclass_gui.qt.app import AppOptions, create_application, start_window

    _app = create_application()  # kept alive while the window runs
    window, _ = start_window(AppOptions(path=root, size=(1400, 900), threshold=0.25))
    wait(window.recording_opened)
    charts = window.activity_reports.open()
    wait(charts.counted)
    charts.resize(1200, 820)
    charts.choose(species="Leiothlypis peregrina", site="site02")
    loop = QEventLoop()
    QTimer.singleShot(500, loop.quit)
    loop.exec()
    charts.grab().save(out)
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
