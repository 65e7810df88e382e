"""Reading recordings by windows, resampling, the demo recording, playback.

No Qt here; sounddevice is imported only when a playback stream is opened.
"""

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
