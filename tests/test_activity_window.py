"""Reports › Activity: charts per day and hour on an app model, exports, and from the menu."""

from __future__ import annotations

import csv
import datetime as dt
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from audioclass_gui.app import AppModel
from audioclass_gui.project import ReviewProject
from audioclass_gui.qt.common.tasks import TaskRunner
from audioclass_gui.qt.reports import activity_window
from audioclass_gui.qt.reports.activity_actions import reports_menu
from audioclass_gui.qt.reports.activity_window import ActivityWindow
from audioclass_gui.review import Status
from audioclass_gui.review.activity_series import activity_series, recorded_per_hour
from tests.conftest import open_main_window
from tests.deployment_project import build_deployment

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

T, E = "Turdus merula", "Erithacus rubecula"
# Site A records on 1 and 3 May, site B on 2 May and from 22:30 on 4 May
# past midnight: each site has days without audio, all sites together none.
RECORDINGS = [
    ("siteA/20240501_050000.wav", 7200), ("siteA/20240503_050000.wav", 3600),
    ("siteB/20240502_040000.wav", 3600), ("siteB/20240504_223000.wav", 7200),
]
ROWS = [
    (0, T, 0, 3, 0.9), (0, T, 10, 13, 0.5), (0, T, 3700, 3703, 0.8), (0, E, 20, 23, 0.1),
    (0, E, 4000, 4003, 0.6), (1, T, 100, 103, 0.7), (2, E, 10, 13, 0.7), (2, T, 50, 53, 0.3),
    (3, T, 5400, 5403, 0.95), (3, E, 600, 603, 0.4),
]
FIRST = dt.date(2024, 5, 1)
N_DAYS = 5


def start_of(rec: int) -> dt.datetime:
    return dt.datetime.strptime(Path(RECORDINGS[rec][0]).stem, "%Y%m%d_%H%M%S")


def site_of(rec: int) -> str:
    return RECORDINGS[rec][0].split("/")[0]


def expected(rows, species=None, site=None) -> tuple[Counter, Counter]:
    """Counts per day index and per hour, from the rows by plain clock arithmetic."""
    days, hours = Counter(), Counter()
    for rec, name, start, _end, _score in rows:
        if species not in (None, name) or site not in (None, site_of(rec)):
            continue
        at = start_of(rec) + dt.timedelta(seconds=start)
        days[(at.date() - FIRST).days] += 1
        hours[at.hour] += 1
    return days, hours


def audio_days(site=None) -> set[int]:
    out = set()
    for rec, (_name, seconds) in enumerate(RECORDINGS):
        if site in (None, site_of(rec)):
            a = start_of(rec)
            b = a + dt.timedelta(seconds=seconds - 1)
            out |= {(a.date() - FIRST).days, (b.date() - FIRST).days}
    return out


def kept(threshold: float):
    return [r for r in ROWS if r[4] >= threshold]


@pytest.fixture
def project(tmp_path: Path):
    root = tmp_path / "deployment"
    build_deployment(root, RECORDINGS, ROWS)
    with ReviewProject.open(root) as opened:
        yield opened


def app_with(project: ReviewProject, tasks=None) -> AppModel:
    app = AppModel(tasks)
    app.document.project = project
    app.document.session = project.session
    return app


def ids_of(session, wanted) -> list[int]:
    """Detection ids of rows ``(recording, species, start, ...)``."""
    keys = {(RECORDINGS[r[0]][0].split("/")[1], r[1], float(r[2])) for r in wanted}
    return [d.id for d in session.detections()
            if (Path(d.recording.path).name, d.scientific_name, float(d.start)) in keys]


def check_charts(win: ActivityWindow, rows, species=None, site=None) -> None:
    """The bars' heights are the counts; days without audio are hatched, not bars."""
    days, hours = expected(rows, species, site)
    audio = audio_days(site)
    heights = win.charts.bar_heights("day")
    assert sorted(heights) == sorted(float(d) for d in audio)
    assert heights == {float(d): float(days.get(d, 0)) for d in audio}
    assert win.charts.missing_positions("day") == [float(d) for d in range(N_DAYS) if d not in audio]
    hourly = win.charts.bar_heights("hour")
    assert {x - 0.5: h for x, h in hourly.items() if h} == {float(h): float(n) for h, n in hours.items()}


