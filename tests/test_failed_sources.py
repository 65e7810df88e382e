"""A predictions file that cannot be read is said once, not at every open, until it changes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audioclass_gui.project import ReviewProject
from audioclass_gui.project.sources import FailedSources

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HEADER = "Start (s),End (s),Scientific name,Common name,Confidence,File"


def test_failed_sources_remember_a_problem_while_the_file_is_unchanged(tmp_path: Path) -> None:
    failed = FailedSources(tmp_path / "store")
    assert failed.problem("a.csv", [10, 1]) is None
    failed.remember("a.csv", [10, 1], "a.csv: broken")
    again = FailedSources(tmp_path / "store")  # read back from its file
    assert again.problem("a.csv", [10, 1]) == "a.csv: broken"
    assert again.problem("a.csv", [11, 1]) is None  # changed: read it again
    assert again.problem("a.csv", None) is None  # gone
    again.forget("a.csv")
    assert FailedSources(tmp_path / "store").problem("a.csv", [10, 1]) is None
    failed.remember("b.csv", None, "no stamp, nothing remembered")
    assert failed.problem("b.csv", None) is None


def test_a_broken_table_is_reported_at_one_open_only(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    sf.write(site / "rec.wav", np.zeros(8000 * 6, np.float32), 8000)
    table = site / "rec.BirdNET.results.csv"
    table.write_text(f"{HEADER}\n0.0,3.0,Parus major,Great Tit,0.9,rec.wav\n")
    settings = tmp_path / "cfg"
    with ReviewProject.open(site, settings_dir=settings) as project:
        assert len(project.session) == 1 and project.problems == []
    # The file is replaced by one missing a column: said once...
    table.write_text("Start (s),Scientific name,Confidence\n0.0,Parus major,0.9\n")
    with ReviewProject.open(site, settings_dir=settings) as project:
        said = [p for p in project.problems if str(table) in p]
        assert len(said) == 1 and "lacks the column End (s)" in said[0]
        assert len(project.session) == 0
    # ...not again at the next open, though the source still shows its problem.
    with ReviewProject.open(site, settings_dir=settings) as project:
        assert not [p for p in project.problems if str(table) in p]
        (source,) = project.sources()
        assert not source.ok and "lacks the column End (s)" in source.problems[0]
    # Fixed: read again.
    table.write_text(f"{HEADER}\n0.0,3.0,Parus major,Great Tit,0.9,rec.wav\n")
    stat = table.stat()
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with ReviewProject.open(site, settings_dir=settings) as project:
        assert len(project.session) == 1 and project.problems == []
