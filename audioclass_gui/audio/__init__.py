"""Reading recordings by windows, resampling, the demo recording, playback.

No Qt here; sounddevice is imported only when a playback stream is opened.
Its names load their module on first use (:mod:`audioclass_gui.lazy_names`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audioclass_gui.lazy_names import lazy_names

if TYPE_CHECKING:
    from audioclass_gui.audio.errors import AudioFileError
    from audioclass_gui.audio.info import (
        AUDIO_EXTENSIONS,
        RecordingInfo,
        open_audio,
        read_info,
        to_recording,
    )
    from audioclass_gui.audio.metadata import RecordingMetadata, read_metadata
    from audioclass_gui.audio.reader import (
        AudioReader,
        read_frames,
        read_resampled,
        read_window,
    )
    from audioclass_gui.audio.resample import resample

_WHERE = {
    "AUDIO_EXTENSIONS": "audioclass_gui.audio.info",
    "AudioFileError": "audioclass_gui.audio.errors",
    "AudioReader": "audioclass_gui.audio.reader",
    "RecordingInfo": "audioclass_gui.audio.info",
    "RecordingMetadata": "audioclass_gui.audio.metadata",
    "open_audio": "audioclass_gui.audio.info",
    "read_frames": "audioclass_gui.audio.reader",
    "read_info": "audioclass_gui.audio.info",
    "read_metadata": "audioclass_gui.audio.metadata",
    "read_resampled": "audioclass_gui.audio.reader",
    "read_window": "audioclass_gui.audio.reader",
    "resample": "audioclass_gui.audio.resample",
    "to_recording": "audioclass_gui.audio.info",
}

__all__ = [
    "AUDIO_EXTENSIONS",
    "AudioFileError",
    "AudioReader",
    "RecordingInfo",
    "RecordingMetadata",
    "open_audio",
    "read_frames",
    "read_info",
    "read_metadata",
    "read_resampled",
    "read_window",
    "resample",
    "to_recording",
]

__getattr__, __dir__ = lazy_names(globals(), _WHERE)
