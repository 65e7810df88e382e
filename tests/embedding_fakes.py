"""A small fast stateless model with features, and test recordings, for embedding tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from soundevent import data

from audioclass_gui.models.base import ClipClassificationModel
from audioclass_gui.models.output import ModelOutput

BANDS = 16


class BandModel(ClipClassificationModel):
    """1-s windows at 8 kHz; features: log energy in 16 bands; fails on a marked file.

    ``fail_above``: a window whose peak exceeds it raises (a model error
    mid-recording), so a test can make one recording fail.
    """

    name = "BandModel"
    samplerate = 8000
    input_samples = 8000
    num_classes = 1
    confidence_threshold = 0.5
    num_features = BANDS

    def __init__(self, fail_above: float = 0.95, **kwargs) -> None:
        self.tags = [data.Tag(term=data.term_from_key("event"), value="tone")]
        self.fail_above = fail_above

    def process_array(self, array: np.ndarray) -> ModelOutput:
        x = np.asarray(array, np.float32)
        if x.size and np.abs(x).max() > self.fail_above:
            raise RuntimeError("clipped input")
        spec = np.abs(np.fft.rfft(x, axis=1)) ** 2
        bands = np.array_split(spec, BANDS, axis=1)
        feats = np.log10(np.stack([b.sum(axis=1) for b in bands], axis=1) + 1e-6)
        feats -= feats.min(axis=1, keepdims=True) - 1.0  # positive, not constant
        probs = np.zeros((len(x), 1), np.float32)
        return ModelOutput(probs, feats.astype(np.float32))


def tones(path: Path, freqs: list[float], *, samplerate: int = 8000, peak: float = 0.5) -> Path:
    """One second per frequency: a pure tone in light noise."""
    rng = np.random.default_rng(len(freqs) + int(sum(freqs)))
    t = np.arange(samplerate) / samplerate
    parts = [peak * np.sin(2 * np.pi * f * t) + 0.01 * rng.standard_normal(t.size) for f in freqs]
    sf.write(path, np.concatenate(parts).astype(np.float32), samplerate)
    return path
