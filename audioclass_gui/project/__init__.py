"""Review projects: a folder (or list) of recordings, its model runs and every verdict.

No Qt here. The project keeps its state in an append-only, fsynced journal
so that no verdict is ever lost; see :class:`ReviewProject`.
"""

from audioclass_gui.project.identity import load_reviewer, make_reviewer, save_reviewer
from audioclass_gui.project.project import JOURNAL_NAME, STATE_DIR, ReviewProject
from audioclass_gui.project.sources import PREDICTION_KINDS, SourceInfo

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
