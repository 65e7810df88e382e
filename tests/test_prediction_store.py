"""The predictions store: Arrow files read without parsing, key lookups, column sessions."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from soundevent import data, terms

from audioclass_gui.formats.prediction_store import (
    StoredRun,
    read_stored_run,
    run_from_predictions,
    source_stamp,
    write_stored_run,
)
from audioclass_gui.project import ReviewProject
from audioclass_gui.project import attach as attach_module
from audioclass_gui.review import ReviewSession, Status, Verdict
from audioclass_gui.review.keys import KeyIndex, key_hashes
from tests.test_project_open import score_predictions, write_audio, write_model_run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def recordings(tmp_path: Path) -> list[data.Recording]:
    return [
        data.Recording.from_file(write_audio(tmp_path / name), compute_hash=False)
        for name in ("a.wav", "b.wav")
    ]


def test_stored_run_round_trip_maps_the_file(tmp_path: Path, recordings) -> None:
    run = run_from_predictions(
        score_predictions(recordings),
        model_name="BirdNET",
        provenance={"version": "2.4"},
        common_names={"Turdus merula": "Eurasian Blackbird"},
        problems=["row 7: no species"],
    )
    target = tmp_path / "store" / "x.arrow"
    root = str(tmp_path)

    def encode(p: str) -> str:
        return str(Path(p).relative_to(root))

    def decode(p: str) -> str:
        return str(Path(root) / p)

    write_stored_run(target, run, encode=encode, stamp=[1, 2])
    back = read_stored_run(target, decode=decode, stamp=[1, 2])
    assert back is not None and len(back) == 16
    assert back.recordings == [str(r.path) for r in recordings]
    assert (back.model_name, back.provenance, back.problems) == (
        "BirdNET",
        {"version": "2.4"},
        ["row 7: no species"],
    )
    assert back.common_names == {"Turdus merula": "Eurasian Blackbird"}
    # Sorted for display: recording, start, then best score first.
    key = np.lexsort((-back.score, back.start, back.recording))
    assert np.array_equal(key, np.arange(16))
    # Same rows as written, as a set.
    written = sorted(
        zip(run.recording.tolist(), run.start.tolist(), run.score.tolist(), strict=True)
    )
    read = sorted(
        zip(back.recording.tolist(), back.start.tolist(), back.score.tolist(), strict=True)
    )
    assert written == read
    # Columns are views of the mapped file, not copies.
    assert not back.score.flags.writeable and not back.start.flags.owndata
    # A changed source makes the file stale; another format is refused.
    assert read_stored_run(target, decode=decode, stamp=[1, 3]) is None
    assert read_stored_run(target, decode=decode, stamp=None) is not None
    target.write_bytes(b"not arrow")
    assert read_stored_run(target, decode=decode, stamp=[1, 2]) is None


def test_key_index_finds_every_row_like_a_dict() -> None:
    rng = np.random.default_rng(0)
    index = KeyIndex()
    truth: dict[int, list[int]] = {}
    row = 0
    # Batches big and small: the first is sorted at once, later ones go
    # through the tail, which is merged in when it outgrows its limit.
    for size in (100_000, 10, 3_000, 70_000, 5):
        keys = rng.integers(0, 50_000, size).astype(np.uint64)
        rows = np.arange(row, row + size)
        index.add(keys, rows)
        for k, r in zip(keys.tolist(), rows.tolist(), strict=True):
            truth.setdefault(k, []).append(r)
        row += size
    assert len(index) == row
    queries = np.array([0, 7, 49_999, 60_000, 123], np.uint64)
    which, rows = index.lookup(queries)
    for i, q in enumerate(queries.tolist()):
        assert sorted(rows[which == i].tolist()) == truth.get(q, [])


def test_key_hashes_tell_keys_apart() -> None:
    n = 200_000
    rng = np.random.default_rng(1)
    rec = rng.integers(0, 2000, n)
    start = rng.integers(0, 86_400_000, n)
    spc = rng.integers(0, 6000, n)
    h = key_hashes(rec, start, start + 3000, spc)
    keys = set(zip(rec.tolist(), start.tolist(), spc.tolist(), strict=True))
    assert len(np.unique(h)) == len(keys)


def test_columns_make_the_same_detections_as_predictions(tmp_path, recordings) -> None:
    predictions = score_predictions(recordings)
    objects = ReviewSession()
    objects.add_predictions(predictions)
    run = run_from_predictions(predictions)
    columns = ReviewSession()
    for rec in recordings:
        columns.add_recording(rec)
    added = _add(columns, "", run)
    assert list(added) == list(range(16))
    a, b = objects.detections(), columns.detections()
    assert [(d.scientific_name, d.score, d.start, d.end, str(d.recording.path)) for d in a] == [
        (d.scientific_name, d.score, d.start, d.end, str(d.recording.path)) for d in b
    ]
    det = b[0]
    # The clip prediction is made on demand, with the window's every class, best first.
    tags = [(str(t.tag.value), t.score) for t in det.clip_prediction.tags]
    assert tags == sorted(tags, key=lambda t: -t[1]) and len(tags) == 2
    assert det.clip_prediction.clip.uuid == det.clip.uuid  # stable clip identity
    # Adding the same model's rows again adds nothing.
    assert len(_add(columns, "", run)) == 0
    assert len(columns) == 16


def test_runs_share_verdicts_by_key_and_pending_ones_wait(tmp_path, recordings) -> None:
    predictions = score_predictions(recordings)
    run = run_from_predictions(predictions)
    s = ReviewSession()
    for rec in recordings:
        s.add_recording(rec)
    s.set_run("a", name="BirdNET")
    s.set_run("b", name="Other model")
    first = _add(s, "a", run)
    target = first[3]
    s.relabel([target], "Turdus iliacus")
    second = _add(s, "b", run)
    assert len(second) == 16  # another model: new detections of the same windows
    (twin,) = [i for i in s.ids_for(s.path_key(target)) if i != target]
    assert twin in second
    assert s.verdict(twin) == s.verdict(target) == Verdict(Status.ACCEPTED, "Turdus iliacus")
    s.set_status([twin], Status.REJECTED)  # one verdict for both
    assert s.status(target) is Status.REJECTED
    # After a clear the verdict waits for its detection, and comes back with it.
    key = s.path_key(target)
    s.clear()
    assert s.pending_verdicts()[key][0].status is Status.REJECTED
    again = _add(s, "a", run)
    (back,) = s.ids_for(key)
    assert back in again and s.status(back) is Status.REJECTED
    assert key not in s.pending_verdicts()


def _add(session: ReviewSession, key: str, run) -> range:
    """Add a stored run's columns to a session (species mapped onto its own)."""
    species = session.species_ids(run.species)[run.species_index]
    return session.add_columns(key, run.recording, run.start, run.end, species, run.score)


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "deployment"
    audio = [write_audio(root / "a.wav"), write_audio(root / "b.wav")]
    write_model_run(root / "runs" / "birdnet.model_run.json", audio)
    return root


