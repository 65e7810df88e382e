"""Our Raven tables read with opensoundscape's own ``BoxedAnnotations.from_raven_files``.

opensoundscape (0.13.2) needs torch, so it runs in an environment of its
own, which ``packaging/bootstrap.sh test`` builds (``.venv-oss``: torch
2.13.0 CPU, librosa, matplotlib, pandas < 3, scikit-learn, scipy and
opensoundscape installed ``--no-deps``) and names in
``AUDIOCLASS_OSS_PYTHON``; by hand::

    python3.11 -m venv /tmp/oss && /tmp/oss/bin/pip install torch==2.13.0 \\
        librosa matplotlib "pandas<3" scikit-learn scipy \\
        && /tmp/oss/bin/pip install --no-deps opensoundscape==0.13.2
    AUDIOCLASS_OSS_PYTHON=/tmp/oss/bin/python pytest tests/test_opensoundscape_raven.py

(``torch==2.13.0`` only where pip takes a CPU build, as from this machine's
disk; elsewhere use PyTorch's CPU wheels.) ``tests/opensoundscape_read.py``
reads the tables there, as an opensoundscape user does, and prints what it
read. Without that interpreter these tests are skipped; crowsetta and
pandas check the same tables in ``test_tables_crowsetta.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from audioclass_gui.formats.exports import export_all
from audioclass_gui.formats.raven import read_raven_table
from audioclass_gui.formats.verdict_tables import COMBINED_RAVEN_NAME
from tests.predict_tables import predict_demo_tables
from tests.test_tables_crowsetta import session  # noqa: F401 (the reviewed project)

OSS = os.environ.get("AUDIOCLASS_OSS_PYTHON", "")
SCRIPT = Path(__file__).with_name("opensoundscape_read.py")

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.skipif(
        not OSS or not Path(OSS).exists(),
        reason="set AUDIOCLASS_OSS_PYTHON to a Python with opensoundscape 0.13.2 and "
        "torch (packaging/bootstrap.sh test builds one; see this module's docstring)",
    ),
]

BOX = ("start_time", "end_time", "low_f", "high_f")


def read_with_opensoundscape(pairs: list[tuple[Path, Path | None]], *options: str) -> dict:
    """What opensoundscape read from each (table, audio file or None)."""
    args = [OSS, str(SCRIPT), *options]
    for table, audio in pairs:
        args += [str(table), "-" if audio is None else str(audio)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def ours(table: Path, audio: Path, column: str = "Scientific Name") -> list[dict]:
    """The table as our own reader sees it, in opensoundscape's column names."""
    return [
        {
            "annotation": row[column],
            "start_time": float(row["Begin Time (s)"]),
            "end_time": float(row["End Time (s)"]),
            "low_f": float(row["Low Freq (Hz)"]),
            "high_f": float(row["High Freq (Hz)"]),
            "audio_file": str(audio),
        }
        for row in read_raven_table(table)
    ]


def core(rows: list[dict]) -> list[dict]:
    """opensoundscape's own columns of each row, without the extra ones it keeps."""
    keys = ("annotation", *BOX, "audio_file")
    return [{k: row[k] for k in keys} for row in rows]


def present(labels: dict) -> dict[tuple[str, float], set[str]]:
    """One-hot clip labels as {(file name, clip start): the classes marked 1}."""
    return {
        (Path(file).name, start): {
            name for name, hot in zip(labels["classes"], values, strict=True) if hot
        }
        for file, start, _end, values in labels["clips"]
    }


def test_opensoundscape_reads_every_review_table(session, tmp_path: Path) -> None:  # noqa: F811
    written = export_all(session, tmp_path / "out", ("raven",))["raven"]
    raven = tmp_path / "out" / "raven"
    a, b = tmp_path / "audio" / "north" / "a.wav", tmp_path / "audio" / "south" / "b.wav"
    tables = {
        raven / "north" / "a.review.selection.table.txt": a,
        raven / "south" / "b.review.selection.table.txt": b,
    }
    assert sorted(written) == sorted([*tables, raven / COMBINED_RAVEN_NAME])
    got = read_with_opensoundscape(list(tables.items()))
    assert got["version"] == "0.13.2"
    for table, audio in tables.items():
        read = got["tables"][str(table)]
        # Every row, with our species, times and band, on the recording given.
        assert core(read) == ours(table, audio)
        assert len(read) == len(read_raven_table(table)) > 0
    b_rows = got["tables"][str(raven / "south" / "b.review.selection.table.txt")]
    assert [(r["annotation"], *(r[k] for k in BOX), r["Verdict"]) for r in b_rows] == [
        ("Parus major", 0.0, 3.0, 0.0, 8000.0, "accepted"),
        ("Setophaga castanea", 1.0, 2.5, 3000.0, 7000.0, "drawn"),  # the drawn box
        # The relabelled detection reads as the reviewer's species.
        ("Turdus philomelos", 3.0, 6.0, 0.0, 8000.0, "accepted"),
    ]
    # Read in one call, as a survey: the same rows, table after table.
    assert got["survey"] == [row for table in tables for row in got["tables"][str(table)]]
    kept = {
        ("a.wav", 0.0): {"Turdus merula", "Setophaga castanea"},
        ("a.wav", 3.0): {"Setophaga castanea"},
        ("a.wav", 6.0): {"Setophaga castanea"},  # the interval, 8-9 s
        ("a.wav", 9.0): set(),
        ("b.wav", 0.0): {"Parus major", "Setophaga castanea"},
        ("b.wav", 3.0): {"Turdus philomelos"},  # not the model's Turdus merula
        ("b.wav", 6.0): set(),
    }
    # Clip labels from the accepted and drawn rows: what the reviewer says is there.
    assert present(got["kept_clip_labels"]) == kept
    # From every row, a rejected detection counts too (its species is the
    # model's): opensoundscape users filter on Verdict first.
    everything = present(got["clip_labels"])
    assert everything.pop(("a.wav", 0.0)) == kept.pop(("a.wav", 0.0)) | {"Parus major"}
    assert everything == kept
    # Or export only what the reviewer says is there (export --only-accepted):
    # opensoundscape's clip labels need no filter then.
    export_all(session, tmp_path / "accepted", ("raven",), only_accepted=True)
    accepted = tmp_path / "accepted" / "raven"
    only = read_with_opensoundscape(
        [(accepted / t.relative_to(raven), audio) for t, audio in tables.items()]
    )
    assert present(only["clip_labels"]) == present(got["kept_clip_labels"])


