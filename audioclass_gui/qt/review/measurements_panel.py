"""The Measurements panel: Raven's measurements of the drawn boxes and the time selection.

A table under the spectrogram (a tab beside *Detections*), as Raven Pro's
selection table: one row for the time range selected with Shift+drag and
one per box or time interval drawn on the open recording, with its span,
band and Raven's measurement columns (Delta Time, Peak Freq, Peak Power
Density, Center Freq, Freq 5% / 95%, BW 90%, Dur 90%), made with the
window's spectrogram settings. The rows and their values are the app
model's (:class:`~audioclass_gui.app.measurements.SelectionMeasurements`),
measured in the window's thread pool; a row shows "…" until its values
arrive. *Columns ▾* (or a right-click on the header) chooses the
measurement columns shown; the choice is remembered. Clicking a box's row
selects the box.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.qt.common.docks import add_dock
from audioclass_gui.qt.common.settings import open_settings
from audioclass_gui.qt.common.table_items import fill_row, read_only_rows

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.app.measurements import MeasuredSelection
    from audioclass_gui.qt.spectrogram.spectrogram_settings import (
        SpectrogramSettingsPanel,
    )
    from audioclass_gui.qt.spectrogram.spectrogram_view import SpectrogramView
    from audioclass_gui.spectrogram.measurements import Measurements

__all__ = ["MEASURED", "MeasurementsController", "MeasurementsPanel"]

#: The measurement columns: (Raven's name, attribute of Measurements, decimals).
MEASURED = (
    ("Delta Time (s)", "delta_time", 3),
    ("Delta Freq (Hz)", "delta_freq", 1),
    ("Peak Freq (Hz)", "peak_freq", 1),
    ("Peak Power Density (dB FS/Hz)", "peak_power_density", 1),
    ("Center Freq (Hz)", "center_freq", 1),
    ("Freq 5% (Hz)", "freq_5", 1),
    ("Freq 95% (Hz)", "freq_95", 1),
    ("BW 90% (Hz)", "bw_90", 1),
    ("Dur 90% (s)", "dur_90", 3),
)
#: Shown until the reviewer chooses.
DEFAULT_SHOWN = ("Delta Time (s)", "Peak Freq (Hz)", "Peak Power Density (dB FS/Hz)",
                 "Center Freq (Hz)", "BW 90% (Hz)", "Dur 90% (s)")
_FIXED = ("Selection", "Species", "Begin Time (s)", "End Time (s)", "Low Freq (Hz)", "High Freq (Hz)")
_SETTING = "measurements/columns"
_KEY_ROLE = Qt.ItemDataRole.UserRole


def _number(value: float | None, decimals: int) -> str:
    return "" if value is None else f"{value:.{decimals}f}"


class MeasurementsPanel(QWidget):
    """The table of measured selections and the choice of its columns.

    Attributes
    ----------
    table : QTableWidget
    columns_button : QToolButton
        *Columns ▾*: a checkable entry per measurement column.
    shown : list of str
        The measurement columns shown, in :data:`MEASURED` order.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 0)
        read_only_rows(self.table)
        self.table.setAlternatingRowColors(True)
        self.hint = QLabel(
            "Draw a box (B) or select a time range (Shift+drag) to measure it."
        )
        self.hint.setEnabled(False)
        self.columns_button = QToolButton()
        self.columns_button.setText("Columns")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_button.setToolTip("Choose the measurement columns shown")
        self.menu = QMenu(self)
        saved = open_settings().value(_SETTING, None)
        chosen = set(DEFAULT_SHOWN if saved is None else _as_list(saved))
        self.actions_by_name = {}
        for name, _attr, _d in MEASURED:
            action = self.menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(name in chosen)
            action.toggled.connect(lambda _on: self._columns_changed())
            self.actions_by_name[name] = action
        self.columns_button.setMenu(self.menu)
        header = self.table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.menu.popup(header.mapToGlobal(pos))
        )
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.hint, 1)
        top.addWidget(self.columns_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.rows: list[MeasuredSelection] = []
        self._names: dict[str, str] = {}
        self._columns_changed(save=False)

    @property
    def shown(self) -> list[str]:
        """The measurement columns shown."""
        return [name for name, _a, _d in MEASURED if self.actions_by_name[name].isChecked()]

    def set_shown(self, names: list[str]) -> None:
        """Show these measurement columns (others hidden); remembered."""
        for name, action in self.actions_by_name.items():
            action.blockSignals(True)
            action.setChecked(name in names)
            action.blockSignals(False)
        self._columns_changed()

    def show_rows(self, rows: list[MeasuredSelection], names: dict[str, str]) -> None:
        """Show ``rows``; ``names`` gives common names of species (scientific -> common)."""
        self.rows, self._names = list(rows), dict(names)
        self._fill()

    def key_at(self, row: int) -> str | None:
        """The key (box id or ``"selection"``) of a table row."""
        item = self.table.item(row, 0)
        return None if item is None else item.data(_KEY_ROLE)

    def cell(self, key: str, column: str) -> str | None:
        """The text shown in ``column`` of the row of ``key`` (None: no such row or column)."""
        headers = [*_FIXED, *self.shown]
        for r in range(self.table.rowCount()):
            if self.key_at(r) == key and column in headers:
                return self.table.item(r, headers.index(column)).text()
        return None

    # ----------------------------------------------------------- internal
    def _columns_changed(self, *, save: bool = True) -> None:
        if save:
            open_settings().setValue(_SETTING, self.shown)
        self.table.setColumnCount(len(_FIXED) + len(self.shown))
        # Raven's names, the unit on a second line: the columns stay narrow.
        self.table.setHorizontalHeaderLabels([n.replace(" (", "\n(") for n in (*_FIXED, *self.shown)])
        self._fill()

    def _fill(self) -> None:
        shown = [(name, attr, d) for name, attr, d in MEASURED if name in self.shown]
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            texts = [
                {"selection": "Time selection", "interval": "Time interval"}.get(row.kind, "Box"),
                self._names.get(row.species) or row.species,
                f"{row.start:.3f}",
                f"{row.end:.3f}",
                _number(row.low, 1) if row.low is not None else "0.0",
                _number(row.high, 1) if row.high is not None else "Nyquist",
            ]
            texts += [self._value(row.result, attr, d, row) for _n, attr, d in shown]
            tip = row.problem or ("measuring…" if row.pending else _resolution(row.result))
            fill_row(self.table, r, texts, tooltip=tip, name_data={_KEY_ROLE: row.key}, left=(0, 1))
        self.hint.setVisible(not self.rows)

    @staticmethod
    def _value(result: Measurements | None, attr: str, decimals: int, row) -> str:
        if result is None:
            return "…" if row.pending else "—"
        return _number(getattr(result, attr), decimals) or "—"


def _resolution(result: Measurements | None) -> str:
    if result is None:
        return ""
    return (
        f"Measured {result.begin_time:.3f}-{result.end_time:.3f} s, "
        f"{result.low_freq:.0f}-{result.high_freq:.0f} Hz; one bin is {result.bin_hz:.2f} Hz, "
        f"one column {result.hop_seconds * 1000:.1f} ms"
    )


def _as_list(value: object) -> list[str]:
    """A QSettings list (a single string when it had one item; None when empty)."""
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


class MeasurementsController(QObject):
    """Docks the Measurements panel and feeds it from the app model.

    Parameters
    ----------
    app
        The app model (its :attr:`~audioclass_gui.app.model.AppModel.measurements`).
    window
        Where the dock goes (a tab beside *Detections*).
    select_box
        Called with a box id when its row is clicked.
    view, settings
        The spectrogram view (its ``selection_changed`` gives the time
        selection) and its settings panel (``params()``, ``params_changed``):
        measurements use the spectrogram's own settings.
    """

    def __init__(
        self,
        app: AppModel,
        window: QMainWindow,
        select_box: Callable[[str], object],
        view: SpectrogramView,
        settings: SpectrogramSettingsPanel,
    ) -> None:
        super().__init__(window)
        self.app = app
        self.panel = MeasurementsPanel()
        self.dock = add_dock(window, self.panel, "Measurements", Qt.DockWidgetArea.BottomDockWidgetArea)
        detections = window.findChild(QDockWidget, "dock-detections")
        if detections is not None:
            window.tabifyDockWidget(detections, self.dock)
            detections.raise_()
        self._select_box = select_box
        app.measurements.set_params(settings.params())
        settings.params_changed.connect(app.measurements.set_params)
        view.selection_changed.connect(app.measurements.set_selection)
        app.measurements.changed.connect(self._show)
        self.panel.table.cellClicked.connect(self._clicked)
        self._show(app.measurements.rows)

    def _show(self, rows: list[MeasuredSelection]) -> None:
        session = self.app.document.session
        names = {
            r.species: (session.common_name(r.species) if session is not None else "") or ""
            for r in rows
            if r.species
        }
        self.panel.show_rows(rows, names)

    def _clicked(self, row: int, _column: int) -> None:
        key = self.panel.key_at(row)
        if key is not None and key != "selection":
            self._select_box(key)
