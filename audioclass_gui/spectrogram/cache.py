"""A thread-safe LRU cache of spectrogram tiles, bounded in bytes.

Stale tiles are dropped by generation: the view starts a new generation
whenever the recording or the settings change; results of older
generations that arrive later are refused by :meth:`TileCache.put`, and
:meth:`TileCache.retain` frees the tiles the new generation cannot use.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

from audioclass_gui.spectrogram.layout import TileSpec
from audioclass_gui.spectrogram.params import SpectrogramParams

__all__ = ["Sized", "TileCache", "grid_key", "tile_key"]


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


def grid_key(
    path: str | os.PathLike[str], params: SpectrogramParams, spec: TileSpec
) -> tuple[str, SpectrogramParams, TileSpec]:
    """The cache key of ``compute_grid_tile(path, spec, params)`` (pure, like :func:`tile_key`)."""
    return (os.path.abspath(os.fspath(path)), params, spec)


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
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        """The current generation (0 until :meth:`new_generation` is called)."""
        with self._lock:
            return self._generation

    def new_generation(self) -> int:
        """Start a new generation: later puts tagged with an older one are refused."""
        with self._lock:
            self._generation += 1
            return self._generation

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

    def put(self, key: Hashable, value: T, *, generation: int | None = None) -> bool:
        """Store ``value``, evicting least recently used values to stay in bounds.

        Parameters
        ----------
        key, value
            What to store.
        generation
            The generation the value was computed for; a value from an
            older generation is stale and not stored. None stores always.

        Returns
        -------
        bool
            Whether the value was stored (False if stale or larger than the
            bound on its own).
        """
        size = int(value.nbytes)
        with self._lock:
            if generation is not None and generation != self._generation:
                return False
            old = self._items.pop(key, None)
            if old is not None:
                self._nbytes -= int(old.nbytes)
            if size > self._max_bytes:
                return False
            self._items[key] = value
            self._nbytes += size
            while self._nbytes > self._max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._nbytes -= int(evicted.nbytes)
            return True

    def retain(self, keep: Callable[[Hashable], bool]) -> int:
        """Drop every value whose key ``keep`` rejects; return how many were dropped."""
        with self._lock:
            stale = [k for k in self._items if not keep(k)]
            for k in stale:
                self._nbytes -= int(self._items.pop(k).nbytes)
            return len(stale)

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
