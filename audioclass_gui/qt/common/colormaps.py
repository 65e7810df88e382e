"""The colour maps spectrograms are drawn with, by the names the settings keep."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

__all__ = ["COLORMAPS", "colormap"]

#: Colour maps offered, by label.
COLORMAPS = {
    "Viridis": "viridis",
    "Magma": "magma",
    "Inferno": "inferno",
    "Plasma": "plasma",
    "Cividis": "cividis",
    "Greyscale": "greyscale",
    "Inverted greyscale": "inverted-greyscale",
}


def colormap(name: str) -> pg.ColorMap:
    """A pyqtgraph colour map by the names in :data:`COLORMAPS` (viridis if unknown)."""
    if name == "greyscale":
        return pg.ColorMap(
            np.array([0.0, 1.0]), np.array([[0, 0, 0], [255, 255, 255]], dtype=np.ubyte)
        )
    if name == "inverted-greyscale":
        return pg.ColorMap(
            np.array([0.0, 1.0]), np.array([[255, 255, 255], [0, 0, 0]], dtype=np.ubyte)
        )
    try:
        return pg.colormap.get(name)
    except (FileNotFoundError, KeyError, ValueError):
        return pg.colormap.get("viridis")
