"""The clock a report's days and hours are on: a time zone, and the zone of recorders' clocks.

Two choices, kept with the project (its settings, journalled), shown above
the activity charts:

* **Times in**: "As recorded" keeps each recording's own zone (local time
  at the recorder where its metadata gives a zone); an IANA zone
  ("Europe/Berlin", "UTC"...) converts every start whose zone is known into
  it, so a deployment spread over zones, or recorders set to UTC, read in
  one local time.
* **Clocks without a zone**: start times written without a zone (file
  names) are taken as written, or as UTC (an AudioMoth names its files in
  UTC unless it was told otherwise), or as being in the zone chosen above.

The zone names come from the system's time-zone database (or the ``tzdata``
package); reading them takes about half a second, so the window reads them
off the GUI thread and hands them to :meth:`ClockZoneChooser.offer`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLabel, QWidget

from audioclass_gui.review.recording_clock import zone_from_name

if TYPE_CHECKING:
    from audioclass_gui.project import ReviewProject

__all__ = ["AS_RECORDED", "SETTINGS_KEY", "ClockZoneChooser", "zone_names"]

#: The zone combo's first entry: each recording keeps its own zone.
AS_RECORDED = "As recorded"
#: Key of the choice in the project settings.
SETTINGS_KEY = "report_clock"
#: Clocks without a zone: (combo text, stored value).
_WRITTEN = (
    ("as written", ""),
    ("were on UTC", "UTC"),
    ("were on the zone chosen", "same"),
)


def zone_names() -> list[str]:
    """Every IANA zone name the machine knows, UTC first, then sorted."""
    from zoneinfo import available_timezones

    names = sorted(n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/")))
    return ["UTC", *names]


class ClockZoneChooser(QWidget):
    """"Times in [zone]  Clocks without a zone [as written | UTC | the zone chosen]".

    Signals
    -------
    changed()
        The user chose another clock (not emitted by :meth:`load`).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone_combo = QComboBox()
        self.zone_combo.setEditable(True)
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone_combo.addItem(AS_RECORDED, "")
        self.zone_combo.addItem("UTC", "UTC")
        self.zone_combo.setMinimumContentsLength(18)
        completer = QCompleter(self.zone_combo.model(), self.zone_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.zone_combo.setCompleter(completer)
        self.zone_combo.setToolTip(
            "The time zone the days and hours are in. As recorded: each recording's own "
            "(local time where its metadata gives a zone). Type to search, e.g. Berlin."
        )
        self.written_combo = QComboBox()
        for text, value in _WRITTEN:
            self.written_combo.addItem(text, value)
        self.written_combo.setToolTip(
            "Start times written without a time zone (file names): as written, or on UTC "
            "(AudioMoth names its files in UTC unless set otherwise), or in the zone chosen"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Times in"))
        layout.addWidget(self.zone_combo)
        layout.addSpacing(8)
        layout.addWidget(QLabel("Clocks without a zone"))
        layout.addWidget(self.written_combo)
        self.zone_combo.activated.connect(lambda _i: self.changed.emit())
        self.written_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def offer(self, names: list[str]) -> None:
        """Offer these zone names too (the choice shown stays)."""
        have = {self.zone_combo.itemData(i) for i in range(self.zone_combo.count())}
        self.zone_combo.blockSignals(True)
        for name in names:
            if name not in have:
                self.zone_combo.addItem(name, name)
        self.zone_combo.blockSignals(False)

    # ------------------------------------------------------------ values
    @property
    def zone_text(self) -> str:
        """The zone chosen ("" for as recorded)."""
        data = self.zone_combo.currentData()
        return str(data) if data else ""

    @property
    def zone(self) -> dt.tzinfo | None:
        """The zone to convert starts into, or None (each recording's own)."""
        return zone_from_name(self.zone_text)

    @property
    def written_zone(self) -> dt.tzinfo | None:
        """The zone of starts written without one, or None (as written)."""
        value = self.written_combo.currentData()
        if value == "UTC":
            return dt.UTC
        if value == "same":
            return self.zone
        return None

    def choose(self, zone: str = "", written: str = "") -> None:
        """Set both choices (``zone``: an IANA name or ""; ``written``: "", "UTC" or "same").

        Raises
        ------
        ValueError
            If ``zone`` or ``written`` is not offered.
        """
        if zone and self.zone_combo.findData(zone) < 0:
            zone_from_name(zone)  # ValueError for a name that is no zone
            self.offer([zone])
        at = self.zone_combo.findData(zone or "")
        w = self.written_combo.findData(written or "")
        if w < 0:
            raise ValueError(f"{written!r} is not a choice for clocks without a zone")
        self.zone_combo.setCurrentIndex(at)
        self.written_combo.setCurrentIndex(w)
        self.changed.emit()

    # ---------------------------------------------------------- keeping
    def load(self, project: ReviewProject | None) -> None:
        """Show the choice kept with ``project`` (as recorded when none or unknown)."""
        raw = project.settings.get(SETTINGS_KEY) if project is not None else None
        entry = raw if isinstance(raw, dict) else {}
        zone, written = str(entry.get("zone") or ""), str(entry.get("written") or "")
        if zone and self.zone_combo.findData(zone) < 0:
            self.offer([zone])
        at, w = self.zone_combo.findData(zone), self.written_combo.findData(written)
        for combo, index in ((self.zone_combo, at), (self.written_combo, w)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def save(self, project: ReviewProject | None) -> None:
        """Keep the choice with ``project`` (nothing for none or a read-only one).

        Raises
        ------
        OSError
            If the journal cannot be written.
        """
        if project is None or project.read_only:
            return
        value = {"zone": self.zone_text, "written": str(self.written_combo.currentData() or "")}
        if project.settings.get(SETTINGS_KEY) != value:
            project.set_settings(**{SETTINGS_KEY: value})
