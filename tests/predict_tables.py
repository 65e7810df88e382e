"""``audioclass-gui predict``'s tables over the demo recording, for the table readers' tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf


def predict_demo_tables(tmp_path: Path, **outputs: bool) -> tuple[Path, Path]:
    """Run BirdNET (threshold 0.1) over ``birds.wav`` and ``quiet.wav`` in ``tmp_path / "audio"``.

    ``birds.wav`` is the demo recording (10.13 s, 32 kHz), ``quiet.wav`` 4 s
    of silence at 22.05 kHz; ``outputs`` are :class:`BatchConfig` flags
    (``raven=True``, ``csv=True``). Returns the audio folder and the output
    folder; skips the test where the demo recording is not installed.
    """
    from audioclass_gui.batch import BatchConfig, run_batch
    from audioclass_gui.models.settings import RunSettings
    from audioclass_gui.resource_files import resource_path

    birds = resource_path("birds_10s.wav")
    if birds is None:
        pytest.skip("the demo recording is not installed")
    audio = tmp_path / "audio"
    audio.mkdir()
    (audio / "birds.wav").write_bytes(birds.read_bytes())
    sf.write(audio / "quiet.wav", np.zeros(4 * 22050, np.float32), 22050)
    out = tmp_path / "out"
    config = BatchConfig(
        output=out, model="birdnet", settings=RunSettings(threshold=0.1), **outputs
    )
    report = run_batch([audio], config)
    assert report.ok, report
    return audio, out
