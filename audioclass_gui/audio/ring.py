"""The buffer between the feeder thread and the audio callback.

:class:`Ring` is a single-producer, single-consumer ring of float32 frames
with two monotonically increasing frame counters: ``written`` (advanced by
the feeder after it has copied a block in) and ``read`` (advanced by the
audio callback after it has copied a block out). Each counter has a single
writer and plain integer reads and writes are atomic in CPython, so the
callback needs no lock: :meth:`Ring.fill` copies at most two slices into
the device buffer, advances ``read`` and zero-fills what is missing. It
does no I/O and allocates no buffers.

:class:`Marks` maps output frames back to recording frames (where each
pass of a loop starts), so the playhead stays in recording time at any
speed.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Marks", "Ring"]


class Ring:
    """Preallocated frames shared by one writer thread and the audio callback.

    Parameters
    ----------
    capacity
        Frames the ring holds.
    keep
        Frames behind the read position the writer must not overwrite yet,
        so that pausing can step back to what was actually heard (the
        frames still queued in the device when it was stopped).
    channels
        Channels per frame (the callback broadcasts mono to the device's
        channels).

    Attributes
    ----------
    written, read
        Frames written by the feeder / read by the callback so far.
    eof
        Set by the writer once ``written`` is final.
    underrun_frames
        Silent frames the callback had to insert because the feeder was
        late (they do not count as read).
    reached_end
        Set by the callback when it has read everything after ``eof``.
    """

    __slots__ = (
        "buffer",
        "capacity",
        "eof",
        "keep",
        "read",
        "reached_end",
        "underrun_frames",
        "written",
    )

    def __init__(self, capacity: int, keep: int = 0, channels: int = 1) -> None:
        if capacity <= keep:
            raise ValueError("the ring must hold more frames than it keeps")
        self.buffer = np.zeros((int(capacity), int(channels)), np.float32)
        self.capacity = int(capacity)
        self.keep = int(keep)
        self.written = 0
        self.read = 0
        self.eof = False
        self.underrun_frames = 0
        self.reached_end = False

    @classmethod
    def from_array(cls, samples: np.ndarray) -> Ring:
        """A ring already holding ``samples`` (frames, channels), complete (``eof``)."""
        ring = cls.__new__(cls)
        ring.buffer = samples
        ring.capacity = max(1, samples.shape[0])
        ring.keep = (
            ring.capacity
        )  # nothing is overwritten: a pause can step back freely
        ring.written = samples.shape[0]
        ring.read = 0
        ring.eof = True
        ring.underrun_frames = 0
        ring.reached_end = False
        return ring

    # ----------------------------------------------------------- writer side
    def space(self) -> int:
        """Frames the writer may add now without overwriting live or kept frames."""
        floor = max(0, self.read - self.keep)
        return self.capacity - (self.written - floor)

    def write(self, block: np.ndarray) -> None:
        """Append ``block`` (1-D mono, at most :meth:`space` frames), then publish it."""
        n = block.shape[0]
        if n == 0:
            return
        if n > self.space():
            raise ValueError("block larger than the free space of the ring")
        cap = self.capacity
        i = self.written % cap
        first = min(n, cap - i)
        if block.ndim == 1:
            block = block[:, np.newaxis]
        self.buffer[i : i + first] = block[:first]
        if first < n:
            self.buffer[: n - first] = block[first:]
        self.written += n  # publish only after the data is in place

    def finish(self) -> None:
        """No more frames will be written."""
        self.eof = True

    # -------------------------------------------------------- callback side
    def fill(self, outdata: np.ndarray, frames: int) -> bool:
        """The audio callback's work: copy, advance the counter, zero-fill.

        Returns True once everything has been played after :meth:`finish`
        (``outdata`` zero-filled past the end).
        """
        eof = self.eof  # read before `written`: if set, `written` is final
        pos = self.read
        n = self.written - pos
        if n > frames:
            n = frames
        if n > 0:
            cap = self.capacity
            i = pos % cap
            first = cap - i
            if n <= first:
                outdata[:n] = self.buffer[i : i + n]
            else:
                outdata[:first] = self.buffer[i:]
                outdata[first:n] = self.buffer[: n - first]
            self.read = pos + n
        else:
            n = 0
        if n < frames:
            outdata[n:] = 0.0
            if eof:
                self.reached_end = True
                return True
            self.underrun_frames += frames - n
        return False

    def rewind(self, frames: int) -> int:
        """Step the read position back by up to ``frames`` kept frames.

        Only while the callback is not running (a paused stream). Returns
        the frames actually stepped back.
        """
        floor = max(0, self.written - self.capacity)
        back = max(0, min(int(frames), self.keep, self.read - floor))
        self.read -= back
        self.reached_end = False
        return back


class Marks:
    """Where each pass over the span starts, in output and recording frames.

    Written by the feeder (one mark per pass of a loop), read by whoever
    polls the position. A fixed number of the latest marks is kept.

    Parameters
    ----------
    size
        Marks kept; older ones are overwritten.
    """

    def __init__(self, size: int = 1024) -> None:
        self._out = np.zeros(size, np.int64)
        self._src = np.zeros(size, np.int64)
        self._size = size
        self.count = 0

    def add(self, out_frame: int, source_frame: int) -> None:
        """From output frame ``out_frame`` on, recording frame ``source_frame`` plays."""
        i = self.count % self._size
        self._out[i] = out_frame
        self._src[i] = source_frame
        self.count += 1  # publish after the values

    def lookup(self, out_frame: int) -> tuple[int, int] | None:
        """The latest mark at or before ``out_frame``, as ``(out, source)``."""
        count = self.count
        for k in range(count - 1, max(-1, count - self._size - 1), -1):
            i = k % self._size
            if self._out[i] <= out_frame:
                return int(self._out[i]), int(self._src[i])
        return None
