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

Windows may overlap (BirdNET-Analyzer's ``overlap``): they then start every
``hop_samples`` model samples, and each frame's span is its true span.

The last frame usually reaches past the end of the span; the model hears
zeros there, and its span (:meth:`FramePlan.frame_span`) ends where the
audio does, as in BirdNET-Analyzer (9 to 10.13 s on a 10.13 s file, not 9
to 12), so that every clip lies within its recording.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from soundevent import data

from audioclass_gui.audio.errors import AudioFileError
from audioclass_gui.audio.info import RecordingInfo, read_info
from audioclass_gui.audio.reader import read_resampled
from audioclass_gui.audio.resample import check_resampler, resample_ratio

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
    hop_samples
        Model samples from the start of one frame to the next; None means
        ``input_samples`` (frames side by side, no overlap).
    resampler
        How the audio is brought to the model's rate (see
        :mod:`audioclass_gui.audio.resample`); None for the default.
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
    hop_samples: int | None = None
    resampler: str | None = None

    @property
    def hop(self) -> int:
        """Model samples between frame starts."""
        return self.hop_samples or self.input_samples

    @property
    def hop_seconds(self) -> float:
        """Seconds between frame starts."""
        return self.hop / self.samplerate

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
        return self.start + index * self.hop_seconds

    def frame_span(self, index: int) -> tuple[float, float]:
        """``(start, end)`` in seconds of the audio frame ``index`` holds.

        A frame reaching past ``end`` (the last, usually) ends at ``end``:
        the model heard zeros after it, as BirdNET-Analyzer's last window
        does (it writes 9-10.13 s for the last window of a 10.13 s file).
        """
        t0 = self.frame_start(index)
        t1 = t0 + self.frame_seconds
        # (a frame ending at a segment's end within rounding keeps its own end)
        return t0, t1 if t1 <= self.end + 1e-9 else max(t0, self.end)


def plan_frames(
    recording: data.Recording,
    *,
    samplerate: int,
    input_samples: int,
    start: float = 0.0,
    end: float | None = None,
    channel: int | None = None,
    info: RecordingInfo | None = None,
    overlap_seconds: float = 0.0,
    resampler: str | None = None,
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
    overlap_seconds
        Overlap of consecutive frames in seconds; frames start every
        ``input_samples / samplerate - overlap_seconds`` (rounded to whole
        model samples). As in BirdNET-Analyzer, frames are added until one
        reaches the end of the span.
    resampler
        One of :data:`~audioclass_gui.audio.resample.RESAMPLERS`; None for
        the default.

    Returns
    -------
    FramePlan
        The plan; ``num_frames`` is 0 for an empty span.

    Raises
    ------
    AudioFileError
        If the file is missing or unreadable, or the channel does not exist.
    ValueError
        If the overlap is negative or not shorter than a frame, or the
        resampler is unknown.
    """
    resampler = check_resampler(resampler)
    if samplerate <= 0 or input_samples <= 0:
        raise ValueError("samplerate and input_samples must be positive")
    hop = input_samples - round(float(overlap_seconds) * samplerate)
    if overlap_seconds < 0 or hop < 1:
        raise ValueError(
            f"overlap {overlap_seconds:g} s must be at least 0 and shorter than "
            f"the model's {input_samples / samplerate:g} s window"
        )
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
    if model_samples <= 0:
        num_frames = 0
    else:
        num_frames = 1 + -(-max(0, model_samples - input_samples) // hop)
    return FramePlan(
        recording=recording,
        info=info,
        samplerate=int(samplerate),
        input_samples=int(input_samples),
        start=start,
        end=end,
        start_frame=start_frame,
        end_frame=end_frame,
        num_frames=num_frames,
        channel=channel,
        hop_samples=None if hop == input_samples else hop,
        resampler=resampler,
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
            plan.path,
            pos,
            count,
            plan.samplerate,
            channel=plan.channel,
            info=plan.info,
            resampler=plan.resampler,
        )
        if block.size == 0:
            return
        yield block
        pos += count


def iter_batches(plan: FramePlan, batch_size: int) -> Iterator[tuple[int, np.ndarray]]:
    """Read the planned frames in batches.

    At most about two batches of audio are held in memory at a time.

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
        time; the part of a frame past the span is zeros. Frame ``i`` holds
        the model-rate samples from ``i * plan.hop`` on.

    Raises
    ------
    AudioFileError
        If reading the file fails.
    """
    batch_size = max(1, int(batch_size))
    n_in, hop = plan.input_samples, plan.hop
    blocks = _iter_blocks(plan, batch_size * hop)
    buf = np.zeros(0, dtype=np.float32)
    buf_start = 0  # model-sample index of buf[0]
    exhausted = False
    first = 0
    while first < plan.num_frames:
        count = min(batch_size, plan.num_frames - first)
        need_end = (first + count - 1) * hop + n_in
        parts = [buf]
        have = buf_start + buf.size
        while not exhausted and have < need_end:
            block = next(blocks, None)
            if block is None:
                exhausted = True
                break
            parts.append(block)
            have += block.size
        if len(parts) > 1:
            buf = np.concatenate(parts)
        batch = np.zeros((count, n_in), dtype=np.float32)
        for j in range(count):
            offset = (first + j) * hop - buf_start
            segment = buf[offset : offset + n_in]
            batch[j, : segment.size] = segment
        yield first, batch
        first += count
        drop = min(buf.size, first * hop - buf_start)
        buf = buf[drop:]
        buf_start += drop
