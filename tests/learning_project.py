"""A small project for the window's learning tests: tones a feature model tells apart.

Two recordings of 1-s tones at 8 kHz; each frequency stands for a species
and BandModel's band energies (``tests/embedding_fakes.py``) separate
them. A BirdNET-Analyzer CSV per recording predicts, for every 1-s window,
its true species (score 0.7) and a wrong one (score 0.4), so that the
review has detections to accept, reject and search from.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_birdnet_csv
from tests.embedding_fakes import tones

#: Tone frequency -> (scientific, common name).
SPECIES = {
    500.0: ("Turdus merula", "Eurasian Blackbird"),
    2000.0: ("Parus major", "Great Tit"),
    3000.0: ("Erithacus rubecula", "European Robin"),
}
#: The tones of each recording, one per second.
RECORDINGS = {
    "a": [500.0, 2000.0, 500.0, 3000.0, 2000.0, 500.0, 3000.0, 2000.0] * 3,
    "b": [2000.0, 500.0, 3000.0, 500.0, 2000.0, 3000.0, 500.0, 2000.0] * 3,
}


def make_project(root: Path) -> Path:
    """Write the recordings and their CSV tables into ``root``; return it."""
    root.mkdir(parents=True, exist_ok=True)
    freqs = sorted(SPECIES)
    for stem, tones_of in RECORDINGS.items():
        audio = tones(root / f"{stem}.wav", tones_of)
        rows = []
        for second, freq in enumerate(tones_of):
            sci, common = SPECIES[freq]
            wrong_sci, wrong_common = SPECIES[freqs[(freqs.index(freq) + 1) % len(freqs)]]
            rows.append((float(second), second + 1.0, sci, common, 0.7))
            rows.append((float(second), second + 1.0, wrong_sci, wrong_common, 0.4))
        write_birdnet_csv(root / f"{stem}.BirdNET.results.csv", audio, rows)
    return root


def windows_of(species: str) -> set[tuple[str, float]]:
    """``(recording stem, start)`` of every window holding ``species``'s tone."""
    return {
        (stem, float(i))
        for stem, tones_of in RECORDINGS.items()
        for i, f in enumerate(tones_of)
        if SPECIES[f][0] == species
    }
