"""Without a screen: how a detection reads, the list's next one and counts, the labels' lanes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audioclass_gui.qt.review.overlay_layout import MAX_LANES, layout_labels
from audioclass_gui.review import Status
from audioclass_gui.review.listed import ListedCounts, next_open
from audioclass_gui.review.shown import shown
from tests.sessions import make_session

ROWS = [("Turdus merula", 0.9), ("Parus major", 0.8), ("Turdus merula", 0.7), ("Parus major", 0.6)]


def test_a_relabel_and_a_note_change_how_a_detection_reads(tmp_path: Path):
    s = make_session(tmp_path, ROWS)
    s.set_common_names({"Turdus merula": "Eurasian Blackbird", "Parus major": "Great Tit"})
    d = s.get_many([0])[0]
    before = shown(s, d)
    assert (before.name, before.species_text, before.relabelled) == (
        "Eurasian Blackbird", "Eurasian Blackbird", False
    )
    edit = s.relabel([0], "Parus major")
    s.set_note([0], "two birds")
    now = shown(s, d)
    assert (now.name, now.scientific_name, now.status) == ("Great Tit", "Parus major", Status.ACCEPTED)
    assert now.species_text == "Great Tit (was Eurasian Blackbird)"
    assert now.score_text == "0.90 ✎"
    assert now.status_text("Accepted") == "Accepted · was Eurasian Blackbird · ✎ two birds"
    assert now.tooltip().splitlines() == [
        "Great Tit (Parus major) (was Eurasian Blackbird (Turdus merula))",
        "score 0.900 · 0.00–3.00 s",
        "Accepted (relabelled)",
        "Note: two birds",
    ]
    s.revert(edit)
    assert shown(s, d).species_text == "Eurasian Blackbird"


def test_next_open_follows_the_order_given_and_wraps(tmp_path: Path):
    s = make_session(tmp_path, ROWS)
    order = [3, 1, 0, 2]  # e.g. the table sorted by some column
    assert next_open(s, order, None) == 3
    assert next_open(s, order, 1) == 0
    s.set_status([0, 2], Status.ACCEPTED)
    assert next_open(s, order, 1) == 3  # past the end: from the top
    s.set_status([1, 3], Status.REJECTED)
    assert next_open(s, order, 1) is None
    assert next_open(s, [], None) is None


def test_listed_counts_follow_verdicts_of_listed_detections_only(tmp_path: Path):
    s = make_session(tmp_path, ROWS)
    counts = ListedCounts()
    counts.reset(s, np.array([2, 0, 3]))
    assert counts.counts()[Status.UNREVIEWED] == 3
    s.set_status([1], Status.ACCEPTED)  # not listed
    assert not counts.update(s, [1])
    s.set_status([0, 3], Status.REJECTED)
    assert counts.update(s, [0, 3, 0])
    assert counts.counts() == {
        Status.UNREVIEWED: 1, Status.ACCEPTED: 0, Status.REJECTED: 2, Status.UNCERTAIN: 0
    }
    counts.reset(None, [1, 2])
    assert sum(counts.counts().values()) == 0


def test_labels_take_lanes_where_windows_overlap_or_labels_are_long(tmp_path: Path):
    s = make_session(tmp_path, [("A", 0.5)] * 13)
    ds = s.get_many(range(6))  # windows [i, i + 3]: each overlaps the next two
    spots = layout_labels(ds, {d.id: 10.0 for d in ds}, view_start=0.0, seconds_per_px=0.01)
    assert [spots[d.id].lane for d in ds] == [0, 1, 2, 0, 1, 2]
    assert all(spots[d.id].room_px == 300 - 2 for d in ds[:3])  # up to the next in its lane
    # Windows apart but labels longer than them: neighbours alternate lanes.
    spaced = [d for d in ds if d.id % 3 == 0]  # [0, 3] and [3, 6]: touching
    wide = layout_labels(spaced, {d.id: 500.0 for d in spaced}, 0.0, 0.01)
    assert [wide[d.id].lane for d in spaced] == [0, 1]
    assert wide[spaced[0].id].room_px == float("inf")
    # At most MAX_LANES for long labels: then the label is cut short.
    row = s.get_many(range(0, 13, 3))  # five touching windows
    many = layout_labels(row, {d.id: 5000.0 for d in row}, 0.0, 0.01)
    assert [many[d.id].lane for d in row] == [0, 1, 2, 0, 1]
    assert MAX_LANES == 3
    assert many[0].room_px == 900 - 2
    # A box reaching into the view from the left has its label at the view's edge.
    pinned = layout_labels(ds[:1], {0: 10.0}, view_start=1.5, seconds_per_px=0.01)
    assert pinned[0].x == 1.5
