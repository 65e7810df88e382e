"""tiny_plugin: a third-party model for audioclass-gui, as small as it gets.

The README's plugin example; tests install it as a distribution with an
entry point in the ``audioclass_gui.models`` group and run it.
"""

import numpy as np
from soundevent import data

from audioclass_gui.models import ClipClassificationModel, ModelOutput

TERM = data.Term(name="tiny:loudness", label="Loudness", definition="Loud or not.")


class LoudnessModel(ClipClassificationModel):
    """Flags half-second frames whose RMS exceeds a level."""

    title = "Tiny loudness model"
    name = "Loudness"
    samplerate = 8000
    input_samples = 4000
    num_classes = 1

    def __init__(self, confidence_threshold=0.5, level=0.1):
        self.confidence_threshold = confidence_threshold
        self.level = level
        self.tags = [data.Tag(term=TERM, value="loud")]

    def process_array(self, array):
        rms = np.sqrt(np.mean(array.astype(np.float64) ** 2, axis=1))
        probs = (rms > self.level).astype(np.float32)[:, None]
        return ModelOutput(probs, rms.astype(np.float32)[:, None])
