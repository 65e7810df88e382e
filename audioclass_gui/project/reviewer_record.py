"""Who reviews a project: chosen at open, asked once, kept in the journal and the settings.

:class:`ReviewerRecord` picks the reviewer when a project opens (given, else
the one saved in the user's settings, else the project's last), sets who
reviews when the user says, and writes it to the project's journal and, if
asked, to the user's settings (:mod:`audioclass_gui.project.identity`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from soundevent import data

from audioclass_gui.project.identity import load_reviewer, make_reviewer, save_reviewer
from audioclass_gui.project.project_journal import ProjectJournal
from audioclass_gui.project.store import JournalRecorder

if TYPE_CHECKING:
    from audioclass_gui.review import ReviewSession

__all__ = ["ReviewerRecord"]


class ReviewerRecord:
    """The reviewer of a project.

    Parameters
    ----------
    session
        The project's session (stamps verdicts with its reviewer).
    journal
        Where the reviewer is kept.
    recorder
        Writes a user record once per user.

    Attributes
    ----------
    needs_reviewer : bool
        True when nobody was given, saved or found at open (ask once).
    settings_dir : str or os.PathLike or None
        Folder of the user's settings (None: the platform's).
    """

    def __init__(
        self, session: ReviewSession, journal: ProjectJournal, recorder: JournalRecorder
    ) -> None:
        self._session = session
        self._journal = journal
        self._recorder = recorder
        self.needs_reviewer = False
        self.settings_dir: str | os.PathLike[str] | None = None

    @property
    def reviewer(self) -> data.User:
        """Who reviews now (stamped on every verdict)."""
        return self._session.reviewer

    def choose(
        self, reviewer: data.User | None, settings_dir: str | os.PathLike[str] | None
    ) -> data.User | None:
        """Pick the reviewer at open: ``reviewer``, else the saved one, else the project's last.

        Every user the journal knows is registered with the session first.
        Returns the one chosen (None: nobody; :attr:`needs_reviewer`).
        """
        state = self._journal.state
        self.settings_dir = settings_dir
        saved = load_reviewer(settings_dir)
        last = state.users.get(state.reviewer or "")
        chosen = reviewer or saved or last
        self.needs_reviewer = chosen is None
        for user in state.users.values():
            self._session.user_index(user)
        if chosen is not None:
            self._session.reviewer = chosen
        return chosen

    def set_reviewer(
        self, name: str, email: str | None = None, *, remember: bool = True
    ) -> data.User:
        """Set who reviews from now on (asked once; kept in the user's settings).

        Raises
        ------
        ValueError
            If the name is empty or the email is not an address.
        """
        user = make_reviewer(name, email)
        self._session.reviewer = user
        self.write(user)
        if remember:
            save_reviewer(user, self.settings_dir)
        self.needs_reviewer = False
        return user

    def write(self, user: data.User) -> None:
        """Record in the journal that ``user`` reviews now."""
        self._recorder.know_user(user)
        self._journal.append({"t": "reviewer", "uuid": str(user.uuid)})
        state = self._journal.state
        state.reviewer = str(user.uuid)
        state.users[str(user.uuid)] = user
