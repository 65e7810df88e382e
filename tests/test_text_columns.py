"""The pieces of the columnar verdict tables: numbers and times as text, batches of files."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from audioclass_gui.formats.file_batch import file_batch
from audioclass_gui.formats.selections import format_number
from audioclass_gui.formats.text_columns import Segment


def _python(value: float, decimals: int, compact: bool) -> str:
    return format_number(value, decimals) if compact else f"{value:.{decimals}f}"


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
    whole = np.concatenate([np.arange(0, 12000), rng.integers(0, 2**52, 500)])
    assert Segment(len(whole)).integer(whole).build().to_pylist() == [
        str(v) for v in whole.tolist()
    ]


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
