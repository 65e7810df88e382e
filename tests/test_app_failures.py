"""A model that raises inside the worker: the error is shown, the window stays."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from audioclass_gui.qt.main_window import MainWindow
from tests.plugin_dist import make_distribution
from tests.test_app_review import open_and_run

FAILING = textwrap.dedent(
    '''
    import numpy as np
    from soundevent import data

    from audioclass_gui.models import ClipClassificationModel


    class ExplodingModel(ClipClassificationModel):
        """Fails on its second batch, like a model running out of memory."""

        title = "Exploding model"
        name = "Exploding"
        samplerate = 16000
        input_samples = 16000
        num_classes = 1
        batch_size = 2

        def __init__(self, confidence_threshold=0.5):
            self.confidence_threshold = confidence_threshold
            self.tags = [data.Tag(key="event", value="boom")]
            self.calls = 0

        def process_array(self, array):
            self.calls += 1
            if self.calls > 1:
                raise RuntimeError("the model ran out of memory")
            from audioclass_gui.models import ModelOutput
            n = array.shape[0]
            return ModelOutput(np.full((n, 1), 0.9, np.float32), np.zeros((n, 1), np.float32))
    '''
)


@pytest.fixture
def exploding_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "site"
    root.mkdir()
    make_distribution(root, "exploding-plugin", "exploding_plugin", FAILING,
                      "exploding = exploding_plugin:ExplodingModel")
    monkeypatch.syspath_prepend(str(root))


def test_model_error_is_shown_and_window_survives(qtbot, exploding_plugin, calls_wav: Path):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    # Plugins are listed once the window's background look at the packages is done.
    qtbot.waitUntil(lambda: win.model_panel.set_model("exploding"), timeout=10_000)
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(calls_wav)
    with qtbot.waitSignal(win.error_reported, timeout=30_000) as blocker:
        win.run_model("exploding")
    message = blocker.args[0]
    assert "Exploding model failed" in message and "ran out of memory" in message
    assert calls_wav.name in message
    qtbot.waitUntil(lambda: not win.inference.running, timeout=10_000)
    assert win.isVisible()
    assert win.model_panel.run_button.isEnabled()
    # Detections of the batch before the failure are kept and shown.
    assert len(win.session.detections()) == 2
    # The same window runs another model afterwards.
    open_and_run(qtbot, win, calls_wav, model="energy")
    assert sorted(int(d.start) for d in win.review.visible()) == [1, 5, 9]
    win.close()


SLOW = textwrap.dedent(
    '''
    import time

    import numpy as np
    from soundevent import data

    from audioclass_gui.models import ClipClassificationModel, ModelOutput


    class SlowModel(ClipClassificationModel):
        """Takes 50 ms per one-second frame, so a run can be cancelled midway."""

        title = "Slow model"
        name = "Slow"
        samplerate = 8000
        input_samples = 8000
        num_classes = 1
        batch_size = 1

        def __init__(self, confidence_threshold=0.5):
            self.confidence_threshold = confidence_threshold
            self.tags = [data.Tag(key="event", value="tick")]

        def process_array(self, array):
            time.sleep(0.05)
            n = array.shape[0]
            return ModelOutput(np.full((n, 1), 0.9, np.float32), np.zeros((n, 1), np.float32))
    '''
)


def test_cancel_stops_the_run_and_keeps_what_was_found(qtbot, tmp_path: Path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    make_distribution(root, "slow-plugin", "slow_plugin", SLOW, "slow = slow_plugin:SlowModel")
    monkeypatch.syspath_prepend(str(root))
    from tests.conftest import write_calls

    rec = write_calls(tmp_path / "long.wav", duration=600.0, samplerate=8000, calls=())
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.recording_opened, timeout=10_000):
        win.open_path(rec)
    win.model_panel.set_model("slow")
    win.model_panel.run_button.click()
    qtbot.waitUntil(lambda: len(win.session.detections()) >= 5, timeout=20_000)
    assert win.model_panel.cancel_button.isEnabled()
    # The window stays responsive while the model runs: the threshold moves the table.
    win.model_panel.set_threshold(0.95)
    assert win.table.model().rowCount() == 0
    win.model_panel.set_threshold(0.5)
    with qtbot.waitSignal(win.run_finished, timeout=10_000) as blocker:
        win.model_panel.cancel_button.click()
    assert blocker.args == [True]
    found = len(win.session.detections())
    assert 5 <= found < 600
    assert "Cancelled" in win.model_panel.progress.format()
    assert win.model_panel.run_button.isEnabled()
    win.close()
