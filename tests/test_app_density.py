"""Detection density in the real window: zoomed out, lanes of counts replace the boxes and ticks.

A half-hour recording with about a thousand detections, opened in the
window offscreen. Zoomed out on the whole of it, the spectrogram draws the
density lanes and no box (but the selected one's), the timeline strip draws
the same lanes, and each lane's counts are those of the detections listed;
zoomed in, boxes come back; moving the threshold, or relabelling a
detection, changes the counts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pyqtgraph import ImageItem

from audioclass_gui.app.density import ALL_SPECIES
from audioclass_gui.qt.review.overlay_items import DetectionBox
from audioclass_gui.qt.review.overlays import BOXES, DENSITY
from audioclass_gui.review.density import Bins
from tests.conftest import open_main_window, write_birdnet_csv

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LONG = 1800.0
TIT = ("Parus major", "Great Tit")
BLACKBIRD = ("Turdus merula", "Eurasian Blackbird")
ROBIN = ("Erithacus rubecula", "European Robin")
CHAFFINCH = ("Fringilla coelebs", "Common Chaffinch")
WREN = ("Troglodytes troglodytes", "Eurasian Wren")


def _rows() -> list[tuple]:
    rng = np.random.default_rng(11)
    rows = []
    for s in range(0, int(LONG), 3):
        def add(species, p=1.0, s=s):
            if rng.random() < p:
                rows.append((s, s + 3, *species, f"{rng.uniform(0.1, 1.0):.3f}"))
        add(BLACKBIRD)
        if s < 600:
            add(TIT)
        if s >= 1200:
            add(ROBIN, 0.8)
        add(CHAFFINCH, 0.1)
        if 900 <= s < 960:
            add(WREN)
    return rows


@pytest.fixture
def dawn(tmp_path: Path, reviewer_settings) -> Path:
    """A 30-minute recording with about 1,100 detections of five species, from a BirdNET table."""
    reviewer_settings("Oz")
    root = tmp_path / "dawn"
    root.mkdir()
    audio = root / "dawn.wav"
    rng = np.random.default_rng(5)
    sf.write(audio, (rng.standard_normal(int(LONG * 2000)) * 200).astype(np.int16), 2000)
    write_birdnet_csv(root / "dawn.BirdNET.results.csv", audio, _rows())
    return root


def settle(qtbot, win) -> None:
    win.review._refresh_timer.flush()
    qtbot.waitUntil(lambda: win.overlay.up_to_date, timeout=10_000)
    qtbot.wait(5)


def shown_boxes(win) -> list[DetectionBox]:
    """Box items of the spectrogram's scene that are drawn in the visible range."""
    x0, x1 = win.view.visible_range()
    return [
        item for item in win.view.plot.scene().items()
        if isinstance(item, DetectionBox) and item.isVisible()
        and item.rect().right() > x0 and item.rect().left() < x1
    ]


def lane_images(plot) -> list[ImageItem]:
    """Visible density images in a plot's scene (not the spectrogram's own images)."""
    return [
        item for item in plot.scene().items()
        if isinstance(item, ImageItem) and item.isVisible() and type(item).__name__ == "_LaneImage"
    ]


def expected(win, bins: Bins, species: str | None = None) -> np.ndarray:
    """Counts per bin of the detections the table lists (of one species), by a plain histogram."""
    listed = [d for d in win.review.visible() if species is None or d.common_name == species]
    return np.histogram([d.start for d in listed], bins.edges)[0]


