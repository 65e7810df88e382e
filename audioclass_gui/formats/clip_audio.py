"""One audio clip: a window of a recording read, filtered, resampled and written.

A :class:`ClipJob` holds plain, immutable facts (the recording's header,
the span in frames, the output's rate, channel, band and encoding), so a
writer thread can run it (:meth:`ClipJob.write`) while the next clips are
planned. Only the clip's window is read (:class:`~audioclass_gui.audio.reader.AudioReader`,
or :func:`~audioclass_gui.audio.reader.read_resampled` when the rate
changes, which reads a little context on both sides so the clip's edges are
resampled as in the whole file).

The band-pass of a box is a Butterworth filter of order :data:`BAND_ORDER`
run forwards and backwards (:func:`scipy.signal.sosfiltfilt`): no phase
shift, so the call stays where the box says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soundfile as sf

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.audio.reader import AudioReader, read_resampled

__all__ = ["BAND_ORDER", "CLIP_FORMATS", "ClipJob", "band_pass", "clip_subtype"]

#: Container of each clip format (libsndfile's names).
CLIP_FORMATS = {"wav": "WAV", "flac": "FLAC"}
#: Order of the Butterworth band-pass (run twice: forwards and backwards).
BAND_ORDER = 6
_WAV_KEEPS = ("PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE")
_FLAC_KEEPS = ("PCM_S8", "PCM_16", "PCM_24")


def clip_subtype(fmt: str, source_subtype: str) -> str:
    """The sample encoding of a clip: the recording's, where the container has it.

    WAV keeps PCM and float encodings; FLAC keeps 8, 16 and 24-bit PCM and
    stores deeper or float recordings as 24-bit. Compressed sources (MP3,
    Vorbis, Opus) become 16-bit PCM.
    """
    if fmt == "flac":
        if source_subtype in _FLAC_KEEPS:
            return source_subtype
        return "PCM_24" if source_subtype in ("PCM_32", "FLOAT", "DOUBLE") else "PCM_16"
    return source_subtype if source_subtype in _WAV_KEEPS else "PCM_16"


def band_pass(
    samples: np.ndarray, samplerate: int, low: float | None, high: float | None
) -> np.ndarray:
    """Keep the band ``[low, high]`` Hz of ``samples`` (zero phase).

    An edge at or below 0 Hz, or at or above the Nyquist frequency, is no
    edge: the filter is then a low-pass or high-pass, or nothing at all.
    """
    from scipy.signal import butter, sosfiltfilt

    nyquist = samplerate / 2.0
    low = low if low is not None and 0.0 < low < nyquist else None
    high = high if high is not None and 0.0 < high < nyquist * 0.999 else None
    if low is not None and high is not None and high <= low:
        return np.zeros_like(samples)
    if low is None and high is None:
        return samples
    if low is not None and high is not None:
        sos = butter(BAND_ORDER, [low, high], "bandpass", fs=samplerate, output="sos")
    elif low is not None:
        sos = butter(BAND_ORDER, low, "highpass", fs=samplerate, output="sos")
    else:
        sos = butter(BAND_ORDER, high, "lowpass", fs=samplerate, output="sos")
    if len(samples) <= 3 * (2 * len(sos) + 1):  # too short for sosfiltfilt's padding
        return samples
    return sosfiltfilt(sos, samples).astype(np.float32)


@dataclass(frozen=True)
class ClipJob:
    """What one clip is made of.

    Attributes
    ----------
    info
        The recording's header.
    first, frames
        The clip's span in the recording's frames (within the file).
    samplerate
        The clip's rate (the recording's, or one to resample to).
    channel
        Zero-based channel, or None for the mono mix of all channels.
    low, high
        Band to keep in Hz (None: no band-pass).
    fmt
        ``"wav"`` or ``"flac"``.
    resampler
        Which resampler (:mod:`audioclass_gui.audio.resample`); None for the default.
    """

    info: RecordingInfo
    first: int
    frames: int
    samplerate: int
    channel: int | None
    low: float | None
    high: float | None
    fmt: str
    resampler: str | None = None

    def samples(self) -> np.ndarray:
        """The clip's samples, float32, at :attr:`samplerate`."""
        info = self.info
        if self.samplerate != info.samplerate:
            audio = read_resampled(
                info.path,
                self.first,
                self.frames,
                self.samplerate,
                channel=self.channel,
                info=info,
                resampler=self.resampler,
            )
        else:
            with AudioReader(info, self.channel) as reader:
                audio = reader.read(self.first, self.first + self.frames)
        if self.low is not None or self.high is not None:
            audio = band_pass(audio, self.samplerate, self.low, self.high)
        return audio

    def write(self, path: str) -> None:
        """Write the clip to ``path`` (made here, by soundfile)."""
        audio = self.samples()
        subtype = clip_subtype(self.fmt, self.info.subtype)
        if subtype.startswith("PCM"):
            audio = np.clip(audio, -1.0, 1.0)
        sf.write(
            path, audio, self.samplerate, subtype=subtype, format=CLIP_FORMATS[self.fmt]
        )
