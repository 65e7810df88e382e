"""Where a project's (or a ``predict`` output's) embeddings are, and its recordings' names there.

- a folder project: ``<folder>/.audioclass-gui/embeddings/<model>/``
  (:func:`~audioclass_gui.embeddings.store.embeddings_folder` of its state
  folder, beside its journal and predictions store);
- a project file ``x.jsonl``: ``x.embeddings/<model>/`` beside it;
- a ``predict --embeddings`` output folder: ``<output>/embeddings/<model>/``.

Recordings are named in a store by their path relative to the project's
folder (the output folder for ``predict``, as its predictions files name
them), with ``/`` separators, so that folders moved together still fit;
only a recording on another drive keeps its absolute path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from audioclass_gui.embeddings.store import FOLDER_NAME, embeddings_folder
from audioclass_gui.project.project import JOURNAL_NAME, STATE_DIR

__all__ = ["EmbeddingsPlace", "locate", "recording_name"]


def recording_name(path: str | os.PathLike[str], root: Path) -> str:
    """How a recording is named in a store under ``root`` (see the module docstring)."""
    p = Path(path).absolute()
    try:
        return Path(os.path.relpath(p, root.absolute())).as_posix()
    except ValueError:  # another drive (Windows)
        return str(p)


@dataclass(frozen=True)
class EmbeddingsPlace:
    """A project's embeddings folder and the folder its recordings' names are relative to.

    Attributes
    ----------
    folder
        The embeddings folder (one store per model inside).
    root
        The folder recording names are relative to.
    kind
        ``"folder"``, ``"file"`` (a ``.jsonl`` project) or ``"predict"``.
    project
        The path to open the project with (None for a ``predict`` output).
    """

    folder: Path
    root: Path
    kind: str
    project: Path | None

    def name(self, path: str | os.PathLike[str]) -> str:
        """The store's name for a recording."""
        return recording_name(path, self.root)

    def path(self, name: str) -> Path:
        """The recording's path from its name in the store."""
        p = Path(name)
        return p if p.is_absolute() else self.root / p


def locate(project: str | os.PathLike[str]) -> EmbeddingsPlace:
    """Where the embeddings of a project, a project file or a predict output are.

    Raises
    ------
    FileNotFoundError
        If ``project`` is neither a folder nor a ``.jsonl`` file.
    """
    p = Path(project).expanduser().absolute()
    if p.is_dir():
        if (p / FOLDER_NAME).is_dir() and not (p / STATE_DIR / JOURNAL_NAME).is_file():
            return EmbeddingsPlace(p / FOLDER_NAME, p, "predict", None)
        return EmbeddingsPlace(embeddings_folder(p / STATE_DIR), p, "folder", p)
    if p.suffix == ".jsonl" and p.is_file():
        return EmbeddingsPlace(p.with_suffix(".embeddings"), p.parent, "file", p)
    raise FileNotFoundError(f"{p}: no such project folder, project file (*.jsonl) or predict output")
