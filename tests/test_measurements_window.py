"""The Measurements panel through the real window: draw a box over a call, read its Peak Freq."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq
from soundevent import data, terms

from audioclass_gui.app import AppModel
from audioclass_gui.app.measurements import SELECTION_KEY
from audioclass_gui.audio.info import read_info
from audioclass_gui.qt.review.measurements_panel import MeasurementsPanel
from audioclass_gui.review import ReviewSession
from tests.conftest import write_calls
from tests.test_boxes_app import draw, open_folder

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SR = 32_000
CALL = (2.0, 2.6, 5000.0)


@pytest.fixture
def folder(tmp_path: Path, reviewer_settings) -> Path:
    reviewer_settings("Eve")
    root = tmp_path / "site"
    root.mkdir()
    write_calls(root / "a.wav", duration=6.0, samplerate=SR, calls=(CALL,))
    return root


def _peak(panel: MeasurementsPanel, key: str) -> float | None:
    text = panel.cell(key, "Peak Freq (Hz)")
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def test_a_box_drawn_over_a_call_shows_its_peak_freq(qtbot, folder: Path) -> None:
    win = open_folder(qtbot, folder)
    panel = win.measurements.panel
    assert panel.table.rowCount() == 0 and not panel.hint.isHidden()
    box = draw(qtbot, win, 1.9, 3500, 2.7, 6500, "Strix aluco")
    qtbot.waitUntil(lambda: _peak(panel, box.id) is not None, timeout=10_000)
    bin_hz = SR / win.spectrogram_settings.params().window_length
    assert abs(_peak(panel, box.id) - CALL[2]) <= bin_hz
    assert float(panel.cell(box.id, "Delta Time (s)")) == pytest.approx(box.end - box.start, abs=1e-3)
    assert panel.cell(box.id, "Species") == "Tawny Owl"
    # The call's power rises and falls as sin^2 (write_calls' ramp): 5 % of its energy
    # lies before x of its length where x - sin(2 pi x) / (2 pi) = 0.05.
    x5 = brentq(lambda x: x - np.sin(2 * np.pi * x) / (2 * np.pi) - 0.05, 0.0, 0.5)
    dur = (CALL[1] - CALL[0]) * (1 - 2 * x5)
    assert float(panel.cell(box.id, "Dur 90% (s)")) == pytest.approx(dur, abs=0.02)
    # A time selection (Shift+drag) gets a row of its own, measured over the whole band.
    win.view.set_selection((1.8, 2.8))
    qtbot.waitUntil(lambda: _peak(panel, SELECTION_KEY) is not None, timeout=10_000)
    assert abs(_peak(panel, SELECTION_KEY) - CALL[2]) <= bin_hz
    assert panel.cell(SELECTION_KEY, "High Freq (Hz)") == "Nyquist"
    # Clicking the box's row selects the box.
    row = next(r for r in range(panel.table.rowCount()) if panel.key_at(r) == box.id)
    win.boxes.select(None)
    panel.table.cellClicked.emit(row, 0)
    assert win.boxes.selected == box.id
    # The spectrogram's settings are the measurements': a finer bin measures again.
    params = win.spectrogram_settings.params()
    win.spectrogram_settings.set_params(replace(params, window_length=4096))
    qtbot.waitUntil(lambda: win.app.measurements.params.window_length == 4096, timeout=5_000)
    qtbot.waitUntil(lambda: _peak(panel, box.id) is not None, timeout=10_000)
    assert abs(_peak(panel, box.id) - CALL[2]) <= SR / 4096
    win.close()


def test_the_columns_shown_are_chosen_and_remembered(qtbot, config_dir: Path) -> None:
    panel = MeasurementsPanel()
    qtbot.addWidget(panel)
    assert "Peak Freq (Hz)" in panel.shown and "Freq 5% (Hz)" not in panel.shown
    panel.set_shown(["Freq 5% (Hz)", "Freq 95% (Hz)"])
    headers = [panel.table.horizontalHeaderItem(c).text() for c in range(panel.table.columnCount())]
    assert headers[-2:] == ["Freq 5%\n(Hz)", "Freq 95%\n(Hz)"] and "Peak Freq\n(Hz)" not in headers
    again = MeasurementsPanel()
    qtbot.addWidget(again)
    assert again.shown == ["Freq 5% (Hz)", "Freq 95% (Hz)"]
    again.set_shown([])
    assert MeasurementsPanel().shown == []


def test_the_app_model_measures_boxes_and_the_selection_once(tmp_path: Path) -> None:
    """Without Qt: the tasks run at once; moving one box measures only that box again."""
    path = write_calls(tmp_path / "a.wav", duration=6.0, samplerate=SR, calls=(CALL,))
    app = AppModel()
    session = ReviewSession(data.Recording.from_file(path, compute_hash=False))
    app.document.session = session
    app.document.info = read_info(path)
    seen: list[list] = []
    app.measurements.changed.connect(seen.append)
    one = session.add_box(path, 1.9, 2.7, 4000.0, 6000.0, "Strix aluco").box_id
    two = session.add_box(path, 0.2, 0.8).box_id  # an interval over noise only
    rows = {r.key: r for r in app.measurements.rows}
    assert abs(rows[one].result.peak_freq - CALL[2]) <= rows[one].result.bin_hz
    assert rows[two].result.delta_freq == SR / 2 and rows[two].kind == "interval"
    calls = []
    import audioclass_gui.spectrogram.measurements as m

    real = m.measure_many

    def counting(info, spans, params=None, **kw):
        calls.append(list(spans))
        return real(info, spans, params, **kw)

    m.measure_many = counting
    try:
        session.move_box(one, 1.8, 2.8, 4000.0, 6000.0)
        app.measurements.set_selection((1.0, 3.0))
    finally:
        m.measure_many = real
    assert calls == [[(1.8, 2.8, 4000.0, 6000.0)], [(1.0, 3.0, None, None)]]
    keys = [r.key for r in app.measurements.rows]
    assert keys == [SELECTION_KEY, one, two]
    # A selection past the end of the recording says why it has no values.
    app.measurements.set_selection((7.0, 8.0))
    [selection] = [r for r in app.measurements.rows if r.key == SELECTION_KEY]
    assert selection.result is None and "past the end" in selection.problem
    assert not selection.pending
    # One longer than ten minutes would hold a worker the tiles need: not measured here.
    app.measurements.set_selection((0.0, 601.0))
    assert "too long to measure" in app.measurements.rows[0].problem


def test_the_window_export_measures_with_progress(tmp_path: Path) -> None:
    """File › Export… › Raven: boxes measured (accepted detections on request), step by step."""
    from audioclass_gui.formats.raven import read_raven_table
    from audioclass_gui.formats.verdict_tables import COMBINED_RAVEN_NAME
    from audioclass_gui.review import Status

    path = write_calls(tmp_path / "a.wav", duration=6.0, samplerate=SR, calls=(CALL,))
    rec = data.Recording.from_file(path, compute_hash=False)
    session = ReviewSession(rec)
    tag = data.Tag(term=terms.scientific_name, value="Strix aluco")
    clip = data.Clip(recording=rec, start_time=1.5, end_time=4.5)
    session.add_predictions([data.ClipPrediction(clip=clip, tags=[data.PredictedTag(tag=tag, score=0.9)])])
    session.set_status(session.query().tolist(), Status.ACCEPTED)
    box = session.add_box(path, 1.9, 2.7, 4000.0, 6000.0, "Strix aluco").box_id
    app = AppModel()
    app.document.session = session
    said: list[str] = []
    app.messages.status.connect(lambda text, _ms: said.append(text))
    written: list[dict] = []
    app.exports.finished.connect(written.append)
    app.exports.export("raven", tmp_path / "boxes", measure="boxes")
    rows = read_raven_table(tmp_path / "boxes" / COMBINED_RAVEN_NAME)
    by_verdict = {r["Verdict"]: r for r in rows}
    assert abs(float(by_verdict["drawn"]["Peak Freq (Hz)"]) - CALL[2]) <= SR / 1024
    assert by_verdict["accepted"]["Peak Freq (Hz)"] == ""
    assert "Measuring for the Raven tables: 0 of 1 rows…" in said and written
    app.exports.export("raven", tmp_path / "accepted", measure="accepted")
    rows = read_raven_table(tmp_path / "accepted" / COMBINED_RAVEN_NAME)
    assert all(abs(float(r["Peak Freq (Hz)"]) - CALL[2]) <= SR / 1024 for r in rows)
    assert box in {b.id for b in session.boxes()}
    app.exports.export("raven", tmp_path / "plain")
    assert "Peak Freq (Hz)" not in (tmp_path / "plain" / COMBINED_RAVEN_NAME).read_text()


def test_the_export_dialog_offers_measuring_accepted_detections(qtbot, tmp_path: Path) -> None:
    from audioclass_gui.qt.export_dialog import ExportDialog

    dialog = ExportDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.choose("raven")
    assert dialog._form.isRowVisible(dialog.measure) and dialog.measure_choice() == "boxes"
    dialog.measure.setChecked(True)
    assert dialog.measure_choice() == "accepted"
    dialog.choose("audacity")
    assert not dialog._form.isRowVisible(dialog.measure)