def test_reopening_reads_the_store_not_the_source(tmp_path, monkeypatch) -> None:
    root, settings = _folder(tmp_path), tmp_path / "settings"
    with ReviewProject.open(root, settings_dir=settings) as project:
        ids = project.session.query().tolist()
        project.session.set_status(ids[:3], Status.ACCEPTED)
        project.session.relabel([ids[5]], "Turdus iliacus")
        before = [
            (project.session.path_key(i), project.session.verdict(i)) for i in ids
        ]
        store = project._store_dir()
    assert len(list(store.glob("*.arrow"))) == 1

    def no_parsing(*_a, **_k):
        raise AssertionError("the source was parsed again")

    monkeypatch.setattr(attach_module, "read_source", no_parsing)
    with ReviewProject.open(root, settings_dir=settings) as project:
        assert project.problems == []
        (source,) = project.sources()
        assert (source.model_name, source.detections) == ("BirdNET", 16)
        after = [
            (project.session.path_key(i), project.session.verdict(i))
            for i in project.session.query().tolist()
        ]
        assert after == before
        # The common names of BirdNET runs come back too.
        assert project.session.get(ids[0]).clip_prediction.clip.recording.path.exists()
    monkeypatch.undo()
    # A predictions file written again (another run) is read again, verdicts kept.
    run_file = root / "runs" / "birdnet.model_run.json"
    old = source_stamp(run_file)
    write_model_run(run_file, [root / "a.wav"])
    assert source_stamp(run_file) != old
    with ReviewProject.open(root, settings_dir=settings) as project:
        assert len(project.session) == 8
        accepted = project.session.counts()[Status.ACCEPTED]
        assert accepted >= 1


