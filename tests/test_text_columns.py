"""The pieces of the columnar verdict tables: numbers and times as text, batches of files."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.formats import file_batch as file_batch_module
from audioclass_gui.formats import text_columns
from audioclass_gui.formats.file_batch import file_batch
from audioclass_gui.formats.selections import format_number
from audioclass_gui.formats.text_columns import Segment


def _python(value: float, decimals: int, compact: bool, point: bool = False) -> str:
    if compact:
        return format_number(value, decimals, point=point)
    return f"{value:.{decimals}f}"


def test_numbers_as_python_writes_them() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [
            rng.random(3000) * 10.0 ** rng.integers(-3, 8, 3000),
            np.round(rng.random(3000), 4),
            np.arange(0, 4, 1 / 256),  # exact binary fractions: ties
            np.arange(-3, 3, 0.1),
            [0.0, -0.0, math.nan, math.inf, -math.inf, 1e20, 2.0**50, 0.5e-6, 2.5e-6],
            [99.9999995, 0.99995, 0.00005, 9999.99999949, 1e15 + 0.3, 123456789.987654],
        ]
    )
    for decimals in (0, 1, 2, 4, 6, 7):
        for compact in (False, True):
            if compact and decimals == 0:
                continue
            got = Segment(len(values)).text("<").number(values, decimals, compact=compact)
            got = got.text(">").build().to_pylist()
            want = [f"<{_python(v, decimals, compact)}>" for v in values.tolist()]
            assert got == want, (decimals, compact)
            if compact:  # whole numbers keep ".0", as Raven Pro writes them
                got = Segment(len(values)).number(values, decimals, compact=True, point=True)
                want = [_python(v, decimals, True, point=True) for v in values.tolist()]
                assert got.build().to_pylist() == want, (decimals, "point")
    assert Segment(3).number([0.0, 3.0, 2.5], 6, compact=True, point=True).build().to_pylist() == [
        "0.0",
        "3.0",
        "2.5",
    ]
    whole = np.concatenate([np.arange(0, 12000), rng.integers(0, 2**52, 500)])
    assert Segment(len(whole)).integer(whole).build().to_pylist() == [
        str(v) for v in whole.tolist()
    ]


def _cells_text(cells: list[np.ndarray], length: np.ndarray) -> list[str]:
    raw = np.stack(cells, axis=1).tobytes()
    width = 4 * len(cells)
    return [raw[i * width : i * width + n].decode() for i, n in enumerate(length.tolist())]


@pytest.mark.parametrize("decimals", [1, 2, 3, 4, 6])
def test_fraction_lookup_writes_every_fraction(decimals: int) -> None:
    """The one-lookup fraction table holds what the digit groups (and Python) write."""
    everything = np.arange(10**decimals)
    if decimals == 6:  # the ends, every 997th, and a random sample
        rng = np.random.default_rng(5)
        picked = (everything[:2000], everything[-2000:], everything[::997])
        everything = np.unique(np.concatenate([*picked, rng.integers(0, 10**6, 20_000)]))
    fraction = everything.astype(np.float64)
    for strip, point in ((False, False), (True, False), (True, True)):
        digits = [f"{k:0{decimals}d}" for k in everything.tolist()]
        if strip:
            want = ["." + d.rstrip("0") if d.rstrip("0") else (".0" if point else "") for d in digits]
        else:
            want = ["." + d for d in digits]
        looked_up = text_columns._fraction_cells(fraction, decimals, strip, point)
        by_groups = text_columns._fraction_groups(fraction, decimals, strip, point)
        assert _cells_text(*looked_up) == want, (strip, point)
        assert _cells_text(*by_groups) == want, (strip, point)


def test_times_as_datetime_writes_them() -> None:
    import datetime as dt

    rng = np.random.default_rng(5)
    seconds = np.concatenate(
        [
            rng.uniform(-6e10, 2.5e11, 3000),
            rng.uniform(1.7e9, 1.7e9 + 86400, 3000),
            [0.0, -0.5, -1e-7, 1.9999995, 1.9999994999, 1.0000005, 86399.9999999],
        ]
    )
    valid = rng.random(len(seconds)) < 0.9
    got = Segment(len(seconds)).utc_time(seconds, valid).build().to_pylist()
    want = [
        dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="seconds") if ok else ""
        for t, ok in zip(seconds.tolist(), valid.tolist(), strict=True)
    ]
    assert got == want


def test_file_batch_is_all_or_nothing(tmp_path: Path) -> None:
    old = tmp_path / "a" / "one.txt"
    old.parent.mkdir()
    old.write_text("old\n")
    with pytest.raises(RuntimeError), file_batch() as batch:
        for i in range(20):
            batch.write_file(tmp_path / "a" / f"{i}.txt", [b"new\n"])
        batch.write_file(old, [b"new", b"\n"])
        raise RuntimeError("stop")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["one.txt"]
    assert old.read_text() == "old\n"
    with file_batch() as batch:
        for i in range(20):
            batch.write_file(tmp_path / "b" / f"{i}.txt", [f"{i}\n".encode()])
        batch.write_file(old, [b"new", b"\n"])
    assert old.read_text() == "new\n"
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(
        f"{i}.txt" for i in range(20)
    )


def test_file_batch_keeps_permissions(tmp_path: Path) -> None:
    old = tmp_path / "old.txt"
    old.write_text("old\n")
    os.chmod(old, 0o640)
    with file_batch() as batch:
        batch.write_file(old, [b"new\n"])
        batch.write_file(tmp_path / "fresh.txt", [b"fresh\n"])
    assert old.read_text() == "new\n" and (old.stat().st_mode & 0o777) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("exists", [False, True])
def test_a_new_folder_appears_whole(tmp_path: Path, exists: bool) -> None:
    root = tmp_path / "export"
    if exists:
        root.mkdir()  # empty, as a folder dialog makes it
    with file_batch(root) as batch:
        for i in range(40):
            batch.write_file(root / f"site{i % 3}" / f"{i}.txt", [f"{i}\n".encode(), b"end\n"])
        with batch.open(root / "combined.txt") as handle:
            batch.write(handle, b"all\n")
            batch.flush_soon()
        # Nothing is there before the commit.
        assert not root.exists() or not any(root.iterdir())
    files = _tree(root)
    assert len(files) == 41 and files["site1/4.txt"] == b"4\nend\n"
    assert files["combined.txt"] == b"all\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no staging folder left


def test_a_folder_with_files_is_updated_file_by_file(tmp_path: Path) -> None:
    root = tmp_path / "export"
    (root / "a").mkdir(parents=True)
    (root / "a" / "keep.txt").write_text("keep\n")
    (root / "a" / "0.txt").write_text("old\n")
    with file_batch(root) as batch:
        for i in range(20):
            batch.write_file(root / "a" / f"{i}.txt", [b"new\n"])
    files = _tree(root)
    assert files["a/keep.txt"] == b"keep\n" and files["a/0.txt"] == b"new\n"
    assert len(files) == 21 and not [p for p in (root / "a").iterdir() if p.name.startswith(".")]


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    root = tmp_path / "export"
    with pytest.raises(TypeError), file_batch(root) as batch:
        for i in range(20):
            batch.write_file(root / f"{i}.txt", [b"fine\n"])
        batch.write_file(root / "bad.txt", [12345])  # fails in a writer thread
    assert list(tmp_path.iterdir()) == []
    old = tmp_path / "old" / "one.txt"
    old.parent.mkdir()
    old.write_text("old\n")
    with pytest.raises(TypeError), file_batch(old.parent) as batch:
        batch.write_file(old, [b"new\n"])
        batch.write_file(old.parent / "two.txt", [None])
    assert _tree(old.parent) == {"one.txt": b"old\n"}
    # A piece of a file written piece by piece fails in its thread too.
    with pytest.raises(TypeError), file_batch(root) as batch:
        with batch.open(root / "table.txt") as handle:
            batch.write(handle, b"header\n")
            handle.write(12345)
    assert list(tmp_path.iterdir()) == [old.parent]


def test_a_large_file_is_flushed_while_it_is_written(tmp_path: Path) -> None:
    # One file written block by block, flushed in the background after each
    # block and closed at once: every byte arrives, in order.
    for attempt in range(20):
        target = tmp_path / f"{attempt}.csv"
        with file_batch() as batch:
            with batch.open(target) as handle:
                for block in range(5):
                    batch.write(handle, f"{block},".encode() * 1000)
                    batch.flush_soon()
        assert target.read_bytes() == b"".join(f"{b},".encode() * 1000 for b in range(5))


def test_closing_a_file_waits_for_its_background_flush(tmp_path: Path) -> None:
    import threading

    with file_batch() as batch:
        with batch.open(tmp_path / "t.csv") as handle:
            batch.write(handle, b"header\n")
            gate = threading.Event()
            batch._serial.submit(gate.wait)  # the writer thread is busy ...
            batch.flush_soon()  # ... so the flush waits behind it
            threading.Timer(0.2, gate.set).start()
        # Closing waited for the flush: it did not run on a closed file.
    assert (tmp_path / "t.csv").read_bytes() == b"header\n"


@pytest.mark.parametrize(("short", "quick"), [(False, 1e9), (True, 1e9), (False, 0.0)])
def test_many_files_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, short: bool, quick: float
) -> None:
    # A block's tables are handed over together; each file gets its parts in
    # order, also when the system writes fewer bytes than asked at once, and
    # whether flushing counts as quick (one writer thread) or not (several).
    monkeypatch.setattr(file_batch_module, "_QUICK_FSYNC", quick)
    if short and hasattr(os, "writev"):
        real = os.writev
        monkeypatch.setattr(os, "writev", lambda fd, parts: real(fd, [bytes(parts[0])[:3]]))
    root = tmp_path / "export"
    data = memoryview(b"".join(f"row {i}\n".encode() for i in range(500)))
    files = [
        (root / f"site{i % 4}" / f"{i}.txt", [b"header\n", data[i * 6 : i * 6 + 40], f"{i}\n".encode()])
        for i in range(300)
    ]
    with file_batch(root) as batch:
        batch.write_files(files[:150])
        batch.write_files(files[150:])
        assert not root.exists()  # nothing shows before the commit
        assert (batch._one is not None, batch._pool is not None) == (quick > 0, quick == 0)
    got = _tree(root)
    assert len(got) == 300
    for path, parts in files:
        assert got[path.relative_to(root).as_posix()] == b"".join(bytes(p) for p in parts)
    # One bad part among them: no file appears.
    with pytest.raises(TypeError), file_batch(tmp_path / "bad") as batch:
        batch.write_files([*files[:100], (tmp_path / "bad" / "x.txt", [b"a", 12345])])
    assert not (tmp_path / "bad").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["export"]
