"""The train dialog and the Find-similar banner on an app model (no window)."""

from __future__ import annotations

import pytest

from audioclass_gui.qt.learn.similar_banner import SimilarBanner
from audioclass_gui.qt.learn.train_dialog import TrainDialog
from tests.test_app_learning import BLACKBIRD, ROBIN, accept_truth, app, compute  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_train_dialog_shows_examples_then_figures_then_saves(qtbot, app) -> None:  # noqa: F811
    compute(app)
    accept_truth(app)
    dialog = TrainDialog(app.learning)
    qtbot.addWidget(dialog)
    assert dialog.species.count() == 3 and not dialog.train_button.isEnabled()
    dialog.choose([ROBIN])
    assert "Erithacus rubecula: 12 positive, 36 negative (25 % positive)" in dialog.summary.text()
    assert dialog.name.text() == "rubecula"
    dialog.train_button.click()
    assert dialog.figures.rowCount() == 1
    assert dialog.figures.item(0, 0).text() == f"European Robin ({ROBIN})"
    assert dialog.figures.item(0, 2).text().startswith("1.00 (")
    assert not dialog.run_button.isEnabled()
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    assert saved.args[0].name == "rubecula.npz" and saved.args[0].is_file()
    assert dialog.run_button.isEnabled() and dialog.least_button.isEnabled()
    # Ticking another species asks again, and the old figures go.
    dialog.choose([BLACKBIRD, ROBIN])
    assert "Turdus merula: 18 positive, 30 negative" in dialog.summary.text()
    assert dialog.figures.rowCount() == 0 and not dialog.save_button.isEnabled()


def test_banner_says_what_is_listed_and_how_far(qtbot) -> None:
    banner = SimilarBanner()
    qtbot.addWidget(banner)
    assert banner.k.value() == 100
    banner.show_list("Similar to Song Thrush at rec.wav 0:12 — 100 matches", 3, 100)
    assert banner.text() == "Similar to Song Thrush at rec.wav 0:12 — 100 matches — 3 of 100 reviewed"
    with qtbot.waitSignal(banner.back_requested):
        banner.back_button.click()
