"""The spectrogram plot: tiles on a grid, the whole-file overview, navigation.

The view computes nothing itself. For every visible range it asks
:func:`~audioclass_gui.spectrogram.layout.plan_view` what to show: zoomed
out, the whole-file overview (computed progressively in the background);
zoomed in, tiles of the zoom level whose hop suits the screen, which a
:class:`~audioclass_gui.qt.spectrogram.tile_loader.TileLoader` computes in the pool and
caches. Cached tiles appear at once; tiles of the previous zoom level stay
under the new ones until those arrive, so nothing flickers.

Coordinates are seconds and Hz of the recording as it happened: for a
time-expanded file (GUANO ``TE``), file seconds divided and file Hz
multiplied by the expansion factor
(:class:`~audioclass_gui.qt.spectrogram.view_coordinates.ViewCoordinates`).

The widget holds its recording, settings, playhead, messages and clicks,
and delegates to helpers that own their state:
:class:`~audioclass_gui.qt.spectrogram.spectrogram_tiles.TileDisplay` (``tiles``: the
images shown for a view), :class:`~audioclass_gui.qt.spectrogram.spectrogram_levels.DisplayLevels`
(``display_levels``), :class:`~audioclass_gui.qt.spectrogram.view_navigation.ViewNavigation`
(``navigation``: zoom, pan, paging) and
:class:`~audioclass_gui.qt.spectrogram.time_selection.TimeSelection` (``time_selection``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel

from audioclass_gui.qt.common.tasks import TaskRunner
from audioclass_gui.qt.common.time_format import TimeFormat
from audioclass_gui.qt.spectrogram.axes import FrequencyAxis, TimeAxis
from audioclass_gui.qt.spectrogram.plot_marks import (
    add_playhead,
    clicked_time,
    show_playhead,
)
from audioclass_gui.qt.spectrogram.spectrogram_levels import DisplayLevels, auto_levels
from audioclass_gui.qt.spectrogram.spectrogram_settings import DisplaySettings
from audioclass_gui.qt.spectrogram.spectrogram_tiles import OVERSAMPLE, TileDisplay
from audioclass_gui.qt.spectrogram.tile_loader import TileLoader
from audioclass_gui.qt.spectrogram.time_selection import TimeSelection
from audioclass_gui.qt.spectrogram.view_coordinates import ViewCoordinates
from audioclass_gui.qt.spectrogram.view_navigation import (
    PAGE_OVERLAP,
    SpectrogramViewBox,
    ViewNavigation,
)
from audioclass_gui.spectrogram import SpectrogramParams

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo

__all__ = ["OVERSAMPLE", "PAGE_OVERLAP", "SpectrogramView", "auto_levels"]

#: Span first shown when a recording opens (seconds): two tiles at the
#: default settings, so a long recording opens as fast as a short one.
FIRST_VIEW = 20.0


class SpectrogramView(pg.GraphicsLayoutWidget):
    """Spectrogram of one recording with zoom, pan, paging, selection and a playhead.

    Attributes
    ----------
    tiles : TileDisplay
        The images shown for the current view.
    display_levels : DisplayLevels
        The levels and colour map of the images.
    navigation : ViewNavigation
        Zoom, pan and paging (the view's methods of the same names call it).
    time_selection : TimeSelection
        The selected time range.

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
        self._coords: ViewCoordinates | None = None

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

        self.display_levels = DisplayLevels(parent=self)
        self.tiles = TileDisplay(
            self.loader, self.plot, vb, self.display_levels, parent=self
        )
        self.navigation = ViewNavigation(vb)

        self.playhead = add_playhead(self.plot)
        self.time_selection = TimeSelection(self.plot, parent=self)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(
            "QLabel { background: rgba(20, 20, 24, 210); color: #ffcc80; padding: 6px; border-radius: 4px; }"
        )
        self.message.hide()

        vb.sigXRangeChanged.connect(self._on_range_changed)
        vb.sigResized.connect(self.tiles.update)
        vb.selection_dragged.connect(self.time_selection.drag)
        self.time_selection.changed.connect(self.selection_changed)
        self.plot.scene().sigMouseClicked.connect(self._on_scene_click)
        self.tiles.detail_painted.connect(self.detail_painted)
        self.tiles.overview_progress.connect(self.overview_progress)
        self.tiles.overview_ready.connect(self.overview_ready)
        self.display_levels.changed.connect(self._on_levels_changed)
        self.loader.failed.connect(self._on_failed)
        self.loader.problem.connect(self.problem)

    # ------------------------------------------------------------ recording
    @property
    def info(self) -> RecordingInfo | None:
        """The recording shown, if any."""
        return None if self._coords is None else self._coords.info

    @property
    def duration(self) -> float:
        """Length of the recording in view seconds (0 without one)."""
        return 0.0 if self._coords is None else self._coords.duration

    @property
    def nyquist(self) -> float:
        """Highest frequency of the recording in view Hz."""
        return 0.0 if self._coords is None else self._coords.nyquist

    @property
    def time_format(self) -> TimeFormat:
        """How the open recording's times are written: the time axis's format.

        The table, tooltips and messages write times with it, so they read
        as the axis does.
        """
        return self.time_axis.time_format

    @property
    def painted_range(self) -> tuple[float, float] | None:
        """Time range drawn in full for the current view, if any."""
        return self.tiles.painted_range

    def set_recording(self, info: RecordingInfo) -> None:
        """Show a new recording: reset the view and start computing images."""
        coords = self._coords = ViewCoordinates.of(info)
        if self.params.channel is not None and self.params.channel >= info.channels:
            self.params = replace(self.params, channel=None)
        self.tiles.show_recording(coords, self.params)
        self.display_levels.reset()
        self.show_message("")
        self.time_axis.set_format(
            TimeFormat.for_recording(
                coords.duration, info.metadata.start, info.metadata.start_source
            )
        )
        self.set_selection(None)
        self.navigation.set_extent(coords.duration, coords.nyquist)
        self.navigation.set_band(*self._band())
        self.navigation.reset_frequency()
        self.loader.reset(info, self.params)
        self.viewbox.setXRange(0.0, min(coords.duration, FIRST_VIEW), padding=0.0)
        self.tiles.update()

    def set_params(self, params: SpectrogramParams) -> None:
        """Compute with new analysis settings (tiles of the old ones are dropped)."""
        info = self.info
        if info is not None and params.channel is not None and params.channel >= info.channels:
            params = replace(params, channel=None)
        if params == self.params:
            return
        rescale = params.pcen != self.params.pcen
        band_changed = (params.fmin, params.fmax) != (
            self.params.fmin,
            self.params.fmax,
        )
        self.params = params
        if rescale:  # PCEN values of other settings mean something else
            self.display_levels.forget("PCEN")
        self.display_levels.set_scale("PCEN" if params.pcen else "dB")
        if info is None:
            return
        self.tiles.set_params(params)
        self.show_message("")
        self.loader.reset(info, params)
        self.navigation.set_band(*self._band())
        if band_changed:
            self.navigation.reset_frequency()
        self.tiles.update()

    def _band(self) -> tuple[float, float]:
        """The frequency band of the settings, in view Hz (the whole band by default)."""
        te, nyquist = self._coords.expansion, self.nyquist
        top = nyquist if self.params.fmax is None else min(nyquist, self.params.fmax * te)
        return min(self.params.fmin * te, top - 10.0), top

    # -------------------------------------------------------------- levels
    @property
    def display(self) -> DisplaySettings:
        """The display settings in use."""
        return self.display_levels.display

    @property
    def levels(self) -> tuple[float, float] | None:
        """The display levels of the tiles (dB, or PCEN values with PCEN on)."""
        return self.display_levels.levels

    @property
    def overview_levels(self) -> tuple[float, float] | None:
        """The display levels of the overview (always dB)."""
        return self.display_levels.overview_levels

    def set_display(self, display: DisplaySettings) -> None:
        """Redraw with new levels, gain or colours (nothing is recomputed)."""
        self.display_levels.set_display(display, self.tiles.sample_image())

    # ---------------------------------------------------------- navigation
    def visible_range(self) -> tuple[float, float]:
        """The visible time range in seconds."""
        return self.navigation.visible_range()

    def frequency_range(self) -> tuple[float, float]:
        """The visible frequency range in Hz."""
        return self.navigation.frequency_range()

    def set_visible_range(self, start: float, end: float) -> None:
        """Show ``[start, end]`` seconds, clamped to the recording."""
        self.navigation.set_visible_range(start, end)

    def ensure_visible(self, start: float, end: float) -> None:
        """Pan (keeping the zoom) so that ``[start, end]`` is in view."""
        self.navigation.ensure_visible(start, end)

    def page(self, direction: int, overlap: float = PAGE_OVERLAP) -> None:
        """Move a page forward (+1) or back (-1), keeping ``overlap`` of the view."""
        self.navigation.page(direction, overlap)

    def pan(self, fraction: float) -> None:
        """Move by ``fraction`` of the visible span (negative: back in time)."""
        self.navigation.pan(fraction)

    def zoom_time(self, factor: float, centre: float | None = None) -> None:
        """Zoom in time by ``factor`` (above 1: closer) around ``centre`` (the middle)."""
        self.navigation.zoom_time(factor, centre)

    def zoom_to_fit(self) -> None:
        """Show the whole recording and its whole frequency band."""
        self.navigation.zoom_to_fit()

    def zoom_frequency(self, factor: float) -> None:
        """Zoom the frequency axis alone by ``factor`` (above 1: closer), keeping its middle."""
        self.navigation.zoom_frequency(factor)

    def set_frequency_range(self, low: float, high: float) -> None:
        """Show ``[low, high]`` Hz, clamped to the recording's band."""
        self.navigation.set_frequency_range(low, high)

    def reset_frequency(self) -> None:
        """Show the frequency band of the settings (the whole band by default)."""
        self.navigation.reset_frequency()

    # ----------------------------------------------------------- selection
    def selection(self) -> tuple[float, float] | None:
        """The selected time range, or None."""
        return self.time_selection.span()

    def set_selection(self, span: tuple[float, float] | None) -> None:
        """Select a time range (None clears the selection)."""
        self.time_selection.set_span(span)

    def zoom_to_selection(
        self, span: tuple[float, float] | None = None, margin: float = 0.1
    ) -> bool:
        """Show ``span`` (default: the selection) with a margin; False if there is none."""
        span = span or self.selection()
        if span is None:
            return False
        self.navigation.zoom_to_span(span, margin)
        return True

    # ------------------------------------------------------------ overlays
    def set_playhead(self, seconds: float | None) -> None:
        """Move the playhead, or hide it with None."""
        show_playhead(self.playhead, seconds)

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
        self.tiles.update()

    def _on_levels_changed(self, _colours: bool) -> None:
        levels = self.display_levels
        if levels.overview_levels is not None:
            self.levels_changed.emit((levels.overview_levels, levels.display.colormap))

    def _on_failed(self, message: str) -> None:
        self.show_message(f"Cannot show the spectrogram: {message}")
        self.failed.emit(message)

    def _on_scene_click(self, event) -> None:
        t = None if self._coords is None else clicked_time(self.viewbox, event)
        if t is not None:
            self.time_clicked.emit(t)
