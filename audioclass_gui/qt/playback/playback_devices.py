"""Output devices in the GUI: a list that refreshes itself, and the picker that shows it.

PortAudio only sees the devices present when it was initialised. To find
a headset plugged in later, it must be re-initialised, which is only safe
while no stream is open and can take a moment. :class:`DeviceList` does it
on the playback control thread: when the output list is opened while
nothing plays, after a device failure, and on Rescan (which stops
playback first). A refresh asked for during playback waits for its end.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QToolButton, QWidget

from audioclass_gui.audio.playback import OutputDevice, PlaybackEngine
from audioclass_gui.qt.playback.playback_control import ControlThread

__all__ = ["DeviceCombo", "DeviceList", "DevicePicker"]


class DeviceList(QObject):
    """The outputs PortAudio offers, listed and refreshed off the GUI thread.

    Parameters
    ----------
    engine
        The playback engine (its device calls run on ``control``).
    control
        The playback control thread.
    idle
        Whether nothing is playing now (a refresh must wait otherwise).

    Attributes
    ----------
    devices
        The outputs last listed.

    Signals
    -------
    changed(object)
        The list of :class:`OutputDevice` after a listing or a refresh.
    """

    changed = Signal(object)

    def __init__(
        self,
        engine: PlaybackEngine,
        control: ControlThread,
        idle: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine, self._control, self._idle = engine, control, idle
        self.devices: list[OutputDevice] = []
        self.waiting = False  # a refresh waits for the playback to end

    def list(self) -> None:
        """List the outputs PortAudio knows now (no re-initialisation)."""
        self._control.submit(self.engine.output_devices, self._show)

    def refresh(self, *, force: bool = False) -> None:
        """Re-initialise PortAudio and list again, when no stream is open.

        ``force`` rescans at once; the caller must have stopped playback
        (the engine stops it anyway).
        """
        if force:
            self.waiting = False
            self._control.submit(
                lambda: self.engine.output_devices(rescan=True), self._show
            )
        elif not self._idle():
            self.waiting = True
        else:
            self._control.submit(self.engine.refresh_devices, self._refreshed)

    def playback_over(self) -> None:
        """Playback has stopped: do a refresh that was waiting for it."""
        if self.waiting and self._idle():
            self.waiting = False
            self.refresh()

    def device_failed(self) -> None:
        """A stream failed (device gone?): refresh once the stream is released."""
        self.waiting = True

    def _refreshed(self, devices: list[OutputDevice] | None) -> None:
        if devices is None:  # a playback started meanwhile: after it
            self.waiting = True
            return
        self._show(devices)

    def _show(self, devices: list[OutputDevice]) -> None:
        self.devices = list(devices)
        self.changed.emit(self.devices)


class DeviceCombo(QComboBox):
    """The output list; says when it is about to open (to refresh it).

    Signals
    -------
    opening()
        The list is about to be shown.
    """

    opening = Signal()

    def showPopup(self) -> None:
        self.opening.emit()
        super().showPopup()


class DevicePicker(QWidget):
    """Output choice: the device list and a Rescan button.

    Parameters
    ----------
    devices
        The controller's device list.
    chosen
        The saved device name (``""`` for the system default).
    available
        Whether playback works here (Rescan is disabled otherwise).

    Signals
    -------
    chosen_changed(str)
        A device was chosen (``""``: the system default).
    rescan_requested()
        The Rescan button was pressed.
    """

    chosen_changed = Signal(str)
    rescan_requested = Signal()

    def __init__(
        self, devices: DeviceList, chosen: str, available: bool, parent=None
    ) -> None:
        super().__init__(parent)
        self.chosen = chosen
        self.combo = DeviceCombo()
        self.combo.setToolTip(
            "Audio output (the list is refreshed when opened while nothing plays)"
        )
        self.combo.currentIndexChanged.connect(self._on_chosen)
        self.combo.opening.connect(devices.refresh)
        self.rescan_button = QToolButton(text="Rescan")
        self.rescan_button.setToolTip("Look for output devices again (stops playback)")
        self.rescan_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.rescan_button.clicked.connect(self.rescan_requested)
        self.rescan_button.setEnabled(available)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.rescan_button)
        self.show_devices(devices.devices)
        devices.changed.connect(self.show_devices)

    def show_devices(self, devices: list[OutputDevice]) -> None:
        """Fill the list, keeping the chosen device (marked when not connected)."""
        wanted = self.chosen
        combo = self.combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("System default", "")
        for dev in devices:
            combo.addItem(dev.name + (" (default)" if dev.is_default else ""), dev.name)
        if wanted and combo.findData(wanted) < 0:
            combo.addItem(f"{wanted} (not connected)", wanted)
        combo.setCurrentIndex(max(0, combo.findData(wanted)))
        combo.blockSignals(False)

    def _on_chosen(self, _index: int) -> None:
        self.chosen = self.combo.currentData() or ""
        self.chosen_changed.emit(self.chosen)
