"""The session and the project are compositions of helpers, and reading many detections at once is exact.

``ReviewSession.get_many`` reads each column once for all the ids asked
(not once per detection); what it returns must be what ``get`` returns one
by one, for rows added as clip predictions and rows added as columns.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest
from soundevent import data, terms

import audioclass_gui.project
import audioclass_gui.review
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import ReviewSession, Status


def _recording(tmp_path, name: str) -> data.Recording:
    return data.Recording(
        path=tmp_path / name, duration=600.0, samplerate=8000, channels=1
    )


def _mixed_session(tmp_path) -> ReviewSession:
    """Two recordings: one with streamed clip predictions, one with stored columns."""
    a, b = _recording(tmp_path, "a.wav"), _recording(tmp_path, "b.wav")
    s = ReviewSession(common_name=lambda tag: {"Turdus merula": "Blackbird"}.get(tag.value))
    s.add_recording(a)
    s.add_recording(b)
    tag = lambda name: data.Tag(term=terms.scientific_name, value=name)  # noqa: E731
    s.add_predictions(
        [
            data.ClipPrediction(
                clip=data.Clip(recording=a, start_time=3.0 * i, end_time=3.0 * i + 3),
                tags=[
                    data.PredictedTag(tag=tag("Turdus merula"), score=0.9 - 0.1 * i),
                    data.PredictedTag(tag=tag("Parus major"), score=0.2 + 0.05 * i),
                ],
            )
            for i in range(5)
        ],
        run="live",
    )
    species = s.species_ids(["Parus major", "Strix aluco"])
    n = 12
    start = np.arange(n) * 3.0
    s.set_run("stored", name="Other model")
    s.add_columns(
        "stored",
        np.full(n, 1, np.int32),
        start,
        start + 3.0,
        species[np.arange(n) % 2],
        np.linspace(0.1, 0.95, n),
    )
    return s


def test_get_many_gives_what_get_gives_one_by_one(tmp_path) -> None:
    s = _mixed_session(tmp_path)
    first = s.columns().first_id
    ids = (np.random.default_rng(3).permutation(len(s)) + first).tolist()
    s.relabel([ids[0]], "Strix aluco")
    many = s.get_many(ids)
    one_by_one = [s.get(i) for i in ids]
    assert many == one_by_one
    for got, want in zip(many, one_by_one, strict=True):
        assert got.recording is want.recording  # one Recording object per file
        assert got.run == want.run and got.common_name == want.common_name
        made, wanted = got.clip_prediction, want.clip_prediction
        assert made.clip.uuid == wanted.clip.uuid
        assert [(t.tag, t.score) for t in made.tags] == [(t.tag, t.score) for t in wanted.tags]
    assert {d.run for d in many} == {"live", "stored"}
    assert "Blackbird" in {d.common_name for d in many}
    assert s.get_many([]) == []
    with pytest.raises(KeyError, match="no detection with id"):
        s.get_many([ids[0], first + len(s), ids[1]])


def test_get_many_after_clear_knows_only_the_new_ids(tmp_path) -> None:
    s = _mixed_session(tmp_path)
    old = s.query().tolist()
    s.set_status([old[0]], Status.ACCEPTED)
    s.clear()
    with pytest.raises(KeyError):
        s.get_many(old[:1])
    assert s.get_many(s.query().tolist()) == []


@pytest.mark.parametrize("package", [audioclass_gui.review, audioclass_gui.project])
def test_no_class_is_cut_into_mixins(package) -> None:
    """One class, one file: the session and the project compose helpers instead."""
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        mod = importlib.import_module(module.name)
        for name, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ == mod.__name__:
                assert "Mixin" not in name, f"{mod.__name__}.{name}"
    assert ReviewSession.__bases__ == (object,)
    assert ReviewProject.__bases__ == (object,)
