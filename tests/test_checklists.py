"""eBird checklists and iNaturalist observations: the counts, the effort, the files read back."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from soundevent import data

from audioclass_gui import report_cli
from audioclass_gui.formats.checklists import (
    CLIPS_FOLDER,
    EBIRD_NAME,
    INAT_NAME,
    ChecklistOptions,
    export_checklists,
    plan_checklists,
)
from audioclass_gui.formats.ebird import (
    EBIRD_COLUMNS,
    EbirdOptions,
    columns_of,
    ebird_taxon,
)
from audioclass_gui.formats.inaturalist import INAT_COLUMNS, SOUND_COLUMN, InatOptions
from audioclass_gui.formats.site_locations import SiteLocation, read_sites_csv
from audioclass_gui.project import ReviewProject
from audioclass_gui.review import DetectionFilter, Status
from audioclass_gui.review.checklists import make_checklists
from tests.deployment_project import build_deployment
from tests.test_deployment_domain import PLUS2, session_of

A, B = "Turdus merula", "Erithacus rubecula"


def rec(path: str, seconds: float, start: dt.datetime | None, lat=None, lon=None):
    return data.Recording(
        path=path, duration=seconds, channels=1, samplerate=8000,
        date=None if start is None else start.date(),
        time=None if start is None else start.timetz(),
        latitude=lat, longitude=lon,
    )


def read_ebird(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert all(len(r) == len(EBIRD_COLUMNS) for r in rows)
    return columns_of(rows)


def read_inat(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == (*INAT_COLUMNS, SOUND_COLUMN)
        return list(reader)


# Site s1: a recorder from 23:00 (+02:00) for two hours, across midnight.
# Site s2: two recorders at once (05:00-06:00 and 05:30-06:30, no zone), so
# the effort is 90 minutes, not 120.
DEPLOYMENT = [
    rec("/d/s1/a.wav", 7200, dt.datetime(2024, 5, 1, 23, 0, tzinfo=PLUS2)),
    rec("/d/s2/b.wav", 3600, dt.datetime(2024, 5, 3, 5, 0)),
    rec("/d/s2/c.wav", 3600, dt.datetime(2024, 5, 3, 5, 30)),
    rec("/d/s2/d.wav", 60, None),
]
ROWS = [
    (0, A, 0, 3, 0.9),          # 0: 1 May 23:00:00
    (0, A, 3598, 3601, 0.8),    # 1: 1 May 23:59:58, runs past midnight
    (0, A, 3600, 3603, 0.4),    # 2: 2 May 00:00, same event as 1
    (0, B, 5400, 5403, 0.7),    # 3: 2 May 00:30
    (1, B, 10, 13, 0.6),        # 4: 3 May 05:00:10
    (1, B, 20, 23, 0.95),       # 5: 3 May 05:00:20
    (2, A, 100, 103, 0.3),      # 6: 3 May 05:31:40
    (3, A, 0, 3, 0.9),          # 7: undated
]


def deployment():
    return session_of(DEPLOYMENT, ROWS)


def test_effort_per_site_and_day_splits_at_midnight_and_counts_overlaps_once() -> None:
    s = deployment()
    c = make_checklists(s, root="/d")
    effort = [(d.site, d.date.isoformat(), d.start.strftime("%H:%M"), d.audio_seconds, d.zoned)
              for d in c.site_days]
    assert effort == [
        ("s1", "2024-05-01", "23:00", 3600.0, True),
        ("s1", "2024-05-02", "00:00", 3600.0, True),
        ("s2", "2024-05-03", "05:00", 5400.0, False),  # 05:00 to 06:30
    ]
    assert c.undated_recordings == 1 and c.naive_recordings == 2


def test_accepted_counts_come_from_events_of_accepted_windows() -> None:
    s = deployment()
    s.set_status([0, 1, 2, 4, 5, 7], Status.ACCEPTED)
    s.set_status([3], Status.REJECTED)
    s.relabel([6], B)  # predicted A, accepted as B (a relabel is an acceptance)
    c = make_checklists(s, root="/d")
    got = [(e.site, e.date.isoformat(), e.scientific_name, e.events, e.detections)
           for e in c.species]
    assert got == [
        ("s1", "2024-05-01", A, 2, 3),  # 23:00 and the event across midnight
        ("s1", "2024-05-02", A, 1, 2),  # the same event on the next day's list
        # 04 and 05 touch? no: 13 s to 20 s is a gap: two events; the relabel is one more
        ("s2", "2024-05-03", B, 3, 3),
    ]
    assert c.undated_detections == 1  # row 7, accepted, in the undated recording
    # The event across midnight is clipped to each day.
    first_day, next_day = c.species[0], c.species[1]
    assert first_day.last == dt.datetime(2024, 5, 2, 0, 0)
    assert next_day.first == dt.datetime(2024, 5, 2, 0, 0)
    # With a gap of 10 s, rows 4 and 5 are one event.
    c10 = make_checklists(s, root="/d", gap=10)
    assert [e.events for e in c10.species if e.site == "s2"] == [2]
    # Best examples: the highest accepted score per species, site and day.
    best = [(b.site, b.date.isoformat(), b.scientific_name, b.detection, b.offset)
            for b in c.best]
    assert best == [
        ("s1", "2024-05-01", A, 0, "+02:00"),
        ("s1", "2024-05-02", A, 2, "+02:00"),
        ("s2", "2024-05-03", B, 5, ""),
    ]


def test_detections_at_thresholds_leave_out_what_the_reviewer_rejected() -> None:
    s = deployment()
    s.set_status([5], Status.REJECTED)
    s.set_status([4], Status.UNCERTAIN)
    c = make_checklists(s, "detections", filter=DetectionFilter(min_score=0.5), root="/d")
    got = [(e.site, e.date.isoformat(), e.scientific_name, e.events, e.accepted) for e in c.species]
    assert got == [
        ("s1", "2024-05-01", A, 2, 0),
        ("s1", "2024-05-02", B, 1, 0),   # by scientific name within a day
        ("s1", "2024-05-02", A, 1, 0),   # row 1 across midnight (row 2 is below 0.5)
        ("s2", "2024-05-03", B, 1, 0),   # row 4 (uncertain) counts, row 5 was rejected
    ]
    assert c.best == []  # no accepted verdict: nothing to hand on to iNaturalist
    with pytest.raises(ValueError, match="unknown source"):
        make_checklists(s, "everything")


def test_time_zone_given_converts_recordings_that_know_theirs() -> None:
    utc = [rec("/d/s1/a.wav", 600, dt.datetime(2024, 5, 1, 22, 30, tzinfo=dt.UTC))]
    s = session_of(utc, [(0, A, 60, 63, 0.9)])
    s.set_status([0], Status.ACCEPTED)
    own = make_checklists(s, root="/d")
    assert own.site_days[0].start == dt.datetime(2024, 5, 1, 22, 30)
    berlin = make_checklists(s, root="/d", zone=ZoneInfo("Europe/Berlin"))
    assert berlin.site_days[0].start == dt.datetime(2024, 5, 2, 0, 30)  # CEST, next day
    assert berlin.best[0].clock == dt.datetime(2024, 5, 2, 0, 31)
    assert berlin.best[0].offset == "+02:00"


def test_ebird_file_reads_back_in_the_record_format(tmp_path: Path) -> None:
    s = deployment()
    s.set_status([0, 1, 2, 4, 5], Status.ACCEPTED)
    sites = {"s2": SiteLocation(51.5, -0.125, "Pond, north side", "GB-ENG", "GB", "sites CSV")}
    files, notes = export_checklists(s, tmp_path, ChecklistOptions(), root="/d", sites=sites)
    assert files == [tmp_path / EBIRD_NAME, tmp_path / INAT_NAME]
    text = (tmp_path / EBIRD_NAME).read_text(encoding="utf-8")
    assert '"' not in text and not text.startswith("Common Name")  # no quotes, no header
    rows = read_ebird(tmp_path / EBIRD_NAME)
    assert [(r["Genus"], r["Species"], r["Date"], r["Start Time"], r["Duration"], r["Number"])
            for r in rows] == [
        ("Turdus", "merula", "05/01/2024", "23:00", "60", "1"),
        ("Turdus", "merula", "05/02/2024", "00:00", "60", "1"),
        ("Erithacus", "rubecula", "05/03/2024", "05:00", "90", "1"),
    ]
    pond = rows[2]
    assert (pond["Location Name"], pond["Latitude"], pond["Longitude"]) == (
        "Pond; north side", "51.5", "-0.125")
    assert (pond["State/Province"], pond["Country Code"]) == ("GB-ENG", "GB")
    assert pond["Protocol"] == "Stationary" and pond["Number of Observers"] == "1"
    assert pond["All observations reported?"] == "N" and pond["Common Name"] == ""
    assert pond["Species Comments"].startswith("2 vocal events (2 detections) from 05:00 to 05:00")
    assert "recorder's clock" in pond["Submission Comments"]
    # s1 has no location: written with empty coordinates, and said.
    assert rows[0]["Latitude"] == rows[0]["Longitude"] == ""
    assert any("no location for site(s) s1" in n for n in notes)
    assert not any("s2" in n and "no location" in n for n in notes)


@pytest.mark.parametrize(("count", "numbers"), [("x", ["X", "X"]), ("events", ["2", "1"])])
def test_ebird_number_options(tmp_path: Path, count: str, numbers: list[str]) -> None:
    s = deployment()
    s.set_status([0, 1, 2], Status.ACCEPTED)
    options = ChecklistOptions(
        ebird=EbirdOptions(count=count, protocol="incidental", observers=3, complete=True,
                           common_names=True)
    )
    export_checklists(s, tmp_path, options, root="/d")
    rows = read_ebird(tmp_path / EBIRD_NAME)
    assert [r["Number"] for r in rows] == numbers
    # Incidental: no duration, never complete; common names from BirdNET's taxonomy.
    assert {(r["Protocol"], r["Duration"], r["All observations reported?"],
             r["Number of Observers"], r["Common Name"]) for r in rows} == {
        ("Incidental", "", "N", "3", "Eurasian Blackbird")}
    with pytest.raises(ValueError, match="unknown eBird count"):
        EbirdOptions(count="many")


def test_non_birds_stay_out_of_ebird_and_non_species_out_of_inaturalist(tmp_path: Path) -> None:
    recs = [rec("/d/s1/a.wav", 600, dt.datetime(2024, 5, 1, 6, 0))]
    frog, engine = "Lithobates catesbeianus", "Engine"
    s = session_of(recs, [(0, A, 0, 3, 0.9), (0, frog, 10, 13, 0.8), (0, engine, 20, 23, 0.7)])
    s.set_status([0, 1, 2], Status.ACCEPTED)
    assert ebird_taxon(frog) is None and ebird_taxon(engine) is None
    assert ebird_taxon("Corvus corone cornix") == ("Corvus", "corone cornix")
    _files, notes = export_checklists(s, tmp_path, root="/d")
    assert [r["Genus"] for r in read_ebird(tmp_path / EBIRD_NAME)] == ["Turdus"]
    assert any(frog in n and engine in n and "eBird" in n for n in notes)
    assert [r["Taxon name"] for r in read_inat(tmp_path / INAT_NAME)] == [frog, A]
    assert any("iNaturalist" in n and engine in n for n in notes)


def test_inaturalist_rows_name_the_clips_the_clips_export_makes(tmp_path: Path) -> None:
    root = tmp_path / "deployment"
    recordings = [("north/20240501_050000.wav", 120), ("south/20240501_050000.wav", 120)]
    rows = [(0, A, 0, 3, 0.6), (0, A, 30, 33, 0.9), (1, A, 3, 6, 0.8), (1, B, 60, 63, 0.7)]
    build_deployment(root, recordings, rows)
    with ReviewProject.open(root) as project:
        s = project.session
        s.set_status([d.id for d in s.detections()], Status.ACCEPTED)
        options = ChecklistOptions(inat=InatOptions(geoprivacy="obscured"))
        named = plan_checklists(s, options, root=root).clip_names
        out = tmp_path / "out"
        files, _notes = export_checklists(
            s, out, ChecklistOptions(clips=True, inat=InatOptions(geoprivacy="obscured")),
            root=root, sites=read_sites_csv(_sites(tmp_path)),
        )
    assert out / CLIPS_FOLDER / "manifest.csv" in files
    obs = read_inat(out / INAT_NAME)
    assert [(o["Taxon name"], o["Date observed"], o["Place name"]) for o in obs] == [
        (A, "2024-05-01 05:00:30", "Big oak"),   # the best of north's two
        (B, "2024-05-01 05:01:00", "south"),  # by scientific name within a site and day
        (A, "2024-05-01 05:00:03", "south"),
    ]
    # Two recordings share a name: the clips export tells them apart, and so does the table.
    sounds = [o[SOUND_COLUMN] for o in obs]
    assert sounds == [
        "Turdus_merula/20240501_050000_000030.000-000033.000_accepted.wav",
        "Erithacus_rubecula/south-20240501_050000_000060.000-000063.000_accepted.wav",
        "Turdus_merula/south-20240501_050000_000003.000-000006.000_accepted.wav",
    ]
    assert sorted(named.values()) == sorted(sounds)  # named alike without writing the clips
    for sound, o in zip(sounds, obs, strict=True):
        assert (out / CLIPS_FOLDER / sound).is_file()
        assert sound in o["Description"] and "score 0.9" in obs[0]["Description"]
    assert (obs[0]["Latitude / y coord / northing"], obs[0]["Longitude / x coord / easting"]) == (
        "52.51234", "13.40123")
    assert obs[1]["Latitude / y coord / northing"] == ""
    assert {o["Geoprivacy"] for o in obs} == {"obscured"}
    assert {o["Tags"] for o in obs} == {"audioclass-gui,sound recording"}


def _sites(folder: Path) -> Path:
    path = folder / "sites.csv"
    path.write_text("site,latitude,longitude,location\nnorth,52.51234,13.40123,Big oak\n")
    return path


def test_sites_csv_with_or_without_header_and_its_mistakes(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\ufeffSite,Lat,Lon,Location,Country\nnorth,52.5,13.4,Oak,DE\npond,,,Pond,\n")
    sites = read_sites_csv(path)
    assert sites["north"] == SiteLocation(52.5, 13.4, "Oak", "", "DE", "sites CSV")
    assert not sites["pond"].known and sites["pond"].name == "Pond"
    path.write_text("north,52.5,13.4\nsouth,-33.9,151.2,Harbour\n")
    assert read_sites_csv(path)["south"] == SiteLocation(-33.9, 151.2, "Harbour", source="sites CSV")
    for text, problem in [
        ("north,95,13\n", "line 1: latitude 95 is outside"),
        ("site,latitude,longitude\nnorth,52,\n", "line 2: give both"),
        ("site,latitude,longitude\nnorth,52,13\nnorth,53,13\n", "line 3: site 'north' is given twice"),
        ("Site,height\nnorth,12\n", "line 1: unknown column 'height'"),
        ("north,abc,13\n", "line 1: latitude 'abc' is not a number"),
    ]:
        path.write_text(text)
        with pytest.raises(ValueError, match=problem) as err:
            read_sites_csv(path)
        assert str(path) in str(err.value)


def test_location_from_recording_metadata_and_a_spread_note() -> None:
    recs = [
        rec("/d/s1/a.wav", 600, dt.datetime(2024, 5, 1, 6, 0), 52.50, 13.40),
        rec("/d/s1/b.wav", 600, dt.datetime(2024, 5, 1, 7, 0), 52.50, 13.40),
        rec("/d/s2/c.wav", 600, dt.datetime(2024, 5, 1, 6, 0), 48.00, 11.00),
        rec("/d/s2/d.wav", 600, dt.datetime(2024, 5, 1, 7, 0), 48.10, 11.00),  # 11 km away
    ]
    s = session_of(recs, [(0, A, 0, 3, 0.9)])
    plan = plan_checklists(s, root="/d", sites={"s1": SiteLocation(name="Garden")})
    assert plan.locations["s1"] == SiteLocation(52.5, 13.4, "Garden", source="recording metadata")
    assert plan.locations["s2"].latitude == pytest.approx(48.05)
    assert any("'s2'" in n and "km" in n for n in plan.notes)


def test_report_command_writes_checklists_with_sites_and_clips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "deployment"
    build_deployment(root, [("north/20240501_050000.wav", 60)], [(0, A, 0, 3, 0.9)])
    with ReviewProject.open(root) as project:
        project.session.set_status([project.session.detections()[0].id], Status.ACCEPTED)
    out = tmp_path / "out"
    code = report_cli.main([str(root), "-o", str(out), "--what", "checklists",
                            "--sites", str(_sites(tmp_path)), "--clips", "--ebird-count", "x"])
    assert code == 0
    printed = capsys.readouterr().out.split()
    assert str(out / EBIRD_NAME) in printed and str(out / CLIPS_FOLDER / "manifest.csv") in printed
    assert not (out / "events.csv").exists()  # only what was asked for
    [row] = read_ebird(out / EBIRD_NAME)
    assert (row["Number"], row["Location Name"], row["Latitude"]) == ("X", "Big oak", "52.51234")
    [obs] = read_inat(out / INAT_NAME)
    assert (out / CLIPS_FOLDER / obs[SOUND_COLUMN]).is_file()
    # "all" does not include the checklists; a bad sites file is a clear error.
    code = report_cli.main([str(root), "-o", str(tmp_path / "all"), "--what", "all"])
    assert code == 0 and not (tmp_path / "all" / EBIRD_NAME).exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("north,91,13\n")
    code = report_cli.main([str(root), "-o", str(out), "--what", "checklists", "--sites", str(bad)])
    assert code == 2
    assert f"{bad}: line 1: latitude 91 is outside" in capsys.readouterr().err
