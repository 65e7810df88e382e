"""Find similar on real birdsong, for the README's picture (run by make_screenshots.sh).

    python resources/screenshots/find_similar_shot.py BIRDS_WAV WORK_DIR OUT.png

Builds a small deployment from the field recording (six 30-s recordings:
its 3-s windows in shuffled orders, with field noise at 6 to 24 dB SNR),
opens it in the window, runs BirdNET over every recording keeping the
embeddings, selects the Tennessee Warbler detection BirdNET scores highest
and presses Find similar. The list then shows every window of the
deployment by its similarity to that call.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from PySide6.QtCore import QEventLoop, QTimer


def build(birds: Path, site: Path) -> None:
    audio, rate = sf.read(birds, dtype="float32")
    window = 3 * rate
    pieces = [audio[i : i + window] for i in range(0, len(audio) - window + 1, window)]
    rng = np.random.default_rng(12)
    site.mkdir(parents=True, exist_ok=True)
    for n, snr in enumerate((24, 18, 12, 9, 6, 15)):
        order = rng.permutation(np.repeat(np.arange(len(pieces)), 3))[:10]
        signal = np.concatenate([pieces[i] for i in order])
        noise = rng.normal(size=signal.size).astype(np.float32)
        noise *= np.sqrt(np.mean(signal**2) / 10 ** (snr / 10)) / np.std(noise)
        sf.write(site / f"2024050{n + 1}_053000.wav", signal + noise, rate)


def wait(signal, timeout_ms: int = 120_000) -> tuple:
    loop, got = QEventLoop(), []
    signal.connect(lambda *args: (got.append(args), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if not got:
        raise TimeoutError(f"no {signal} in {timeout_ms} ms")
    return got[0]


def main(birds: str, work: str, out: str) -> None:
    from audioclass_gui.qt.app import AppOptions, create_application, start_window

    site = Path(work) / "site"
    build(Path(birds), site)
    _app = create_application()  # kept alive while the window runs
    window, _ = start_window(AppOptions(path=site, size=(1400, 900), threshold=0.1))
    wait(window.projects.project_opened)
    window.model_panel.set_model("birdnet")
    window.model_panel.options.embeddings_check.setChecked(True)
    window.run_all.run_all()
    wait(window.run_all.run_ended, 600_000)
    learning = window.app.learning
    learning.refresh()
    wait(learning.status_changed)
    session = window.session
    target = max(
        (d for d in session.detections() if d.scientific_name == "Leiothlypis peregrina"),
        key=lambda d: d.score,
    )
    window.review.select(target.id)
    window.learning.banner.k.setValue(30)
    window.learning.similar_action.trigger()
    wait(learning.list_changed)
    loop = QEventLoop()  # two seconds for the selected match's spectrogram tiles to paint
    QTimer.singleShot(2000, loop.quit)
    loop.exec()
    window.grab().save(out)
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
