"""A reference example's thumbnail as a picture: levels, colours and the call's outline.

The thumbnail's data (:class:`~audioclass_gui.spectrogram.thumbnails.Thumbnail`)
is drawn with the Spectrogram panel's display settings (colour map,
automatic or fixed levels, gain), each thumbnail measured on its own so
that quiet and loud recordings compare, and the call's span (and band, for
a box) is outlined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap

from audioclass_gui.qt.common.colormaps import colormap

if TYPE_CHECKING:
    from audioclass_gui.qt.spectrogram.spectrogram_settings import DisplaySettings
    from audioclass_gui.spectrogram.thumbnails import Thumbnail

__all__ = ["OUTLINE", "thumbnail_pixmap"]

#: Colour of the call's outline (white, seen on every colour map but inverted greyscale).
OUTLINE = QColor(255, 255, 255, 220)


def thumbnail_pixmap(thumb: Thumbnail, display: DisplaySettings, width: int, height: int) -> QPixmap:
    """The thumbnail drawn at ``width`` x ``height`` pixels (it must have a tile).

    Parameters
    ----------
    thumb
        A computed thumbnail (``thumb.tile`` is not None).
    display
        Colour map, levels and gain (the Spectrogram panel's settings).
    width, height
        Size of the picture.
    """
    from audioclass_gui.spectrogram.levels import auto_levels, display_levels

    tile = thumb.tile
    assert tile is not None, "a thumbnail without a tile has a problem to show instead"
    base = auto_levels(tile, display.db_range) if display.auto_levels or tile.scale == "PCEN" else None
    low, high = display_levels(tile.scale, base, display) or auto_levels(tile, display.db_range)
    scaled = (np.asarray(tile.data, np.float32)[::-1] - low) / max(high - low, 1e-9)
    index = np.clip(np.nan_to_num(scaled, nan=0.0, neginf=0.0) * 255.0, 0, 255).astype(np.uint8)
    lut = colormap(display.colormap).getLookupTable(0.0, 1.0, 256, alpha=False).astype(np.uint8)
    rgb = np.ascontiguousarray(lut[index])
    rows, columns = index.shape
    image = QImage(rgb.data, columns, rows, 3 * columns, QImage.Format.Format_RGB888).copy()
    pixmap = QPixmap.fromImage(
        image.scaled(
            width, height, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    )
    request = thumb.request
    seconds = max(tile.end - tile.start, 1e-9)
    hertz = max(tile.fmax - tile.fmin, 1e-9)
    x0 = (request.start - tile.start) / seconds * width
    x1 = (request.end - tile.start) / seconds * width
    if request.low_freq is not None and request.high_freq is not None:
        y0 = (1.0 - (request.high_freq - tile.fmin) / hertz) * height
        y1 = (1.0 - (request.low_freq - tile.fmin) / hertz) * height
    else:
        y0, y1 = 0.5, height - 0.5
    painter = QPainter(pixmap)
    pen = QPen(OUTLINE)
    pen.setWidthF(1.5)
    pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawRect(QRectF(x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0)))
    painter.end()
    return pixmap
