"""The playback settings the transport bar shows, kept in QSettings."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from PySide6.QtCore import QSettings

from audioclass_gui.audio.playback_dsp import SPEED_MAX, SPEED_MIN, PlaybackOptions

__all__ = [
    "BAND_MODES",
    "CHANNEL_AS_DISPLAYED",
    "CHANNEL_MIX",
    "PlaybackSettings",
    "settings_store",
]

#: Band choices: the whole band, the selected box's band, a chosen band.
BAND_MODES = ("full", "box", "custom")
#: Channel choices besides a channel number (1 = first): what the
#: spectrogram shows, or the mix of all channels.
CHANNEL_AS_DISPLAYED = -1
CHANNEL_MIX = 0
_GROUP = "playback"


def settings_store() -> QSettings:
    """Where the app keeps its settings (the same file as the spectrogram panel's).

    ``$AUDIOCLASS_GUI_CONFIG_DIR/settings.ini`` when that variable is set;
    otherwise, when ``AUDIOCLASS_GUI_CACHE_DIR`` relocates the app's files
    (as the test suite and sandboxed runs do), ``settings.ini`` in a
    ``config`` folder beside them; otherwise the user's normal Qt settings
    for audioclass-gui. Playback settings sit in the ``playback`` group.
    """
    folder = os.environ.get("AUDIOCLASS_GUI_CONFIG_DIR")
    if not folder and os.environ.get("AUDIOCLASS_GUI_CACHE_DIR"):
        folder = str(Path(os.environ["AUDIOCLASS_GUI_CACHE_DIR"]) / "config")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings("audioclass-gui", "audioclass-gui")


@dataclass
class PlaybackSettings:
    """Everything the transport bar lets the user set.

    Attributes
    ----------
    speed
        Tape speed (0.05 to 2).
    band_mode
        ``"full"``, ``"box"`` (the selected detection's band) or ``"custom"``.
    band_low, band_high
        The custom band in Hz.
    highpass
        Wind/hum high-pass cut-off in Hz (0: off).
    gain_db
        Gain in dB.
    normalise
        Normalise the loudest sample of the span to -1 dBFS.
    loop
        Loop the span.
    context
        Seconds played before and after a detection.
    follow
        Page the view to keep the playhead on screen.
    autoplay
        Play the next detection after a verdict.
    device
        Output device name; ``""`` for the system default.
    channel
        :data:`CHANNEL_AS_DISPLAYED` (what the spectrogram shows),
        :data:`CHANNEL_MIX`, or a channel number (1 = first).
    """

    speed: float = 1.0
    band_mode: str = "full"
    band_low: float = 1000.0
    band_high: float = 8000.0
    highpass: float = 0.0
    gain_db: float = 0.0
    normalise: bool = False
    loop: bool = False
    context: float = 0.5
    follow: bool = True
    autoplay: bool = False
    device: str = ""
    channel: int = CHANNEL_AS_DISPLAYED

    def channel_for(self, displayed: int | None, channels: int) -> int | None:
        """The zero-based channel to play, or None for the mix.

        Parameters
        ----------
        displayed
            The channel the spectrogram shows (zero-based), or None for its mix.
        channels
            Channels of the recording. A chosen channel it does not have,
            and a mono recording, play as displayed.
        """
        if self.channel == CHANNEL_MIX:
            return None
        if 1 <= self.channel <= channels:
            return self.channel - 1
        if displayed is not None and 0 <= displayed < channels:
            return displayed
        return None

    def options(
        self, box: tuple[float | None, float | None] | None = None
    ) -> PlaybackOptions:
        """Engine options; ``box`` is the selected detection's ``(low, high)`` Hz."""
        band: tuple[float, float] | None = None
        if self.band_mode == "custom" and self.band_high > self.band_low:
            band = (self.band_low, self.band_high)
        elif self.band_mode == "box" and box is not None:
            low, high = box
            if low is not None and high is not None and high > low:
                band = (float(low), float(high))
        return PlaybackOptions(
            speed=min(SPEED_MAX, max(SPEED_MIN, self.speed)),
            band=band,
            highpass=self.highpass or None,
            gain_db=max(-40.0, min(40.0, self.gain_db)),
            normalise=self.normalise,
            loop=self.loop,
        )

    @classmethod
    def load(cls, store: QSettings) -> PlaybackSettings:
        """Read the saved settings (defaults for anything missing or unreadable)."""
        out = cls()
        store.beginGroup(_GROUP)
        try:
            for f in fields(cls):
                default = getattr(out, f.name)
                if not store.contains(f.name):
                    continue
                try:
                    value = store.value(f.name, default, type=type(default))
                except (TypeError, ValueError):
                    continue
                if isinstance(default, float):
                    value = float(value)
                setattr(out, f.name, value)
        finally:
            store.endGroup()
        if out.band_mode not in BAND_MODES:
            out.band_mode = "full"
        out.speed = min(SPEED_MAX, max(SPEED_MIN, out.speed))
        if out.channel < CHANNEL_AS_DISPLAYED:
            out.channel = CHANNEL_AS_DISPLAYED
        return out

    def save(self, store: QSettings) -> None:
        """Write the settings."""
        store.beginGroup(_GROUP)
        try:
            for key, value in asdict(self).items():
                store.setValue(key, value)
        finally:
            store.endGroup()
        store.sync()
