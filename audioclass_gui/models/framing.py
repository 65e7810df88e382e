"""Cut a span of a recording into model frames, reading bounded blocks.

This is the one code path through which every model in the package gets
its audio: ``ClipClassificationModel.process_*`` and
:func:`audioclass_gui.models.inference.iter_predictions` both plan the
frames with :func:`plan_frames` and read them with :func:`iter_batches`.

Times are real recording times. For a time-expanded recording
(``Recording.time_expansion != 1``) the file's samples are taken at the
real sample rate ``file_rate * time_expansion`` (as soundevent does) and
resampled from there to the model's rate, so frame times are real times
and the model hears the sound at its true pitch.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from soundevent import data

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.audio.reader import read_resampled
from audioclass_gui.audio.resample import resample_ratio

__all__ = ["FramePlan", "iter_batches", "plan_frames"]


@dataclass(frozen=True)
class FramePlan:
    """Where the model frames of one span of a recording lie.

    Attributes
    ----------
    recording
        The recording the frames belong to.
    info
        Header facts of the file, with ``samplerate`` set to the real
        (time-expansion corrected) rate the samples are taken at.
    samplerate
        The model's sample rate in Hz.
    input_samples
        Samples per model frame.
    start, end
        The span in real seconds, ``end`` clipped to the readable audio.
    start_frame, end_frame
        The same span in frames of the file.
    num_frames
        Number of model frames covering the span; the last one is
        zero-padded where the span ends inside it.
    channel
        Zero-based channel, or None to average all channels.
    """

    recording: data.Recording
    info: RecordingInfo
    samplerate: int
    input_samples: int
    start: float
    end: float
    start_frame: int
    end_frame: int
    num_frames: int
    channel: int | None = None

    @property
    def path(self) -> Path:
        """The audio file."""
        return self.info.path

    @property
    def frame_seconds(self) -> float:
        """Length of one model frame in seconds."""
        return self.input_samples / self.samplerate

    @property
    def duration(self) -> float:
        """Length of the span in seconds."""
        return self.end - self.start

    def frame_start(self, index: int) -> float:
        """Start time in seconds of frame ``index``."""
        return self.start + index * self.frame_seconds

    def frame_span(self, index: int) -> tuple[float, float]:
        """Nominal ``(start, end)`` in seconds of frame ``index``.

        The span of the last frame may reach past ``end`` (and past the end
        of the recording): that part of the frame was zero-padded.
        """
        t0 = self.frame_start(index)
        return t0, t0 + self.frame_seconds


def plan_frames(
    recording: data.Recording,
    *,
    samplerate: int,
    input_samples: int,
    start: float = 0.0,
    end: float | None = None,
    channel: int | None = None,
    info: RecordingInfo | None = None,
) -> FramePlan:
    """Plan the model frames covering ``[start, end)`` of a recording.

    Parameters
    ----------
    recording
        The recording; only its ``path`` and ``time_expansion`` are used,
        everything else is read from the file header.
    samplerate
        The model's sample rate in Hz.
    input_samples
        Samples per model frame.
    start, end
        Span in real seconds; ``end=None`` means the end of the recording.
        Both are clipped to the readable audio.
    channel
        Zero-based channel, or None to average all channels.
    info
        Header facts if already read.

    Returns
    -------
    FramePlan
        The plan; ``num_frames`` is 0 for an empty span.

    Raises
    ------
    AudioFileError
        If the file is missing or unreadable, or the channel does not exist.
    """
    if samplerate <= 0 or input_samples <= 0:
        raise ValueError("samplerate and input_samples must be positive")
    info = info or read_info(recording.path)
    if channel is not None and not 0 <= channel < info.channels:
        raise AudioFileError(
            info.path,
            f"has {info.channels} channel(s); channel {channel + 1} does not exist",
        )
    expansion = float(recording.time_expansion or 1.0)
    real_rate = max(1, round(info.samplerate * expansion))
    if real_rate != info.samplerate:
        info = dataclasses.replace(info, samplerate=real_rate)
    duration = info.frames / real_rate
    start = min(max(0.0, float(start)), duration)
    end = duration if end is None else min(max(start, float(end)), duration)
    start_frame = min(info.frames, round(start * real_rate))
    end_frame = max(start_frame, min(info.frames, round(end * real_rate)))
    up, down = resample_ratio(real_rate, samplerate)
    model_samples = -(-(end_frame - start_frame) * up // down)
    return FramePlan(
        recording=recording,
        info=info,
        samplerate=int(samplerate),
        input_samples=int(input_samples),
        start=start,
        end=end,
        start_frame=start_frame,
        end_frame=end_frame,
        num_frames=math.ceil(model_samples / input_samples),
        channel=channel,
    )


def _iter_blocks(plan: FramePlan, block_samples: int) -> Iterator[np.ndarray]:
    """Yield the span's audio at the model rate, in consecutive blocks."""
    up, down = resample_ratio(plan.info.samplerate, plan.samplerate)
    # Whole multiples of `down` file frames map to whole model samples, so
    # consecutive blocks join seamlessly (see read_resampled).
    step = max(down, -(-block_samples * down // up) // down * down)
    pos = plan.start_frame
    while pos < plan.end_frame:
        count = min(step, plan.end_frame - pos)
        block = read_resampled(
            plan.path, pos, count, plan.samplerate, channel=plan.channel, info=plan.info
        )
        if block.size == 0:
            return
        yield block
        pos += count


def iter_batches(plan: FramePlan, batch_size: int) -> Iterator[tuple[int, np.ndarray]]:
    """Read the planned frames in batches.

    At most about one batch of audio is held in memory at a time.

    Parameters
    ----------
    plan
        The frames to read.
    batch_size
        Frames per batch; the last batch may be smaller.

    Yields
    ------
    first : int
        Index of the batch's first frame in the plan.
    batch : numpy.ndarray
        float32 array of shape ``(n, input_samples)``, a fresh array each
        time; the part of the last frame past the span is zeros.

    Raises
    ------
    AudioFileError
        If reading the file fails.
    """
    batch_size = max(1, int(batch_size))
    n_in = plan.input_samples
    blocks = _iter_blocks(plan, batch_size * n_in)
    carry = np.zeros(0, dtype=np.float32)
    first = 0
    while first < plan.num_frames:
        count = min(batch_size, plan.num_frames - first)
        batch = np.zeros((count, n_in), dtype=np.float32)
        flat = batch.reshape(-1)
        filled = 0
        while filled < flat.size:
            if carry.size == 0:
                carry = next(blocks, carry)
                if carry.size == 0:
                    break  # end of the span: the rest stays zero
            take = min(flat.size - filled, carry.size)
            flat[filled : filled + take] = carry[:take]
            carry = carry[take:]
            filled += take
        yield first, batch
        first += count
