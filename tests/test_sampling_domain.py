"""Verification sampling without a screen: settings, overall precision, report CSV, project store."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.formats.sample_report import (
    SAMPLE_REPORT_COLUMNS,
    SampleReport,
    read_sample_report,
    write_sample_report,
)
from audioclass_gui.project import ReviewProject
from audioclass_gui.project.identity import make_reviewer, save_reviewer
from audioclass_gui.project.sample_store import (
    load_sample,
    save_sample,
    set_sample_active,
)
from audioclass_gui.review import ReviewSession, Status
from audioclass_gui.review.sample_plan import SampleSettings, parse_edges
from audioclass_gui.review.sampling import (
    OVERALL,
    sample_precision,
    wilson_interval,
)
from tests.conftest import write_birdnet_csv
from tests.sessions import make_session


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    rng = np.random.default_rng(2)
    rows = [("Turdus merula", float(v)) for v in rng.uniform(0.1, 1.0, 200)]
    rows += [("Parus major", float(v)) for v in rng.uniform(0.1, 1.0, 80)]
    return make_session(tmp_path, rows)


def test_parse_edges_reads_and_explains() -> None:
    assert parse_edges("0.25, 0.5;0.75 1") == (0.25, 0.5, 0.75, 1.0)
    for text, words in [
        ("0.5", "at least two"),
        ("0.5, x", "'x' is not a number"),
        ("0.5, 1.5", "outside"),
        ("0.5, 0.5", "increase"),
        ("", "at least two"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_edges(text)


def test_settings_round_trip_and_draw(session: ReviewSession) -> None:
    settings = SampleSettings(
        per_species=10,
        bins=(0.4, 0.7, 1.0),
        floor=0.2,
        species=("Parus major",),
        seed=9,
    )
    assert SampleSettings.from_json(settings.to_json()) == settings
    plain = SampleSettings(
        per_species=5, bins=3, floor=0.3, seed=1, include_reviewed=False
    )
    assert SampleSettings.from_json(plain.to_json()) == plain
    with pytest.raises(ValueError):
        SampleSettings.from_json({"bins": 3})
    with pytest.raises(ValueError):
        SampleSettings(per_species=0)
    # Typed edges start the population at the higher of the floor and the first edge.
    queue = settings.draw(session)
    assert queue == settings.draw(session)
    assert queue.per_species_counts() == {"Parus major": 10}
    assert queue.edges == (0.4, 0.7, 1.0)
    assert all(session.get(i).score >= 0.4 for i in queue.ids)
    scores = session.columns().score[200:]  # Parus major
    assert sum(s.population for s in queue.strata) == int((scores >= 0.4).sum())
    # Without reviewed detections: drawn only from (and counted over) unreviewed ones.
    reviewed = [int(i) for i in session.query() if session.get(int(i)).score > 0.8]
    session.set_status(reviewed, Status.ACCEPTED)
    fresh = plain.draw(session)
    assert not set(fresh.ids) & set(reviewed)
    open_above = int(
        ((session.columns().score >= 0.3) & (session.columns().status == 0)).sum()
    )
    assert sum(s.population for s in fresh.strata) == open_above
    with_reviewed = SampleSettings(per_species=5, bins=3, floor=0.3, seed=1).draw(
        session
    )
    assert set(with_reviewed.ids) & set(reviewed)


def test_overall_row_and_progress(session: ReviewSession) -> None:
    queue = SampleSettings(per_species=12, bins=3, floor=0.1, seed=4).draw(session)
    assert len(queue) == 24
    # Reviewer: correct above 0.5; one uncertain (reviewed, not judged); one left open.
    ids = list(queue.ids)
    for det_id in ids[:-2]:
        good = session.get(det_id).score > 0.5
        session.set_status([det_id], Status.ACCEPTED if good else Status.REJECTED)
    session.set_status([ids[-2]], Status.UNCERTAIN)
    rows = sample_precision(session, queue, overall=True)
    assert [r.scientific_name for r in rows] == [
        "Parus major",
        "Turdus merula",
        OVERALL,
    ]
    total = rows[-1]
    assert total.sampled == 24 and total.reviewed == 23 and total.remaining == 1
    assert total.judged == 22 == sum(r.judged for r in rows[:-1])
    k = sum(session.status(i) is Status.ACCEPTED for i in ids)
    assert total.true_positives == k
    assert (total.raw_low, total.raw_high) == pytest.approx(wilson_interval(k, 22))
    assert total.population == 280 == sum(r.population for r in rows[:-1])
    # The overall estimate weighs each species' strata by their populations.
    weighted = sum(
        s.population
        / 280
        * np.mean([session.status(i) is Status.ACCEPTED for i in judged])
        for s in queue.strata
        if (
            judged := [
                i
                for i in s.ids
                if session.status(i) in (Status.ACCEPTED, Status.REJECTED)
            ]
        )
    )
    assert total.precision == pytest.approx(weighted)
    assert total.low <= total.precision <= total.high
    # Without overall=True the per-species rows are unchanged.
    assert sample_precision(session, queue) == rows[:-1]


def test_queue_detections_skip_unknown_ids(session: ReviewSession) -> None:
    queue = SampleSettings(per_species=3, bins=1, seed=2).draw(session)
    assert [d.id for d in queue.detections(session)] == list(queue.ids)
    session.clear()
    assert queue.detections(session) == []
    assert queue.next_unreviewed(session) is None


def test_report_csv_round_trips_with_empty_cells(
    tmp_path: Path, session: ReviewSession
) -> None:
    queue = SampleSettings(per_species=4, bins=2, floor=0.2, seed=5).draw(session)
    session.set_status([queue.ids[0]], Status.ACCEPTED)
    rows = tuple(sample_precision(session, queue, overall=True))
    assert any(math.isnan(r.precision) for r in rows)  # one species not judged yet
    report = SampleReport(rows, 5, 4, queue.edges, {"Parus major": "Great Tit, the"})
    path = write_sample_report(tmp_path / "r.csv", report)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(SAMPLE_REPORT_COLUMNS)
    back = read_sample_report(path)
    assert (back.seed, back.per_species) == (5, 4)
    assert back.edges == pytest.approx(queue.edges)
    assert back.common_names == {"Parus major": "Great Tit, the"}
    for a, b in zip(back.rows, rows, strict=True):
        for name in a.__slots__:
            x, y = getattr(a, name), getattr(b, name)
            if isinstance(x, float) and math.isnan(x):
                assert math.isnan(y)
            else:
                assert x == pytest.approx(y), name
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text().replace(",5,4,", ",five,4,", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="bad.csv, line 2"):
        read_sample_report(bad)
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a sample report"):
        read_sample_report(tmp_path / "other.csv")


def test_sample_is_kept_with_a_project(tmp_path: Path) -> None:
    settings_dir = tmp_path / "settings"
    save_reviewer(make_reviewer("Bo"), settings_dir)
    root = tmp_path / "site"
    root.mkdir()
    audio = root / "a.wav"
    sf.write(audio, np.zeros(16000 * 30, dtype=np.float32), 16000)
    rng = np.random.default_rng(0)
    rows = [
        (s, s + 3, sci, "", f"{rng.uniform(0.2, 1):.3f}")
        for s in range(0, 30, 3)
        for sci in ("Turdus merula", "Parus major")
    ]
    write_birdnet_csv(root / "a.BirdNET.results.csv", audio, rows)
    chosen = SampleSettings(per_species=3, bins=2, floor=0.2, seed=11)
    with ReviewProject.open(root, settings_dir=settings_dir) as project:
        assert load_sample(project) is None
        s = project.session
        queue = chosen.draw(s)
        save_sample(project, queue, chosen, active=True)
        s.set_status([queue.ids[0]], Status.REJECTED)
        keys = [s.path_key(i) for i in queue.ids]
    with ReviewProject.open(root, settings_dir=settings_dir) as project:
        saved = load_sample(project)
        s = project.session
        assert saved.active and saved.settings == chosen
        assert [s.path_key(i) for i in saved.queue.ids] == keys
        assert saved.queue.next_unreviewed(s) == saved.queue.ids[1]
        set_sample_active(project, False)
        project.compact()  # the sample survives the journal's compaction
    with ReviewProject.open(root, settings_dir=settings_dir) as project:
        saved = load_sample(project)
        assert not saved.active and saved.settings == chosen
        assert [project.session.path_key(i) for i in saved.queue.ids] == keys
