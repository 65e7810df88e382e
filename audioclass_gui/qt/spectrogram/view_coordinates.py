"""The open recording in the spectrogram's coordinates: seconds and Hz as it happened.

For a time-expanded file (GUANO ``TE``), file seconds are divided and file
Hz multiplied by the expansion factor; every part of the spectrogram view
(tiles, overview, navigation) converts through one
:class:`ViewCoordinates`, which the view makes when a recording opens and
hands to its helpers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF

from audioclass_gui.spectrogram import TileSpec

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.spectrogram import SpectrogramTile

__all__ = ["ViewCoordinates"]


@dataclass(frozen=True)
class ViewCoordinates:
    """A recording and its time expansion.

    Attributes
    ----------
    info
        The recording (its header).
    expansion
        The time expansion factor (1.0 for a real-time recording).
    """

    info: RecordingInfo
    expansion: float = 1.0

    @classmethod
    def of(cls, info: RecordingInfo) -> ViewCoordinates:
        """The coordinates of ``info``, with the expansion its metadata declares."""
        return cls(info, float(info.metadata.time_expansion or 1.0))

    @property
    def duration(self) -> float:
        """Length of the recording in view seconds."""
        return self.info.duration / self.expansion

    @property
    def nyquist(self) -> float:
        """Highest frequency of the recording in view Hz."""
        return self.info.samplerate / 2 * self.expansion

    @property
    def frames_per_second(self) -> float:
        """File frames per view second."""
        return self.expansion * self.info.samplerate

    def seconds(self, frame: int) -> float:
        """View seconds at a file frame."""
        return frame / self.info.samplerate / self.expansion

    def tile_seconds(self, spec: TileSpec) -> tuple[float, float]:
        """Start and end of a full tile in view seconds."""
        s0, s1 = spec.seconds(self.info.samplerate)
        return s0 / self.expansion, s1 / self.expansion

    def rect(self, tile: SpectrogramTile) -> QRectF:
        """Where a tile (in file seconds and Hz) is drawn: seconds by Hz of the view."""
        te = self.expansion
        return QRectF(
            tile.start / te,
            tile.fmin * te,
            (tile.end - tile.start) / te,
            (tile.fmax - tile.fmin) * te,
        )

    def scaled(self, tile: SpectrogramTile) -> SpectrogramTile:
        """The tile with its bounds in view seconds and Hz (the same tile at 1x)."""
        te = self.expansion
        if te == 1.0:
            return tile
        return replace(
            tile,
            start=tile.start / te,
            end=tile.end / te,
            fmin=tile.fmin * te,
            fmax=tile.fmax * te,
        )
