"""Review sessions built from (species, score) rows, for tests without a screen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.review import ReviewSession


def make_session(tmp_path: Path, rows: list[tuple[str, float]]) -> ReviewSession:
    """A session of one silent recording; detection ``i`` spans ``[i, i + 3]`` s.

    Each row ``(scientific name, score)`` becomes one clip prediction, in order,
    so detection ids follow the rows.
    """
    path = tmp_path / "r.wav"
    sf.write(path, np.zeros(8000, dtype=np.float32), 8000)
    rec = data.Recording.from_file(path, compute_hash=False)
    s = ReviewSession()
    s.add_predictions(
        [
            data.ClipPrediction(
                clip=data.Clip(recording=rec, start_time=float(i), end_time=i + 3.0),
                tags=[
                    data.PredictedTag(
                        tag=data.Tag(term=terms.scientific_name, value=name),
                        score=score,
                    )
                ],
            )
            for i, (name, score) in enumerate(rows)
        ]
    )
    return s
