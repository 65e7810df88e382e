"""View › Waveform: the waveform above the spectrogram, instead of it, or not at all.

:class:`WaveformMode` puts a :class:`~audioclass_gui.qt.spectrogram.waveform_view.WaveformView`
above the window's spectrogram and joins the two: the waveform's time axis
is linked to the spectrogram's (zoom, pan, paging and the timeline strip
move both; the plots start at the same pixel, so times line up), it shows
the spectrogram's time selection and the playhead, Shift+drag on it
selects as on the spectrogram, and a click on it is a click on the
spectrogram at that time (the playback cursor). The span of what Space
plays (the selected box, event or detection) is edged in white on it. It
draws the spectrogram settings' channel, or the extremes of all channels
for their mix. The choice (:data:`MODES`) is kept in the settings file.
While the paged view shows, the waveform steps aside; it reads nothing
while hidden.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QActionGroup

from audioclass_gui.qt.common.settings import open_settings
from audioclass_gui.qt.menus import find_menu
from audioclass_gui.qt.spectrogram.waveform_view import AXIS_WIDTH, WaveformView

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from audioclass_gui.audio.info import RecordingInfo
    from audioclass_gui.qt.main_window import MainWindow

__all__ = ["MODES", "SETTINGS_KEY", "WaveformMode"]

#: The choices of View › Waveform, by the value kept in the settings.
MODES = {
    "spectrogram": "&Spectrogram only",
    "above": "Waveform &above spectrogram",
    "waveform": "&Waveform only",
}
#: Key of the choice in the settings file.
SETTINGS_KEY = "view/waveform"
#: Height of the waveform against the spectrogram's when both show.
_STRETCH = (1, 2)


class WaveformMode(QObject):
    """The window's waveform view, its menu and what it follows.

    Parameters
    ----------
    window
        The main window, with its views, controllers and menus made.
    settings
        Where the choice is kept (:func:`open_settings` when None).

    Attributes
    ----------
    view : WaveformView
    actions : dict of str to QAction
        The View › Waveform choices, by mode.
    """

    def __init__(self, window: MainWindow, settings: QSettings | None = None) -> None:
        super().__init__(window)
        self.window = window
        self._store = settings if settings is not None else open_settings()
        window.view.freq_axis.setWidth(AXIS_WIDTH)
        self._view: WaveformView | None = None  # made when first shown (startup stays quick)
        self._info: RecordingInfo | None = None
        mode = str(self._store.value(SETTINGS_KEY, "spectrogram"))
        self.mode = mode if mode in MODES else "spectrogram"
        self._make_menu()
        self._connect()
        self._apply()
        window.installEventFilter(self)

    # ------------------------------------------------------------------ API
    @property
    def view(self) -> WaveformView:
        """The waveform plot (made on first use, beside the spectrogram)."""
        if self._view is None:
            spectrogram, window = self.window.view, self.window
            view = WaveformView(window.runner, window, busy=lambda: spectrogram.loader.pending > 0)
            view.hide()
            area = spectrogram.parentWidget().layout()
            area.insertWidget(area.indexOf(spectrogram), view, _STRETCH[0])
            area.setStretchFactor(spectrogram, _STRETCH[1])
            view.link_to(spectrogram.plot)
            view.selection_dragged.connect(spectrogram.time_selection.drag)
            view.time_clicked.connect(spectrogram.time_clicked.emit)
            self._view = view
            view.channel = spectrogram.params.channel
            if self._info is not None:
                view.set_recording(self._info, spectrogram.time_format)
            self._mirror_selection()
            self._mirror_target()
        return self._view

    def set_mode(self, mode: str) -> None:
        """Show ``mode`` (a key of :data:`MODES`) and keep it in the settings.

        Raises
        ------
        ValueError
            If ``mode`` is not one of :data:`MODES`.
        """
        if mode not in MODES:
            raise ValueError(f"waveform mode must be one of {sorted(MODES)}, not {mode!r}")
        self.mode = mode
        self._store.setValue(SETTINGS_KEY, mode)
        self._store.sync()
        self._apply()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The window closing: stop reading (its unfinished build is removed)."""
        if watched is self.window and event.type() == QEvent.Type.Close and self._view is not None:
            self._view.loader.close()
        return False

    # ------------------------------------------------------------- internal
    def _make_menu(self) -> None:
        menu = find_menu(self.window, "&View").addMenu("&Waveform")
        group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for mode, text in MODES.items():
            action = QAction(text, self.window)
            action.setCheckable(True)
            action.setChecked(mode == self.mode)
            action.triggered.connect(lambda _checked=False, m=mode: self.set_mode(m))
            group.addAction(action)
            menu.addAction(action)
            self.actions[mode] = action

    def _connect(self) -> None:
        w, spectrogram = self.window, self.window.view
        w.recording_opened.connect(self._on_recording)
        w.spectrogram_settings.params_changed.connect(self._on_params)
        w.playback.position_changed.connect(self._on_position)
        item = spectrogram.time_selection.item
        item.sigRegionChanged.connect(self._mirror_selection)
        item.visibleChanged.connect(self._mirror_selection)
        spectrogram.selection_changed.connect(self._mirror_selection)
        app = w.app
        for signal in (
            app.review.selection_changed,
            app.review.box_selection_changed,
            app.event_review.selection_changed,
            app.event_review.mode_changed,
            w.boxes.redrawn,  # a box added, moved or deleted
        ):
            signal.connect(self._mirror_target)
        paged = getattr(w.app, "paged", None)
        if paged is not None:  # after the paged view's own handler: it shows the spectrogram
            paged.changed.connect(self._apply)

    def _paged(self) -> bool:
        paged = getattr(self.window.app, "paged", None)
        return bool(paged is not None and paged.active)

    def _apply(self) -> None:
        for mode, action in self.actions.items():
            action.setChecked(mode == self.mode)
        paged = self._paged()
        show = self.mode != "spectrogram" and not paged
        if not paged:
            self.window.view.setVisible(self.mode != "waveform")
        if self._view is None and not show:
            return
        self.view.set_time_axis_visible(self.mode == "waveform")
        self.view.setVisible(show)
        self.view.set_active(show)

    def _on_recording(self, info: RecordingInfo) -> None:
        self._info = info
        if self._view is None:
            return
        spectrogram = self.window.view
        self._view.channel = spectrogram.params.channel
        self._view.set_recording(info, spectrogram.time_format)
        self._mirror_target()

    def _on_params(self, _params: object) -> None:
        if self._view is not None:
            self._view.set_channel(self.window.view.params.channel)

    def _on_position(self, seconds: object) -> None:
        if self._view is not None:
            self._view.set_playhead(seconds)

    def _mirror_selection(self, *_args) -> None:
        if self._view is not None:
            self._view.set_selection(self.window.view.selection())

    def _mirror_target(self, *_args) -> None:
        if self._view is None:
            return
        target = self.window.app.play_target()
        info = self._info
        # A detection's recording is a soundevent Recording; a box's and an event's, a path.
        where = getattr(target, "recording", None)
        where = getattr(where, "path", where)
        shown = (
            target is not None
            and where is not None
            and info is not None
            and Path(where) == Path(info.path)
        )
        self._view.set_target((float(target.start), float(target.end)) if shown else None)
