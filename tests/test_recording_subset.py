"""The species panel's recording filter, built alone: open, all, or a ticked subset."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from audioclass_gui.qt.review.recording_subset import (
    ALL_RECORDINGS,
    OPEN_RECORDING,
    SOME_RECORDINGS,
    RecordingSubset,
)


def _ticked(subset: RecordingSubset) -> list[str]:
    ticks = subset.ticks
    return [
        ticks.item(r).text()
        for r in range(ticks.count())
        if ticks.item(r).checkState() == Qt.CheckState.Checked
    ]


def test_subset_starts_from_the_open_recording_and_keeps_ticks(qtbot, tmp_path: Path) -> None:
    subset = RecordingSubset()
    qtbot.addWidget(subset.combo)
    qtbot.addWidget(subset.ticks)
    changes: list[None] = []
    subset.changed.connect(lambda: changes.append(None))
    paths = [str(tmp_path / "x" / "a.wav"), str(tmp_path / "y" / "a.wav"), str(tmp_path / "b.wav")]
    subset.set_recordings(paths, open_path=paths[2])
    assert [subset.ticks.item(r).text() for r in range(3)] == ["x/a.wav", "y/a.wav", "b.wav"]
    assert subset.mode() == OPEN_RECORDING and subset.chosen() is None
    assert not subset.spans_project() and changes == []  # offering lists nothing new

    subset.combo.setCurrentIndex(subset.combo.findData(SOME_RECORDINGS))
    assert subset.chosen() == frozenset({paths[2]}) and _ticked(subset) == ["b.wav"]
    assert subset.combo.currentText() == "1 of 3 recordings" and len(changes) == 1
    subset.ticks.item(0).setCheckState(Qt.CheckState.Checked)
    assert subset.summary() == "2 of 3 recordings" and len(changes) == 2

    # The project's recordings are offered again in another order: ticks stay.
    subset.set_recordings(list(reversed(paths)), open_path=paths[2])
    assert subset.chosen() == frozenset({paths[0], paths[2]})

    subset.follow_species(True)  # a chosen subset stays when a species is chosen
    assert subset.mode() == SOME_RECORDINGS
    subset.reset()
    assert subset.mode() == OPEN_RECORDING and subset.ticks.isHidden()
    subset.follow_species(True)  # a species across every recording
    assert subset.mode() == ALL_RECORDINGS and subset.summary() == "All 3 recordings"
    assert subset.spans_project() and len(changes) == 3  # reset and follow announce nothing


def test_choose_lists_the_given_recordings(qtbot, tmp_path: Path) -> None:
    subset = RecordingSubset()
    qtbot.addWidget(subset.ticks)
    paths = [str((tmp_path / n).absolute()) for n in ("a.wav", "b.wav", "c.wav")]
    subset.set_recordings(paths)
    subset.choose([tmp_path / "a.wav", tmp_path / "c.wav"])
    assert subset.chosen() == frozenset({paths[0], paths[2]})
    assert subset.combo.currentText() == "2 of 3 recordings" and not subset.ticks.isHidden()
    subset.choose(None)
    assert subset.mode() == OPEN_RECORDING and subset.chosen() is None
