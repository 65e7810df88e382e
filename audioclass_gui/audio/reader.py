"""Read windows of a recording by seeking: never the whole file."""

from __future__ import annotations

import os

import numpy as np
import soundfile as sf

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.audio.resample import resample, resample_ratio

__all__ = ["read_frames", "read_resampled", "read_window"]


def _mix(block: np.ndarray, channel: int | None, path: os.PathLike[str] | str) -> np.ndarray:
    if channel is None:
        out = block.mean(axis=1, dtype=np.float32) if block.shape[1] > 1 else block[:, 0]
    else:
        if not 0 <= channel < block.shape[1]:
            raise AudioFileError(
                path, f"has {block.shape[1]} channel(s); channel {channel + 1} does not exist"
            )
        out = block[:, channel]
    out = np.ascontiguousarray(out, dtype=np.float32)
    if not np.all(np.isfinite(out)):
        # Float WAVs can hold NaN/inf; they would poison every FFT and model.
        out = np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
    return out


def read_frames(
    path: str | os.PathLike[str],
    start_frame: int,
    num_frames: int,
    *,
    channel: int | None = None,
) -> np.ndarray:
    """Read ``num_frames`` frames from ``start_frame`` as mono float32.

    Frames outside the file are not returned: the result is shorter near
    the ends. ``channel=None`` averages all channels.

    Raises
    ------
    AudioFileError
        If the file cannot be read any more.
    """
    start_frame = max(0, int(start_frame))
    num_frames = max(0, int(num_frames))
    try:
        with sf.SoundFile(str(path)) as fh:
            if start_frame >= fh.frames or num_frames == 0:
                return np.zeros(0, dtype=np.float32)
            fh.seek(start_frame)
            block = fh.read(num_frames, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioFileError(path, f"reading failed ({exc})") from exc
    return _mix(block, channel, path)


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
    return read_frames(path, first, max(0, last - first), channel=channel)


def read_resampled(
    path: str | os.PathLike[str],
    start_frame: int,
    num_frames: int,
    samplerate: int,
    *,
    channel: int | None = None,
    info: RecordingInfo | None = None,
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

    Returns
    -------
    numpy.ndarray
        float32 samples at ``samplerate``; shorter than
        ``num_frames * samplerate / file_rate`` only at the end of the file.
    """
    info = info or read_info(path)
    sr = info.samplerate
    if sr == samplerate:
        return read_frames(path, start_frame, num_frames, channel=channel)
    up, down = resample_ratio(sr, samplerate)
    # Context a multiple of `down` input frames, so it maps to whole output samples.
    context = down * max(1, -(-256 // down))
    lead = min(context, start_frame)
    lead -= lead % down
    raw = read_frames(path, start_frame - lead, num_frames + lead + context, channel=channel)
    out = resample(raw, sr, samplerate)
    offset = lead * up // down
    wanted = -(-num_frames * up // down)
    available = -(-(min(num_frames, info.frames - start_frame)) * up // down)
    return out[offset : offset + min(wanted, max(0, available))]
