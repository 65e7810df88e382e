"""Review projects: a folder (or list) of recordings, its model runs and every verdict.

No Qt here. The project keeps its state in an append-only, fsynced journal
so that no verdict is ever lost; see :class:`ReviewProject`.
Its names load their module on first use (:mod:`audioclass_gui.lazy_names`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audioclass_gui.lazy_names import lazy_names

if TYPE_CHECKING:
    from audioclass_gui.project.identity import (
        load_reviewer,
        make_reviewer,
        save_reviewer,
    )
    from audioclass_gui.project.project import JOURNAL_NAME, STATE_DIR, ReviewProject
    from audioclass_gui.project.sources import PREDICTION_KINDS, SourceInfo

_WHERE = {
    "JOURNAL_NAME": "audioclass_gui.project.project",
    "PREDICTION_KINDS": "audioclass_gui.project.sources",
    "ReviewProject": "audioclass_gui.project.project",
    "STATE_DIR": "audioclass_gui.project.project",
    "SourceInfo": "audioclass_gui.project.sources",
    "load_reviewer": "audioclass_gui.project.identity",
    "make_reviewer": "audioclass_gui.project.identity",
    "save_reviewer": "audioclass_gui.project.identity",
}

__all__ = [
    "JOURNAL_NAME",
    "PREDICTION_KINDS",
    "STATE_DIR",
    "ReviewProject",
    "SourceInfo",
    "load_reviewer",
    "make_reviewer",
    "save_reviewer",
]

__getattr__, __dir__ = lazy_names(globals(), _WHERE)
