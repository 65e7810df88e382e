"""Who, where and what of a review session: reviewers, recordings, species, runs.

Mixed into :class:`~audioclass_gui.review.ReviewSession`: the registries that
map users, recording paths, scientific names and run keys to the small
integers the session's columns hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from soundevent import data, terms

if TYPE_CHECKING:
    from audioclass_gui.review.session import ReviewSession

__all__ = ["SessionRegistryMixin"]


def _absolute(path: Any) -> Path:
    p = Path(path)
    return p if p.is_absolute() else p.absolute()


class SessionRegistryMixin:
    """Registries of :class:`~audioclass_gui.review.ReviewSession`."""

    @property
    def reviewer(self: ReviewSession) -> data.User:
        """Who is reviewing now; new verdicts and boxes are stamped with them."""
        return self._users[self._reviewer]

    @reviewer.setter
    def reviewer(self: ReviewSession, user: data.User) -> None:
        self._reviewer = self.user_index(user)

    def user_index(self: ReviewSession, user: data.User) -> int:
        """Register a user (by uuid) and return its index in :attr:`users`."""
        index = self._user_index.get(user.uuid)
        if index is None:
            index = len(self._users)
            self._users.append(user)
            self._user_index[user.uuid] = index
        return index

    @property
    def users(self: ReviewSession) -> list[data.User]:
        """Everyone who stamped a verdict or box in this session."""
        return list(self._users)

    def _register_recording(self: ReviewSession, recording: data.Recording) -> int:
        path = _absolute(recording.path)
        if path != recording.path:
            recording.path = path
        index = len(self._recordings)
        self._recordings.append(recording)
        self._rec_by_uuid[recording.uuid] = index
        self._rec_by_path[str(path)] = index
        return index

    def _recording_of(self: ReviewSession, clip: data.Clip) -> int:
        recording = clip.recording
        index = self._rec_by_uuid.get(recording.uuid)
        if index is not None:
            if recording is not self._recordings[index]:
                path = _absolute(recording.path)
                if path != recording.path:
                    recording.path = path
            return index
        if self._single:
            raise ValueError(
                f"clip prediction for {recording.path} does not belong "
                f"to the recording under review ({self.recording.path})"  # type: ignore[union-attr]
            )
        index = self._rec_by_path.get(str(_absolute(recording.path)))
        if index is None:
            return self._register_recording(recording)
        clip.recording = self._recordings[index]  # one Recording object per file
        return index

    def add_recording(self: ReviewSession, recording: data.Recording) -> int:
        """Add a recording without predictions (a project's file list).

        Returns its index in :attr:`recordings`; a recording with the same
        path is not added twice.
        """
        index = self._rec_by_path.get(str(_absolute(recording.path)))
        if index is not None:
            return index
        if self._single and self._recordings:
            raise ValueError("a single-recording session cannot take another recording")
        self._touch()
        return self._register_recording(recording)

    @property
    def recordings(self: ReviewSession) -> list[data.Recording]:
        """Every recording known to the session, in the order first seen."""
        return list(self._recordings)

    def recording_index(self: ReviewSession, path: str | Path) -> int | None:
        """Index in :attr:`recordings` of the recording at ``path``, or None."""
        return self._rec_by_path.get(str(_absolute(path)))

    def _species_id(self: ReviewSession, name: str) -> int:
        index = self._species_index.get(name)
        if index is None:
            index = len(self._species)
            self._species.append(name)
            self._species_index[name] = index
        return index

    def species_list(self: ReviewSession) -> list[str]:
        """Scientific names seen so far (predicted or relabelled to), in order."""
        return list(self._species)

    def set_common_names(self: ReviewSession, names: Mapping[str, str]) -> None:
        """Add common names (scientific name -> common) for display and exports.

        Detections made later use them; existing detections keep theirs.
        """
        self._names.update({k: v for k, v in names.items() if v})

    def _lookup_common(self: ReviewSession, tag: data.Tag) -> str:
        name = ""
        if self._common_name is not None:
            name = self._common_name(tag) or ""
        self._names[str(tag.value)] = name
        return name

    def common_name(self: ReviewSession, scientific_name: str) -> str:
        """Common name of a species, "" when unknown."""
        name = self._names.get(scientific_name)
        if name is None:
            tag = data.Tag(term=terms.scientific_name, value=scientific_name)
            name = self._lookup_common(tag)
        return name

    def species_names(self: ReviewSession) -> dict[str, str]:
        """Every known species (scientific -> common, "" when unknown)."""
        out = {name: self.common_name(name) for name in self._species}
        for name in self._names:
            out.setdefault(name, self._names[name])
        return out

    # ------------------------------------------------------------ predictions

    def set_run(
        self: ReviewSession,
        run: str,
        *,
        name: str,
        provenance: dict[str, Any] | None = None,
    ) -> None:
        """Name a run (source of predictions) other than the session's own."""
        self._runs[run] = (name, dict(provenance or {}))

    def run_keys(self: ReviewSession) -> list[str]:
        """Keys of the runs with predictions, in the order they came (cheap)."""
        return list(dict.fromkeys([*self._run_keys, *self._prediction_runs]))

    def run_infos(self: ReviewSession) -> list[tuple[str, str, dict[str, Any]]]:
        """Every run with predictions: ``(key, model name, provenance)`` (cheap)."""
        return [(run, *self._run_info(run)) for run in self.run_keys()]

    def run_predictions(self: ReviewSession, run: str) -> list[data.ClipPrediction]:
        """A run's clip predictions: those added as objects, then the stored ones made now.

        For a run of millions read from a store this makes millions of
        objects: exports stream stored runs instead (:meth:`stored_run`).
        """
        out = [
            p
            for p, key in zip(self._predictions, self._prediction_runs, strict=True)
            if key == run
        ]
        code = self._run_index.get(run)
        if code is not None:
            rows = np.flatnonzero(
                (self._rows["run"] == code) & (self._rows["window"] < 0)
            )
            if len(rows):
                out.extend(self._stored_predictions(rows))
        return out

    def runs(
        self: ReviewSession,
    ) -> list[tuple[str, str, dict[str, Any], list[data.ClipPrediction]]]:
        """Every run with predictions: ``(key, model name, provenance, predictions)``.

        Makes every prediction of stored runs (see :meth:`run_predictions`).
        """
        return [(key, name, prov, self.run_predictions(key)) for key, name, prov in self.run_infos()]

    def run_names(self: ReviewSession) -> list[str]:
        """Model names of the runs with predictions, as :meth:`runs` lists them (cheap)."""
        return [name for _key, name, _prov in self.run_infos()]

    def stored_run(self: ReviewSession, run: str) -> dict[str, np.ndarray] | None:
        """The columns of a run read from a store (display order), or None.

        None when the run has no rows or holds rows added as objects. The
        columns are read-only views (``recording``, ``species``, ``start``,
        ``end``, ``score``) when the run's rows are contiguous, as a store's
        are; copies otherwise.
        """
        code = self._run_index.get(run)
        if code is None:
            return None
        r = self._rows
        rows = np.flatnonzero(r["run"] == code)
        if not len(rows) or (r["window"][rows] >= 0).any():
            return None
        names = ("recording", "species", "start", "end", "score")
        if int(rows[-1]) - int(rows[0]) + 1 == len(rows):
            part = slice(int(rows[0]), int(rows[-1]) + 1)
            return {name: r.view(name)[part] for name in names}
        return {name: r[name][rows] for name in names}

    def _run_info(self: ReviewSession, run: str) -> tuple[str, dict[str, Any]]:
        """A run's model name and provenance ("" is the session's own run)."""
        if run == "":
            return self.model_name, self.provenance
        return self._runs.get(run, (run, {}))
