"""The deployment tables read back with csv and pandas, and ``audioclass-gui report`` end to end."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from audioclass_gui import report_cli
from audioclass_gui.formats import activity_tables
from audioclass_gui.formats.activity_tables import (
    EVENT_COLUMNS,
    write_events,
    write_presence,
)
from audioclass_gui.review import Status
from audioclass_gui.review.activity import activity
from audioclass_gui.review.events import group_events
from tests.deployment_project import build_deployment
from tests.test_deployment_domain import NIGHT, NIGHT_ROWS, PLUS2, recording, session_of


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_events_table_reads_back_in_chunks_with_zones_and_quoted_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activity_tables, "_CHUNK", 2)  # three chunks of rows
    recs = [*NIGHT[:2], recording("/d/s2, pond/c.wav", 60, dt.datetime(2024, 5, 3, 5, 0))]
    s = session_of(recs, [*NIGHT_ROWS[:5], (2, "Turdus merula", 1.5, 4.5, 0.25)])
    s.set_common_names({"Turdus merula": 'Blackbird "common"'})
    s.set_status([0], Status.ACCEPTED)
    act = activity(s, root="/d")
    events = group_events(s)
    out = write_events(
        tmp_path / "events.csv", events, act, recordings=[str(r.path) for r in recs],
        common_names=[s.common_name(n) for n in act.species], root="/d",
    )
    rows = read(out)
    assert list(rows[0]) == list(EVENT_COLUMNS)
    assert [(r["recording"], r["site"], r["start_time"], r["start_s"], r["end_s"],
             r["windows"], r["accepted"], r["unreviewed"]) for r in rows] == [
        ("s1/a.wav", "s1", "2024-05-01T23:00:00+02:00", "0.0", "3.0", "1", "1", "0"),
        ("s1/a.wav", "s1", "2024-05-01T23:59:58+02:00", "3598.0", "3603.0", "2", "0", "2"),
        ("s1/a.wav", "s1", "2024-05-02T00:30:00+02:00", "5400.0", "5403.0", "1", "0", "1"),
        ("s2/b.wav", "s2", "2024-05-03T04:00:10", "10.0", "13.0", "1", "0", "1"),
        # within the second, as isoformat(timespec="seconds") writes it
        ("s2, pond/c.wav", "s2, pond", "2024-05-03T05:00:01", "1.5", "4.5", "1", "0", "1"),
    ]
    assert rows[0]["common_name"] == 'Blackbird "common"'
    frame = pd.read_csv(out)
    assert frame["max_score"].tolist() == [0.9, 0.8, 0.7, 0.6, 0.25]
    assert frame["duration_s"].dtype == np.float64
    assert frame["duration_s"].tolist() == [3.0, 5.0, 3.0, 3.0, 3.0]


def test_presence_tables_have_the_unmarked_layout(tmp_path: Path) -> None:
    s = session_of(NIGHT, NIGHT_ROWS)
    act = activity(s, root="/d")
    (a, b) = write_presence(tmp_path, act)
    assert (a.name, b.name) == ("Turdus_merula.csv", "Erithacus_rubecula.csv")
    frame = pd.read_csv(a, index_col=0)
    assert list(frame.columns) == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert list(frame.index) == ["s1", "s2"]
    assert frame.isna().to_numpy().tolist() == [[False, False, True], [True, True, False]]
    assert frame.loc["s1"].tolist()[:2] == [1.0, 1.0] and frame.loc["s2"].iloc[2] == 0.0
    assert open(b, encoding="utf-8").read().splitlines() == [
        "site,2024-05-01,2024-05-02,2024-05-03", "s1,0,1,NA", "s2,NA,NA,1",
    ]


def _project(root: Path) -> None:
    build_deployment(
        root,
        [("siteA/20240501_230000.wav", 7200), ("siteB/20240502_040000.wav", 3600),
         ("siteB/undated.wav", 60)],
        [(0, "Turdus merula", 0, 3, 0.9), (0, "Turdus merula", 3, 6, 0.5),
         (0, "Turdus merula", 3700, 3703, 0.8), (0, "Erithacus rubecula", 20, 23, 0.05),
         (1, "Erithacus rubecula", 10, 13, 0.7), (2, "Turdus merula", 0, 3, 0.6)],
    )


def test_report_command_writes_every_table(tmp_path: Path, capsys) -> None:
    root = tmp_path / "deployment"
    _project(root)
    out = tmp_path / "out"
    code = report_cli.main([str(root), "-o", str(out), "--threshold", "0.1", "--gap", "1"])
    assert code == 0
    printed = capsys.readouterr()
    assert "1 of 3 recordings have no start time" in printed.err
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.csv"))
    assert names == [
        "activity_day.csv", "activity_hour.csv", "event_counts.csv", "events.csv",
        "presence/Erithacus_rubecula.csv", "presence/Turdus_merula.csv",
        "summary_site_day.csv", "summary_species.csv",
    ]
    assert sorted(printed.out.split()) == sorted(str(out / n) for n in names)
    events = pd.read_csv(out / "events.csv")
    assert events[["recording", "start_s", "end_s", "windows"]].values.tolist() == [
        ["siteA/20240501_230000.wav", 0.0, 6.0, 2],
        ["siteA/20240501_230000.wav", 3700.0, 3703.0, 1],
        ["siteB/20240502_040000.wav", 10.0, 13.0, 1],
        ["siteB/undated.wav", 0.0, 3.0, 1],
    ]
    day = read(out / "activity_day.csv")
    assert sorted((r["site"], r["date"], r["scientific_name"], r["detections"]) for r in day) == [
        ("siteA", "2024-05-01", "Turdus merula", "2"),
        ("siteA", "2024-05-02", "Turdus merula", "1"),
        ("siteB", "2024-05-02", "Erithacus rubecula", "1"),
    ]
    summary = pd.read_csv(out / "summary_site_day.csv")
    assert summary["hours_recorded"].tolist() == [1.0, 1.0, 1.0]
    assert summary["detections"].tolist() == [2, 1, 1]
    species = pd.read_csv(out / "summary_species.csv")
    assert species["detections"].tolist() == [3 + 1, 1]  # undated Turdus counted here
    assert species["precision"].isna().all()


def test_accepted_only_presence_is_empty_without_verdicts(tmp_path: Path) -> None:
    root = tmp_path / "deployment"
    _project(root)
    code = report_cli.main([str(root), "-o", str(tmp_path / "out"), "--what",
                            "presence,events", "--accepted-only", "-q"])
    assert code == 0
    assert not list((tmp_path / "out").glob("presence/*.csv"))
    assert read(tmp_path / "out" / "events.csv") == []


def test_report_command_says_what_is_wrong(tmp_path: Path, capsys) -> None:
    assert report_cli.main([str(tmp_path / "nowhere"), "-o", str(tmp_path / "o")]) == 1
    assert "no such project" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert report_cli.main([str(empty), "-o", str(tmp_path / "o")]) == report_cli.EXIT_NOTHING
    assert "nothing to report" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        report_cli.main([str(empty), "-o", str(tmp_path / "o"), "--what", "charts"])
    assert exc.value.code == 2
    assert "unknown report 'charts'" in capsys.readouterr().err
    assert report_cli.main([str(empty), "-o", "x", "--zone", "Mars/Olympus"]) == 2


def test_zone_moves_clock_times(tmp_path: Path) -> None:
    recs = [recording("/d/s1/a.wav", 600, dt.datetime(2024, 5, 1, 22, 30, tzinfo=dt.UTC))]
    s = session_of(recs, [(0, "Turdus merula", 0, 3, 0.9)])
    from zoneinfo import ZoneInfo

    act = activity(s, root="/d", zone=ZoneInfo("Europe/Berlin"))
    assert act.first_day == dt.date(2024, 5, 2)
    assert act.hourly_detections[0, 0].tolist().index(1) == 0  # 00:30 in Berlin
    assert PLUS2.utcoffset(None) == dt.timedelta(hours=2)


def test_recorder_zone_takes_file_name_times_in_it(tmp_path: Path, capsys) -> None:
    # siteA's 23:00 file name, read as UTC, is 01:00 on 2 May in Berlin.
    root = tmp_path / "deployment"
    _project(root)
    plain, moved = tmp_path / "plain", tmp_path / "moved"
    assert report_cli.main([str(root), "-o", str(plain), "--what", "activity", "-q"]) == 0
    assert report_cli.main([str(root), "-o", str(moved), "--what", "activity", "-q",
                            "--zone", "Europe/Berlin", "--recorder-zone", "UTC"]) == 0

    def turdus_hours(folder: Path) -> dict[str, str]:
        rows = read(folder / "activity_hour.csv")
        return {r["hour"]: r["detections"] for r in rows
                if r["site"] == "siteA" and r["scientific_name"] == "Turdus merula"}

    before, after = turdus_hours(plain), turdus_hours(moved)
    assert before["23"] == "2" and before["0"] == "1"
    assert after["1"] == "2" and after["2"] == "1"
    assert report_cli.main([str(root), "-o", "x", "--recorder-zone", "Nowhere/Land"]) == 2
    assert "unknown time zone 'Nowhere/Land'" in capsys.readouterr().err
