"""Vocal events, activity per day and hour, presence tables and the species review (no Qt)."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from soundevent import data

from audioclass_gui.review import DetectionFilter, ReviewSession, Status
from audioclass_gui.review.activity import activity
from audioclass_gui.review.activity_series import clock_note
from audioclass_gui.review.deployment import event_cells, species_review
from audioclass_gui.review.events import event_counts, group_events
from audioclass_gui.review.precision import precision_curve
from audioclass_gui.review.recording_clock import recording_clock, recording_sites

A, B = "Turdus merula", "Erithacus rubecula"


def recording(path: str, seconds: float, start: dt.datetime | None) -> data.Recording:
    return data.Recording(
        path=path,
        duration=seconds,
        channels=1,
        samplerate=8000,
        date=None if start is None else start.date(),
        time=None if start is None else start.timetz(),
    )


def session_of(recordings, rows) -> ReviewSession:
    """``rows``: (recording index, species, start, end, score), added as one run."""
    s = ReviewSession()
    for r in recordings:
        s.add_recording(r)
    s.species_ids([A, B])
    s.add_columns(
        "",
        np.asarray([r[0] for r in rows], np.int32),
        np.asarray([r[2] for r in rows], float),
        np.asarray([r[3] for r in rows], float),
        s.species_ids([r[1] for r in rows]).astype(np.int32),
        np.asarray([r[4] for r in rows], float),
    )
    return s


def spans(events) -> list[tuple[int, str, float, float, int]]:
    names = [A, B]
    return [
        (int(r), names[int(k)], float(a), float(b), int(n))
        for r, k, a, b, n in zip(
            events.recording, events.species, events.start, events.end, events.windows,
            strict=True,
        )
    ]


# --------------------------------------------------------------------- events
ONE = [recording("/d/s1/a.wav", 600, None), recording("/d/s1/b.wav", 600, None)]


def test_touching_windows_make_one_event_and_a_gap_splits_them() -> None:
    s = session_of(ONE, [(0, A, 0, 3, 0.9), (0, A, 3, 6, 0.5), (0, A, 10, 13, 0.7)])
    assert spans(group_events(s, gap=0.0)) == [(0, A, 0, 6, 2), (0, A, 10, 13, 1)]
    # 10 - 6 = 4 s apart: a gap of 4 s joins them, 3.9 s does not.
    assert spans(group_events(s, gap=4.0)) == [(0, A, 0, 13, 3)]
    assert len(group_events(s, gap=3.9)) == 2


def test_overlaps_use_the_latest_end_so_far() -> None:
    # A long window holds a short one; the next starts after the short one's
    # end but before the long one's: still the same event.
    rows = [(0, A, 30, 40, 0.5), (0, A, 31, 32, 0.6), (0, A, 35, 38, 0.4), (0, A, 40.5, 42, 0.3)]
    s = session_of(ONE, rows)
    assert spans(group_events(s, gap=0.0)) == [(0, A, 30, 40, 3), (0, A, 40.5, 42, 1)]
    assert spans(group_events(s, gap=0.5)) == [(0, A, 30, 42, 4)]
    events = group_events(s, gap=0.0)
    assert events.max_score.tolist() == [0.6, 0.3]
    assert events.ids(0).tolist() == [0, 1, 2]


def test_species_and_recordings_keep_events_apart() -> None:
    rows = [(0, A, 0, 3, 0.9), (0, B, 3, 6, 0.8), (0, A, 3, 6, 0.7), (1, A, 6, 9, 0.6)]
    s = session_of(ONE, rows)
    assert spans(group_events(s, gap=5)) == [(0, A, 0, 6, 2), (0, B, 3, 6, 1), (1, A, 6, 9, 1)]
    events = group_events(s, gap=5)
    assert event_counts(events, 2).tolist() == [2, 1]
    assert event_counts(events, 2, events.recording, 2).tolist() == [[1, 1], [1, 0]]


def test_the_threshold_drops_windows_and_breaks_events() -> None:
    rows = [(0, A, 0, 3, 0.9), (0, A, 3, 6, 0.5), (0, A, 6, 9, 0.05), (0, A, 9, 12, 0.6),
            (0, B, 0, 3, 0.3)]
    s = session_of(ONE, rows)
    assert spans(group_events(s)) == [(0, A, 0, 12, 4), (0, B, 0, 3, 1)]
    kept = DetectionFilter(min_score=0.1)
    assert spans(group_events(s, 0.0, kept)) == [(0, A, 0, 6, 2), (0, A, 9, 12, 1),
                                                 (0, B, 0, 3, 1)]
    # Per-species thresholds: B needs 0.4, so its one window goes.
    own = DetectionFilter(min_score=0.1, thresholds={B: 0.4})
    assert spans(group_events(s, 0.0, own)) == [(0, A, 0, 6, 2), (0, A, 9, 12, 1)]


def test_events_count_their_windows_verdicts() -> None:
    rows = [(0, A, 0, 3, 0.9), (0, A, 3, 6, 0.5), (0, A, 6, 9, 0.4), (0, A, 9, 12, 0.3)]
    s = session_of(ONE, rows)
    s.set_status([0], Status.ACCEPTED)
    s.set_status([1], Status.REJECTED)
    s.relabel([2], B)
    events = group_events(s)
    assert len(events) == 1
    assert events.count(Status.ACCEPTED).tolist() == [2]  # the relabel is accepted too
    assert events.count(Status.REJECTED).tolist() == [1]
    assert events.count(Status.UNREVIEWED).tolist() == [1]
    assert events.relabelled.tolist() == [1]
    accepted = group_events(s, 0, DetectionFilter(min_score=0, statuses={Status.ACCEPTED},
                                                  relabelled=False))
    assert spans(accepted) == [(0, A, 0, 3, 1)]


def test_rows_out_of_display_order_are_sorted() -> None:
    s = session_of(ONE, [(0, A, 9, 12, 0.9), (0, A, 0, 3, 0.5)])
    s.add_columns("", np.array([0], np.int32), np.array([3.0]), np.array([6.0]),
                  s.species_ids([A]).astype(np.int32), np.array([0.4]))
    assert not s.table.lookup.in_display_order
    assert spans(group_events(s)) == [(0, A, 0, 6, 2), (0, A, 9, 12, 1)]
    assert spans(group_events(s, gap=3)) == [(0, A, 0, 12, 3)]


def test_a_negative_gap_is_refused() -> None:
    s = session_of(ONE, [(0, A, 0, 3, 0.9)])
    with pytest.raises(ValueError, match="gap"):
        group_events(s, gap=-1)
    assert len(group_events(s, 0, DetectionFilter(min_score=0.95))) == 0


# ------------------------------------------------------------- clock and site
PLUS2 = dt.timezone(dt.timedelta(hours=2))


def test_clock_times_are_local_where_the_zone_is_known() -> None:
    recs = [
        recording("/d/s1/a.wav", 60, dt.datetime(2024, 5, 1, 23, 0, tzinfo=PLUS2)),
        recording("/d/s1/b.wav", 60, dt.datetime(2024, 5, 1, 21, 0, tzinfo=dt.UTC)),
        recording("/d/s2/c.wav", 60, dt.datetime(2024, 5, 1, 6, 30)),
        recording("/d/s2/d.wav", 60, None),
    ]
    clock = recording_clock(recs)
    day = (dt.date(2024, 5, 1) - dt.date(1970, 1, 1)).days * 86400.0
    assert clock.start[:3].tolist() == [day + 23 * 3600, day + 21 * 3600, day + 6.5 * 3600]
    assert math.isnan(clock.start[3])
    assert clock.zoned.tolist() == [True, True, False, False]
    assert clock.offset == ["+02:00", "+00:00", "", ""]
    # In Berlin (summer time, +02:00) the UTC recording started at 23:00.
    berlin = recording_clock(recs, ZoneInfo("Europe/Berlin"))
    assert berlin.start[1] == day + 23 * 3600
    assert berlin.offset[1] == "+02:00"
    assert berlin.start[2] == clock.start[2]  # no zone: as written
    names, site_of = recording_sites(recs, "/d")
    assert names == ["s1", "s2"] and site_of.tolist() == [0, 0, 1, 1]
    names, site_of = recording_sites(recs, "/d", sites={"/d/s2/c.wav": "pond, north"})
    assert names == ["pond, north", "s1", "s2"] and site_of.tolist() == [1, 1, 0, 2]


def test_clocks_written_without_a_zone_can_be_taken_in_the_recorders_zone() -> None:
    # An AudioMoth names its files in UTC: 21:30 written is 23:30 in Berlin in May
    # and 22:30 in January; a start with its own zone is only converted.
    recs = [
        recording("/d/s1/a.wav", 60, dt.datetime(2024, 5, 1, 21, 30)),
        recording("/d/s1/b.wav", 60, dt.datetime(2024, 1, 15, 21, 30)),
        recording("/d/s1/c.wav", 60, dt.datetime(2024, 5, 1, 23, 0, tzinfo=PLUS2)),
    ]
    as_written = recording_clock(recs)
    berlin = recording_clock(recs, ZoneInfo("Europe/Berlin"), written_zone=dt.UTC)
    assert (berlin.start[0] - as_written.start[0]) / 3600 == 2
    assert (berlin.start[1] - as_written.start[1]) / 3600 == 1
    assert berlin.start[2] == as_written.start[2]
    assert berlin.zoned.all() and berlin.assumed.tolist() == [True, True, False]
    assert berlin.offset == ["+02:00", "+01:00", "+02:00"]
    assert (berlin.zone_name, berlin.written_name) == ("Europe/Berlin", "UTC")
    # Kept in UTC (no zone to convert into): the written times, now said to be UTC.
    utc = recording_clock(recs, written_zone=dt.UTC)
    assert utc.start[0] == as_written.start[0] and utc.offset[0] == "+00:00"


def test_the_clock_note_says_which_zone_and_what_was_assumed() -> None:
    s = session_of(NIGHT[:2], NIGHT_ROWS[:5])
    plain = clock_note(activity(s, root="/d"))
    assert "for the 1 of 2 recordings that give a time zone" in plain
    berlin = clock_note(
        activity(s, root="/d", zone=ZoneInfo("Europe/Berlin"), written_zone=dt.UTC)
    )
    assert berlin.startswith("Times are in Europe/Berlin (UTC+02:00).")
    assert "1 of 2 recordings give no time zone" in berlin and "taken to be on UTC" in berlin
    # The 04:00 UTC recording is at 06:00 in Berlin.
    act = activity(s, DetectionFilter(min_score=0.5), root="/d", zone=ZoneInfo("Europe/Berlin"),
                   written_zone=dt.UTC)
    assert act.hourly_detections[1, 1, 6] == 1 and act.hourly_detections[1, 1, 4] == 0


# ------------------------------------------------------------------- activity
NIGHT = [
    # 23:00 local (+02:00), two hours: crosses midnight.
    recording("/d/s1/a.wav", 7200, dt.datetime(2024, 5, 1, 23, 0, tzinfo=PLUS2)),
    # No zone: 04:00 on the recorder's clock, one hour, on 3 May.
    recording("/d/s2/b.wav", 3600, dt.datetime(2024, 5, 3, 4, 0)),
    # No start time at all.
    recording("/d/s2/c.wav", 60, None),
]
NIGHT_ROWS = [
    (0, A, 0, 3, 0.9),        # 1 May 23:00
    (0, A, 3598, 3601, 0.8),  # starts 23:59:58 on 1 May
    (0, A, 3600, 3603, 0.2),  # 2 May 00:00
    (0, B, 5400, 5403, 0.7),  # 2 May 00:30
    (1, B, 10, 13, 0.6),      # 3 May 04:00
    (2, A, 0, 3, 0.9),        # undated
]


def test_activity_splits_days_at_midnight_and_counts_hours() -> None:
    s = session_of(NIGHT, NIGHT_ROWS)
    act = activity(s, DetectionFilter(min_score=0.5), root="/d")
    assert act.sites == ["s1", "s2"]
    assert act.first_day == dt.date(2024, 5, 1) and act.n_days == 3
    # cells: (s1, 1 May), (s1, 2 May), (s2, 3 May)
    assert list(zip(act.cell_site.tolist(), act.cell_day.tolist(), strict=True)) == [
        (0, 0), (0, 1), (1, 2)
    ]
    assert act.recorded.tolist() == [3600.0, 3600.0, 3600.0]
    # Score 0.2 at 00:00 is below the threshold.
    assert act.detections.tolist() == [[2, 0, 0], [0, 1, 1]]
    assert act.hourly_detections[0, 0, 23] == 2 and act.hourly_detections[0].sum() == 2
    assert act.hourly_detections[1, 0, 0] == 1 and act.hourly_detections[1, 1, 4] == 1
    assert act.species_detections.tolist() == [3, 2]  # the undated one too
    assert (act.undated_recordings, act.undated_detections) == (1, 1)


def test_accepted_verdicts_count_under_the_reviewers_species_whatever_the_score() -> None:
    s = session_of(NIGHT, NIGHT_ROWS)
    s.set_status([2], Status.ACCEPTED)  # score 0.2, 2 May
    s.relabel([4], A)  # B predicted on 3 May, accepted as A
    s.set_status([0], Status.REJECTED)
    act = activity(s, DetectionFilter(min_score=0.5), root="/d")
    assert act.accepted.tolist() == [[0, 1, 1], [0, 0, 0]]
    assert act.hourly_accepted[0, 0, 0] == 1 and act.hourly_accepted[0, 1, 4] == 1
    # Reviewed: detections passing the threshold with a verdict (0 and 4).
    assert act.reviewed.tolist() == [1, 0, 1]


def test_presence_is_one_zero_or_na_where_no_audio_was_recorded() -> None:
    s = session_of(NIGHT, NIGHT_ROWS)
    s.set_status([4], Status.ACCEPTED)
    act = activity(s, DetectionFilter(min_score=0.5), root="/d")
    nan = math.nan
    np.testing.assert_array_equal(act.presence(A), [[1, 0, nan], [nan, nan, 0]])
    np.testing.assert_array_equal(act.presence(B), [[0, 1, nan], [nan, nan, 1]])
    np.testing.assert_array_equal(act.presence(B, accepted_only=True),
                                  [[0, 0, nan], [nan, nan, 1]])
    with pytest.raises(KeyError):
        act.presence("Nobody here")


def test_site_days_without_any_audio_are_na_between_visits() -> None:
    recs = [
        recording("/d/s1/a.wav", 600, dt.datetime(2024, 6, 1, 5, 0)),
        recording("/d/s1/b.wav", 600, dt.datetime(2024, 6, 4, 5, 0)),
    ]
    s = session_of(recs, [(1, A, 0, 3, 0.9)])
    act = activity(s, root="/d")
    assert [d.isoformat() for d in act.days()] == [
        "2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04"
    ]
    np.testing.assert_array_equal(act.presence(A), [[0, math.nan, math.nan, 1]])
    assert act.analysed.tolist() == [0.0, 600.0]  # a.wav has no detection: not analysed


def test_species_review_matches_the_precision_curve() -> None:
    rows = [(0, A, float(i), i + 3.0, 0.1 + 0.08 * i) for i in range(10)]
    s = session_of(ONE, rows)
    s.set_status([9, 8, 7], Status.ACCEPTED)
    s.set_status([6, 2], Status.REJECTED)
    s.relabel([5], B)
    s.set_status([4], Status.UNCERTAIN)
    f = DetectionFilter(min_score=0.5)  # rows 5..9
    (review,) = species_review(s, f)
    assert (review.detections, review.accepted, review.rejected, review.uncertain,
            review.relabelled) == (5, 3, 1, 0, 1)
    expected, n = precision_curve(s, A).at(0.5)
    assert review.precision == pytest.approx(expected) == pytest.approx(3 / 5)
    assert n == 5 and review.low < 0.6 < review.high


def test_events_land_in_their_start_cells() -> None:
    s = session_of(NIGHT, NIGHT_ROWS)
    act = activity(s, root="/d")
    events = group_events(s)
    # A: [0,3] (1 May), [3598,3603] (starts 1 May), undated; B: [5400] 2 May, [10] 3 May.
    assert spans(events) == [(0, A, 0, 3, 1), (0, A, 3598, 3603, 2), (0, B, 5400, 5403, 1),
                             (1, B, 10, 13, 1), (2, A, 0, 3, 1)]
    assert event_cells(act, events).tolist() == [0, 0, 1, 2, -1]
