"""Reports › Activity: when each species called, per day and per hour of day.

A window beside the main one (non-modal) for the open project: choose a
species (or all), a site (or all) and what to count (the detections the
list's thresholds keep, or accepted verdicts), and see
:class:`~audioclass_gui.qt.reports.activity_charts.ActivityCharts`.

The counts (:func:`~audioclass_gui.review.activity.activity`, about 0.7 s
at 20 million detections) are made on the app's tasks port, never on the
GUI thread, once when the window opens and again, throttled, when verdicts,
thresholds or the project's detections change; one count runs at a time and
a change during it asks for one more. Choosing a species, site or what to
count only slices the counts already made, at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui.formats.activity_tables import write_series_day, write_series_hour
from audioclass_gui.qt.common.tasks import throttled
from audioclass_gui.qt.reports.activity_charts import ActivityCharts
from audioclass_gui.qt.reports.clock_zone import ClockZoneChooser, zone_names
from audioclass_gui.review.activity import Activity, activity
from audioclass_gui.review.activity_series import (
    ActivitySeries,
    activity_series,
    clock_note,
    recorded_per_hour,
)

if TYPE_CHECKING:
    from audioclass_gui.app import AppModel
    from audioclass_gui.review import DetectionFilter, ReviewSession

__all__ = ["ActivityWindow", "Counted"]

#: What the charts can count: (combo text, counts accepted verdicts).
COUNTS = (
    ("Detections at the list's thresholds", False),
    ("Accepted verdicts", True),
)
_REFRESH_MS = 800


@dataclass(frozen=True, eq=False)
class Counted:
    """One count of the project (made off the GUI thread)."""

    session: ReviewSession
    filter: DetectionFilter
    act: Activity
    hour_seconds: np.ndarray


def _count(
    session: ReviewSession,
    filt: DetectionFilter,
    root: Path | None,
    zone: dt.tzinfo | None = None,
    written_zone: dt.tzinfo | None = None,
) -> Counted:
    act = activity(session, filt, root=root, zone=zone, written_zone=written_zone)
    return Counted(session, filt, act, recorded_per_hour(act))


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("_") or "all"


class ActivityWindow(QWidget):
    """Activity per day and hour of the open project, with PNG, SVG and CSV export.

    Parameters
    ----------
    app
        The window's app model (document, review thresholds, tasks, messages).
    parent
        The main window (this is a separate top-level window).

    Signals
    -------
    counted()
        New counts are shown (after opening, or a change of verdicts,
        thresholds or detections).
    saved(object)
        The path of a file exported.
    """

    counted = Signal()
    saved = Signal(object)

    def __init__(self, app: AppModel, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Activity per day and hour")
        self.app = app
        self.data: Counted | None = None
        self._session: ReviewSession | None = None
        self._running = False
        self._again = False
        self._closed = False

        self.species_combo = QComboBox()
        self.species_combo.setMinimumContentsLength(38)
        self.species_combo.setToolTip("One species, or every species together")
        self.site_combo = QComboBox()
        self.site_combo.setMinimumContentsLength(14)
        self.site_combo.setToolTip("Sites are the recordings' folders in the project")
        self.count_combo = QComboBox()
        for text, _accepted in COUNTS:
            self.count_combo.addItem(text)
        self.count_combo.setToolTip(
            "Detections scoring at or above the threshold the detection list uses (and "
            "per-species thresholds), or the detections you accepted, whatever their score"
        )
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction("Charts as PNG image…", lambda: self.ask_export("png"))
        menu.addAction("Charts as SVG drawing…", lambda: self.ask_export("svg"))
        menu.addSeparator()
        menu.addAction("Numbers per day (CSV)…", lambda: self.ask_export("day"))
        menu.addAction("Numbers per hour of day (CSV)…", lambda: self.ask_export("hour"))
        self.export_button.setMenu(menu)
        self.clock = ClockZoneChooser()
        self.clock.load(app.document.project)
        app.tasks.submit(zone_names, self._offer_zones, lambda _exc: None)  # ~0.5 s of disk
        self.charts = ActivityCharts()
        self.status = QLabel("")
        self.status.setWordWrap(True)

        top = QHBoxLayout()
        for label, combo in (("Species", self.species_combo), ("Site", self.site_combo),
                             ("Count", self.count_combo)):
            top.addWidget(QLabel(label))
            top.addWidget(combo)
            top.addSpacing(12)
        top.addStretch(1)
        top.addWidget(self.export_button)
        second = QHBoxLayout()
        second.addWidget(self.clock)
        second.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.charts, 1)
        layout.addWidget(self.status)
        self.resize(1100, 760)

        self._timer = throttled(self, _REFRESH_MS, self.refresh)
        for combo in (self.species_combo, self.site_combo, self.count_combo):
            combo.currentIndexChanged.connect(lambda _i: self.draw())
        app.review.thresholds_changed.connect(self._schedule)
        app.document.events.session.connect(self._on_session)
        app.document.events.project.connect(self._on_project)
        self.clock.changed.connect(self._on_clock)
        self._watch(app.document.session)
        self.refresh()

    # ------------------------------------------------------------ choices
    @property
    def accepted(self) -> bool:
        """The charts count accepted verdicts (else detections at the thresholds)."""
        return COUNTS[self.count_combo.currentIndex()][1]

    def choose(self, species: str | None = None, site: str | None = None,
               accepted: bool | None = None) -> None:
        """Choose what is shown, as the combos do (None: leave as it is; "" : all)."""
        if species is not None:
            self._pick(self.species_combo, species or None)
        if site is not None:
            self._pick(self.site_combo, site or None)
        if accepted is not None:
            self.count_combo.setCurrentIndex(int(accepted))

    @staticmethod
    def _pick(combo: QComboBox, value: str | None) -> None:
        at = combo.findData(value)
        if at < 0:
            raise KeyError(f"{value!r} is not offered")
        combo.setCurrentIndex(at)

    def series(self) -> ActivitySeries | None:
        """The numbers the charts show now (None before the first count)."""
        if self.data is None:
            return None
        return activity_series(
            self.data.act, self.species_combo.currentData(), self.site_combo.currentData(),
            accepted=self.accepted, hour_seconds=self.data.hour_seconds,
        )

    # ----------------------------------------------------------- counting
    def refresh(self) -> None:
        """Count the project again off the GUI thread (one count at a time)."""
        self._timer.cancel()
        session = self.app.document.session
        if self._closed:
            return
        if session is None:
            self.data = None
            self.charts.show_series(None, "Open a project to see its activity", "")
            self.status.setText("No project is open.")
            return
        if self._running:
            self._again = True
            return
        self._running = True
        self.status.setText("Counting…")
        filt = self.app.review.threshold_filter()
        document = self.app.document
        root = None if document.project is None or document.implicit else document.project.root
        try:
            zone, written = self.clock.zone, self.clock.written_zone
        except ValueError as exc:  # a zone the machine's database lacks
            self.status.setText(f"{exc}; times are shown as recorded.")
            zone = written = None
        self.app.tasks.submit(
            lambda: _count(session, filt, root, zone, written), self._done, self._failed
        )

    def _done(self, data: Counted) -> None:
        self._running = False
        if self._closed:
            return
        if data.session is not self.app.document.session or self._again:
            self._again = False
            self.refresh()
            if data.session is not self.app.document.session:
                return
        self.data = data
        self._fill_choices()
        self.draw()
        self.counted.emit()

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        if self._closed:
            return
        if self._again:  # the verdicts changed under the count: count again
            self._again = False
            self.refresh()
            return
        self.status.setText(f"Could not count the project's activity: {exc}")

    def _schedule(self, *_args) -> None:
        if not self._closed:
            self._timer.throttle()

    def _on_session(self, session: ReviewSession | None, *_old) -> None:
        self._watch(session)
        self.refresh()

    def _offer_zones(self, names: list[str]) -> None:
        if not self._closed:
            self.clock.offer(names)

    def _on_project(self, project, *_old) -> None:
        self.clock.load(project)

    def _on_clock(self) -> None:
        """Another clock chosen: keep it with the project and count again."""
        try:
            self.clock.save(self.app.document.project)
        except OSError as exc:
            self.app.messages.report("Time zone not kept", f"The choice is used but not kept: {exc}")
        self.refresh()

    def _watch(self, session: ReviewSession | None) -> None:
        old = self._session
        if old is not None:
            for signal in (old.status_changed, old.detections_added, old.cleared):
                signal.disconnect(self._schedule)
        self._session = session
        if session is not None:
            for signal in (session.status_changed, session.detections_added, session.cleared):
                signal.connect(self._schedule)

    # ------------------------------------------------------------ drawing
    def _fill_choices(self) -> None:
        """Offer the species with something counted (most first) and every site."""
        assert self.data is not None
        act, session = self.data.act, self.data.session
        totals = act.detections.sum(axis=1) + act.accepted.sum(axis=1)
        if len(act.species):
            totals = totals + act.species_detections
        order = sorted(np.flatnonzero(totals), key=lambda i: (-int(totals[i]), act.species[i]))
        species = [(None, "All species")]
        for i in order:
            sci = act.species[i]
            common = session.common_name(sci)
            species.append((sci, f"{common} ({sci})" if common and common != sci else sci))
        self._refill(self.species_combo, species)
        self._refill(self.site_combo, [(None, "All sites"), *((s, s) for s in act.sites)])

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str | None, str]]) -> None:
        kept = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for value, text in items:
            combo.addItem(text, value)
        at = combo.findData(kept)
        combo.setCurrentIndex(max(at, 0))
        combo.blockSignals(False)

    def _counted_words(self) -> tuple[str, str]:
        """What the bars count: (axis word, sentence for the status line)."""
        assert self.data is not None
        if self.accepted:
            return "Accepted detections", "Counting accepted verdicts, whatever their score."
        f = self.data.filter
        species = self.species_combo.currentData()
        own = f.thresholds.get(species) if species is not None and f.thresholds else None
        if own is not None:
            rule = f"scoring at least {own:.2f} (this species' own threshold)"
        else:
            rule = f"scoring at least {f.min_score:.2f}"
            if f.thresholds:
                rule += f" (or their species' own threshold, {len(f.thresholds)} species)"
        return "Detections", f"Counting detections {rule}, as the detection list does."

    def draw(self) -> None:
        """Show the chosen slice of the counts made."""
        series = self.series()
        if series is None or self.data is None:
            return
        act = self.data.act
        axis_word, words = self._counted_words()
        species = self.species_combo.currentText()
        site = self.site_combo.currentText()
        title = f"{species} · {site.lower() if series.site is None else site}"
        note = clock_note(act, series.site)
        if series.missing_days.any() or series.missing_hours.any():
            note += " Grey bars: no audio was recorded that day or hour of day."
        self.charts.show_series(series, title, note, axis_word)
        hours = float(np.nansum(series.hours_per_day))
        self.status.setText(
            f"{words} {series.total:,} in {hours:,.1f} hours of audio over "
            f"{len(series.days)} days."
        )

    # ------------------------------------------------------------- export
    def default_name(self, kind: str) -> str:
        """A file name for an export of ``kind`` ("png", "svg", "day", "hour")."""
        series = self.series()
        species = _slug(series.species or "all_species") if series else "all_species"
        site = _slug(series.site or "all_sites") if series else "all_sites"
        counted = "accepted" if self.accepted else "detections"
        suffix = {"png": ".png", "svg": ".svg", "day": "_per_day.csv", "hour": "_per_hour.csv"}
        return f"activity_{species}_{site}_{counted}{suffix[kind]}"

    def ask_export(self, kind: str) -> Path | None:
        """Ask where to save an export of ``kind``, then write it (None: cancelled)."""
        folder = self.app.document.folder
        start = str(folder / self.default_name(kind)) if folder else self.default_name(kind)
        filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}
        path, _ = QFileDialog.getSaveFileName(
            self, "Export activity", start, filters.get(kind, "CSV (*.csv)")
        )
        if not path:
            return None
        self.export(kind, path)
        return Path(path)

    def export(self, kind: str, path: str | Path) -> None:
        """Write the charts (``png``, ``svg``) or their numbers (``day``, ``hour`` CSV).

        Images are drawn on the GUI thread (they render the charts); the
        CSV files are written on the tasks port. ``saved`` tells when done;
        a failure is said in the status line and reported.
        """
        path = Path(path)
        series = self.series()
        if series is None:
            self.status.setText("Nothing to export yet: the counts are still being made.")
            return
        if kind in ("png", "svg"):
            try:
                (self.charts.save_png if kind == "png" else self.charts.save_svg)(path)
            except OSError as exc:
                self._export_failed(path, exc)
            else:
                self._exported(path)
            return
        writer = {"day": write_series_day, "hour": write_series_hour}[kind]
        self.app.tasks.submit(
            lambda: writer(path, series), lambda _p: self._exported(path),
            lambda exc: self._export_failed(path, exc),
        )

    def _exported(self, path: Path) -> None:
        self.status.setText(f"Saved {path.name}.")
        self.saved.emit(path)

    def _export_failed(self, path: Path, exc: BaseException) -> None:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.status.setText(f"Not saved: {path.name}")
        self.app.messages.report("Activity not exported", f"{path}: not written ({reason})")

    # ------------------------------------------------------------ closing
    def closeEvent(self, event) -> None:
        """Stop following the project once closed."""
        self._closed = True
        self._timer.cancel()
        self._watch(None)
        self.app.review.thresholds_changed.disconnect(self._schedule)
        self.app.document.events.session.disconnect(self._on_session)
        self.app.document.events.project.disconnect(self._on_project)
        super().closeEvent(event)