def test_bars_are_the_counts_and_choices_change_them(qtbot, project) -> None:
    app = app_with(project)
    app.review.set_threshold(0.25)
    win = ActivityWindow(app)
    qtbot.addWidget(win)
    assert win.data is not None  # ImmediateTasks: counted at once
    check_charts(win, kept(0.25))
    assert win.charts.day_axis.tickStrings([0.0, 4.0], 1, 1) == ["1 May", "5 May"]
    species = [win.species_combo.itemData(i) for i in range(win.species_combo.count())]
    assert species == [None, T, E]  # most counted first
    assert [win.site_combo.itemData(i) for i in range(win.site_combo.count())] == [
        None, "siteA", "siteB"]

    win.choose(species=T)
    check_charts(win, kept(0.25), species=T)
    assert "Turdus merula" in win.charts.title_text
    win.choose(site="siteA")
    check_charts(win, kept(0.25), species=T, site="siteA")
    assert win.charts.title_text.endswith("· siteA")
    win.choose(species="", site="siteB")
    check_charts(win, kept(0.25), site="siteB")
    # Hours of day never recorded at site B are hatched too.
    never = {0, 4, 22, 23}
    assert win.charts.missing_positions("hour") == [h + 0.5 for h in range(24) if h not in never]

    # Accepted verdicts count whatever their score; the count follows new verdicts.
    win.choose(site="", accepted=True)
    assert sum(win.charts.bar_heights("day").values()) == 0
    accepted = [ROWS[3], ROWS[6], ROWS[8]]
    with qtbot.waitSignal(win.counted, timeout=5000):
        project.session.set_status(ids_of(project.session, accepted), Status.ACCEPTED)
    check_charts(win, accepted)
    assert win.charts.day_plot.getAxis("left").labelText == "Accepted detections per day"

    # The list's threshold changes what "detections" are.
    win.choose(accepted=False)
    with qtbot.waitSignal(win.counted, timeout=5000):
        app.review.set_threshold(0.6)
    check_charts(win, kept(0.6))
    assert "at least 0.60" in win.status.text()
    win.close()


def test_exports_are_written_and_read_back(qtbot, project, tmp_path: Path) -> None:
    app = app_with(project)
    app.review.set_threshold(0.25)
    win = ActivityWindow(app)
    qtbot.addWidget(win)
    win.show()
    win.choose(species=T, site="siteA")
    series = win.series()
    out = tmp_path / "out"
    out.mkdir()
    for kind in ("png", "svg", "day", "hour"):
        with qtbot.waitSignal(win.saved, timeout=5000):
            win.export(kind, out / win.default_name(kind))
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([
        "activity_Turdus_merula_siteA_detections.png",
        "activity_Turdus_merula_siteA_detections.svg",
        "activity_Turdus_merula_siteA_detections_per_day.csv",
        "activity_Turdus_merula_siteA_detections_per_hour.csv",
    ])
    image = QImage(str(out / names[0]))
    assert not image.isNull() and image.width() >= win.charts.width()
    # Not blank: the bars' blue is in the picture.
    blue = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(blue.constBits(), np.uint8).reshape(blue.height(), -1, 4)
    assert ((pixels[..., 0] == 0xB2) & (pixels[..., 1] == 0x72) & (pixels[..., 2] == 0)).sum() > 100
    svg = ET.parse(out / names[1]).getroot()
    assert svg.tag.endswith("svg")
    assert "Date (2024)" in "".join(svg.itertext())

    with open(out / names[2], encoding="utf-8", newline="") as handle:
        day_rows = list(csv.DictReader(handle))
    days, _ = expected(kept(0.25), T, "siteA")
    audio = audio_days("siteA")
    assert [r["date"] for r in day_rows] == [str(FIRST + dt.timedelta(days=d)) for d in range(N_DAYS)]
    assert [r["detections"] for r in day_rows] == [
        str(days.get(d, 0)) if d in audio else "NA" for d in range(N_DAYS)]
    assert [float(r["hours_recorded"]) for r in day_rows] == [2.0, 0.0, 1.0, 0.0, 0.0]
    assert {r["site"] for r in day_rows} == {"siteA"}
    with open(out / names[3], encoding="utf-8", newline="") as handle:
        hour_rows = list(csv.DictReader(handle))
    assert [int(r["hour"]) for r in hour_rows] == list(range(24))
    shown = [int(series.per_hour[h]) if not series.missing_hours[h] else "NA" for h in range(24)]
    assert [r["detections"] if r["detections"] == "NA" else int(r["detections"])
            for r in hour_rows] == shown
    assert [float(r["hours_recorded"]) for r in hour_rows][5:7] == [2.0, 1.0]

    # A place that cannot be written is said, not raised.
    errors = []
    app.messages.error.connect(lambda title, message: errors.append(message))
    (tmp_path / "a_file").write_text("not a folder")
    win.export("png", tmp_path / "a_file" / "x.png")
    assert errors and "a_file" in errors[0]
    assert win.status.text().startswith("Not saved")
    win.close()


