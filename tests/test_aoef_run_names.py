"""Exported model runs are named by what makes them differ, and keep their name and uuid."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from audioclass_gui.formats.aoef_run_names import model_version, run_title, run_uuid

ID = uuid.UUID("3fa2c1d0-0000-5000-8000-000000000000")


def test_a_run_of_the_app_says_its_settings() -> None:
    provenance = {
        "model_key": "birdnet",
        "threshold_floor": 0.05,
        "model_version": "2.4",
        "settings": {
            "threshold": 0.05,
            "overlap_seconds": 1.5,
            "sensitivity": 1.25,
            "top_k": 5,
            "species_list_name": "/home/me/lists/ontario.txt",
            "latitude": 43.7,
            "longitude": -79.4,
            "week": 22,
            "start": 0.0,
            "end": None,
        },
    }
    assert run_title("BirdNET", provenance, ID) == (
        "BirdNET 2.4 (overlap 1.5 s, sensitivity 1.25, min score 0.05, top 5, "
        "species list ontario.txt, at 43.70, -79.40, week 22) [3fa2c1]"
    )


def test_effective_values_win_and_defaults_are_not_said() -> None:
    # A model without sensitivity: the effective record says None.
    provenance = {
        "name": "Energy",
        "settings": {"sensitivity": 1.5, "overlap_seconds": 0.0, "start": 10, "end": 70},
        "effective": {"threshold": 0.2, "sensitivity": None},
    }
    assert run_title("Energy detector", provenance, ID) == (
        "Energy detector (min score 0.2, 10-70 s) [3fa2c1]"
    )
    assert run_title("m", {}, ID) == "m [3fa2c1]"
    assert run_title("", {"version": 3}, ID) == "unknown model 3 [3fa2c1]"
    assert run_title("BirdNET 2.4", {"version": "2.4"}, ID) == "BirdNET 2.4 [3fa2c1]"


def test_the_date_is_the_runs_own(tmp_path: Path) -> None:
    assert run_title("m", {"created": "2024-06-01T05:00:00+00:00"}, ID) == "m (2024-06-01) [3fa2c1]"
    assert "(2024-06-02)" in run_title("m", {"finished": 1717300000}, ID)
    source = tmp_path / "results.csv"
    source.write_text("")
    os.utime(source, (1717200000, 1717200000))  # 2024-06-01 UTC
    title = run_title("BirdNET", {"source_file": str(source), "model": "BirdNET"}, ID)
    assert title == "BirdNET (from results.csv; 2024-06-01) [3fa2c1]"
    assert run_title("m", {"date": "yesterday"}, ID) == "m [3fa2c1]"


def test_the_uuid_is_the_runs() -> None:
    base = run_uuid("runs/a.arrow", "BirdNET", {"version": "2.4"}, ["/x/b.wav", "/x/a.wav"])
    assert base == run_uuid("runs/a.arrow", "BirdNET", {"version": "2.4"}, ["/x/a.wav", "/x/b.wav"])
    others = {
        run_uuid("runs/b.arrow", "BirdNET", {"version": "2.4"}, ["/x/a.wav", "/x/b.wav"]),
        run_uuid("runs/a.arrow", "BirdNET", {"version": "2.5"}, ["/x/a.wav", "/x/b.wav"]),
        run_uuid("runs/a.arrow", "BirdNET", {"version": "2.4"}, ["/x/a.wav"]),
        run_uuid("runs/a.arrow", "Perch", {"version": "2.4"}, ["/x/a.wav", "/x/b.wav"]),
    }
    assert base not in others and len(others) == 4
    assert model_version({"model_version": "", "version": 2.4}) == "2.4"
