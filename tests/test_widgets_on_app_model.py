"""Widgets built alone on an app model: no main window, no other widget.

Each test makes one widget (or controller) with an :class:`AppModel`, drives
the model as the rest of the app would, and checks what the widget shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audioclass_gui.app import AppModel
from audioclass_gui.qt.export_dialog import ExportController
from audioclass_gui.qt.review.detection_table import DetectionTable
from audioclass_gui.qt.review.species_panel import SpeciesPanel, SpeciesPanelController
from audioclass_gui.review import Status
from tests.sessions import make_session

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def species_rows(panel: SpeciesPanel) -> dict[str, tuple[str, ...]]:
    table = panel.table
    return {
        table.item(r, 0).text(): tuple(table.item(r, c).text() for c in range(1, table.columnCount()))
        for r in range(table.rowCount())
    }


def test_species_panel_counts_follow_the_app_models_thresholds_and_verdicts(qtbot, tmp_path: Path):
    app = AppModel()
    panel, table = SpeciesPanel(), DetectionTable()
    qtbot.addWidget(panel)
    qtbot.addWidget(table)
    controller = SpeciesPanelController(app, panel, table)
    session = make_session(
        tmp_path,
        [("Turdus merula", 0.9), ("Parus major", 0.3), ("Turdus merula", 0.2), ("Parus major", 0.6)],
    )
    app.document.session = session
    app.recording_opened.emit(None)  # a recording shown: the panel watches its session

    # Columns: detections, accepted, rejected, open; at the default 0.25 threshold.
    assert species_rows(panel) == {"Turdus merula": ("1", "0", "0", "1"), "Parus major": ("2", "0", "0", "2")}

    app.review.set_threshold(0.5)  # recounted within the throttle (200 ms)
    qtbot.waitUntil(lambda: species_rows(panel).get("Parus major", ("",))[0] == "1", timeout=2_000)
    session.set_status([0], Status.ACCEPTED)
    qtbot.waitUntil(lambda: species_rows(panel)["Turdus merula"] == ("1", "1", "0", "0"), timeout=2_000)

    # Choosing a species in the panel filters the app model's list.
    panel.choose_species("Parus major")
    assert app.review.filter.species == frozenset({"Parus major"})
    assert [d.id for d in app.review.listed(session)] == [3]
    controller.deleteLater()


def test_export_dialog_is_refused_with_a_message_when_nothing_is_open(qtbot):
    from PySide6.QtWidgets import QWidget

    app = AppModel()
    parent = QWidget()
    qtbot.addWidget(parent)
    said: list[str] = []
    app.messages.error.connect(lambda title, _text: said.append(title))
    controller = ExportController(app.exports, parent)
    assert controller.ask() is None
    assert said == ["Nothing to export"]
