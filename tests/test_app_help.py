"""Help › Keyboard shortcuts lists the real keys; Help › About names versions and licences."""

from __future__ import annotations

from pathlib import Path

from audioclass_gui import __version__
from audioclass_gui.qt.common.resources import app_icon, resource_path
from audioclass_gui.qt.help_dialogs import shortcut_rows
from audioclass_gui.qt.main_window import MainWindow


def test_shortcuts_dialog_lists_every_review_key(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    dialog = win.show_shortcuts()
    rows = {(r[1], r[2]) for r in _rows(dialog)}
    for action, keys in [("Accept", "A"), ("Reject", "R"), ("Mark uncertain", "U"),
                         ("Play / pause", "Space"), ("Next detection", "Down"),
                         ("Previous detection", "Up"), ("Undo", "Ctrl+Z"), ("Run", "Ctrl+R")]:
        assert any(a == action and keys in k for a, k in rows), (action, keys, rows)
    # Changing a key changes the dialog: it is generated, not hand-written.
    win.accept_action.setShortcut("Ctrl+Alt+A")
    rows = {(r[1], r[2]) for r in _rows(win.show_shortcuts())}
    assert ("Accept", "Ctrl+Alt+A") in rows
    win.close()


def _rows(dialog):
    t = dialog.table
    return [tuple(t.item(r, c).text() for c in range(3)) for r in range(t.rowCount())]


def test_about_names_versions_model_and_licence(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.model_panel.set_model("birdnet")
    text = win.show_about().label.text()
    assert f"audioclass-gui {__version__}" in text
    assert "PySide6" in text and "soundevent" in text and "ai-edge-litert" in text
    assert "BirdNET v2.4" in text and "CC BY-NC-SA 4.0" in text and "non-commercial" in text
    win.close()


def test_icon_and_desktop_entry_ship():
    icon = resource_path("audioclass-gui.svg")
    assert icon is not None and icon.read_text().startswith("<svg")
    assert not app_icon().isNull()
    desktop = Path(__file__).resolve().parents[1] / "resources" / "audioclass-gui.desktop"
    entry = desktop.read_text()
    assert "Exec=audioclass-gui %f" in entry and "Icon=audioclass-gui" in entry


#: How the README writes keys that Qt names differently.
README_SPELLING = {"PgDown": "PgDn", "Del": "Delete"}


def test_readme_keyboard_table_lists_every_shortcut(qtbot):
    """The README's keyboard table is checked against the live menus, so it cannot rot."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Keyboard", 1)[1].split("\n#", 1)[0]
    keys_in_readme = set()
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| key"):
            cell = line.split("|")[1]
            keys_in_readme.update(k.strip().split(",")[0].strip() for k in cell.split(" / "))
    win = MainWindow()
    qtbot.addWidget(win)
    missing = []
    for menu, action, keys in shortcut_rows(win.menuBar()):
        first = keys.split(", ")[0]
        if README_SPELLING.get(first, first) not in keys_in_readme:
            missing.append(f"{menu} › {action}: {first}")
    assert not missing, "README keyboard table lacks: " + "; ".join(missing)
    win.close()
