"""The spectrogram plot: tiles on a grid, the whole-file overview, navigation.

The view computes nothing itself. For every visible range it asks
:func:`~audioclass_gui.spectrogram.layout.plan_view` what to show: zoomed
out, the whole-file overview (computed progressively in the background);
zoomed in, tiles of the zoom level whose hop suits the screen, which a
:class:`~audioclass_gui.qt.tile_loader.TileLoader` computes in the pool and
caches. Cached tiles appear at once; tiles of the previous zoom level stay
under the new ones until those arrive, so nothing flickers.

Coordinates are seconds and Hz of the recording as it happened: for a
time-expanded file (GUANO ``TE``), file seconds divided and file Hz
multiplied by the expansion factor.

The roles are split by module: this one holds the widget, its recording,
settings, playhead, messages and clicks;
:mod:`~audioclass_gui.qt.spectrogram_tiles` what is shown for a view (tiles
or overview); :mod:`~audioclass_gui.qt.spectrogram_levels` the display
levels; :mod:`~audioclass_gui.qt.view_navigation` zoom, pan, paging and
selections.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from audioclass_gui.audio.info import RecordingInfo
from audioclass_gui.qt.axes import FrequencyAxis, TimeAxis
from audioclass_gui.qt.spectrogram_levels import DisplayLevels, auto_levels
from audioclass_gui.qt.spectrogram_settings import DisplaySettings, colormap
from audioclass_gui.qt.spectrogram_tiles import OVERSAMPLE, TileDisplay
from audioclass_gui.qt.tasks import TaskRunner
from audioclass_gui.qt.tile_loader import TileLoader
from audioclass_gui.qt.time_format import TimeFormat
from audioclass_gui.qt.view_navigation import (
    PAGE_OVERLAP,
    SpectrogramViewBox,
    ViewNavigation,
)
from audioclass_gui.spectrogram import SpectrogramParams, TileSpec

__all__ = ["OVERSAMPLE", "PAGE_OVERLAP", "SpectrogramView", "auto_levels"]

#: Span first shown when a recording opens (seconds): two tiles at the
#: default settings, so a long recording opens as fast as a short one.
FIRST_VIEW = 20.0


class SpectrogramView(
    TileDisplay, DisplayLevels, ViewNavigation, pg.GraphicsLayoutWidget
):
    """Spectrogram of one recording with zoom, pan, paging, selection and a playhead.

    Signals
    -------
    view_changed(float, float)
        Visible time range in seconds, after every change.
    detail_painted()
        Everything the current view needs has been drawn (all visible
        tiles, or the overview when zoomed out).
    overview_progress(object)
        The overview computed so far (a tile in view coordinates).
    overview_ready(object)
        The complete overview.
    levels_changed(object)
        ``(levels, colormap)``: the overview's display levels ``(low, high)``
        in dB and the colour map name, for other views of the overview.
    time_clicked(float)
        The user clicked the spectrogram at this time (seconds).
    selection_changed(object)
        The selected time range ``(start, end)``, or None.
    failed(str)
        The spectrogram could not be computed (the message names the file).
    problem(str)
        A problem that still leaves a picture (non-finite samples).
    """

    view_changed = Signal(float, float)
    detail_painted = Signal()
    overview_progress = Signal(object)
    overview_ready = Signal(object)
    levels_changed = Signal(object)
    time_clicked = Signal(float)
    selection_changed = Signal(object)
    failed = Signal(str)
    problem = Signal(str)

    def __init__(self, runner: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("#111418")
        self.loader = TileLoader(runner, parent=self)
        self.params = SpectrogramParams()
        self.display = DisplaySettings()
        self.info: RecordingInfo | None = None
        self._te = 1.0
        self._levels: tuple[float, float] | None = None  # tiles
        self._overview_levels: tuple[float, float] | None = None  # overview (always dB)
        self._auto_base: dict[str, tuple[float, float]] = {}  # by scale: "dB", "PCEN"
        self._painted_range: tuple[float, float] | None = None
        self._painted_key: tuple | None = None
        self._plan = None
        self._items: dict[TileSpec, pg.ImageItem] = {}
        self._cmap = colormap(self.display.colormap)

        self.time_axis = TimeAxis()
        self.freq_axis = FrequencyAxis()
        self.viewbox = SpectrogramViewBox()
        self.plot: pg.PlotItem = self.addPlot(
            viewBox=self.viewbox,
            axisItems={"bottom": self.time_axis, "left": self.freq_axis},
        )
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=False, y=False)
        vb = self.viewbox
        vb.setMouseEnabled(x=True, y=False)
        vb.setDefaultPadding(0.0)

        self.overview_image = pg.ImageItem(axisOrder="row-major")
        self.overview_image.setZValue(-20)
        self.overview_image.setColorMap(self._cmap)
        self.plot.addItem(self.overview_image)

        self.playhead = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(QColor("#ffffff"), width=2)
        )
        self.playhead.setZValue(50)
        self.playhead.hide()
        self.plot.addItem(self.playhead)
        self.selection_item = pg.LinearRegionItem(
            brush=pg.mkBrush(QColor(255, 213, 79, 45)),
            pen=pg.mkPen(QColor("#ffd54f"), width=1),
        )
        self.selection_item.setZValue(40)
        self.selection_item.hide()
        self.plot.addItem(self.selection_item)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(
            "QLabel { background: rgba(20, 20, 24, 210); color: #ffcc80; padding: 6px; border-radius: 4px; }"
        )
        self.message.hide()

        vb.sigXRangeChanged.connect(self._on_range_changed)
        vb.sigResized.connect(self._update)
        vb.selection_dragged.connect(self._on_selection_dragged)
        self.selection_item.sigRegionChangeFinished.connect(
            lambda: self.selection_changed.emit(self.selection())
        )
        self.plot.scene().sigMouseClicked.connect(self._on_scene_click)
        self.loader.tile_ready.connect(self._on_tile)
        self.loader.overview_updated.connect(self._on_overview)
        self.loader.failed.connect(self._on_failed)
        self.loader.problem.connect(self.problem)

    # ------------------------------------------------------------ recording
    @property
    def duration(self) -> float:
        """Length of the recording in view seconds (0 without one)."""
        return 0.0 if self.info is None else self.info.duration / self._te

    @property
    def time_format(self) -> TimeFormat:
        """How the open recording's times are written: the time axis's format.

        The table, tooltips and messages write times with it, so they read
        as the axis does.
        """
        return self.time_axis.time_format

    @property
    def nyquist(self) -> float:
        """Highest frequency of the recording in view Hz."""
        return 0.0 if self.info is None else self.info.samplerate / 2 * self._te

    def set_recording(self, info: RecordingInfo) -> None:
        """Show a new recording: reset the view and start computing images."""
        self.info = info
        self._te = float(info.metadata.time_expansion or 1.0)
        if self.params.channel is not None and self.params.channel >= info.channels:
            self.params = replace(self.params, channel=None)
        self._clear_images()
        self._auto_base = {}
        self._levels = self._overview_levels = None
        self.show_message("")
        self.time_axis.set_format(
            TimeFormat.for_recording(
                self.duration, info.metadata.start, info.metadata.start_source
            )
        )
        self.set_selection(None)
        vb = self.viewbox
        duration = self.duration
        vb.setLimits(
            xMin=0.0,
            xMax=duration,
            yMin=0.0,
            yMax=self.nyquist,
            minXRange=min(0.01, duration),
        )
        self.reset_frequency()
        self.loader.reset(info, self.params)
        vb.setXRange(0.0, min(duration, FIRST_VIEW), padding=0.0)
        self._update()

    def set_params(self, params: SpectrogramParams) -> None:
        """Compute with new analysis settings (tiles of the old ones are dropped)."""
        if (
            self.info is not None
            and params.channel is not None
            and params.channel >= self.info.channels
        ):
            params = replace(params, channel=None)
        if params == self.params:
            return
        rescale = params.pcen != self.params.pcen
        band_changed = (params.fmin, params.fmax) != (
            self.params.fmin,
            self.params.fmax,
        )
        self.params = params
        if self.info is None:
            return
        self._clear_tiles()
        if rescale:
            self._auto_base.pop("PCEN", None)
        self.show_message("")
        self.loader.reset(self.info, params)
        if band_changed:
            self.reset_frequency()
        self._update()

    def set_playhead(self, seconds: float | None) -> None:
        """Move the playhead, or hide it with None."""
        if seconds is None:
            self.playhead.hide()
        else:
            self.playhead.setValue(seconds)
            self.playhead.show()

    def show_message(self, text: str) -> None:
        """Show a message over the plot ('' hides it)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        if text:
            self.message.setMaximumWidth(max(200, self.width() - 80))
            self.message.adjustSize()
            self.message.move(70, 10)
            self.message.raise_()

    # -------------------------------------------------------------- internal
    def _on_range_changed(self, *_args) -> None:
        start, end = self.visible_range()
        self.view_changed.emit(start, end)
        self._update()

    def _on_failed(self, message: str) -> None:
        self.show_message(f"Cannot show the spectrogram: {message}")
        self.failed.emit(message)

    def _on_selection_dragged(self, start: float, end: float, finished: bool) -> None:
        self.selection_item.setRegion((start, end))
        self.selection_item.setVisible(end > start)
        if finished:
            self.selection_changed.emit(self.selection())

    def _on_scene_click(self, event) -> None:
        if event.isAccepted() or self.info is None:
            return
        pos = event.scenePos()
        if not self.viewbox.sceneBoundingRect().contains(pos):
            return
        t = self.viewbox.mapSceneToView(pos).x()
        if math.isfinite(t):
            self.time_clicked.emit(float(t))
