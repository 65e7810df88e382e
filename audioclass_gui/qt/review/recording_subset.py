"""Listing a subset of a project's recordings: the species panel's recording filter.

The panel offers the open recording, all recordings, or "Some recordings…":
a list with one checkable row per recording of the project, summarised in
the choice itself ("3 of 12 recordings"). :class:`RecordingSubset` owns the
choice (a combo box) and the list, and says when what is listed changes;
:class:`~audioclass_gui.qt.review.species_panel.SpeciesPanel` lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem

__all__ = [
    "ALL_RECORDINGS",
    "OPEN_RECORDING",
    "PATH_ROLE",
    "SOME_RECORDINGS",
    "RecordingSubset",
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


class RecordingSubset(QObject):
    """Which recordings the list spans: the open one, all, or those ticked.

    Attributes
    ----------
    combo : QComboBox
        The choice: :data:`OPEN_RECORDING`, :data:`ALL_RECORDINGS` or
        :data:`SOME_RECORDINGS` (whose text summarises the ticks).
    ticks : TickList
        One checkable row per recording of the project, shown while a
        subset is chosen.

    Signals
    -------
    changed()
        The reviewer changed which recordings are listed.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.addItem("Open recording", OPEN_RECORDING)
        self.combo.addItem("All recordings", ALL_RECORDINGS)
        self.combo.addItem("Some recordings…", SOME_RECORDINGS)
        self.combo.setToolTip(
            "List the open recording's detections, every recording's, or those"
            " of the recordings ticked below"
        )
        self.ticks = TickList()
        self.ticks.setToolTip("Tick the recordings to list (Space ticks)")
        self.ticks.setMaximumHeight(140)
        self.ticks.setVisible(False)
        self._open_path: str | None = None
        self._offered: list[str] = []  # the paths listed in ``ticks``, in order
        self.combo.currentIndexChanged.connect(self._on_mode)
        self.ticks.itemChanged.connect(self._on_ticked)

    # ------------------------------------------------------------ reading
    def mode(self) -> str:
        """:data:`OPEN_RECORDING`, :data:`ALL_RECORDINGS` or :data:`SOME_RECORDINGS`."""
        return self.combo.currentData()

    def spans_project(self) -> bool:
        """True when more than the open recording is listed (all, or a subset)."""
        return self.mode() in (ALL_RECORDINGS, SOME_RECORDINGS)

    def chosen(self) -> frozenset[str] | None:
        """The ticked recordings' paths while a subset is chosen, else None."""
        if self.mode() != SOME_RECORDINGS:
            return None
        return frozenset(
            item.data(PATH_ROLE)
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        )

    def summary(self) -> str:
        """How many recordings are listed, in words ("3 of 12 recordings")."""
        total = self.ticks.count()
        mode = self.mode()
        if mode == OPEN_RECORDING:
            return "Open recording"
        if mode == ALL_RECORDINGS:
            return f"All {total} recordings" if total > 1 else "All recordings"
        chosen = self.chosen() or frozenset()
        return f"{len(chosen)} of {total} recording{'s' if total != 1 else ''}"

    # ------------------------------------------------------------ writing
    def set_recordings(
        self, paths: Sequence[str | Path], open_path: str | Path | None = None
    ) -> None:
        """The project's recordings offered in the list (ticks are kept by path)."""
        self._open_path = None if open_path is None else str(open_path)
        wanted = [str(p) for p in paths]
        if wanted == self._offered:  # as listed: nothing to redo
            return
        self._offered = wanted
        ticked = {
            item.data(PATH_ROLE)
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        }
        blocker = self.ticks.blockSignals(True)
        self.ticks.clear()
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
            self.ticks.addItem(item)
        self.ticks.blockSignals(blocker)
        self._update_summary()
        if self.mode() == SOME_RECORDINGS:
            self.changed.emit()

    def choose(self, paths: Sequence[str | Path] | None) -> None:
        """List the detections of these recordings (None: back to the open one)."""
        if paths is None:
            self.combo.setCurrentIndex(self.combo.findData(OPEN_RECORDING))
            return
        wanted = {str(Path(p).absolute()) for p in paths}
        blockers = [w.blockSignals(True) for w in (self.ticks, self.combo)]
        for item in self._items():
            state = (
                Qt.CheckState.Checked
                if item.data(PATH_ROLE) in wanted
                else Qt.CheckState.Unchecked
            )
            item.setCheckState(state)
        self.combo.setCurrentIndex(self.combo.findData(SOME_RECORDINGS))
        for w, b in zip((self.ticks, self.combo), blockers, strict=True):
            w.blockSignals(b)
        self.ticks.setVisible(True)
        self._update_summary()
        self.changed.emit()

    def follow_species(self, chosen: bool) -> None:
        """A species was chosen (or all again): list every recording (or the open one).

        A chosen subset stays. Announces nothing: the caller does.
        """
        if self.mode() == SOME_RECORDINGS:
            return
        blocker = self.combo.blockSignals(True)
        mode = ALL_RECORDINGS if chosen else OPEN_RECORDING
        self.combo.setCurrentIndex(self.combo.findData(mode))
        self.combo.blockSignals(blocker)

    def reset(self) -> None:
        """Back to the open recording, the list hidden (announces nothing)."""
        blocker = self.combo.blockSignals(True)
        self.combo.setCurrentIndex(0)
        self.ticks.setVisible(False)
        self._update_summary()
        self.combo.blockSignals(blocker)

    # -------------------------------------------------------------- internal
    def _items(self) -> list[QListWidgetItem]:
        return [self.ticks.item(r) for r in range(self.ticks.count())]

    def _on_mode(self, _index: int) -> None:
        some = self.mode() == SOME_RECORDINGS
        if some and self.chosen() == frozenset():
            # First time: start from the open recording, the reviewer ticks more.
            blocker = self.ticks.blockSignals(True)
            for item in self._items():
                if item.data(PATH_ROLE) == self._open_path:
                    item.setCheckState(Qt.CheckState.Checked)
            self.ticks.blockSignals(blocker)
        self.ticks.setVisible(some)
        self._update_summary()
        self.changed.emit()

    def _on_ticked(self, _item: QListWidgetItem) -> None:
        self._update_summary()
        if self.mode() == SOME_RECORDINGS:
            self.changed.emit()

    def _update_summary(self) -> None:
        index = self.combo.findData(SOME_RECORDINGS)
        text = self.summary() if self.mode() == SOME_RECORDINGS else "Some recordings…"
        if self.combo.itemText(index) != text:
            self.combo.setItemText(index, text)