def test_zoomed_out_the_density_replaces_the_boxes_and_comes_back_as_boxes(qtbot, dawn: Path):
    win = open_main_window(qtbot, dawn, threshold=0.25)
    win.app.density.inline_up_to = 0  # built in the thread pool, as for a night's detections
    win.review.refresh()
    settle(qtbot, win)
    listed = len(win.table.ordered_ids())
    assert listed > 600

    # Zoomed in, as it opens: boxes, no lanes.
    assert win.overlay.mode == BOXES
    assert len(shown_boxes(win)) >= 4 and not lane_images(win.view.plot)

    # The whole half hour: one lane of all species and three of species, no box.
    win.zoom_to_fit()
    settle(qtbot, win)
    assert win.overlay.mode == DENSITY and not win.overlay.tick_ids
    selected = win.review.selected
    assert [b.detection_id for b in shown_boxes(win)] == ([selected.id] if selected else [])
    band = win.overlay.density_band.lanes
    names = [lane.name for lane in band.lanes]
    assert names[0] == ALL_SPECIES and len(names) == 4 and "Eurasian Blackbird" in names
    assert len(lane_images(win.view.plot)) == 4
    assert [item.toPlainText().split("  ")[0] for item in band.name_items()] == names
    for lane, row in zip(band.lanes, band.counts, strict=True):
        species = None if lane.species is None else lane.name
        assert np.array_equal(row, expected(win, band.bins, species)), lane.name
    assert band.lanes[0].count == listed

    # The timeline strip shows the same lanes over the whole recording.
    strip = win.timeline.density_lanes
    assert [lane.name for lane in strip.lanes] == names
    assert strip.bins.start == 0.0 and strip.bins.end == pytest.approx(LONG, abs=0.01)
    assert int(strip.counts[0].sum()) == listed
    assert np.array_equal(strip.counts[0], expected(win, strip.bins))
    assert len(lane_images(win.timeline)) == 4
    # Hovering a bin tells its span and count.
    busiest = int(np.argmax(strip.counts[0]))
    tip = strip.tooltip(0, busiest).splitlines()
    assert tip[0] == ALL_SPECIES and tip[-1] == f"{strip.counts[0, busiest]} detections"

    # A higher threshold: fewer detections, counted again (off the GUI thread).
    win.model_panel.set_threshold(0.7)
    settle(qtbot, win)
    fewer = len(win.table.ordered_ids())
    assert 0 < fewer < listed
    assert int(strip.counts[0].sum()) == fewer == band.lanes[0].count
    assert np.array_equal(strip.counts[0], expected(win, strip.bins))
    assert np.array_equal(band.counts[0], expected(win, band.bins))

    # Zoomed in again: boxes, no lanes.
    win.view.set_visible_range(600.0, 630.0)
    settle(qtbot, win)
    assert win.overlay.mode == BOXES and not lane_images(win.view.plot)
    x0, x1 = win.view.visible_range()
    in_view = {d.id for d in win.review.visible() if d.end > x0 and d.start < x1}
    assert in_view and {b.detection_id for b in shown_boxes(win)} == in_view
    win.close()


def test_the_selected_species_leads_and_a_relabel_moves_its_count(qtbot, dawn: Path):
    win = open_main_window(qtbot, dawn, threshold=0.25)
    settle(qtbot, win)
    win.zoom_to_fit()
    settle(qtbot, win)
    strip = win.timeline.density_lanes
    assert "Eurasian Wren" not in [lane.name for lane in strip.lanes]  # too few to rank
    wren = next(d for d in win.review.visible() if d.common_name == "Eurasian Wren")
    win.review.select(wren.id)
    settle(qtbot, win)
    assert [lane.name for lane in strip.lanes][:2] == [ALL_SPECIES, "Eurasian Wren"]
    before = strip.lanes[1].count
    assert np.array_equal(strip.counts[1], expected(win, strip.bins, "Eurasian Wren"))

    # Relabelled to another species, the detection leaves the wren's lane.
    blackbird = next(d for d in win.review.visible() if d.common_name == "Eurasian Blackbird")
    win.review.select(blackbird.id)
    win.review.relabel("Troglodytes troglodytes", advance=False)
    win.review.select(wren.id)
    settle(qtbot, win)
    assert strip.lanes[1].name == "Eurasian Wren" and strip.lanes[1].count == before + 1
    assert int(strip.counts[1].sum()) == before + 1
    win.undo_stack.undo()
    settle(qtbot, win)
    assert strip.lanes[1].count == before
    win.close()


def test_heat_colours_grow_with_the_count_and_an_empty_bin_stays_dim():
    from audioclass_gui.qt.common.density_lanes import COLOURS, EMPTY, heat

    colours = heat(np.array([0, 1, 4, 16, 64]))[0]
    assert tuple(colours[0]) == EMPTY
    assert tuple(colours[-1][:3]) == tuple(COLOURS[-1].astype(np.uint8))
    brightness = colours[1:, :3].astype(int).sum(axis=1)
    assert np.all(np.diff(brightness) > 0) and np.all(colours[1:, 3] > EMPTY[3])
    assert tuple(heat(np.zeros(3))[0, 1]) == EMPTY
