"""The root of the app model: one per window."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from psygnal import Signal

from audioclass_gui.app.density import DetectionDensity
from audioclass_gui.app.document import Document
from audioclass_gui.app.event_review import EventReview
from audioclass_gui.app.exports import Exports
from audioclass_gui.app.imports import Imports
from audioclass_gui.app.learning import Learning
from audioclass_gui.app.measurements import SelectionMeasurements
from audioclass_gui.app.messages import Messages
from audioclass_gui.app.paged_state import PagedState
from audioclass_gui.app.playback_state import PlaybackState
from audioclass_gui.app.reference_examples import ReferenceExamples
from audioclass_gui.app.review_state import ReviewState
from audioclass_gui.app.run_state import RunState
from audioclass_gui.app.species_thresholds import SpeciesThresholds
from audioclass_gui.app.tasks import ImmediateTasks, Tasks

if TYPE_CHECKING:
    from audioclass_gui.app.event_review import EventSpan
    from audioclass_gui.review import Box, Detection

__all__ = ["AppModel"]


class AppModel:
    """Everything a window shows, as Qt-free state that announces its changes.

    Parts are composed, each owning its state and signals:

    - :attr:`document`: the open recording, session, project and model;
    - :attr:`review`: what the detection list shows (thresholds, filter,
      order, sample queue) and the selection;
    - :attr:`run`: the model run in the window;
    - :attr:`messages`: status lines and problems for the user;
    - :attr:`tasks`: where blocking work runs (the window's thread pool;
      at once in the caller's thread when none is given);
    - :attr:`exports`: the review written in the formats users exchange;
    - :attr:`imports`: predictions and reviews added to the open project;
    - :attr:`species_thresholds`: species listed from their own threshold;
    - :attr:`density`: the detections shown, counted per time bin and species;
    - :attr:`references`: verified calls of the selection's species, to compare;
    - :attr:`learning`: embeddings, find similar, training and classifiers;
    - :attr:`measurements`: Raven's measurements of the boxes and the time selection;
    - :attr:`event_review`: review by vocal events instead of windows;
    - :attr:`paged`: the paged view (rows per page) and the page shown.

    Signals
    -------
    recording_opened(object)
        A recording is now shown (its ``RecordingInfo``), also when the same
        file is opened again.
    open_requested(object)
        Something asked to open this path (a recording, folder or project
        file); the window opens it off the GUI thread.
    """

    recording_opened = Signal(object)
    open_requested = Signal(object)

    def __init__(self, tasks: Tasks | None = None) -> None:
        self.document = Document()
        self.review = ReviewState()
        self.run = RunState()
        self.playback = PlaybackState()
        self.messages = Messages()
        self.tasks: Tasks = tasks if tasks is not None else ImmediateTasks()
        self.exports = Exports(self)
        self.imports = Imports(self)
        self.species_thresholds = SpeciesThresholds(self)
        self.density = DetectionDensity(self.tasks)
        self.learning = Learning(self)
        self.measurements = SelectionMeasurements(self)
        self.references = ReferenceExamples(self)
        self.paged = PagedState(self)
        self.event_review = EventReview(self)
        self.species_thresholds.changed.connect(
            lambda thresholds, _source: self.review.set_species_thresholds(thresholds)
        )

    def play_target(self) -> Box | Detection | EventSpan | None:
        """What Space plays and the views mark: the selected box, else the selected
        event (reviewing by events), else the selected detection; None if none."""
        review = self.review
        span = self.event_review.play_target() if review.selected_box is None else None
        return span if span is not None else review.play_target(self.document.session)

    def request_open(self, path: str | os.PathLike[str]) -> None:
        """Ask for ``path`` to be opened (see ``open_requested``)."""
        self.open_requested.emit(Path(path))
