"""Where the reviewer is in a project: the selection, the resume point, view settings.

:class:`Position` keeps the detection or box the reviewer is on (so that
reopening resumes there) and small settings of the project (threshold,
target precision...), in the project's journal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audioclass_gui.project.project_journal import ProjectJournal
from audioclass_gui.project.store import PathCodec

if TYPE_CHECKING:
    from audioclass_gui.review import DetectionFilter, ReviewSession

__all__ = ["Position"]


class Position:
    """Selection, resume point and settings of a project.

    Parameters
    ----------
    session
        The project's session (detections named by path key).
    journal
        Where the selection and settings are kept.
    codec
        Paths in records relative to the project's root.
    """

    def __init__(self, session: ReviewSession, journal: ProjectJournal, codec: PathCodec) -> None:
        self._session = session
        self._journal = journal
        self._codec = codec

    def select(self, detection_id: int | None) -> None:
        """Remember the detection the reviewer is on (cheap: not fsynced).

        It still survives a killed program (the data is in the operating
        system's cache), and the next verdict's fsync puts it on disk.
        """
        if detection_id is None:
            record: dict[str, Any] = {"t": "sel"}
        else:
            key = self._session.path_key(detection_id)
            record = {
                "t": "sel",
                "k": [self._codec.encode(key[0]), key[1], key[2], key[3]],
            }
        self._remember(record)

    def select_box(self, box_id: str) -> None:
        """Remember the box the reviewer is on."""
        self._remember({"t": "sel", "box": box_id})

    def _remember(self, record: dict[str, Any]) -> None:
        state = self._journal.state
        if record != state.selection:
            self._journal.append(record, durable=False)
            state.selection = record

    @property
    def selected_box(self) -> str | None:
        """The box the reviewer was on, if the last position was a box."""
        sel = self._journal.state.selection or {}
        return (
            sel.get("box")
            if sel.get("box") in {b.id for b in self._session.boxes()}
            else None
        )

    def resume(self, filter: DetectionFilter | None = None) -> int | None:
        """The detection to show on reopening: the last one selected, else the first unreviewed."""
        sel = self._journal.state.selection or {}
        if "k" in sel:
            rel, start, end, species = sel["k"]
            ids = self._session.ids_for((self._codec.decode(rel), start, end, species))
            if ids:
                return ids[0]
        return self._session.next_unreviewed(None, filter)

    @property
    def settings(self) -> dict[str, Any]:
        """Small project settings (threshold, target precision...), kept in the journal."""
        return dict(self._journal.state.settings)

    def set_settings(self, **values: Any) -> None:
        """Change project settings (JSON values), durably."""
        self._journal.state.settings.update(values)
        self._journal.append({"t": "settings", "values": values})
