"""Atomic file writes: a crash mid-export never leaves a half-written file.

Data goes to a temporary file in the target's folder, is flushed to disk, and
then replaces the target in one ``os.replace`` step. Readers see either the
old file or the complete new one.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from glob import escape as glob_escape
from pathlib import Path

__all__ = [
    "atomic_write_path",
    "atomic_write_text",
    "fsync_dir",
    "fsync_file",
    "remove_stale_temporaries",
]


def _temp_path_for(path: Path) -> Path:
    # Hidden, unique, and with the target's suffix (some writers check it).
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}")


def remove_stale_temporaries(path: str | os.PathLike[str]) -> int:
    """Remove temporary files a killed :func:`atomic_write_path` of ``path`` left behind.

    Call it only where no other write of ``path`` may be under way (a
    project's store, which one program at a time writes). Returns how many
    were removed.
    """
    target = Path(path)
    removed = 0
    for tmp in target.parent.glob(f".{glob_escape(target.stem)}.*.tmp{glob_escape(target.suffix)}"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed += 1
    return removed


def fsync_file(path: str | os.PathLike[str]) -> None:
    """Flush a file's content to disk."""
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries to disk (POSIX; errors ignored: not all file systems can)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``.

    The temporary file is created (empty) in the same folder as ``path``,
    with the same suffix, so that ``os.replace`` stays on one file system.
    When the ``with`` block ends normally the file is fsynced and moved onto
    ``path``; when it raises, the temporary file is removed and ``path`` is
    left as it was.

    Parameters
    ----------
    path
        The file to (over)write. Missing parent folders are created.

    Yields
    ------
    pathlib.Path
        Where to write the new content.

    Examples
    --------
    >>> with atomic_write_path(target) as tmp:  # doctest: +SKIP
    ...     soundevent.io.save(project, tmp)
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path_for(target)
    # O_EXCL: never clobber anything; mode 0o666 so the umask applies as for
    # any new file (tempfile.mkstemp would leave it 0600).
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)


def atomic_write_text(
    path: str | os.PathLike[str], text: str, encoding: str = "utf-8"
) -> None:
    """Write ``text`` to ``path`` atomically.

    Parameters
    ----------
    path
        The file to (over)write.
    text
        The full new content.
    encoding
        Text encoding.
    """
    with atomic_write_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
