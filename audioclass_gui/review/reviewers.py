"""Who reviews: everyone who stamped a verdict or a box, and who reviews now.

A review session stores a stamp as ``(reviewer index, epoch time)``; this
registry turns users into those small integers and back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from soundevent import data

from audioclass_gui.review.detection import Stamp

__all__ = ["Reviewers"]


class Reviewers:
    """Users by index, and the current reviewer.

    Parameters
    ----------
    reviewer
        Who reviews at first (registered as index 0).

    Attributes
    ----------
    current : int
        Index of the current reviewer; new verdicts and boxes are stamped
        with it.
    """

    def __init__(self, reviewer: data.User) -> None:
        self._users: list[data.User] = []
        self._index: dict[Any, int] = {}
        self.current = self.index(reviewer)

    @property
    def reviewer(self) -> data.User:
        """Who is reviewing now."""
        return self._users[self.current]

    @reviewer.setter
    def reviewer(self, user: data.User) -> None:
        self.current = self.index(user)

    def index(self, user: data.User) -> int:
        """Register a user (by uuid) and return its index."""
        index = self._index.get(user.uuid)
        if index is None:
            index = len(self._users)
            self._users.append(user)
            self._index[user.uuid] = index
        return index

    def user(self, index: int) -> data.User:
        """The user with this index."""
        return self._users[index]

    @property
    def users(self) -> list[data.User]:
        """Everyone registered, by index (a copy)."""
        return list(self._users)

    def stamp(self, by: int, at: float) -> Stamp:
        """The :class:`Stamp` of reviewer index ``by`` at epoch time ``at``."""
        return Stamp(self._users[by], dt.datetime.fromtimestamp(at, dt.UTC))
