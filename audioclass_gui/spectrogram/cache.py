"""A thread-safe LRU cache of spectrogram tiles, bounded in bytes."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, Protocol, TypeVar

from audioclass_gui.spectrogram.params import SpectrogramParams

__all__ = ["Sized", "TileCache", "tile_key"]


class Sized(Protocol):
    """Anything with a size in bytes, such as a ``SpectrogramTile``."""

    @property
    def nbytes(self) -> int: ...


T = TypeVar("T", bound=Sized)


def tile_key(
    path: str | os.PathLike[str],
    start: float,
    end: float,
    params: SpectrogramParams,
    max_columns: int,
) -> tuple[str, float, float, SpectrogramParams, int]:
    """The cache key of the tile ``compute_tile(path, start, end, params, max_columns=...)``.

    Pure: the path is only normalised as text (made absolute against the
    current directory), never looked up on disk.
    """
    return (
        os.path.abspath(os.fspath(path)),
        float(start),
        float(end),
        params,
        int(max_columns),
    )


class TileCache(Generic[T]):
    """Least-recently-used cache whose total ``nbytes`` stays within a bound.

    All methods may be called from any thread. Generic in the value type:
    ``TileCache[SpectrogramTile](256 * 2**20)``.

    Parameters
    ----------
    max_bytes
        Upper bound on the summed ``nbytes`` of the stored values. A value
        larger than this on its own is not stored.
    """

    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, not {max_bytes!r}")
        self._max_bytes = int(max_bytes)
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._nbytes = 0
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        """The bound given at construction."""
        return self._max_bytes

    @property
    def nbytes(self) -> int:
        """Bytes held now."""
        with self._lock:
            return self._nbytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key: Hashable) -> T | None:
        """Return the value for ``key`` (marking it recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: T) -> None:
        """Store ``value``, evicting least recently used values to stay in bounds."""
        size = int(value.nbytes)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._nbytes -= int(old.nbytes)
            if size > self._max_bytes:
                return
            self._items[key] = value
            self._nbytes += size
            while self._nbytes > self._max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._nbytes -= int(evicted.nbytes)

    def discard(self, key: Hashable) -> None:
        """Remove ``key`` if present."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._nbytes -= int(old.nbytes)

    def clear(self) -> None:
        """Remove everything."""
        with self._lock:
            self._items.clear()
            self._nbytes = 0
