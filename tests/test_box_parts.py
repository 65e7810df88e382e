"""The box controller's helpers, each built alone: the drawing gesture and the box layer.

The controller itself (tagging, notes, moves, undo) is tested through the
real window in ``test_boxes_app.py``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QWidget

from audioclass_gui.app import AppModel
from audioclass_gui.qt.review.box_drawing import BOX, INTERVAL, MIN_SPAN, BoxDrawing
from audioclass_gui.qt.review.box_layer import BoxLayer
from audioclass_gui.review import Box


@pytest.fixture
def drawing(qtbot):
    """A drawing gesture over a stand-in 60 s view up to 8 kHz."""
    viewport = QWidget()
    qtbot.addWidget(viewport)
    plot = pg.PlotItem()
    view = SimpleNamespace(
        duration=60.0, nyquist=8000.0, plot=plot, viewport=lambda: viewport
    )
    app = AppModel()
    said: list[str] = []
    app.messages.status.connect(lambda text, _ms: said.append(text))
    return BoxDrawing(app, view), said


def test_what_is_drawn_is_kept_inside_the_recording(drawing) -> None:
    draw, _ = drawing
    assert draw.clamp(12.0, 10.0, 5000.0, 3000.0) == (10.0, 12.0, 3000.0, 5000.0)
    assert draw.clamp(58.0, 70.0, -100.0, 9000.0) == (58.0, 60.0, 0.0, 8000.0)
    assert draw.clamp(5.0, 7.0, 1.0, 2.0, interval=True) == (5.0, 7.0, None, None)
    assert draw.clamp(5.0, 5.0 + MIN_SPAN[0] / 2, 1000.0, 3000.0) is None  # a click
    assert draw.clamp(5.0, 7.0, 1000.0, 1000.0 + MIN_SPAN[1] / 2) is None  # too thin
    assert draw.clamp(61.0, 65.0, 1000.0, 3000.0) is None  # after the end


def test_drawing_modes_toggle_and_cancel(drawing) -> None:
    draw, said = drawing
    modes: list[object] = []
    draw.mode_changed.connect(modes.append)
    draw.toggle(BOX)
    assert draw.drawing and draw.mode == BOX and "draw a box" in said[-1]
    draw.toggle(INTERVAL)  # another mode replaces it
    assert draw.mode == INTERVAL and "time interval" in said[-1]
    draw.toggle(INTERVAL)  # the same mode again turns it off
    assert not draw.drawing and said[-1] == ""
    draw.toggle(BOX)
    draw.cancel()
    assert modes == [BOX, INTERVAL, None, BOX, None] and not draw.drawing


def test_box_layer_draws_selects_and_reports_moves(qtbot, tmp_path: Path) -> None:
    plot = pg.PlotItem()
    menus: list[str] = []
    layer = BoxLayer(plot, lambda box_id, _menu: menus.append(box_id))
    recording = tmp_path / "a.wav"
    boxes = [
        Box("b1", recording, 1.0, 2.0, 1000.0, 3000.0, "Parus major"),
        Box("b2", recording, 4.0, 6.0),  # a time interval
    ]
    for box in boxes:
        layer.add(box, box.scientific_name or "untagged", "tip", (0.0, 8000.0), 10.0)
    assert set(layer.rois) == set(layer.labels) == {"b1", "b2"}
    assert all(item in plot.items for item in (*layer.rois.values(), *layer.labels.values()))
    assert layer.rois["b2"].bounds() == (4.0, 6.0, 0.0, 8000.0)  # over the whole band
    assert layer.labels["b1"].toolTip() == "tip"

    layer.set_selected("b2")
    assert [layer.rois[b].selected for b in ("b1", "b2")] == [False, True]

    moved: list[tuple[str, tuple]] = []
    layer.moved.connect(lambda bid, item: moved.append((bid, item.bounds())))
    layer.rois["b1"].setPos((3.0, 1000.0), finish=True)  # as a drag ends
    assert moved == [("b1", (3.0, 4.0, 1000.0, 3000.0))]

    kept = list(layer.rois.values())
    layer.clear()
    assert not layer.rois and not layer.labels
    assert not any(item in plot.items for item in kept)
