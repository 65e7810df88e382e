"""Review › Precision per species: the precision dialog on the open review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from audioclass_gui.qt.reports.precision_dialog import PrecisionDialog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from audioclass_gui.app import AppModel
    from audioclass_gui.qt.review.review_controller import ReviewController

__all__ = ["open_precision_dialog"]


def open_precision_dialog(app: AppModel, review: ReviewController, parent: QWidget) -> PrecisionDialog | None:
    """The precision dialog (non-modal, follows new verdicts); None, said, without a review."""
    document = app.document
    session = document.session
    if session is None:
        app.messages.say("Open a recording or a project first.", 5000)
        return None
    folder, info = document.folder, document.info
    dialog = PrecisionDialog(
        session,
        parent,
        runner=app.tasks,
        threshold_in_use=lambda name: review.species_thresholds.get(name, review.threshold),
        folder=folder if folder is not None else (info.path.parent if info is not None else None),
    )
    dialog.apply_requested.connect(app.species_thresholds.apply)
    dialog.failed.connect(lambda msg: app.messages.report("Thresholds not saved", msg))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog
