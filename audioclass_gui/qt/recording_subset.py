"""Listing a subset of a project's recordings: the species panel's recording filter.

The panel offers the open recording, all recordings, or "Some recordings…":
a list with one checkable row per recording of the project, summarised in
the choice itself ("3 of 12 recordings"). Mixed into
:class:`~audioclass_gui.qt.species_panel.SpeciesPanel`, which owns the
``recordings`` combo box and the ``recording_list``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

if TYPE_CHECKING:
    from audioclass_gui.qt.species_panel import SpeciesPanel

__all__ = [
    "ALL_RECORDINGS",
    "OPEN_RECORDING",
    "PATH_ROLE",
    "SOME_RECORDINGS",
    "RecordingSubsetMixin",
    "TickList",
]

#: Recording choices of the filter row: the open one, all, a ticked subset.
OPEN_RECORDING, ALL_RECORDINGS, SOME_RECORDINGS = "open", "all", "some"
PATH_ROLE = Qt.ItemDataRole.UserRole + 2


class TickList(QListWidget):
    """A list of checkable rows where Space ticks (not the window's Play)."""

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and event.key() == Qt.Key.Key_Space
            and not event.modifiers()
        ):
            event.accept()
            return True
        return super().event(event)


class RecordingSubsetMixin:
    """The recording filter of :class:`~audioclass_gui.qt.species_panel.SpeciesPanel`."""

    def chosen_recordings(self: SpeciesPanel) -> frozenset[str] | None:
        """The ticked recordings' paths while a subset is chosen, else None."""
        if self.recordings.currentData() != SOME_RECORDINGS:
            return None
        return frozenset(
            item.data(PATH_ROLE)
            for item in self._recording_items()
            if item.checkState() == Qt.CheckState.Checked
        )

    def recording_summary(self: SpeciesPanel) -> str:
        """How many recordings are listed, in words ("3 of 12 recordings")."""
        total = self.recording_list.count()
        mode = self.recordings.currentData()
        if mode == OPEN_RECORDING:
            return "Open recording"
        if mode == ALL_RECORDINGS:
            return f"All {total} recordings" if total > 1 else "All recordings"
        chosen = self.chosen_recordings() or frozenset()
        return f"{len(chosen)} of {total} recording{'s' if total != 1 else ''}"

    # ------------------------------------------------------- recordings
    def set_recordings(
        self: SpeciesPanel,
        paths: Sequence[str | Path],
        open_path: str | Path | None = None,
    ) -> None:
        """The project's recordings offered in the subset list (ticks are kept by path)."""
        self._open_path = None if open_path is None else str(open_path)
        wanted = [str(p) for p in paths]
        if wanted == [item.data(PATH_ROLE) for item in self._recording_items()]:
            return
        ticked = {
            item.data(PATH_ROLE)
            for item in self._recording_items()
            if item.checkState() == Qt.CheckState.Checked
        }
        blocker = self.recording_list.blockSignals(True)
        self.recording_list.clear()
        names = [Path(p).name for p in wanted]
        for path, name in zip(wanted, names, strict=True):
            # Same file name in two folders: show the folder too.
            text = (
                name if names.count(name) == 1 else f"{Path(path).parent.name}/{name}"
            )
            item = QListWidgetItem(text)
            item.setData(PATH_ROLE, path)
            item.setToolTip(path)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if path in ticked else Qt.CheckState.Unchecked
            )
            self.recording_list.addItem(item)
        self.recording_list.blockSignals(blocker)
        self._update_recording_summary()
        if self.recordings.currentData() == SOME_RECORDINGS:
            self.filter_changed.emit()

    def choose_recordings(
        self: SpeciesPanel, paths: Sequence[str | Path] | None
    ) -> None:
        """List the detections of these recordings (None: back to the open one)."""
        if paths is None:
            self.recordings.setCurrentIndex(self.recordings.findData(OPEN_RECORDING))
            return
        wanted = {str(Path(p).absolute()) for p in paths}
        blockers = [
            w.blockSignals(True) for w in (self.recording_list, self.recordings)
        ]
        for item in self._recording_items():
            state = (
                Qt.CheckState.Checked
                if item.data(PATH_ROLE) in wanted
                else Qt.CheckState.Unchecked
            )
            item.setCheckState(state)
        self.recordings.setCurrentIndex(self.recordings.findData(SOME_RECORDINGS))
        for w, b in zip((self.recording_list, self.recordings), blockers, strict=True):
            w.blockSignals(b)
        self.recording_list.setVisible(True)
        self._update_recording_summary()
        self.filter_changed.emit()

    def _recording_items(self: SpeciesPanel) -> list[QListWidgetItem]:
        return [self.recording_list.item(r) for r in range(self.recording_list.count())]

    def _on_recording_mode(self: SpeciesPanel, _index: int) -> None:
        some = self.recordings.currentData() == SOME_RECORDINGS
        if some and self.chosen_recordings() == frozenset():
            # First time: start from the open recording, the reviewer ticks more.
            blocker = self.recording_list.blockSignals(True)
            for item in self._recording_items():
                if item.data(PATH_ROLE) == self._open_path:
                    item.setCheckState(Qt.CheckState.Checked)
            self.recording_list.blockSignals(blocker)
        self.recording_list.setVisible(some)
        self._update_recording_summary()
        self.filter_changed.emit()

    def _on_recording_ticked(self: SpeciesPanel, _item: QListWidgetItem) -> None:
        self._update_recording_summary()
        if self.recordings.currentData() == SOME_RECORDINGS:
            self.filter_changed.emit()

    def _update_recording_summary(self: SpeciesPanel) -> None:
        index = self.recordings.findData(SOME_RECORDINGS)
        text = (
            self.recording_summary()
            if self.recordings.currentData() == SOME_RECORDINGS
            else "Some recordings…"
        )
        if self.recordings.itemText(index) != text:
            self.recordings.setItemText(index, text)

    # ------------------------------------------------------------ writing
