"""Raven selection tables and CSV tables of predictions (and, later, verdicts)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from soundevent import data, terms

from audioclass_gui.formats.csv_table import (
    CSV_COLUMNS,
    read_csv_table,
    write_csv_table,
)
from audioclass_gui.formats.raven import (
    RAVEN_COLUMNS,
    raven_table_text,
    read_raven_table,
    write_raven_table,
)
from audioclass_gui.formats.selections import (
    Selection,
    format_number,
    selections_from_predictions,
)

# BirdNET-Analyzer's header line, as its analyze/utils.py writes it.
BIRDNET_ANALYZER_RAVEN_HEADER = (
    "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)"
    "\tCommon Name\tSpecies Code\tConfidence\tBegin Path\tFile Offset (s)"
)
BIRDNET_ANALYZER_CSV_HEADER = (
    "Start (s),End (s),Scientific name,Common name,Confidence,File"
)


def _predictions(tmp_path: Path) -> list[data.ClipPrediction]:
    recording = data.Recording(
        path=tmp_path / "site 1" / "rec.wav", duration=9.0, channels=1, samplerate=48000
    )

    def tag(name: str) -> data.Tag:
        return data.Tag(term=terms.scientific_name, value=name)

    def clip(start: float, tags: list[tuple[str, float]]) -> data.ClipPrediction:
        return data.ClipPrediction(
            clip=data.Clip(recording=recording, start_time=start, end_time=start + 3.0),
            tags=[data.PredictedTag(tag=tag(n), score=s) for n, s in tags],
        )

    # Deliberately out of order, and with a low score listed first.
    return [
        clip(3.0, [("Turdus merula", 0.41)]),
        clip(0.0, [("Parus major", 0.2), ("Erithacus rubecula", 0.87654)]),
        clip(6.0, []),
    ]


NAMES = {"Turdus merula": "Eurasian Blackbird", "Erithacus rubecula": "European Robin"}


def test_selections_are_ordered_by_time_then_score_with_names(tmp_path: Path):
    rows = selections_from_predictions(
        _predictions(tmp_path),
        common_name=lambda t: NAMES.get(t.value),
        low_freq=0,
        high_freq=15000,
    )
    assert [(r.begin_time, r.scientific_name) for r in rows] == [
        (0.0, "Erithacus rubecula"),
        (0.0, "Parus major"),
        (3.0, "Turdus merula"),
    ]
    # A name the callback does not know falls back to the scientific one.
    assert [r.common_name for r in rows] == [
        "European Robin",
        "Parus major",
        "Eurasian Blackbird",
    ]
    assert (
        rows[0].end_time == 3.0 and rows[0].high_freq == 15000 and rows[0].channel == 1
    )


def test_raven_table_has_birdnet_analyzer_columns_and_round_trips(tmp_path: Path):
    rows = selections_from_predictions(
        _predictions(tmp_path),
        common_name=lambda t: NAMES.get(t.value),
        species_code=lambda t: {"Turdus merula": "blackbird"}.get(t.value),
        high_freq=15000,
    )
    path = write_raven_table(tmp_path / "out" / "rec.selection.table.txt", rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == BIRDNET_ANALYZER_RAVEN_HEADER
    assert "\t".join(RAVEN_COLUMNS) == BIRDNET_ANALYZER_RAVEN_HEADER
    assert len(lines) == 4
    # As BirdNET-Analyzer formats a row (the eBird code by default), with
    # Raven Pro's decimal point on times and frequencies.
    wav = str(tmp_path / "site 1" / "rec.wav")
    assert (
        lines[1]
        == f"1\tSpectrogram 1\t1\t0.0\t3.0\t0.0\t15000.0\tEuropean Robin\teurrob1\t0.8765\t{wav}\t0.0"
    )
    table = read_raven_table(path)
    assert [r["Selection"] for r in table] == ["1", "2", "3"]
    assert table[1]["Species Code"] == "gretit1"
    assert table[2]["Species Code"] == "blackbird" and table[2]["Begin Time (s)"] == "3.0"
    assert table[2]["Confidence"] == "0.4100" and table[2]["Begin Path"] == wav


def test_raven_table_extra_columns_carry_verdicts(tmp_path: Path):
    rows = [
        Selection(
            1.5,
            4.5,
            "Turdus merula",
            "Eurasian Blackbird",
            0.9,
            "/a.wav",
            extra=(("Verdict", "accepted"), ("Reviewer", "ab")),
        ),
        Selection(
            7.0,
            10.0,
            "Parus major",
            "Great Tit",
            None,
            "/a.wav",
            extra=(("Verdict", "rejected\tbad"),),
        ),
    ]
    text = raven_table_text(rows)
    header = text.splitlines()[0].split("\t")
    assert header[-2:] == ["Verdict", "Reviewer"]
    table = read_raven_table(write_raven_table(tmp_path / "v.txt", rows))
    assert table[0]["Verdict"] == "accepted" and table[0]["Reviewer"] == "ab"
    # A tab inside a value must not shift the columns; no score -> empty cell.
    assert table[1]["Verdict"] == "rejected bad" and table[1]["Reviewer"] == ""
    assert table[1]["Confidence"] == "" and table[1]["Begin Time (s)"] == "7.0"


def test_empty_raven_table_is_header_only(tmp_path: Path):
    path = write_raven_table(tmp_path / "empty.txt", [])
    assert path.read_text(encoding="utf-8") == BIRDNET_ANALYZER_RAVEN_HEADER + "\n"
    assert read_raven_table(path) == []


def test_read_raven_table_rejects_other_text(tmp_path: Path):
    other = tmp_path / "notes.txt"
    other.write_text("just some notes\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a Raven selection table"):
        read_raven_table(other)


def test_csv_table_has_birdnet_analyzer_columns_and_quotes_commas(tmp_path: Path):
    rows = selections_from_predictions(
        _predictions(tmp_path),
        common_name=lambda t: {"Parus major": "Tit, Great"}.get(t.value),
    )
    path = write_csv_table(tmp_path / "rec.results.csv", rows)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == BIRDNET_ANALYZER_CSV_HEADER == ",".join(CSV_COLUMNS)
    parsed = list(csv.reader(text.splitlines()))
    assert all(len(r) == 6 for r in parsed)
    table = read_csv_table(path)
    assert [r["Scientific name"] for r in table] == [
        "Erithacus rubecula",
        "Parus major",
        "Turdus merula",
    ]
    assert table[1]["Common name"] == "Tit, Great"
    assert (
        table[0]["Confidence"] == "0.8765"
        and table[0]["Start (s)"] == "0.0"
        and table[0]["End (s)"] == "3.0"
    )
    assert table[0]["File"] == str(tmp_path / "site 1" / "rec.wav")


def test_csv_table_band_and_extra_columns(tmp_path: Path):
    rows = [
        Selection(
            0.25,
            1.25,
            "Sound",
            "Sound",
            0.5,
            "/x.wav",
            low_freq=1500,
            high_freq=12000,
            channel=2,
            extra=(("Verdict", "uncertain"),),
        )
    ]
    table = read_csv_table(write_csv_table(tmp_path / "x.csv", rows, band=True))
    assert list(table[0]) == [
        *CSV_COLUMNS,
        "Channel",
        "Low Freq (Hz)",
        "High Freq (Hz)",
        "Verdict",
    ]
    assert table[0]["Low Freq (Hz)"] == "1500.0" and table[0]["Channel"] == "2"
    assert table[0]["Verdict"] == "uncertain" and table[0]["Start (s)"] == "0.25"


def test_format_number():
    assert format_number(3.0) == "3"
    assert format_number(1.5) == "1.5"
    assert format_number(14400.123456789) == "14400.123457"
    assert format_number(-0.0000001) == "0"
    assert format_number(None) == ""
    assert format_number(3.0, point=True) == "3.0"
    assert format_number(1.25, point=True) == "1.25"
    assert format_number(-0.0000001, 1, point=True) == "0.0"
    assert format_number(None, point=True) == ""
