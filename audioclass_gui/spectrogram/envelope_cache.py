"""The waveform envelopes kept on disk, so a recording's pyramid is built once.

Each recording gets a folder in :func:`cache_folder`, named by its absolute
path (as :func:`~audioclass_gui.spectrogram.cache.tile_key` names tiles),
holding one ``.npy`` file per level and ``envelope.json``: the file's size,
modification time, length, rate and channels when it was read, and the
pyramid's layout. An entry whose stamp no longer matches the file (it was
rewritten, extended, truncated) or whose layout differs is stale: it is
rebuilt and replaces the old one. A build writes into a private ``.part``
folder, renamed into place once complete, so an interrupted build leaves
nothing that could be taken for an envelope. Least recently used entries
are removed once the folder holds more than :data:`CACHE_LIMIT` bytes.

The levels are memory-mapped: opening an entry reads its JSON only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.spectrogram.envelope import (
    BASE,
    BLOCK_SAMPLES,
    FACTOR,
    Envelope,
    EnvelopeBuilder,
    bins_per_level,
)

__all__ = [
    "CACHE_ENV",
    "CACHE_LIMIT",
    "CachedBuild",
    "cache_folder",
    "entry_folder",
    "file_stamp",
    "load_envelope",
    "load_or_build",
    "prune",
    "start_build",
]

#: Environment variable that moves the app's cache (tests, portable use).
CACHE_ENV = "AUDIOCLASS_GUI_CACHE_DIR"
#: Bytes of envelopes kept before the least recently used are removed.
CACHE_LIMIT = 2 * 1024**3
#: Layout version written into every entry; a different one is rebuilt.
VERSION = 1
_META = "envelope.json"
#: Unfinished ``.part`` folders older than this (seconds) belong to no live build.
_STALE_PART = 24 * 3600.0


def cache_folder() -> Path:
    """Where envelopes are kept: ``waveform`` in the app's cache folder.

    ``$AUDIOCLASS_GUI_CACHE_DIR/waveform`` when that variable is set, else
    in ``platformdirs.user_cache_dir("audioclass-gui")``.
    """
    root = os.environ.get(CACHE_ENV)
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("audioclass-gui")
    return Path(root) / "waveform"


def entry_folder(path: str | os.PathLike[str], folder: Path | None = None) -> Path:
    """The cache entry of a recording: named by its absolute path, not looked up."""
    key = hashlib.sha1(os.path.abspath(os.fspath(path)).encode("utf-8")).hexdigest()[:24]
    return (folder or cache_folder()) / key


def file_stamp(info: RecordingInfo) -> dict:
    """What must not change for an entry to stay valid: the file and the layout.

    Raises
    ------
    OSError
        If the file cannot be looked up.
    """
    st = os.stat(info.path)
    return {
        "version": VERSION,
        "path": os.path.abspath(os.fspath(info.path)),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "frames": info.frames,
        "samplerate": info.samplerate,
        "channels": info.channels,
        "base": BASE,
        "factor": FACTOR,
        "levels": bins_per_level(info.frames),
    }


def _level_file(entry: Path, level: int) -> Path:
    return entry / f"level{level}.npy"


def load_envelope(info: RecordingInfo, folder: Path | None = None) -> Envelope | None:
    """The complete envelope of ``info`` from the cache, or None if absent or stale.

    Marks the entry used (for :func:`prune`). Never raises for a damaged
    entry: it counts as absent.
    """
    entry = entry_folder(info.path, folder)
    try:
        meta = json.loads((entry / _META).read_text(encoding="utf-8"))
        if meta != file_stamp(info):
            return None
        levels = [
            np.load(_level_file(entry, i), mmap_mode="r")
            for i in range(len(meta["levels"]))
        ]
        wanted = [(info.channels, 2, n) for n in meta["levels"]]
        if [a.shape for a in levels] != wanted or any(a.dtype != np.float32 for a in levels):
            return None
        os.utime(entry / _META)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Envelope(info, levels, info.frames)


class CachedBuild:
    """A build whose levels are memory maps in a private folder of the cache.

    :meth:`step` reads more of the file; once the whole file is read the
    entry is renamed into place (replacing a stale one) and the cache
    pruned. The levels stay mapped, so :attr:`envelope` remains readable
    throughout.

    Parameters
    ----------
    info
        The recording.
    folder
        The cache folder (default :func:`cache_folder`).
    limit
        Bytes the cache may hold (:func:`prune`).
    block_samples
        Samples read at once (see :class:`EnvelopeBuilder`).
    """

    def __init__(
        self,
        info: RecordingInfo,
        folder: Path | None = None,
        *,
        limit: int = CACHE_LIMIT,
        block_samples: int = BLOCK_SAMPLES,
    ) -> None:
        self.info = info
        self.limit = limit
        self.entry = entry_folder(info.path, folder)
        self.stamp = file_stamp(info)
        self.part = self.entry.with_name(f"{self.entry.name}.part-{uuid.uuid4().hex[:12]}")
        self.part.mkdir(parents=True)
        levels = [
            np.lib.format.open_memmap(
                _level_file(self.part, i),
                mode="w+",
                dtype=np.float32,
                shape=(info.channels, 2, n),
            )
            for i, n in enumerate(self.stamp["levels"])
        ]
        self.builder = EnvelopeBuilder(info, levels, block_samples=block_samples)
        self.committed = False

    @property
    def envelope(self) -> Envelope:
        """What has been built so far (complete once :attr:`complete`)."""
        return self.builder.envelope

    @property
    def complete(self) -> bool:
        """Whether the whole file has been read."""
        return self.builder.complete

    def step(self, **kwargs) -> bool:
        """Read more of the file (see :meth:`EnvelopeBuilder.step`); True once complete.

        The first step that completes the envelope also stores it.
        """
        try:
            done = self.builder.step(**kwargs)
        except BaseException:
            self.discard()
            raise
        if done and not self.committed:
            self.committed = True
            self._commit()
        return done

    def discard(self) -> None:
        """Remove the unfinished folder (the levels already mapped stay readable on POSIX)."""
        if not self.committed:
            shutil.rmtree(self.part, ignore_errors=True)

    def _commit(self) -> None:
        for level in self.builder.levels:
            level.flush()
        try:
            if file_stamp(self.info) != self.stamp:  # changed while it was read
                shutil.rmtree(self.part, ignore_errors=True)
                return
        except OSError:
            shutil.rmtree(self.part, ignore_errors=True)
            return
        tmp = self.part / (_META + ".tmp")
        tmp.write_text(json.dumps(self.stamp), encoding="utf-8")
        os.replace(tmp, self.part / _META)
        shutil.rmtree(self.entry, ignore_errors=True)  # a stale entry, or a twin build
        try:
            os.rename(self.part, self.entry)
        except OSError:  # another build won the race, or (Windows) a map is open
            shutil.rmtree(self.part, ignore_errors=True)
            return
        prune(self.entry.parent, self.limit, keep=self.entry)


def start_build(
    info: RecordingInfo,
    folder: Path | None = None,
    *,
    limit: int = CACHE_LIMIT,
    block_samples: int = BLOCK_SAMPLES,
) -> CachedBuild:
    """Begin building the envelope of ``info`` into the cache (nothing is read yet)."""
    return CachedBuild(info, folder, limit=limit, block_samples=block_samples)


def load_or_build(
    info: RecordingInfo,
    folder: Path | None = None,
    *,
    cancel: Callable[[], bool] | None = None,
    limit: int = CACHE_LIMIT,
) -> Envelope | None:
    """The envelope of ``info``: from the cache, or built (and stored) now.

    Returns None if cancelled before the build completed.

    Raises
    ------
    AudioFileError
        If the file cannot be read.
    """
    found = load_envelope(info, folder)
    if found is not None:
        return found
    build = start_build(info, folder, limit=limit)
    if not build.step(cancel=cancel):
        build.discard()
        return None
    return build.envelope


def _size(entry: Path) -> int:
    return sum(f.stat().st_size for f in entry.iterdir() if f.is_file())


def prune(folder: Path, limit: int = CACHE_LIMIT, *, keep: Path | None = None) -> int:
    """Remove least recently used entries until ``folder`` holds at most ``limit`` bytes.

    Unfinished ``.part`` folders older than a day are removed too; ``keep``
    never is. Returns the number of folders removed.
    """
    removed = 0
    entries: list[tuple[float, int, Path]] = []
    now = time.time()
    try:
        children = list(folder.iterdir())
    except OSError:
        return 0
    for child in children:
        try:
            if not child.is_dir():
                continue
            if ".part-" in child.name:
                if now - child.stat().st_mtime > _STALE_PART:
                    shutil.rmtree(child, ignore_errors=True)
                    removed += 1
                continue
            meta = child / _META
            used = meta.stat().st_mtime if meta.exists() else 0.0
            entries.append((used, _size(child), child))
        except OSError:
            continue
    total = sum(size for _, size, _ in entries)
    for _, size, child in sorted(entries, key=lambda e: e[0]):
        if total <= limit:
            break
        if keep is not None and child == keep:
            continue
        shutil.rmtree(child, ignore_errors=True)
        total -= size
        removed += 1
    return removed
