"""Drawn boxes and time intervals in every export, read back (no Qt).

A box is a ``BoundingBox`` sound event, an interval a ``TimeInterval`` one,
both loaded back by ``soundevent.io.load`` and by our importer exactly as
drawn (untagged ones and notes too); Raven and CSV rows carry the box's band,
or the whole band for an interval; Audacity gives every label a frequency line.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, io

from audioclass_gui.formats import export_aoef, read_review
from audioclass_gui.formats.exports import export_all
from audioclass_gui.formats.raven import read_raven_table
from audioclass_gui.review import ReviewSession

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EVE = data.User(username="eve", name="Eve")


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    path = tmp_path / "rec" / "site.wav"
    path.parent.mkdir()
    sf.write(path, np.zeros(20 * 22050, dtype=np.float32), 22050)  # Nyquist 11025 Hz
    s = ReviewSession(data.Recording.from_file(path, compute_hash=False), reviewer=EVE)
    s.set_common_names({"Strix aluco": "Tawny Owl"})
    s.add_box(path, 2.25, 3.5, 1200.0, 4800.5, "Strix aluco", "male, far")
    s.add_box(path, 10.0, 12.75, scientific_name="Strix aluco")  # a time interval
    s.add_box(path, 15.0, 16.0, 300.0, 900.0)  # untagged box
    s.add_box(path, 18.0, 19.5, note="wind?")  # untagged interval with a note
    return s


def test_aoef_geometry_and_read_back(session: ReviewSession, tmp_path: Path) -> None:
    result = export_aoef(session, tmp_path / "out" / "review.json")
    project = io.load(result.project_path, type="annotation_project")
    events = {
        se.uuid.hex: se for ca in project.clip_annotations for se in ca.sound_events
    }
    assert set(events) == {b.id for b in session.boxes()}
    for box in session.boxes():
        event = events[box.id]
        geometry = event.sound_event.geometry
        if box.is_interval:
            assert isinstance(geometry, data.TimeInterval)
            assert geometry.coordinates == [box.start, box.end]
        else:
            assert isinstance(geometry, data.BoundingBox)
            assert geometry.coordinates == [
                box.start,
                box.low_freq,
                box.end,
                box.high_freq,
            ]
        assert [t.value for t in event.tags] == (
            [box.scientific_name] if box.scientific_name else []
        )
        assert [n.message for n in event.notes] == ([box.note] if box.note else [])
        assert event.created_by.name == "Eve"
    # Our importer gives back the very same boxes, intervals as intervals.
    review = read_review(result.project_path)
    assert {b.id: b for b, _u, _t in review.boxes} == {b.id: b for b in session.boxes()}


def test_tables_give_the_band_or_the_whole_band(
    session: ReviewSession, tmp_path: Path
) -> None:
    written = export_all(session, tmp_path / "out", ("raven", "audacity", "csv"))
    table = next(p for p in written["raven"] if p.name.startswith("site."))
    rows = read_raven_table(table)
    bands = [
        (
            float(r["Begin Time (s)"]),
            float(r["Low Freq (Hz)"]),
            float(r["High Freq (Hz)"]),
        )
        for r in rows
    ]
    assert bands == [
        (2.25, 1200.0, 4800.5),
        (10.0, 0.0, 11025.0),
        (15.0, 300.0, 900.0),
        (18.0, 0.0, 11025.0),
    ]
    assert [r["Verdict"] for r in rows] == ["drawn"] * 4
    assert [r["Note"] for r in rows] == ["male, far", "", "", "wind?"]
    assert rows[0]["Common Name"] == "Tawny Owl"

    with open(written["csv"][0], newline="", encoding="utf-8") as handle:
        csv_rows = list(csv.DictReader(handle))
    assert [
        (r["Start (s)"], r["Low Freq (Hz)"], r["High Freq (Hz)"]) for r in csv_rows
    ][1] == ("10.0", "0.0", "11025.0")

    lines = written["audacity"][0].read_text().splitlines()
    assert lines == [
        "2.250000\t3.500000\tStrix aluco [drawn] — male, far",
        "\\\t1200.000000\t4800.500000",
        "10.000000\t12.750000\tStrix aluco [drawn]",
        "\\\t0.000000\t11025.000000",  # an interval: the whole band
        "15.000000\t16.000000\tbox [drawn]",
        "\\\t300.000000\t900.000000",
        "18.000000\t19.500000\tinterval [drawn] — wind?",
        "\\\t0.000000\t11025.000000",
    ]
