"""The app model: what the window shows and the actions on it, without Qt.

Widgets in :mod:`audioclass_gui.qt` render from an :class:`AppModel` and send
it intents; they never read one another or the main window. The model
announces every change with psygnal signals, as napari's ``ViewerModel``
does, so it can be driven and tested without a display.
"""

from audioclass_gui.app.document import Document, ModelInfo
from audioclass_gui.app.messages import Messages
from audioclass_gui.app.model import AppModel
from audioclass_gui.app.review_state import ReviewState
from audioclass_gui.app.run_state import RunState
from audioclass_gui.app.tasks import ImmediateTasks, Tasks

__all__ = ["AppModel", "Document", "ImmediateTasks", "Messages", "ModelInfo", "ReviewState", "RunState", "Tasks"]
