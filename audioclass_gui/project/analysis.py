"""Which recordings of a project a model has analysed, found nothing in, or failed on.

A model run over a project's recordings (Model › Run on all recordings)
writes one predictions store file per recording into the project's state
folder, ``<state>/runs/<model>/`` (see :func:`runs_folder`), with the
resume journal of ``audioclass-gui predict`` beside them; the recordings
it could not process are kept in :data:`FAILED_NAME` there. The state of
each recording is derived from those files alone (never from widgets), so
it is the same after reopening the project:

* ``not analysed``: no finished journal entry (or the file changed since);
* ``analysed: N detections`` / ``analysed: nothing found``;
* ``failed: reason``: the last run that tried it could not process it.

No Qt; the journal lines are handed in (this layer does not import the
batch engine), and reading the files belongs off the GUI thread.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audioclass_gui.formats.atomic import atomic_write_text

if TYPE_CHECKING:
    from audioclass_gui.project.project import ReviewProject

__all__ = [
    "FAILED_NAME",
    "FailureLog",
    "RecordingAnalysis",
    "analysis_states",
    "failure_of",
    "model_slug",
    "recordings_root",
    "runs_folder",
]

#: File of the recordings a run over the project failed on (in the model's runs folder).
FAILED_NAME = ".audioclass-gui-failed.json"


def model_slug(key: str) -> str:
    """A folder name for a model key (``"BirdNET v2.4"`` -> ``"birdnet-v2-4"``)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-").lower() or "model"


def runs_folder(project: ReviewProject, model_key: str) -> Path:
    """Where runs of ``model_key`` over the project's recordings write.

    ``<folder>/.audioclass-gui/runs/<model>/`` for a folder project,
    ``<project file stem>.runs/<model>/`` beside a project file: the
    folder :meth:`~audioclass_gui.project.ReviewProject.save_run` uses.
    """
    runs = project.runs_folder()
    return runs / model_slug(model_key)


def recordings_root(project: ReviewProject) -> Path:
    """The folder output paths start from: the project's, or above it for recordings outside it.

    The same for a run over some recordings as over all of them, so both
    write (and resume) the same files.
    """
    folders = {str(Path(r.path).parent) for r in project.session.recordings}
    return Path(os.path.commonpath([str(project.root), *folders]))


@dataclass(frozen=True)
class RecordingAnalysis:
    """What a model's runs over the project did with one recording.

    Attributes
    ----------
    state
        ``"not analysed"``, ``"analysed"`` or ``"failed"``.
    detections
        Detections written (analysed).
    reason
        Why it failed (failed).
    finished
        When it was analysed (ISO time from the journal), or "".
    """

    state: str = "not analysed"
    detections: int = 0
    reason: str = ""
    finished: str = ""

    @property
    def text(self) -> str:
        """The state in words, as the recording list shows it."""
        if self.state == "analysed":
            if not self.detections:
                return "analysed: nothing found"
            noun = "detection" if self.detections == 1 else "detections"
            return f"analysed: {self.detections} {noun}"
        if self.state == "failed":
            return f"failed: {self.reason}"
        return "not analysed"


def _unchanged(entry: Mapping[str, Any], path: Path) -> bool:
    """Whether the recording and the outputs are as the journal entry says."""
    try:
        st = path.stat()
    except OSError:
        return False
    if entry.get("size") != st.st_size or entry.get("mtime_ns") != st.st_mtime_ns:
        return False
    outputs = entry.get("outputs") or []
    return bool(outputs) and all(Path(p).is_file() for p in outputs)


def analysis_states(
    recordings: Sequence[str | os.PathLike[str]],
    journal: Iterable[Mapping[str, Any]],
    failures: Mapping[str, str],
) -> dict[str, RecordingAnalysis]:
    """Each recording's state for one model (reads file dates: call off the GUI thread).

    Parameters
    ----------
    recordings
        The project's recordings.
    journal
        The finished entries of the model's resume journal (one per job;
        each with ``source``, ``size``, ``mtime_ns``, ``outputs`` and
        ``detections``).
    failures
        ``{recording path: reason}`` of the last runs (:class:`FailureLog`).

    Returns
    -------
    dict
        ``{recording path: RecordingAnalysis}`` for every recording.
    """
    by_source = {str(e.get("source")): e for e in journal}
    states = {}
    for raw in recordings:
        path = str(raw)
        entry = by_source.get(path)
        if path in failures:
            states[path] = RecordingAnalysis("failed", reason=failures[path])
        elif entry is not None and _unchanged(entry, Path(path)):
            states[path] = RecordingAnalysis(
                "analysed",
                detections=int(entry.get("detections") or 0),
                finished=str(entry.get("finished") or ""),
            )
        else:
            states[path] = RecordingAnalysis()
    return states


def failure_of(message: str, paths: Iterable[str | os.PathLike[str]]) -> tuple[str, str] | None:
    """Which recording a batch problem is about, and why: ``(path, reason)``.

    The batch engine's messages start with the recording's path
    (``"<path>: <reason>"``); None for a message naming none of ``paths``.
    """
    best = None
    for raw in paths:
        path = str(raw)
        if message.startswith(path) and (best is None or len(path) > len(best)):
            best = path
    if best is None:
        return None
    return best, message[len(best) :].lstrip(" :") or "unknown error"


class FailureLog:
    """The recordings runs of one model over a project failed on, kept on disk.

    A recording is listed from the run that fails on it until a run
    finishes it (or finds it finished). The file is small (failures only)
    and rewritten atomically on each change.

    Parameters
    ----------
    folder
        The model's runs folder (:func:`runs_folder`).
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.path = Path(folder) / FAILED_NAME
        self.failures: dict[str, str] = self.read(folder)

    @staticmethod
    def read(folder: str | os.PathLike[str]) -> dict[str, str]:
        """``{recording path: reason}`` of a runs folder (empty when none or unreadable)."""
        try:
            data = json.loads((Path(folder) / FAILED_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def fail(self, path: str | os.PathLike[str], reason: str) -> None:
        """Remember that ``path`` failed."""
        self.failures[str(path)] = reason
        self._write()

    def clear(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        """Forget the failures of ``paths`` (finished now)."""
        gone = [p for p in map(str, paths) if p in self.failures]
        for path in gone:
            del self.failures[path]
        if gone:
            self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(self.failures, indent=1, sort_keys=True))
