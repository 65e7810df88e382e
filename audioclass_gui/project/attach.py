"""Attaching predictions files to a project, and saving the runs made in the app.

:class:`ProjectSources` owns a project's predictions files (its *sources*):
it reads each into the session through the project's store (a columnar
file per source, mapped at every later open; many of them through one
merged file), remembers them in the journal, and keeps the common names
given to the project for imports.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audioclass_gui.formats.birdnet_results import birdnet_common_names
from audioclass_gui.formats.prediction_store import (
    StoredRun,
    display_ordered,
    read_stored_run,
    source_stamp,
    store_file,
    write_stored_run,
)
from audioclass_gui.project.merged_store import (
    MERGED_NAME,
    build_merged,
    members_of,
    read_merged,
)
from audioclass_gui.project.project_journal import ProjectJournal
from audioclass_gui.project.recording_files import RecordingFiles
from audioclass_gui.project.run_files import run_file, write_run_file
from audioclass_gui.project.sources import (
    PREDICTION_KINDS,
    FailedSources,
    RecordingResolver,
    SourceInfo,
    read_source,
    sniff,
)
from audioclass_gui.project.store import PathCodec

if TYPE_CHECKING:
    from soundevent import data

    from audioclass_gui.project.prepare import PreparedSource
    from audioclass_gui.review import ReviewSession

__all__ = ["ProjectSources"]


class ProjectSources:
    """The predictions files of a project.

    Parameters
    ----------
    session
        The project's session, which their detections go to.
    journal
        Where the sources are remembered.
    codec
        Paths in records relative to the project's root.
    resolver
        Finds the project's recording for a path a file names.
    files
        Adds the recordings a file names (see :meth:`attach`).
    problems
        The project's problems (unreadable files, stores not written...).
    store_dir
        Folder of the project's predictions store.
    runs_folder
        Where the runs made in the app are kept.

    Attributes
    ----------
    store_dir : pathlib.Path
    runs_folder : pathlib.Path
    """

    def __init__(
        self,
        session: ReviewSession,
        journal: ProjectJournal,
        codec: PathCodec,
        resolver: RecordingResolver,
        files: RecordingFiles,
        problems: list[str],
        *,
        store_dir: Path,
        runs_folder: Path,
    ) -> None:
        self._session = session
        self._journal = journal
        self._codec = codec
        self._resolver = resolver
        self._files = files
        self._problems = problems
        self.store_dir = store_dir
        self.runs_folder = runs_folder
        self._sources: dict[Path, SourceInfo] = {}
        #: Common names given to the project (scientific -> common).
        self._names: dict[str, str] = {}

    def __contains__(self, path: object) -> bool:
        """True if the project has read the predictions file at this (absolute) path."""
        return path in self._sources

    def kinds(self) -> dict[str, str]:
        """Each source's path (as text) and kind, as the journal keeps them."""
        return {str(info.path): info.kind for info in self._sources.values()}

    def read_source(self, path: Path, kind: str, prepared: StoredRun | None = None) -> SourceInfo:
        """Add a predictions file's detections to the session, through the project's store.

        A store file made from this version of the file is mapped. Else the
        file is read into columns (``prepared``: read, and its store file
        written, by :func:`~audioclass_gui.project.prepare.prepare_attach`),
        the store file is written (atomically) and then mapped as every
        later open maps it, so that a first open and a reopen give the same
        session. Where the store cannot be written (read-only project, disk
        full) the columns go to the session as the store would hold them.

        A crash at any step leaves either no store file of the source or a
        complete one of the version read (stamped with its size and time):
        the next open converts it again, or maps that file.
        """
        run = self._codec.encode(path)
        info = SourceInfo(path, kind, run)
        self._sources[path] = info
        if kind == "arrow":  # a predictions store file (`predict` writes them)
            return self._read_arrow(info)
        stored_path = store_file(self.store_dir, run)
        stamp = source_stamp(path)  # before reading: a file changed meanwhile is stale
        stored = read_stored_run(stored_path, decode=self._codec.decode, stamp=stamp)
        if stored is not None:
            if stamp is None:
                info.problems.append(
                    f"{path}: predictions file not found; its predictions "
                    "were read from the project's store"
                )
                self._problems.extend(info.problems)
            return self._add_stored(info, stored)
        if prepared is None:
            if not path.exists():
                info.problems.append(
                    f"{path}: predictions file not found (its verdicts are kept)"
                )
                self._problems.extend(info.problems)
                return info
            failed = FailedSources(self.store_dir)
            remembered = failed.problem(run, stamp)
            if remembered is not None:  # failed at an earlier open, unchanged since
                info.problems.append(remembered)
                return info
            try:
                prepared = read_source(
                    path, kind, self._resolver, scientific_names=self.common_to_scientific()
                )
            except (ValueError, OSError) as exc:
                info.problems.append(str(exc))
                self._problems.extend(info.problems)
                if not self._journal.read_only:
                    failed.remember(run, stamp, str(exc))
                return info
            if not self._journal.read_only and self.write_store(stored_path, prepared, stamp):
                stored = read_stored_run(stored_path, decode=self._codec.decode, stamp=stamp)
                if stored is not None:
                    return self._add_stored(info, stored)
        return self._add_stored(info, display_ordered(prepared, self._recording_rank))

    def _read_arrow(self, info: SourceInfo) -> SourceInfo:
        """Map a predictions store file; its relative paths are relative to its folder."""
        folder = info.path.parent
        stored = read_stored_run(
            info.path,
            decode=lambda p: os.path.normpath(folder.joinpath(p)),
            stamp=None,
        )
        if stored is None:
            info.problems.append(
                f"{info.path}: predictions file not found (its verdicts are kept)"
                if not info.path.exists()
                else f"{info.path}: not a predictions store of this version, or unreadable"
            )
            self._problems.extend(info.problems)
            return info
        return self._add_stored(info, stored)

    def write_store(
        self, target: Path, run: StoredRun, stamp: list[int] | None
    ) -> bool:
        """Keep a predictions file's columns in the store, for fast reopening.

        ``stamp`` is the file's :func:`source_stamp` taken before it was
        read. Returns False (and says why in :attr:`problems`) when the
        store file could not be written.
        """
        try:
            write_stored_run(
                target, run, encode=self._codec.encode, stamp=stamp, rank=self._recording_rank
            )
        except OSError as exc:  # the review goes on; the next open reads the source
            self._problems.append(f"{target}: the predictions store was not written ({exc})")
            return False
        return True

    def _recording_rank(self, path: str) -> tuple[int, str]:
        """Where a recording comes in the session's order (new ones last, by path)."""
        index = self._session.recording_index(path)
        return (len(self._session.recordings) if index is None else index, path)

    def _add_stored(
        self,
        info: SourceInfo,
        stored: StoredRun,
        members: list[SourceInfo] | None = None,
    ) -> SourceInfo:
        """Add a store file's detections to the session, mapped onto its recordings.

        ``members``: the sources of a merged file (see
        :mod:`~audioclass_gui.project.merged_store`), in its ``runs`` order;
        ``info`` then only collects the problems met.
        """
        lut = np.full(len(stored.recordings), -1, np.int32)
        missing = []
        for i, path in enumerate(stored.recordings):
            index = self._session.recording_index(path)
            if index is None:
                found = self._resolver(path)
                index = None if found is None else self._session.recording_index(found.path)
            if index is None:
                missing.append(path)
            else:
                lut[i] = index
        rec = stored.recording
        if not np.array_equal(lut, np.arange(len(lut))):
            rec = lut[rec]
        species = stored.species_index
        spc_lut = self._session.species_ids(stored.species)
        if not np.array_equal(spc_lut, np.arange(len(spc_lut))):
            species = spc_lut[species]
        columns = [rec, stored.start, stored.end, species, stored.score]
        if missing:
            keep = rec >= 0
            info.problems.append(
                f"{info.path}: {int((~keep).sum())} predictions of recordings that "
                f"were not found were left out ({', '.join(missing[:3])}"
                f"{', ...' if len(missing) > 3 else ''})"
            )
            columns = [c[keep] for c in columns]
        runs = None
        if stored.run is not None:  # a merged file: one SourceInfo per member
            infos = members or []
            metas = stored.runs
            runs = stored.run if not missing else stored.run[keep]
        else:
            infos = [info]
            metas = [
                {
                    "model_name": stored.model_name,
                    "provenance": stored.provenance,
                    "common_names": stored.common_names,
                    "problems": stored.problems,
                }
            ]
        # Common names of the file's species, the first member naming one
        # wins; BirdNET's labels are read once, not once per member (a merged
        # file may hold thousands).
        adopted: dict[str, str] = {}
        unnamed = list(stored.species)
        birdnet: dict[str, str] | None = None
        for member, meta in zip(infos, metas, strict=True):
            model_name = str(meta.get("model_name") or "")
            member.model_name = model_name
            member.problems.extend(meta.get("problems") or [])
            self._session.set_run(member.run, name=model_name, provenance=meta.get("provenance") or {})
            if not unnamed:
                continue
            names = meta.get("common_names") or {}
            if not names and model_name.lower().startswith("birdnet"):
                birdnet = birdnet_common_names() if birdnet is None else birdnet
                names = birdnet
            adopted.update((s, names[s]) for s in unnamed if names.get(s))
            unnamed = [s for s in unnamed if s not in adopted]
        self._adopt_common_names(adopted)
        info.problems.extend(p for m in infos if m is not info for p in m.problems)
        self._problems.extend(info.problems)
        index = None
        if not missing and stored.index is not None:
            index = (stored.index, lut, spc_lut)
        # A store file is in display order; so are its rows here if the
        # recordings keep their order.
        in_order = not missing and bool(np.all(np.diff(lut) > 0))
        if runs is None:
            info.detections = len(
                self._session.add_columns(info.run, *columns, index=index, in_order=in_order)
            )
            return info
        self._session.add_columns(
            [m.run for m in infos], *columns, runs=runs, index=index, in_order=in_order
        )
        for member, count in zip(
            infos, np.bincount(runs, minlength=len(infos)).tolist(), strict=True
        ):
            member.detections = count  # (before duplicates of other sources are dropped)
        return info

    def read_merged(self, paths: Sequence[Path]) -> set[Path]:
        """Read many store files through the project's merged file; returns those read.

        The merged file is made (again) when the files changed since; a
        read-only project uses it only when it is up to date. Files it does
        not cover are read one by one by the caller.
        """
        members = members_of(paths, self._codec.encode)
        if len(members) < 2:
            return set()
        target = self.store_dir / MERGED_NAME
        stored = read_merged(target, members, decode=self._codec.decode)
        if stored is None and not self._journal.read_only:
            try:
                stored = build_merged(
                    target,
                    members,
                    rank=self._recording_rank,
                    encode=self._codec.encode,
                    decode=self._codec.decode,
                )
            except OSError as exc:  # the files are read one by one instead
                self._problems.append(f"{target}: the merged store was not written ({exc})")
        if stored is None:
            return set()
        infos = []
        for member in members:
            info = SourceInfo(member.path, "arrow", member.key)
            self._sources[member.path] = info
            infos.append(info)
        self._add_stored(SourceInfo(target, "arrow", ""), stored, infos)
        return {m.path for m in members}

    def _adopt_common_names(self, names: Mapping[str, str]) -> None:
        """Take a file's common names for species that have none yet.

        Names given to the project (the model's, the user's) win; the
        detections made from the file then carry them, so the table, the
        species panel and the exports show common names for imported runs.
        """
        missing = {
            sci: common
            for sci, common in names.items()
            if common and not self._names.get(sci) and not self._session.common_name(sci)
        }
        if missing:
            self.set_common_names(missing)

    def set_common_names(self, names: Mapping[str, str]) -> None:
        """Common names (scientific -> common) for display, imports and exports."""
        self._names.update(names)
        self._session.set_common_names(names)

    def common_to_scientific(self) -> dict[str, str] | None:
        """Lower-case common name -> scientific, for tables that name species by common name.

        None when the project was given no common names (the importer then
        uses BirdNET's own labels).
        """
        if not self._names:
            return None  # the importer falls back to BirdNET's own labels
        from audioclass_gui.formats.birdnet_results import birdnet_common_to_scientific

        names = birdnet_common_to_scientific()
        names.update(
            {common.lower(): sci for sci, common in self._names.items() if common}
        )
        return names

    # ------------------------------------------------------------ sources

    def sources(self) -> list[SourceInfo]:
        """The predictions files read into the project."""
        return list(self._sources.values())

    def source(self, path: str | os.PathLike[str]) -> SourceInfo | None:
        """The predictions file at ``path`` if the project has read it, else None."""
        return self._sources.get(Path(path).expanduser().absolute())

    def attach(
        self,
        path: str | os.PathLike[str],
        kind: str | None = None,
        *,
        prepared: PreparedSource | None = None,
    ) -> SourceInfo:
        """Read a predictions file into the project and remember it.

        Parameters
        ----------
        path
            A soundevent ``ModelRun`` or ``PredictionSet`` file, or a
            BirdNET-Analyzer Raven or CSV result table.
        kind
            Its kind (see :data:`~audioclass_gui.project.sources.PREDICTION_KINDS`);
            sniffed from the file when None.
        prepared
            The file as :func:`~audioclass_gui.project.prepare.prepare_attach`
            read it (off the GUI thread); nothing is read here then.

        Raises
        ------
        ValueError
            If the file is not a predictions file.
        """
        p = Path(path).expanduser().absolute()
        if prepared is not None:
            p, kind = prepared.path, prepared.kind
        kind = kind or sniff(p)
        if kind not in PREDICTION_KINDS:
            raise ValueError(
                f"{p}: not a predictions file (found {kind or 'nothing readable'})"
            )
        info = self._sources.get(p)
        if info is None or not info.detections:
            for recording in prepared.new_recordings if prepared is not None else ():
                self._files.adopt(recording)
            info = self.read_source(p, kind, prepared.result if prepared else None)
            self._journal.append({"t": "source", "path": self._codec.encode(p), "kind": kind})
        return info

    def detach(self, path: str | os.PathLike[str]) -> None:
        """Forget a predictions file (its detections leave at the next open)."""
        p = Path(path).expanduser().absolute()
        self._sources.pop(p, None)
        self._journal.append({"t": "source_removed", "path": self._codec.encode(p)})

    def save_run(
        self,
        predictions: Sequence[data.ClipPrediction],
        *,
        name: str,
        provenance: Mapping[str, Any] | None = None,
        add: bool = False,
    ) -> Path:
        """Save a model run made in the app into the project and remember it.

        The window does the same in two steps, :func:`write_run_file` in its
        task runner and :meth:`record_run` when the file is written.

        Parameters
        ----------
        predictions
            The run's clip predictions (of the project's recordings).
        name
            The model's name.
        provenance
            How it was made.
        add
            Also add the predictions to the session (False when they were
            streamed into it already).

        Returns
        -------
        pathlib.Path
            The run's predictions store file, in :attr:`runs_folder`.
        """
        target = run_file(self.runs_folder, name)
        count = write_run_file(target, predictions, name=name, provenance=provenance)
        if add:
            key = self._codec.encode(target)
            self._session.set_run(key, name=name, provenance=dict(provenance or {}))
            self._session.add_predictions(predictions, run=key)
        self.record_run(target, name=name, provenance=provenance, detections=count)
        return target

    def record_run(
        self,
        target: Path,
        *,
        name: str,
        provenance: Mapping[str, Any] | None = None,
        detections: int = 0,
    ) -> None:
        """Remember a run file written by :func:`write_run_file` as one of the project's.

        Its detections are in the session already; the next open maps the file.
        """
        key = self._codec.encode(target)
        self._session.set_run(key, name=name, provenance=dict(provenance or {}))
        self._sources[target] = SourceInfo(target, "arrow", key, name, detections)
        self._journal.append({"t": "source", "path": key, "kind": "arrow"})