def test_opensoundscape_reads_the_combined_table_on_one_timeline(
    session, tmp_path: Path  # noqa: F811
) -> None:
    """Raven's convention: times run on across the files; Begin Path names each one."""
    export_all(session, tmp_path / "out", ("raven",))
    raven = tmp_path / "out" / "raven"
    a, b = tmp_path / "audio" / "north" / "a.wav", tmp_path / "audio" / "south" / "b.wav"
    per_recording = [
        (raven / "north" / "a.review.selection.table.txt", a),
        (raven / "south" / "b.review.selection.table.txt", b),
    ]
    combined = raven / COMBINED_RAVEN_NAME
    got = read_with_opensoundscape([*per_recording, (combined, None)])
    rows = got["tables"][str(combined)]
    survey = got["survey"]
    assert [r["annotation"] for r in rows] == [r["annotation"] for r in survey]
    # opensoundscape takes one audio file per table: a combined table has
    # none, and its times are those of the files played one after another
    # (b.wav's rows start 12 s, a.wav's length, later).
    assert {r["audio_file"] for r in rows} == {None}
    shift = [r["start_time"] - r["File Offset (s)"] for r in rows]
    assert shift == [0.0 if r["Begin Path"] == str(a) else 12.0 for r in rows]
    assert [r["Begin Path"] for r in rows] == [r["audio_file"] for r in survey]
    # The extra columns it keeps put each row back on its own recording.
    rebuilt = [
        {
            **r,
            "audio_file": r["Begin Path"],
            "start_time": r["File Offset (s)"],
            "end_time": r["File Offset (s)"] + r["end_time"] - r["start_time"],
        }
        for r in rows
    ]
    assert rebuilt == survey


def test_opensoundscape_reads_predict_tables(tmp_path: Path) -> None:
    """``predict --raven``'s BirdNET tables, by their eBird codes; nocall when empty."""
    audio, out = predict_demo_tables(tmp_path, raven=True)
    tables = {
        out / "birds.selection.table.txt": audio / "birds.wav",
        out / "quiet.selection.table.txt": audio / "quiet.wav",
    }
    got = read_with_opensoundscape(list(tables.items()), "--column", "Species Code")
    for table, wav in tables.items():
        assert core(got["tables"][str(table)]) == ours(table, wav, "Species Code")
    birds_rows = got["tables"][str(out / "birds.selection.table.txt")]
    assert birds_rows, "BirdNET found nothing in the demo recording"
    assert {(r["low_f"], r["high_f"]) for r in birds_rows} == {(0.0, 15000.0)}
    # Species Code holds eBird codes (``rebshr1``), opensoundscape's class names here.
    assert all(r["annotation"].isalnum() and r["annotation"].islower() for r in birds_rows)
    [nocall] = got["tables"][str(out / "quiet.selection.table.txt")]
    assert (nocall["annotation"], *(nocall[k] for k in BOX)) == ("nocall", 0.0, 3.0, 0.0, 11025.0)
    # BirdNET's windows are opensoundscape's 3-s clips: each clip holds the
    # codes detected in its window. (opensoundscape extends the last clip
    # past the end of the file: 9-12 s of 10.13 s, 3-6 s of 4 s.)
    labels = present(got["clip_labels"])
    assert labels == {
        **{
            ("birds.wav", start): {r["annotation"] for r in birds_rows if r["start_time"] == start}
            for start in (0.0, 3.0, 6.0, 9.0)
        },
        ("quiet.wav", 0.0): {"nocall"},
        ("quiet.wav", 3.0): set(),
    }
