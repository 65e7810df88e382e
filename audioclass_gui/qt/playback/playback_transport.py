"""The GUI side of a playback's state: transport state, playhead polling, endings, devices.

:class:`TransportState` is the base of
:class:`~audioclass_gui.qt.playback.playback.PlaybackController`: it keeps the
state the user sees (it changes at once on a key press), polls the
engine's position (a lock-free read) at display rate, notices the end or
a failure of a playback and releases it on the control thread, and keeps
the output device list. Starting, pausing and stopping are in the
controller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from audioclass_gui.audio.playback import OutputDevice, PlaybackEngine, StreamSetup
from audioclass_gui.qt.playback.playback_control import ControlThread
from audioclass_gui.qt.playback.playback_devices import DeviceList

if TYPE_CHECKING:
    from audioclass_gui.audio.info import RecordingInfo

__all__ = ["POLL_MS", "TransportState"]

log = logging.getLogger(__name__)

#: Playhead refresh interval (ms): display rate.
POLL_MS = 16


class TransportState(QObject):
    """Transport state, playhead and devices of the app's playback.

    Parameters
    ----------
    engine
        The playback engine; its device calls run on the control thread.

    Attributes
    ----------
    engine
        The engine.
    setup
        The :class:`StreamSetup` of the playback under way, or None.
    outputs
        The output devices, listed and refreshed on the control thread.

    Signals
    -------
    position_changed(object)
        Real recording time (float seconds) being heard, or None when stopped.
    state_changed(str)
        ``"playing"``, ``"paused"`` or ``"stopped"``.
    started(object)
        The :class:`StreamSetup` of a playback that has just started.
    finished()
        A playback reached its end (not after stop, nor after a failure).
    message(str)
        Something the user should know (playback unavailable, device gone).
    devices_changed(object)
        The list of :class:`OutputDevice` after a (re)scan.
    """

    position_changed = Signal(object)
    state_changed = Signal(str)
    started = Signal(object)
    finished = Signal()
    message = Signal(str)
    devices_changed = Signal(object)

    def __init__(self, engine: PlaybackEngine, parent=None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._control = ControlThread(self)
        self._control.failed.connect(self._on_failed)
        self._submit = self._control.submit
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._state = "stopped"
        self._generation = 0  # bumped by every play and stop: stale results are dropped
        self._ending = False  # an end is being confirmed on the control thread
        self._info: RecordingInfo | None = None
        self._span: tuple[float, float] | None = None
        self._play_args: dict = {}
        self._expansion = 1.0
        self._heard: float | None = None  # last real time known to be heard
        self.setup: StreamSetup | None = None
        self.outputs = DeviceList(
            self.engine, self._control, lambda: self._state == "stopped", self
        )
        self.outputs.changed.connect(self.devices_changed)

    def stop(self) -> None:
        """Stop playback (the controller's)."""
        raise NotImplementedError

    # ------------------------------------------------------------ facts
    @property
    def available(self) -> bool:
        """Whether audio can be played on this machine."""
        return self.engine.available

    @property
    def reason(self) -> str:
        """Why playback is (un)available, in words."""
        return self.engine.reason

    @property
    def state(self) -> str:
        """``"playing"``, ``"paused"`` or ``"stopped"``."""
        return self._state

    @property
    def span(self) -> tuple[float, float] | None:
        """The span being played (real seconds), or None."""
        return self._span if self._state != "stopped" else None

    @property
    def busy(self) -> bool:
        """Whether device work asked for is still running on the control thread."""
        return self._control.busy

    @property
    def channel(self) -> int | None:
        """Zero-based channel being played, or None for the mix (or when stopped)."""
        return self._play_args.get("channel") if self._state != "stopped" else None

    @property
    def time_expansion(self) -> float:
        """Time-expansion factor of the recording being played (1 when idle)."""
        return self._expansion

    def is_playing(self) -> bool:
        """Whether audio is being played (False while paused or stopped)."""
        return self._state == "playing"

    def position(self) -> float | None:
        """Real recording time being heard, or None when stopped.

        While a new span is being opened on the control thread, its start
        (or the last place heard).
        """
        if self._state == "stopped":
            return None
        seconds = None if self._control.busy else self.engine.position()
        if seconds is not None:
            self._heard = seconds / self._expansion
        return self._heard

    def _on_failed(self, exc: BaseException) -> None:
        """Something unexpected went wrong on the way: stop, say so, go on."""
        self._force_stopped()
        self.message.emit(f"Playback failed: {exc}")

    # ---------------------------------------------------------- devices
    @property
    def devices(self) -> list[OutputDevice]:
        """The outputs last listed (see :attr:`outputs`)."""
        return self.outputs.devices

    def check_output(self, then: Callable[[], None]) -> None:
        """Find out on the control thread whether playback can work, then call ``then``.

        Loading PortAudio (``sounddevice``) looks at every sound card and
        can take a noticeable time: the window shows first.
        """
        self._submit(lambda: self.engine.available, lambda _ok: then(), lambda _exc: then())

    def list_devices(self) -> None:
        """List the outputs PortAudio knows now (:attr:`devices_changed` follows)."""
        self.outputs.list()

    def refresh_devices(self, *, force: bool = False) -> None:
        """Look for outputs plugged in or removed (see :class:`DeviceList`).

        ``force`` (the Rescan button) stops playback first; otherwise a
        refresh during playback waits for its end.
        """
        if force:
            self.stop()
        self.outputs.refresh(force=force)

    def _after_stop(self) -> None:
        self.outputs.playback_over()

    def _after_device_error(self) -> None:
        """After a stream failed (device gone?), look again for devices once it is free."""
        self.outputs.device_failed()
        self._submit(self.engine.stop, lambda _r: self._after_stop())

    # ---------------------------------------------------------- internal
    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def _set_stopped(self) -> None:
        self._timer.stop()
        self.setup = None
        self._ending = False
        self.position_changed.emit(None)
        self._set_state("stopped")

    def _force_stopped(self) -> None:
        """After an unexpected error: forget the playback, stop the stream in the background."""
        self._generation += 1
        self._submit(self.engine.stop, on_error=lambda _e: None)
        self._set_stopped()

    def _poll(self) -> None:
        try:
            self._poll_once()
        except Exception as exc:  # the timer must never raise into Qt
            log.exception("playback poll")
            self._force_stopped()
            self.message.emit(f"Playback failed: {exc}")

    def _poll_once(self) -> None:
        if self._state == "stopped":
            self._timer.stop()
            return
        if self._state == "paused" or self._control.busy or self._ending:
            return
        if self.engine.active():
            self.position_changed.emit(self.position())
            return
        # The playback has ended (or failed): release it on the control thread.
        self._ending = True
        generation = self._generation
        engine = self.engine

        def confirm() -> tuple[bool, str | None]:
            playing = engine.is_playing() or engine.is_paused()
            return playing, (None if playing else engine.take_error())

        self._submit(confirm, lambda r: self._on_ended(generation, *r))

    def _on_ended(self, generation: int, playing: bool, error: str | None) -> None:
        self._ending = False
        if generation != self._generation or playing:
            return
        self._set_stopped()
        if error:
            self.message.emit(error)
            self._after_device_error()
        else:
            self.finished.emit()
            self._after_stop()
