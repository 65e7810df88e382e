"""The columnar verdict-table writers write byte for byte what the row-by-row ones did.

The row-by-row writers as they were before the columnar ones are kept in
``tests/verdict_tables_reference.py``; every test builds a session and
compares every file both write.
"""

from __future__ import annotations

import math
import uuid
from pathlib import Path

import numpy as np
import pytest
from soundevent import data, terms

from audioclass_gui.formats import verdict_tables
from audioclass_gui.formats.exports import export_all
from audioclass_gui.formats.verdict_tables import (
    verdict_rows,
    verdict_selections,
    write_audacity_labels,
    write_raven_verdicts,
    write_verdict_csv,
)
from audioclass_gui.review import Box, DetectionFilter, ReviewSession, Status, Verdict
from tests.verdict_tables_reference import (
    ref_verdict_selections,
    ref_write_audacity_labels,
    ref_write_raven_verdicts,
    ref_write_verdict_csv,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# ----------------------------------------------------------------- sessions

ANA = data.User(username="ana", name="Ana Lima")
BO = data.User(username="bo")  # no full name: the user name is shown
ODD = data.User(username="odd", name='Odd, "Quoted"\tTab\nLine')


def _tag(name: str) -> data.Tag:
    return data.Tag(term=terms.scientific_name, value=name)


def _recording(path: Path, seconds: float, rate: int = 48000) -> data.Recording:
    return data.Recording(path=path, duration=seconds, channels=1, samplerate=rate)


def _add(session, rec, start, scores, run="", end=None):
    clip = data.Clip(
        recording=rec, start_time=start, end_time=start + 3.0 if end is None else end
    )
    return session.add_predictions(
        [
            data.ClipPrediction(
                clip=clip,
                tags=[data.PredictedTag(tag=_tag(n), score=v) for n, v in scores.items()],
            )
        ],
        run=run,
    )


COMMON = {
    "Turdus merula": "Eurasian Blackbird",
    "Parus major": "Great Tit, the \"big\" one",
    "Turdus philomelos": "Song Thrush",
    "Ünïcødé sp.": "Ünïcødé bird — 鳥",
    "Line\nBreak": "Common\twith tab",
}
NAMES = [
    "Turdus merula",
    "Parus major",
    'Weird, "name"',
    "Tab\tName",
    "Line\nBreak",
    "Ünïcødé sp.",
    "Trailing\n",
    "Odd\u2028line\x85breaks\x1c",
]


def rich_session(tmp_path: Path) -> ReviewSession:
    """Every kind of verdict, awkward text everywhere, boxes, runs, stamps."""
    base = tmp_path / "deploy"
    a = _recording(base / "north" / "2024" / "a.wav", 3600.0)
    b = _recording(base / "south" / "b, c.wav", 9.5, 32000)
    c = _recording(base / "south" / "sub dir" / 'ü "q".flac', 30.0, 22050)
    empty = _recording(base / "empty.wav", 5.0)
    session = ReviewSession(reviewer=ANA, common_name=lambda t: COMMON.get(t.value))
    session.model_name = "Own, model"
    session.set_run("birdnet", name="BirdNET")
    session.set_run("energy", name='Energy "detector"')
    session.add_recording(empty)
    ids = []
    ids += [d.id for d in _add(session, a, 0.0, {"Turdus merula": 0.91, "Parus major": 0.125}, "birdnet")]
    ids += [d.id for d in _add(session, a, 0.1 + 0.2, {NAMES[2]: 0.005}, "birdnet")]
    ids += [d.id for d in _add(session, a, 1 / 3, {NAMES[3]: 0.99995, NAMES[4]: 1.0}, "energy")]
    ids += [d.id for d in _add(session, a, 3597.0, {NAMES[5]: 0.0, NAMES[6]: 0.5}, "")]
    ids += [d.id for d in _add(session, a, 12.345678901234, {"Turdus merula": 0.123456789}, "mystery")]
    ids += [d.id for d in _add(session, b, 0.0, {"Parus major": 0.77, "Turdus merula": 0.77}, "birdnet")]
    ids += [d.id for d in _add(session, b, 3.0, {"Turdus merula": 0.58}, "birdnet")]
    ids += [d.id for d in _add(session, b, 3.0, {"Turdus merula": 0.6}, "energy")]  # same key
    # Scores no model should give (a store holds any float), as columns.
    session.add_recording(c)
    added = session.add_columns(
        "energy",
        np.full(3, session.recording_index(c.path)),
        np.array([6.0, 0.0, 9.0]),
        np.array([9.0, 3.0, 12.0]),
        session.species_ids(["Parus major"] * 3),
        np.array([math.nan, -0.25, 12.5]),
    )
    ids += list(added)[:2]
    ids += [d.id for d in _add(session, c, 27.0, {"Turdus merula": 0.3}, "birdnet", end=30.0000004)]
    ids += [d.id for d in _add(session, c, 4.0000005, {"Turdus merula": 0.0000005}, "birdnet")]
    awkward = _add(session, c, 12.0, {n: 0.1 + i / 20 for i, n in enumerate(NAMES)}, "birdnet")
    session.set_status([*ids[:3], added[2], *(d.id for d in awkward)], Status.ACCEPTED)
    session.set_status([ids[3]], Status.REJECTED)
    session.relabel([ids[4]], "Turdus philomelos")
    session.relabel([ids[5]], "Line\nBreak", status=Status.UNCERTAIN)
    session.relabel([ids[6]], "Not known sp.", status=Status.REJECTED)
    session.set_note([ids[6]], 'comma, "quote"\nnew line\r\nand\ttab — ü')
    session.reviewer = BO
    session.set_status([ids[7], ids[8], ids[12]], Status.UNCERTAIN)
    session.set_note([ids[9]], "note only,")  # a note on an unreviewed detection
    session.set_status([ids[10]], Status.ACCEPTED)  # shares its verdict with ids[11]
    session.reviewer = ODD
    session.set_status([ids[13], ids[14], ids[15]], Status.REJECTED)
    session.set_status([ids[14]], Status.UNREVIEWED)  # stamped, but no verdict now
    session.relabel([ids[15]], "Parus major", status=Status.UNCERTAIN)
    session.relabel([ids[15]], None, status=Status.UNCERTAIN)  # relabel taken back
    # Stamps at awkward times, one without a time.
    key = session.path_key
    session.restore(
        [
            (key(ids[0]), Verdict(Status.ACCEPTED), ANA, 1714567890.9999996),
            (key(ids[1]), Verdict(Status.REJECTED), BO, 1714567890.4999995),
            (key(ids[2]), Verdict(Status.ACCEPTED), ODD, float("nan")),
            (key(ids[3]), Verdict(Status.REJECTED, note="x"), ANA, 86399.9999999),
        ]
    )
    # Boxes: a band, an interval, untagged ones, with notes, ties with detections.
    session.reviewer = ANA
    session.add_box(b.path, 1.0, 2.5, 3000, 7000, "Sylvia atricapilla")
    session.add_box(a.path, 0.0, 3.0, scientific_name="Turdus merula")  # ties at 0 s
    session.add_box(a.path, 8.0, 9.0)  # untagged interval
    session.add_box(c.path, 0.0, 1.0, 100.5, 200.25, note='box, "note"\nline')
    session.add_box(a.path, 0.1 + 0.2, 1.0, 10, 20, "Parus major")
    session.restore_box(
        Box(uuid.uuid4().hex, tmp_path / "elsewhere" / "gone.wav", 2.0, 3.0, 5, 9, "Turdus merula"),
        BO,
        1700000000.25,
    )
    session.restore_box(Box(uuid.uuid4().hex, c.path, 5.0, 6.0), None, 1.5)
    return session


def empty_session(tmp_path: Path) -> ReviewSession:
    session = ReviewSession(reviewer=ANA)
    rec = _recording(tmp_path / "r.wav", 9.0)
    _add(session, rec, 0.0, {"Turdus merula": 0.5})
    return session


def large_session(tmp_path: Path, n_rec: int = 23, per_rec: int = 700) -> ReviewSession:
    """Rows from a store (columns), many recordings, verdicts on one in ten."""
    rng = np.random.default_rng(7)
    session = ReviewSession(reviewer=ANA, common_name=lambda t: COMMON.get(t.value))
    session.set_run("birdnet", name="BirdNET")
    for r in range(n_rec):
        session.add_recording(
            _recording(tmp_path / f"site{r % 4}" / f"deep{r % 3}" / f"r{r:03d}.wav", 3.0 * per_rec)
        )
    species = session.species_ids([*NAMES, *(f"Genus species{i}" for i in range(40))])
    n = n_rec * per_rec
    rec = np.repeat(np.arange(n_rec), per_rec).astype(np.int32)
    start = np.tile(np.arange(per_rec) // 3 * 3.0, n_rec) + rng.choice([0.0, 0.1, 1 / 3], n)
    spc = species[rng.integers(0, len(species), n)]
    score = np.round(rng.random(n), int(rng.integers(2, 9)))
    session.add_columns("birdnet", rec, start, start + 3.0, spc, score)
    ids = session.query()
    ids = ids[rng.random(len(ids)) < 0.1]
    for status, part in zip(
        (Status.ACCEPTED, Status.REJECTED, Status.UNCERTAIN), np.array_split(ids, 3), strict=True
    ):
        session.set_status(part.tolist(), status)
    session.reviewer = BO
    session.set_status(ids[::7].tolist(), Status.ACCEPTED)
    session.relabel(ids[::50].tolist(), "Turdus philomelos")
    session.set_note(ids[3::40].tolist(), "seen, \"twice\"")
    for r in range(0, n_rec, 5):
        session.add_box(session.recordings[r].path, 30.0, 31.5, 500, 900, "Parus major")
    return session


# ---------------------------------------------------------------- comparing


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _same_files(ref: Path, new: Path) -> None:
    want, got = _tree(ref), _tree(new)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name].decode() == want[name].decode(), name
        assert got[name] == want[name], name


def _rel(paths: list[Path], folder: Path) -> list[str]:
    return [Path(p).relative_to(folder).as_posix() for p in paths]


def compare_all(
    session: ReviewSession, tmp_path: Path, *, include_unreviewed=False, root=None, rows=None
) -> None:
    ref, new = tmp_path / "ref", tmp_path / "new"
    kw = {"include_unreviewed": include_unreviewed}
    got_rows = {} if rows is None else {"selections": rows}
    want = ref_write_raven_verdicts(session, ref / "raven", root=root, **kw)
    got = write_raven_verdicts(session, new / "raven", root=root, **kw, **got_rows)
    assert _rel(got, new / "raven") == _rel(want, ref / "raven")
    want = ref_write_audacity_labels(session, ref / "audacity", root=root, **kw)
    got = write_audacity_labels(session, new / "audacity", root=root, **kw, **got_rows)
    assert _rel(got, new / "audacity") == _rel(want, ref / "audacity")
    ref_write_audacity_labels(session, ref / "plain", root=root, bands=False, **kw)
    write_audacity_labels(session, new / "plain", root=root, bands=False, **kw, **got_rows)
    ref_write_verdict_csv(session, ref / "v.csv", **kw)
    write_verdict_csv(session, new / "v.csv", **kw, **got_rows)
    _same_files(ref, new)
    assert repr(verdict_selections(session, **kw)) == repr(ref_verdict_selections(session, **kw))


@pytest.mark.parametrize("include_unreviewed", [False, True])
def test_rich_session_byte_for_byte(tmp_path: Path, include_unreviewed: bool) -> None:
    session = rich_session(tmp_path)
    compare_all(session, tmp_path, include_unreviewed=include_unreviewed)
    # The awkward rows really are there.
    text = (tmp_path / "new" / "v.csv").read_bytes().decode("utf-8")
    assert '"comma, ""quote""\nnew line\r\nand\ttab — ü"' in text
    assert "gone.wav" in text and "nan" in text and "-0.2500" in text
    assert "2024-05-01T12:51:31+00:00" in text  # .9999996 s rounds up, as datetime does


def test_rich_session_with_a_root_and_given_rows(tmp_path: Path) -> None:
    session = rich_session(tmp_path)
    root = tmp_path / "deploy" / "south"
    compare_all(session, tmp_path / "a", root=root)
    compare_all(session, tmp_path / "b", rows=verdict_rows(session))
    compare_all(session, tmp_path / "c", rows=ref_verdict_selections(session))


def test_no_verdicts_at_all(tmp_path: Path) -> None:
    session = empty_session(tmp_path)
    compare_all(session, tmp_path / "one")
    assert (tmp_path / "one" / "new" / "raven").is_dir()
    assert len(verdict_rows(session)) == 0
    compare_all(ReviewSession(reviewer=ANA), tmp_path / "none")
    # Boxes only, and rows that are all written one by one.
    session.add_box(session.recordings[0].path, 1.0, 2.0, 10, 20, "Parus major")
    compare_all(session, tmp_path / "boxes")
    session.set_note(session.query().tolist(), "n")
    compare_all(session, tmp_path / "notes", include_unreviewed=True)


@pytest.mark.parametrize(
    ("include_unreviewed", "chunk", "formatters"),
    [(False, 397, 2), (True, 397, 1), (False, 37, 2), (True, 37, 2)],
)
def test_many_rows_in_many_blocks(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    include_unreviewed: bool,
    chunk: int,
    formatters: int,
) -> None:
    # Blocks of 397 rows end where a recording's rows end; blocks of 37 rows
    # are smaller than a recording's rows, whose tables are then written
    # block by block. Blocks are formatted by one thread or ahead by two.
    monkeypatch.setattr(verdict_tables, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(verdict_tables, "FORMATTERS", formatters)
    session = large_session(tmp_path, per_rec=300 if include_unreviewed else 700)
    compare_all(session, tmp_path, include_unreviewed=include_unreviewed)
    rows = verdict_rows(session, include_unreviewed=include_unreviewed)
    assert len(rows) > 3 * chunk and 0 < len(rows.slow) < len(rows) / 5
    order, bounds = rows.grouped()
    blocks = list(verdict_tables._blocks(bounds, len(order)))
    assert blocks[0][0] == 0 and blocks[-1][1] == len(order)
    assert all(0 < b - a <= chunk for a, b in blocks)
    assert [b for _a, b in blocks[:-1]] == [a for a, _b in blocks[1:]]
    per_rec = np.diff(bounds)
    cut = [b for _a, b in blocks[:-1] if b not in set(bounds.tolist())]
    # A block ends inside a recording's rows only when they do not fit one.
    assert bool(cut) == bool((per_rec > chunk).any())


def test_export_all_shares_the_rows(tmp_path: Path) -> None:
    session = rich_session(tmp_path)
    export_all(session, tmp_path / "new", ("raven", "audacity", "csv"))
    ref = tmp_path / "ref"
    ref_write_raven_verdicts(session, ref / "raven")
    ref_write_audacity_labels(session, ref / "audacity")
    ref_write_verdict_csv(session, ref / "review.verdicts.csv")
    _same_files(ref, tmp_path / "new")


def test_filter_and_snapshot(tmp_path: Path) -> None:
    session = rich_session(tmp_path)
    f = DetectionFilter(min_score=0.3)
    for unreviewed in (False, True):
        got = verdict_selections(session, include_unreviewed=unreviewed, filter=f)
        want = ref_verdict_selections(session, include_unreviewed=unreviewed, filter=f)
        assert repr(got) == repr(want)
    # Rows taken now are written as they are now, whatever the session does next.
    rows = verdict_rows(session)
    write_verdict_csv(session, tmp_path / "before.csv", selections=rows)
    session.set_status(session.query().tolist(), Status.REJECTED)
    write_verdict_csv(session, tmp_path / "after.csv", selections=rows)
    assert (tmp_path / "before.csv").read_bytes() == (tmp_path / "after.csv").read_bytes()


def test_a_block_that_fails_leaves_no_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blocks are made by formatter threads ahead of the writing: an error in
    # one reaches the caller, and nothing of the export appears.
    monkeypatch.setattr(verdict_tables, "CHUNK_ROWS", 37)
    session = large_session(tmp_path, per_rec=300)
    lines = verdict_tables.RavenLines.lines
    made = []

    def failing(self, positions, *args, **kwargs):
        made.append(len(positions))
        if len(made) == 3:
            raise MemoryError("no room for this block")
        return lines(self, positions, *args, **kwargs)

    monkeypatch.setattr(verdict_tables.RavenLines, "lines", failing)
    out = tmp_path / "export"
    with pytest.raises(MemoryError, match="no room"):
        write_raven_verdicts(session, out)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export")]
    assert 3 <= len(made) <= 3 + verdict_tables.FORMATTERS  # no block made after it
