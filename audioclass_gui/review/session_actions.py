"""The reviewer's actions on a session, each returning an applied, invertible edit.

:class:`SessionActions` builds the edit of an action from the session's
current state, applies it (durably, when the session has a recorder) and
returns it for the undo stack. The session's methods of the same names
call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING

import numpy as np

from audioclass_gui.review.detection import Box, Status, Verdict, new_box_id
from audioclass_gui.review.edits import BoxEdit, StatusEdit, VerdictEdit

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["SessionActions"]


def _noun(n: int) -> str:
    return f"{n} detection" if n == 1 else f"{n} detections"


class SessionActions:
    """Verdict and box actions on a session.

    Parameters
    ----------
    session
        The session acted on (edits apply to it).
    """

    def __init__(self, session: ReviewSession) -> None:
        self._session = session

    # -------------------------------------------------------------- verdicts

    def _unique(self, ids: Sequence[int]) -> tuple[int, ...]:
        unique = tuple(dict.fromkeys(int(i) for i in ids))
        local = self._session.table.local
        for i in unique:
            local(i)  # KeyError before anything changes
        return unique

    def set_status(self, ids: Sequence[int], status: Status) -> StatusEdit:
        """Give detections a status, and return the edit for the undo stack.

        Parameters
        ----------
        ids
            Detection ids; duplicates are ignored.
        status
            The new status. Relabels and notes are kept.

        Returns
        -------
        StatusEdit
            The applied edit; ``revert`` it to undo. Its ``is_noop`` is True
            when nothing changed (callers may skip pushing it).

        Raises
        ------
        KeyError
            If an id is not a detection of this session (nothing is changed).
        """
        session = self._session
        status = Status(status)
        unique = self._unique(ids)
        before = tuple(session.status(i) for i in unique)
        edit = StatusEdit(ids=unique, before=before, after=status)
        session.apply(edit)
        return edit

    def set_verdicts(
        self, ids: Sequence[int], verdicts: Verdict | Sequence[Verdict], text: str = ""
    ) -> VerdictEdit:
        """Give detections whole verdicts (one for all, or one per id).

        Raises
        ------
        KeyError
            If an id is unknown (nothing is changed).
        """
        session = self._session
        unique = self._unique(ids)
        if isinstance(verdicts, Verdict):
            after = (verdicts,) * len(unique)
        else:
            if len(verdicts) != len(ids) or len(unique) != len(ids):
                raise ValueError("give one verdict per id, without duplicate ids")
            after = tuple(verdicts)
        before = tuple(session.verdict(i) for i in unique)
        edit = VerdictEdit(
            unique, before, after, text or f"Change verdict of {_noun(len(unique))}"
        )
        session.apply(edit)
        return edit

    def relabel(
        self,
        ids: Sequence[int],
        scientific_name: str | None,
        *,
        status: Status = Status.ACCEPTED,
    ) -> VerdictEdit:
        """Say the detections are another species (the prediction is kept).

        Parameters
        ----------
        ids
            Detection ids.
        scientific_name
            The species heard instead. None, or the predicted species
            itself, removes a relabel.
        status
            The status the detections get (accepted by default: "it is a
            Turdus merula"); use UNCERTAIN for "probably".
        """
        session = self._session
        unique = self._unique(ids)
        before = tuple(session.verdict(i) for i in unique)
        after = tuple(
            v.with_(
                label=None
                if scientific_name in (None, session.get(i).scientific_name)
                else scientific_name,
                status=Status(status),
            )
            for i, v in zip(unique, before, strict=True)
        )
        text = (
            f"Remove relabel of {_noun(len(unique))}"
            if scientific_name is None
            else f"Relabel {_noun(len(unique))} as {scientific_name}"
        )
        edit = VerdictEdit(unique, before, after, text, ("status", "label"))
        session.apply(edit)
        return edit

    def set_note(self, ids: Sequence[int], note: str) -> VerdictEdit:
        """Attach a note to detections ("" removes it)."""
        session = self._session
        unique = self._unique(ids)
        before = tuple(session.verdict(i) for i in unique)
        after = tuple(v.with_(note=note) for v in before)
        text = f"{'Remove note of' if not note else 'Note on'} {_noun(len(unique))}"
        edit = VerdictEdit(unique, before, after, text, ("note",))
        session.apply(edit)
        return edit

    def reject_below(
        self,
        scientific_name: str,
        score: float,
        *,
        only_unreviewed: bool = True,
        recordings: Sequence[str | Path] | None = None,
    ) -> StatusEdit:
        """Reject every detection of one species scoring below ``score``.

        Parameters
        ----------
        scientific_name
            The predicted species.
        score
            Detections with a score strictly below it are rejected.
        only_unreviewed
            Leave detections that already have a status alone (default).
        recordings
            Limit to these recordings (all when None).
        """
        session = self._session
        cols = session.columns()
        spc = session.species_registry.get(scientific_name)
        if spc is None:
            return self.set_status([], Status.REJECTED)
        mask = (cols.species == spc) & (cols.score < score)
        if only_unreviewed:
            mask &= cols.status == list(Status).index(Status.UNREVIEWED)
        if recordings is not None:
            wanted = [session.recording_index(p) for p in recordings]
            mask &= np.isin(cols.recording, [w for w in wanted if w is not None])
        ids = (np.flatnonzero(mask) + cols.first_id).tolist()
        return self.set_status(ids, Status.REJECTED)

    # ----------------------------------------------------------------- boxes

    def add_box(
        self,
        recording: str | Path,
        start: float,
        end: float,
        low_freq: float | None = None,
        high_freq: float | None = None,
        scientific_name: str = "",
        note: str = "",
    ) -> BoxEdit:
        """Draw a box (both frequencies given) or a time interval (neither).

        Raises
        ------
        ValueError
            If the recording is not one of the session's, or the bounds are
            not a box (start >= end, one frequency only, low >= high).
        """
        session = self._session
        path = Path(recording).absolute()
        if session.recording_index(path) is None:
            raise ValueError(f"{path}: not a recording of this review")
        box = Box(
            new_box_id(),
            path,
            float(start),
            float(end),
            None if low_freq is None else float(low_freq),
            None if high_freq is None else float(high_freq),
            scientific_name,
            note,
        )
        if scientific_name:
            session.species_registry.register(scientific_name)
        edit = BoxEdit(
            box.id, None, box, "Draw box" if low_freq is not None else "Mark interval"
        )
        session.apply(edit)
        return edit

    def _box_or_raise(self, box_id: str) -> Box:
        box = self._session.box(box_id)
        if box is None:
            raise KeyError(f"no box with id {box_id} in this session")
        return box

    def _apply_box(self, box_id: str, old: Box, new: Box | None, text: str) -> BoxEdit:
        edit = BoxEdit(box_id, old, new, text)
        self._session.apply(edit)
        return edit

    def move_box(
        self,
        box_id: str,
        start: float,
        end: float,
        low_freq: float | None | EllipsisType = ...,
        high_freq: float | None | EllipsisType = ...,
    ) -> BoxEdit:
        """Move or resize a box; frequencies left out (``...``) stay as they are."""
        old = self._box_or_raise(box_id)
        low = old.low_freq if low_freq is ... else low_freq
        high = old.high_freq if high_freq is ... else high_freq
        new = old.moved(float(start), float(end), low, high)  # type: ignore[arg-type]
        return self._apply_box(box_id, old, new, "Move box")

    def retag_box(self, box_id: str, scientific_name: str) -> BoxEdit:
        """Tag a box with another species."""
        old = self._box_or_raise(box_id)
        if scientific_name:
            self._session.species_registry.register(scientific_name)
        return self._apply_box(
            box_id, old, old.tagged(scientific_name), f"Tag box as {scientific_name}"
        )

    def set_box_note(self, box_id: str, note: str) -> BoxEdit:
        """Attach a note to a box ("" removes it)."""
        old = self._box_or_raise(box_id)
        return self._apply_box(box_id, old, old.with_note(note), "Note on box")

    def delete_box(self, box_id: str) -> BoxEdit:
        """Delete a box (undo puts it back with the same id)."""
        old = self._box_or_raise(box_id)
        return self._apply_box(box_id, old, None, "Delete box")
