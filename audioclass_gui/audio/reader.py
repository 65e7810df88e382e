"""Read windows of a recording by seeking: never the whole file.

:class:`AudioReader` keeps one file open for a series of reads (a
spectrogram tile, a model batch) and hides libsndfile's quirks, found by
checking reads against a full decode: libsndfile 1.2 seeks Ogg files
inaccurately once a handle has decoded audio (so the reader reopens them to
seek), and corrupts MP3 audio that spans two reads on one handle and right
after a seek (so each MP3 window is one read on a fresh handle, from a
little before the window). It returns zeros outside the file so windows
near the ends need no special cases, replaces non-finite samples (NaN or infinity in
float WAV files) by silence and counts them, and turns every failure into
an :class:`~audioclass_gui.audio.errors.AudioFileError` that names the file
and the problem (a file deleted or changed while open included).
"""

from __future__ import annotations

import os
from types import TracebackType

import numpy as np
import soundfile as sf

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import (
    RecordingInfo,
    open_audio,
    read_info,
    seeks_need_reopen,
)
from audioclass_gui.audio.resample import context_frames, resample, resample_ratio

__all__ = ["AudioReader", "read_frames", "read_resampled", "read_window"]

_READ_ERRORS = (sf.LibsndfileError, RuntimeError, OSError, ValueError)
#: Frames decoded and dropped before a seek target in MP3 files (eight
#: MPEG frames: more than the bit reservoir can reach back).
PREROLL_FRAMES = 9216


class AudioReader:
    """One open recording, read as mono float32 by frame ranges.

    Not thread-safe: make one per thread or per task (opening is cheap).
    Use as a context manager, or call :meth:`close`.

    Parameters
    ----------
    info
        Header facts from :func:`~audioclass_gui.audio.info.read_info`.
    channel
        Zero-based channel, or None to average all channels.

    Attributes
    ----------
    nonfinite
        Number of non-finite samples (NaN, infinity) met so far and
        replaced by zeros.
    first_nonfinite
        Frame index of the first of them, or None.

    Raises
    ------
    AudioFileError
        If the channel does not exist, or the file cannot be opened any
        more.
    """

    def __init__(self, info: RecordingInfo, channel: int | None = None) -> None:
        if channel is not None and not 0 <= channel < info.channels:
            raise AudioFileError(
                info.path,
                f"has {info.channels} channel(s); channel {channel + 1} does not exist",
            )
        self.info = info
        self.channel = channel
        self.nonfinite = 0
        self.first_nonfinite: int | None = None
        self._reopen = seeks_need_reopen(info)
        self._one_read = info.format == "MP3"
        self._fh: sf.SoundFile | None = open_audio(
            info
        )  # fails early if the file is gone
        self._pos = 0  # where the handle is
        self._fresh = True  # nothing decoded since it was opened

    def __enter__(self) -> AudioReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (reading again reopens it)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def _read_block(self, frame: int, count: int) -> np.ndarray:
        """``count`` frames from ``frame`` on, all channels, float32."""
        if self._one_read:
            # MP3: libsndfile 1.2 corrupts audio that spans two reads, and
            # the decoder needs the frames before the target to rebuild its
            # state (bit reservoir, overlap). So: a fresh handle, one read
            # from a little before the target, and the lead dropped.
            lead = min(frame, PREROLL_FRAMES)
            self.close()
            with open_audio(self.info) as fh:
                fh.seek(frame - lead)
                return fh.read(lead + count, dtype="float32", always_2d=True)[lead:]
        if self._fh is None or (
            frame != self._pos and self._reopen and not self._fresh
        ):
            # Ogg: libsndfile seeks inaccurately once a handle has decoded.
            self.close()
            self._fh = open_audio(self.info)
            self._fresh, self._pos = True, 0
        if frame != self._pos:
            self._fh.seek(frame)
        block = self._fh.read(count, dtype="float32", always_2d=True)
        self._pos = frame + block.shape[0]
        self._fresh = False
        return block

    def read_into(self, out: np.ndarray, start: int) -> None:
        """Fill ``out`` (1-D float32) with the samples from frame ``start`` on.

        Frames before 0 or past the end of the file read as zeros.
        """
        stop = start + out.shape[0]
        a, b = max(start, 0), min(stop, self.info.frames)
        if b <= a:
            out[:] = 0.0
            return
        block = self._checked_block(a, b)
        got = block.shape[0]
        if self.channel is None:
            mono = (
                block[:, 0]
                if block.shape[1] == 1
                else block.mean(axis=1, dtype=np.float32)
            )
        else:
            mono = block[:, self.channel]
        lead = a - start
        out[:lead] = 0.0
        part = out[lead : lead + got]
        part[:] = mono
        out[lead + got :] = 0.0
        self._silence_nonfinite(part, a)

    def read_channels(self, start: int, stop: int) -> np.ndarray:
        """Frames ``[start, stop)`` of every channel, whatever :attr:`channel` says.

        Returns a float32 array of shape ``(stop - start, channels)``; frames
        outside the file read as zeros, non-finite samples as zeros (counted
        as in :meth:`read_into`).
        """
        a, b = max(start, 0), min(stop, self.info.frames)
        if (a, b) == (start, stop) and b > a:  # inside the file: the block as read
            block = self._checked_block(a, b)
            self._silence_nonfinite(block, a)
            return block
        out = np.zeros((max(0, stop - start), self.info.channels), dtype=np.float32)
        if b > a:
            part = out[a - start : b - start]
            part[:] = self._checked_block(a, b)
            self._silence_nonfinite(part, a)
        return out

    def _checked_block(self, a: int, b: int) -> np.ndarray:
        """Frames ``[a, b)`` (inside the file) of every channel, all of them or an error."""
        try:
            block = self._read_block(a, b - a)
        except AudioFileError:
            raise
        except _READ_ERRORS as exc:
            self.close()
            raise self._failure(exc) from exc
        got = block.shape[0]
        if got < b - a:
            self.close()
            raise AudioFileError(
                self.info.path,
                f"the file has changed since it was opened: audio ends at "
                f"{(a + got) / self.info.samplerate:.2f} s instead of "
                f"{self.info.duration:.2f} s; open it again",
            )
        return block

    def _silence_nonfinite(self, part: np.ndarray, first_frame: int) -> None:
        """Replace NaN and infinity in ``part`` (read from ``first_frame`` on) by zeros, counting them."""
        finite = np.isfinite(part)
        if finite.all():
            return
        bad = int(finite.size - np.count_nonzero(finite))
        if self.first_nonfinite is None:
            rows = finite if finite.ndim == 1 else finite.all(axis=1)
            self.first_nonfinite = first_frame + int(np.argmin(rows))
        self.nonfinite += bad
        part[~finite] = 0.0

    def read(self, start: int, stop: int) -> np.ndarray:
        """Samples ``[start, stop)`` as float32, zeros outside the file."""
        out = np.empty(max(0, stop - start), dtype=np.float32)
        self.read_into(out, start)
        return out

    def _failure(self, exc: BaseException) -> AudioFileError:
        path = self.info.path
        if not path.exists():
            return AudioFileError(
                path, "the file is gone: it was moved or deleted after it was opened"
            )
        if not os.access(path, os.R_OK):
            return AudioFileError(
                path, "permission denied: the file can no longer be read"
            )
        return AudioFileError(path, f"reading failed ({exc})")


