"""What the window has open: a recording, its review session and project, the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psygnal import evented

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.project import ReviewProject
    from audioclass_gui.review import ReviewSession

__all__ = ["Document", "ModelInfo"]


@dataclass(frozen=True)
class ModelInfo:
    """What the app learns about a model once a worker has loaded it."""

    key: str
    name: str
    version: str
    samplerate: int
    input_samples: int
    num_classes: int
    common_names: dict[str, str] = field(default_factory=dict)
    #: How the run is made (model, settings, filters as applied): JSON-able,
    #: from :meth:`~audioclass_gui.models.RunSettings.to_provenance`.
    provenance: dict[str, Any] = field(default_factory=dict)


@evented
@dataclass(eq=False)
class Document:
    """The open recording, the session its detections are reviewed in, and its project.

    Each field has a psygnal signal of the same name under ``events``
    (``document.events.info.connect(...)``), emitted when the field is set
    to a different value.

    Attributes
    ----------
    info
        The recording shown (its header), or None.
    session
        The review session the window lists and edits: the project's
        session (every recording of it) or None.
    project
        The open review project, or None.
    implicit
        True while ``project`` is a single recording's implicit project.
    model_info
        The model last loaded for a run in the window, or None.
    """

    info: RecordingInfo | None = None
    session: ReviewSession | None = None
    project: ReviewProject | None = None
    implicit: bool = False
    model_info: ModelInfo | None = None

    @property
    def folder(self) -> Path | None:
        """Where files about the review go by default (exports, reports).

        The project's folder; for a single recording's implicit project, the
        recording's folder (the project itself sits in the user data folder).
        """
        project = self.project
        if project is None:
            return None
        if self.implicit and project.session.recordings:
            return Path(project.session.recordings[0].path).parent
        return project.root

    @property
    def opened_path(self) -> Path | None:
        """What the reviewer opened: the recording, the folder or the project file."""
        project = self.project
        if project is None:
            return None
        if self.implicit and project.session.recordings:
            return Path(project.session.recordings[0].path)
        return project.root if project.is_folder else project.journal_path

    def species_names(self) -> dict[str, str]:
        """Species a reviewer may choose: every label of the model, and every species of the session.

        Scientific name -> common name ("" when unknown); the session's
        common names win where it has one.
        """
        names: dict[str, str] = {}
        if self.model_info is not None:
            names.update(self.model_info.common_names)
        if self.session is not None:
            for sci, common in self.session.species_names().items():
                if common or sci not in names:
                    names[sci] = common
        return names
