"""Detection density: index and counts per bin at 500 k and 1 M detections in one 24-h recording.

For each size, detections are made as a night's BirdNET run gives them:
start times on the 3-s grid of a 24-h recording (several species per
window), 300 species with a few common ones (Zipf-like), in display order
(sorted by start, as the overlay hands them over) and shuffled. It times,
best of several runs:

- ``build``: :meth:`~audioclass_gui.review.density.DensityIndex.build`
  (runs off the GUI thread above :data:`~audioclass_gui.app.density.INLINE_UP_TO`);
- ``species``: the species codes of the listed rows from the session's
  columns, relabels applied (:func:`~audioclass_gui.review.density.shown_species`;
  made with the index, off the GUI thread);
- ``lanes``: the four lanes drawn (all species and three species) for 2,048
  bins (on the GUI thread, on every zoom that changes the bin width);
- ``every species``: one lane per species present, 2,048 bins;
- ``build + lanes``: what a threshold change costs in all.

Reference, measured in the same run on the same start times:
``numpy.histogram(starts, 2048, (0, 86400))`` (all species, one lane). Each
figure is printed with its ratio to it, and the index's all-species lane is
checked to be equal to the histogram.

With Qt importable, ``heat`` times the GUI-thread drawing of the four lanes
(colours and images, :class:`~audioclass_gui.qt.common.density_lanes.DensityLanes`).

Usage: python benchmarks/density.py [--sizes 500000 1000000]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from audioclass_gui.app.density import INLINE_UP_TO
from audioclass_gui.review.density import Bins, DensityIndex, shown_species
from audioclass_gui.review.session_types import Columns

DAY = 86_400.0
BINS = 2048
SPECIES = 300


def detections(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Start times (sorted, on the 3-s grid) and species codes of ``n`` detections."""
    windows = int(DAY // 3)
    starts = np.sort(rng.integers(0, windows, n)).astype(np.float64) * 3.0
    weights = 1.0 / np.arange(1, SPECIES + 1)
    species = rng.choice(SPECIES, size=n, p=weights / weights.sum()).astype(np.int32)
    return starts, species


def best(fn, repeat: int = 7) -> float:
    """Best wall time of ``fn()`` in ms."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1e3


def heat_ms(index: DensityIndex, bins: Bins) -> float | None:
    """GUI-thread cost of drawing four lanes (None without Qt)."""
    try:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        import pyqtgraph as pg
        from PySide6.QtWidgets import QApplication

        from audioclass_gui.app.density import Lane
        from audioclass_gui.qt.common.density_lanes import DensityLanes
        from audioclass_gui.qt.common.time_format import TimeFormat
    except ImportError:
        return None
    _app = QApplication.instance() or QApplication([])
    widget = pg.PlotWidget()  # kept alive while timed
    lanes = DensityLanes(widget.getPlotItem(), TimeFormat)
    codes = [None, *index.top(3)]
    chosen = [Lane(k, str(k), index.count_of(k)) for k in codes]
    ms = best(lambda: lanes.set_lanes(chosen, index.lanes(bins, codes), bins))
    widget.deleteLater()
    return ms


def run(n: int) -> None:
    rng = np.random.default_rng(n)
    starts, species = detections(n, rng)
    shuffled = rng.permutation(n)
    starts_shuffled, species_shuffled = starts[shuffled], species[shuffled]
    bins = Bins(0.0, DAY, BINS)

    reference = best(lambda: np.histogram(starts, BINS, (0.0, DAY)))
    index = DensityIndex.build(starts, species)
    assert np.array_equal(index.counts(bins), np.histogram(starts, BINS, (0.0, DAY))[0])
    codes = [None, *index.top(3)]
    label = np.full(n, -1, np.int32)
    label[rng.choice(n, n // 100, replace=False)] = 7  # one in a hundred relabelled
    cols = Columns(0, np.zeros(n), starts, starts + 3, np.zeros(n, np.int32), species,
                   np.zeros(n, np.int8), label)
    rows = np.arange(n)
    figures = {
        "build (in order)": best(lambda: DensityIndex.build(starts, species)),
        "build (shuffled)": best(lambda: DensityIndex.build(starts_shuffled, species_shuffled)),
        "species (columns)": best(lambda: shown_species(cols, rows)),
        "lanes (4 x 2048 bins)": best(lambda: index.lanes(bins, codes)),
        "every species (2048 bins)": best(
            lambda: index.lanes(bins, index.species.tolist())
        ),
        "build + lanes": best(lambda: DensityIndex.build(starts, species).lanes(bins, codes)),
    }
    heat = heat_ms(index, bins)
    if heat is not None:
        figures["heat (draw 4 lanes)"] = heat
    print(f"\n{n:,} detections in 24 h, {len(index.species)} species "
          f"(built off the GUI thread above {INLINE_UP_TO:,})")
    print(f"  {'reference: np.histogram':28s} {reference:9.3f} ms")
    for name, ms in figures.items():
        print(f"  {name:28s} {ms:9.3f} ms   x{ms / reference:7.3f} of the reference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500_000, 1_000_000])
    for n in parser.parse_args().sizes:
        run(n)


if __name__ == "__main__":
    main()
