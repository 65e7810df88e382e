"""Pages of rows (Raven's lines per page) as arithmetic, and the paged view's app state: no Qt."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.app import AppModel
from audioclass_gui.app.paged_state import detection_at
from audioclass_gui.review import Detection, ReviewSession
from audioclass_gui.spectrogram.pages import MAX_ROWS, PageLayout


def all_rows(layout: PageLayout, duration: float):
    return [row for p in range(layout.page_count(duration)) for row in layout.page_rows(p)]


@pytest.mark.parametrize(
    ("rows", "seconds", "overlap", "duration"),
    [(4, 15.0, 0.0, 60.0), (4, 15.0, 3.0, 300.0), (1, 10.0, 0.0, 9.0), (12, 60.0, 5.0, 86400.0),
     (3, 7.5, 2.5, 100.0), (5, 2.0, 1.9, 37.3), (2, 10.0, 0.0, 10.0)],
)  # fmt: skip
def test_pages_cover_the_recording_with_the_overlap(rows, seconds, overlap, duration):
    layout = PageLayout(rows, seconds, overlap)
    shown = all_rows(layout, duration)
    # One sequence of rows through every page, each repeating `overlap` of the one before.
    assert [r.index for r in shown] == list(range(len(shown)))
    for before, after in zip(shown, shown[1:], strict=False):
        assert before.end - after.start == pytest.approx(overlap)
        assert after.end - after.start == pytest.approx(seconds)
    assert shown[0].start == 0.0
    # The recording is covered to its end by the rows it needs and no more:
    # the last one needed reaches the end, the one before does not, and only
    # the last page has rows beyond (blank past the end of the recording).
    needed = shown[: next(i for i, r in enumerate(shown) if r.end >= duration - 1e-9) + 1]
    assert len(needed) == layout.row_count(duration)
    assert needed[-1].end >= duration - 1e-9
    if len(needed) > 1:
        assert needed[-2].end < duration
    assert len(shown) - len(needed) < rows  # only the last page is partial
    assert layout.page_count(duration) == math.ceil(layout.row_count(duration) / rows)


def test_a_time_belongs_to_the_page_that_brings_it_in_first():
    layout = PageLayout(4, 15.0, 3.0)  # rows start every 12 s, pages every 48 s
    assert layout.step == 12.0 and layout.page_step == 48.0 and layout.page_seconds == 51.0
    assert layout.page_span(1) == (48.0, 99.0)
    assert layout.page_of(0.0) == 0
    assert layout.page_of(47.9) == 0
    # 48-51 s is shown at the end of page 0 and the start of page 1: it is page 1's.
    assert layout.page_of(49.0) == 1
    assert layout.row_of(49.0) == 4 and layout.page_rows(1)[0].holds(49.0)
    # Kept within the recording's pages.
    assert layout.page_count(99.0) == 2 and layout.page_count(99.5) == 3
    assert layout.page_of(5000.0, duration=99.0) == 1
    assert layout.clamp_page(-3, 99.0) == 0 and layout.clamp_page(9, 99.0) == 1


def test_a_span_stays_on_the_page_shown_when_it_fits_there():
    layout = PageLayout(4, 15.0, 3.0)
    # A 3-s window at 47.5-50.5 s fits page 0's overlap at its end...
    assert layout.page_for_span(47.5, 50.5, 300.0, current=0) == 0
    # ...and coming from elsewhere, it goes to the page of its start.
    assert layout.page_for_span(47.5, 50.5, 300.0, current=4) == 0
    assert layout.page_for_span(49.0, 52.0, 300.0, current=0) == 1


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [({"rows": 0}, "rows"), ({"rows": MAX_ROWS + 1}, "rows"), ({"row_seconds": 0.0}, "row"),
     ({"row_seconds": float("nan")}, "row"), ({"overlap": -1.0}, "overlap"),
     ({"row_seconds": 5.0, "overlap": 5.0}, "overlap")],
)  # fmt: skip
def test_bad_layouts_are_refused_with_the_value_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        PageLayout(**kwargs)


# ------------------------------------------------------------------ app state
def _session(tmp_path: Path, spans: list[tuple[float, float]]) -> ReviewSession:
    """A session of one silent recording with a detection over each span, ids in order."""
    path = tmp_path / "r.wav"
    sf.write(path, np.zeros(8000, dtype=np.float32), 8000)
    rec = data.Recording.from_file(path, compute_hash=False)
    session = ReviewSession()
    tag = data.Tag(term=terms.scientific_name, value="Turdus merula")
    session.add_predictions(
        [
            data.ClipPrediction(
                clip=data.Clip(recording=rec, start_time=start, end_time=end),
                tags=[data.PredictedTag(tag=tag, score=0.9)],
            )
            for start, end in spans
        ]
    )
    return session


class _Info:
    """What the paged state reads of a recording's header."""

    def __init__(self, duration: float, expansion: float | None = None) -> None:
        self.duration = duration
        self.metadata = SimpleNamespace(time_expansion=expansion)


def test_selecting_a_detection_turns_to_its_page_while_paged(tmp_path: Path):
    app = AppModel()
    session = _session(tmp_path, [(10.0, 13.0), (130.0, 133.0), (47.0, 50.0)])
    by_start = {round(d.start): d.id for d in session.select()}
    far, edge = by_start[130], by_start[47]
    app.document.session = session
    app.recording_opened.emit(_Info(300.0))
    paged = app.paged
    assert paged.duration == 300.0 and paged.page == 0
    paged.set_layout(PageLayout(4, 15.0, 3.0))
    turns = []
    paged.changed.connect(lambda: turns.append(paged.page))
    app.review.select(far)
    assert paged.page == 0  # not paged: the single view follows the selection itself
    paged.set_active(True, at=0.0)
    app.review.select(far)
    assert paged.page == 2 == paged.layout.page_of(130.0)
    assert any(r.holds(130.0) and r.holds(133.0) for r in paged.rows())
    app.review.select(edge)  # 47-50 s: the end of page 0, where its start is
    assert paged.page == 0
    paged.turn(-1)
    assert paged.page == 0
    paged.show_page(99)
    assert paged.page == paged.page_count - 1 == 6
    assert turns[-1] == 6
    # A new layout keeps the start of the page shown in view.
    start = paged.span()[0]
    paged.set_layout(PageLayout(2, 30.0, 0.0))
    assert paged.span()[0] <= start < paged.span()[1]
    # A time-expanded recording is paged in real time.
    app.recording_opened.emit(_Info(300.0, expansion=10.0))
    assert paged.duration == 30.0 and paged.page == 0 and paged.page_count == 1


def _detection(det_id: int, start: float, end: float, band=None, score: float = 0.5) -> Detection:
    tag = data.Tag(term=terms.scientific_name, value="Turdus merula")
    low, high = band if band is not None else (None, None)
    return Detection(det_id, tag, "Turdus merula", "", score, start, end, low, high)


def test_detection_at_picks_the_box_under_the_point(tmp_path: Path):
    a, b, c = _detection(0, 3.0, 6.0, (2000.0, 5000.0)), _detection(1, 3.0, 6.0), _detection(2, 9.0, 12.0)
    band = (0.0, 24000.0)
    listed = [a, b, c]
    assert detection_at(listed, 7.0, 3000.0, band) is None  # between boxes
    assert detection_at(listed, 10.0, 9000.0, band) == c.id
    assert detection_at(listed, 4.0, 3000.0, band) == a.id  # the smaller box first
    assert detection_at(listed, 4.0, 9000.0, band) == b.id  # above a's band
    # Clicking the selected one again goes to the next box under the point.
    assert detection_at(listed, 4.0, 3000.0, band, selected=a.id) == b.id
    assert detection_at(listed, 4.0, 3000.0, band, selected=b.id) == a.id
    # A session's lazy list is read as columns: the same answers.
    session = _session(tmp_path, [(3.0, 6.0), (9.0, 12.0)])
    lazy = session.select(lazy=True)
    ids = lazy.ids.tolist()
    assert detection_at(lazy, 10.0, 100.0, band) == ids[1]
    assert detection_at(lazy, 6.5, 100.0, band) is None
    assert detection_at(lazy, 3.5, 100.0, band, selected=ids[0]) == ids[0]