def test_a_predictions_store_file_in_the_folder_is_mapped(tmp_path) -> None:
    root, settings = tmp_path / "deployment", tmp_path / "settings"
    audio = [write_audio(root / "a.wav"), write_audio(root / "sub" / "b.wav")]
    recs = [data.Recording.from_file(p, compute_hash=False) for p in audio]
    run = run_from_predictions(
        score_predictions(recs), model_name="BirdNET", provenance={"version": "2.4"}
    )
    target = root / "runs" / "birdnet.arrow"
    # Paths relative to the file's folder, as `predict` writes them.
    write_stored_run(
        target,
        run,
        encode=lambda p: Path(p).relative_to(root).as_posix().join(["../", ""]),
        stamp=None,
    )
    with ReviewProject.open(root, settings_dir=settings) as project:
        assert project.problems == []
        (source,) = project.sources()
        assert (source.kind, source.model_name, source.detections) == ("arrow", "BirdNET", 16)
        summary = {r.path.name: r.detections for r in project.recordings()}
        assert summary == {"a.wav": 8, "b.wav": 8}
        best = project.session.get(project.session.query()[0])
        assert best.common_name  # BirdNET runs get BirdNET's common names
    target.write_bytes(b"ARROW1 but broken")
    with ReviewProject.open(root, settings_dir=settings) as project:
        assert any("birdnet.arrow" in p and "unreadable" in p for p in project.problems)
        assert len(project.session) == 0


def test_queries_over_sorted_and_loose_rows_match_brute_force(tmp_path) -> None:
    from audioclass_gui.review import DetectionFilter, Order

    rng = np.random.default_rng(3)
    recs = [
        data.Recording.from_file(write_audio(tmp_path / f"r{i}.wav"), compute_hash=False)
        for i in range(4)
    ]
    s = ReviewSession()
    for rec in recs:
        s.add_recording(rec)
    names = [f"Genus sp{i}" for i in range(6)]
    spc = s.species_ids(names)
    s.set_run("store", name="BirdNET")
    n = 400
    rec = rng.integers(0, 4, n).astype(np.int32)
    start = rng.integers(0, 40, n) * 1.5
    species = spc[rng.integers(0, 6, n)]
    score = np.round(rng.uniform(0.05, 1, n), 3)
    run = run_from_predictions([])  # columns written the store's way (sorted, unique)
    run.recordings, run.species = [str(r.path) for r in recs], names
    run.recording, run.species_index = rec, species
    run.start, run.end, run.score = start, start + 3.0, score
    target = tmp_path / "s.arrow"
    write_stored_run(target, run, encode=str, stamp=None)
    stored = read_stored_run(target, decode=str, stamp=None)
    assert stored is not None
    _add(s, "store", stored)
    assert s._lookup.in_display_order
    # A streamed run of another model: loose rows, some with the same keys.
    s.set_run("live", name="Other")
    s.add_predictions(
        [
            data.ClipPrediction(
                clip=data.Clip(recording=recs[int(rng.integers(0, 4))], start_time=1.5 * k, end_time=1.5 * k + 3),
                tags=[
                    data.PredictedTag(
                        tag=data.Tag(term=terms.scientific_name, value=names[int(rng.integers(0, 6))]),
                        score=float(np.round(rng.uniform(0.05, 1), 3)),
                    )
                ],
            )
            for k in range(60)
        ],
        run="live",
    )
    assert not s._lookup.in_display_order
    ids = s.query().tolist()
    s.set_status(ids[::7], Status.ACCEPTED)
    cols = s.columns()
    for _ in range(30):
        wanted = {str(recs[int(i)].path) for i in rng.choice(4, int(rng.integers(1, 3)), replace=False)}
        f = DetectionFilter(
            min_score=float(rng.uniform(0, 0.9)),
            recordings=wanted if rng.random() < 0.7 else None,
            species={names[int(rng.integers(0, 6))]} if rng.random() < 0.4 else None,
        )
        for order in Order:
            mask = f.mask(s)
            rows = np.flatnonzero(mask)
            if order is Order.SCORE:
                expect = rows[np.lexsort((rows, cols.start[rows], cols.recording[rows], -cols.score[rows]))]
            else:
                expect = rows[np.lexsort((rows, -cols.score[rows], cols.start[rows], cols.recording[rows]))]
            got = s.query(f, order) - cols.first_id
            assert got.tolist() == expect.tolist()
            # The next unreviewed after any listed detection is the next open one below it.
            if len(expect) > 2:
                after = int(expect[1])
                open_rows = [r for r in expect.tolist()[2:] + expect.tolist()[:2] if cols.status[r] == 0]
                nxt = s.next_unreviewed(after + cols.first_id, f, order)
                assert nxt == (open_rows[0] + cols.first_id if open_rows else None)
    # Every key finds its rows, whether sorted or loose.
    for i in rng.choice(len(s), 50, replace=False).tolist():
        key = s.path_key(i + cols.first_id)
        found = s.ids_for(key)
        brute = [j + cols.first_id for j in range(len(s)) if s.path_key(j + cols.first_id) == key]
        assert found == brute