def read_frames(
    path: str | os.PathLike[str],
    start_frame: int,
    num_frames: int,
    *,
    channel: int | None = None,
    info: RecordingInfo | None = None,
) -> np.ndarray:
    """Read ``num_frames`` frames from ``start_frame`` as mono float32.

    Frames outside the file are not returned: the result is shorter near
    the ends. ``channel=None`` averages all channels. Non-finite samples
    (NaN or infinity in float files) read as zeros.

    Parameters
    ----------
    path
        The recording.
    start_frame, num_frames
        The span, in frames.
    channel
        Zero-based channel, or None to average all channels.
    info
        Header facts if already known; read from the file otherwise.

    Raises
    ------
    AudioFileError
        If the file cannot be read any more, or the channel does not exist.
    """
    info = info or read_info(path)
    start_frame = max(0, int(start_frame))
    stop = min(info.frames, start_frame + max(0, int(num_frames)))
    if stop <= start_frame:
        return np.zeros(0, dtype=np.float32)
    with AudioReader(info, channel) as reader:
        return reader.read(start_frame, stop)


def read_window(
    path: str | os.PathLike[str],
    start: float,
    end: float,
    *,
    channel: int | None = None,
    info: RecordingInfo | None = None,
) -> np.ndarray:
    """Read the samples between ``start`` and ``end`` seconds.

    Parameters
    ----------
    path
        The recording.
    start, end
        Span in seconds; clipped to the file.
    channel
        Zero-based channel, or None to average all channels.
    info
        Header facts if already known (saves opening the header twice).

    Returns
    -------
    numpy.ndarray
        1-D float32 samples at the file's own rate.
    """
    info = info or read_info(path)
    sr = info.samplerate
    first = max(0, round(start * sr))
    last = min(info.frames, round(end * sr))
    return read_frames(path, first, max(0, last - first), channel=channel, info=info)


def read_resampled(
    path: str | os.PathLike[str],
    start_frame: int,
    num_frames: int,
    samplerate: int,
    *,
    channel: int | None = None,
    info: RecordingInfo | None = None,
    resampler: str | None = None,
) -> np.ndarray:
    """Read a span of frames and resample it without edge artefacts.

    The span is read with some context on both sides, resampled, and cut
    back, so consecutive spans join as if the whole file had been resampled
    at once.

    Parameters
    ----------
    path
        The recording.
    start_frame, num_frames
        Span in frames of the file's own rate.
    samplerate
        Target rate in Hz.
    channel
        Zero-based channel, or None to average all channels.
    info
        Header facts if already known.
    resampler
        Which resampler (see :mod:`audioclass_gui.audio.resample`); None
        for the default.

    Returns
    -------
    numpy.ndarray
        float32 samples at ``samplerate``; shorter than
        ``num_frames * samplerate / file_rate`` only at the end of the file.
    """
    info = info or read_info(path)
    sr = info.samplerate
    if sr == samplerate:
        return read_frames(path, start_frame, num_frames, channel=channel, info=info)
    up, down = resample_ratio(sr, samplerate)
    # Context a multiple of `down` input frames, so it maps to whole output
    # samples; long enough for the resampler's filter to settle.
    context = context_frames(sr, samplerate)
    lead = min(context, start_frame)
    lead -= lead % down
    raw = read_frames(
        path,
        start_frame - lead,
        num_frames + lead + context,
        channel=channel,
        info=info,
    )
    out = resample(raw, sr, samplerate, resampler)
    offset = lead * up // down
    wanted = -(-num_frames * up // down)
    available = -(-(min(num_frames, info.frames - start_frame)) * up // down)
    return out[offset : offset + min(wanted, max(0, available))]