def test_counts_run_off_the_gui_thread_one_at_a_time(qtbot, project, monkeypatch) -> None:
    runner = TaskRunner(max_workers=2)
    app = app_with(project, runner)
    threads, real = [], activity_window.activity
    gate = threading.Event()

    def slow(*args, **kwargs):
        threads.append(threading.current_thread())
        gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(activity_window, "activity", slow)
    win = ActivityWindow(app)
    qtbot.addWidget(win)
    assert win.data is None and win.status.text() == "Counting…"  # the window did not wait
    # Changes while counting ask for one more count, not one each.
    win.refresh()
    win.refresh()
    gate.set()
    qtbot.waitUntil(lambda: win.data is not None and not win._running, timeout=10_000)
    qtbot.waitUntil(lambda: len(threads) == 2 and not win._running, timeout=10_000)
    assert len(threads) == 2
    assert all(t is not threading.main_thread() for t in threads)
    check_charts(win, kept(app.review.threshold))
    win.close()
    runner.shutdown()


def test_hours_recorded_spread_over_the_hours_of_day(project) -> None:
    from audioclass_gui.review.activity import activity

    act = activity(project.session, root=project.root)
    seconds = recorded_per_hour(act)
    b = act.sites.index("siteB")
    # 04:00-05:00 on 2 May, then 22:30 to 00:30.
    assert seconds[b, [4, 22, 23, 0]].tolist() == [3600.0, 1800.0, 3600.0, 1800.0]
    assert seconds[b].sum() == 3600 + 7200
    series = activity_series(act, site="siteB", hour_seconds=seconds)
    assert series.hours_per_day.tolist() == [0.0, 1.0, 0.0, 1.5, 0.5]
    with pytest.raises(KeyError, match="no site 'siteC'"):
        activity_series(act, site="siteC")


def test_opened_from_the_reports_menu_of_the_window(qtbot, tmp_path: Path) -> None:
    root = tmp_path / "deployment"
    build_deployment(root, RECORDINGS, ROWS)
    win = open_main_window(qtbot, root, threshold=0.25)
    menu = reports_menu(win)
    assert [a.text() for a in win.menuBar().actions()][-2:] == ["&Reports", "&Help"]
    entry = next(a for a in menu.actions() if a.text().startswith("&Activity"))
    entry.trigger()
    reports = win.activity_reports
    assert reports.window is not None and reports.window.isVisible()
    qtbot.waitUntil(lambda: reports.window.data is not None, timeout=20_000)
    check_charts(reports.window, kept(0.25))
    assert "recorders' clocks" in reports.window.charts.note_text
    # Again: the same window comes forward.
    shown = reports.window
    entry.trigger()
    assert reports.window is shown
    image = shown.grab()
    assert not image.isNull()
    shown.close()
    qtbot.waitUntil(lambda: reports.window is None, timeout=5000)
    win.close()


def test_a_time_zone_chosen_moves_the_hours_and_is_kept_with_the_project(qtbot, project) -> None:
    app = app_with(project)
    app.review.set_threshold(0.25)
    win = ActivityWindow(app)
    qtbot.addWidget(win)
    assert (win.clock.zone_text, win.clock.written_zone) == ("", None)
    assert "recorders' clocks as written" in win.charts.note_text
    # The file names' times were UTC (an AudioMoth's): in Berlin in May they are 2 h later.
    with qtbot.waitSignal(win.counted, timeout=5000):
        win.clock.choose("Europe/Berlin", "UTC")
    _days, hours = expected(kept(0.25))
    hourly = win.charts.bar_heights("hour")
    assert {x - 0.5: h for x, h in hourly.items() if h} == {
        float((h + 2) % 24): float(n) for h, n in hours.items()
    }
    # Site B's 22:30 UTC recording of 4 May starts after midnight in Berlin: 4 May
    # has no audio any more, 5 May has it all.
    assert win.charts.missing_positions("day") == [3.0]
    assert win.charts.note_text.startswith("Times are in Europe/Berlin (UTC+02:00).")
    assert "taken to be on UTC" in win.charts.note_text
    win.close()

    again = ActivityWindow(app_with(project))  # the choice was kept with the project
    qtbot.addWidget(again)
    assert (again.clock.zone_text, again.clock.written_combo.currentData()) == ("Europe/Berlin", "UTC")
    assert again.charts.note_text.startswith("Times are in Europe/Berlin")
    with qtbot.waitSignal(again.counted, timeout=5000):
        again.clock.choose("", "")
    check_charts(again, kept(0.25))
    again.close()