def test_counts_from_score_indexes_equal_counts_from_every_row(tmp_path) -> None:
    from audioclass_gui.review import DetectionFilter, Order, summaries

    rng = np.random.default_rng(5)
    root = tmp_path / "deployment"
    audio = [write_audio(root / f"r{i}.wav") for i in range(5)]
    recs = [data.Recording.from_file(p, compute_hash=False) for p in audio]
    names = [f"Genus sp{i}" for i in range(7)]
    n = 600
    window = rng.integers(0, 200, n)
    run = StoredRun(
        [str(r.path) for r in recs], names,
        rng.integers(0, 5, n).astype(np.int32), rng.integers(0, 7, n).astype(np.int32),
        window * 1.5, window * 1.5 + 3.0, np.round(rng.uniform(0.05, 1, n), 3),
        model_name="BirdNET",
    )
    write_stored_run(root / "runs" / "a.arrow", run, encode=lambda p: os.path.relpath(p, root / "runs"), stamp=None)
    with ReviewProject.open(root, settings_dir=tmp_path / "settings") as project:
        s = project.session
        assert len(s._indexed) == 1  # the store's index is used
        # Loose rows too: a streamed run of another model.
        s.set_run("live", name="Other")
        s.add_predictions(
            [
                data.ClipPrediction(
                    clip=data.Clip(recording=recs[k % 5], start_time=1.5 * k, end_time=1.5 * k + 3),
                    tags=[data.PredictedTag(tag=data.Tag(term=terms.scientific_name, value=names[k % 7]), score=0.5 + k / 200)],
                )
                for k in range(40)
            ],
            run="live",
        )
        ids = s.query().tolist()
        s.set_status(ids[::5], Status.ACCEPTED)
        s.set_status(ids[1::9], Status.REJECTED)
        s.relabel(ids[2::11], "Genus sp3")
        s.relabel(ids[3::13], "Novel species", status=Status.UNCERTAIN)
        s.set_note(ids[4::17], "checked")
        k_species, k_recs = len(s.species_list()), len(s.recordings)
        for t in (-np.inf, 0.05, 0.3, 0.5, 0.77, 0.999):
            for own in ({}, {"Genus sp1": 0.9, "Genus sp4": 0.1}):
                f = DetectionFilter(min_score=t, thresholds=own)
                fast_species = summaries._species_counts_indexed(s, f, k_species)
                slow_species = summaries._species_counts_scan(s, f, k_species)
                assert fast_species[:7] == slow_species[:7], (t, own)
                np.testing.assert_array_equal(fast_species[7], slow_species[7])
                fast = summaries._recording_counts(s, f, k_recs)
                saved, s._indexed = s._indexed, []
                try:
                    slow = summaries._recording_counts(s, f, k_recs)
                    plain_counts = s.counts(None if t == -np.inf else t)
                finally:
                    s._indexed = saved
                assert fast == slow, (t, own)
                # The species view reads the index; it lists what a full scan lists.
                g = DetectionFilter(min_score=t, thresholds=own, species={names[1], "Genus sp4"})
                cols = s.columns()
                rows = np.flatnonzero(g.mask(s))
                expect = rows[np.lexsort((rows, cols.start[rows], cols.recording[rows], -cols.score[rows]))]
                assert (s.query(g, Order.SCORE) - cols.first_id).tolist() == expect.tolist()
                if not own:
                    assert s.counts(None if t == -np.inf else t) == plain_counts
