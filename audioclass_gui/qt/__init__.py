"""Every widget of the app. Logic lives in the Qt-free packages beside this one."""

import PySide6.QtCore  # noqa: F401  (loads PySide6's import hook, made faster below)

from audioclass_gui.qt.pyside_import_hook import install as _install_import_hook

_install_import_hook()
