"""The demo recording is credited where the app and its README say who made what."""

from __future__ import annotations

import re
from pathlib import Path

from audioclass_gui.audio.demo import DEMO_CREDIT

ROOT = Path(__file__).resolve().parents[1]


def _help_action(win, text: str):
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Help")
    return next(a for a in menu.actions() if a.text() == text)


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_about_names_the_demo_recording_its_source_and_licence(window):
    text = _plain(window.show_about().label.text())
    assert "Demo recording" in text and "birds_10s.wav" in text
    assert "OpenSoundscape" in text and "opensoundscape 0.13.2" in text
    assert "github.com/kitzeslab/opensoundscape" in text
    assert "MIT License, Copyright (c) 2020 University of Pittsburgh" in text
    assert "Help › Licences" in text


def test_help_licences_shows_every_licence_in_full(qtbot, window):
    from audioclass_gui.qt.help_dialogs import LicencesDialog

    _help_action(window, "&Licences").trigger()
    [dialog] = [d for d in window.findChildren(LicencesDialog) if d.isVisible()]
    assert not dialog.isModal()
    text = dialog.text.toPlainText()
    assert "audioclass-gui is free software under the MIT License" in text
    assert "CC BY-NC-SA 4.0" in text and "Ecological Informatics 61" in text
    # The eBird codes and translated names come from BirdNET-Analyzer (MIT): credited, licence in full.
    assert "BirdNET-Analyzer 2.4.0" in text and "Copyright (c) 2024 birdnet-team" in text
    assert text.count("Permission is hereby granted") >= 2  # the demo's and this MIT licence
    # The demo recording's licence in full, as the MIT licence asks for every copy.
    assert "birds_10s.wav" in text and DEMO_CREDIT.author in text
    assert "Copyright (c) 2020 University of Pittsburgh" in text
    assert "The above copyright notice and this permission notice shall be included" in text
    assert "PySide6 / Qt (LGPL-3.0)" in text


def test_readme_credits_the_demo_recording():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    credits = readme.split("## Licences and credits", 1)[1]
    assert "birds_10s.wav" in credits and "demo recording" in credits
    assert "OpenSoundscape" in credits and "opensoundscape` 0.13.2" in credits
    assert "MIT License, Copyright (c) 2020 University of Pittsburgh" in credits
    assert "synthetic" not in readme  # the old generated demo is gone everywhere
