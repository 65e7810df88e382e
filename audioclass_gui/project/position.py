"""Who reviews a project and where they are: reviewer, selection, settings.

Mixed into :class:`~audioclass_gui.project.ReviewProject`: the reviewer
stamped on every verdict (asked once), the detection or box the reviewer is
on (so that reopening resumes there), and small project settings, all kept
in the project's journal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from soundevent import data

from audioclass_gui.project.identity import make_reviewer, save_reviewer

if TYPE_CHECKING:
    from audioclass_gui.project.project import ReviewProject
    from audioclass_gui.review import DetectionFilter

__all__ = ["PositionMixin", "ReviewerMixin"]


class ReviewerMixin:
    """The reviewer of :class:`~audioclass_gui.project.ReviewProject`."""

    @property
    def reviewer(self: ReviewProject) -> data.User:
        """Who reviews now (stamped on every verdict)."""
        return self.session.reviewer

    def set_reviewer(
        self: ReviewProject,
        name: str,
        email: str | None = None,
        *,
        remember: bool = True,
    ) -> data.User:
        """Set who reviews from now on (asked once; kept in the user's settings).

        Raises
        ------
        ValueError
            If the name is empty or the email is not an address.
        """
        user = make_reviewer(name, email)
        self.session.reviewer = user
        self._write_reviewer(user)
        if remember:
            save_reviewer(user, self._settings_dir)
        self.needs_reviewer = False
        return user

    def _write_reviewer(self: ReviewProject, user: data.User) -> None:
        self._recorder.know_user(user)
        self._append({"t": "reviewer", "uuid": str(user.uuid)})
        self._state.reviewer = str(user.uuid)
        self._state.users[str(user.uuid)] = user


class PositionMixin:
    """Selection, resume point and settings of :class:`~audioclass_gui.project.ReviewProject`."""

    def select(self: ReviewProject, detection_id: int | None) -> None:
        """Remember the detection the reviewer is on (cheap: not fsynced).

        It still survives a killed program (the data is in the operating
        system's cache), and the next verdict's fsync puts it on disk.
        """
        if detection_id is None:
            record: dict[str, Any] = {"t": "sel"}
        else:
            key = self.session.path_key(detection_id)
            record = {
                "t": "sel",
                "k": [self.codec.encode(key[0]), key[1], key[2], key[3]],
            }
        if record != self._state.selection:
            self._append(record, durable=False)
            self._state.selection = record

    def select_box(self: ReviewProject, box_id: str) -> None:
        """Remember the box the reviewer is on."""
        record = {"t": "sel", "box": box_id}
        if record != self._state.selection:
            self._append(record, durable=False)
            self._state.selection = record

    @property
    def selected_box(self: ReviewProject) -> str | None:
        """The box the reviewer was on, if the last position was a box."""
        sel = self._state.selection or {}
        return (
            sel.get("box")
            if sel.get("box") in {b.id for b in self.session.boxes()}
            else None
        )

    def resume(
        self: ReviewProject, filter: DetectionFilter | None = None
    ) -> int | None:
        """The detection to show on reopening: the last one selected, else the first unreviewed."""
        sel = self._state.selection or {}
        if "k" in sel:
            rel, start, end, species = sel["k"]
            ids = self.session.ids_for((self.codec.decode(rel), start, end, species))
            if ids:
                return ids[0]
        return self.session.next_unreviewed(None, filter)

    @property
    def settings(self: ReviewProject) -> dict[str, Any]:
        """Small project settings (threshold, target precision...), kept in the journal."""
        return dict(self._state.settings)

    def set_settings(self: ReviewProject, **values: Any) -> None:
        """Change project settings (JSON values), durably."""
        self._state.settings.update(values)
        self._append({"t": "settings", "values": values})
