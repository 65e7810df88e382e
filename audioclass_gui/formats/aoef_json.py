"""Pieces of AOEF JSON documents written in bounded memory.

:class:`Section` collects the items of a large array in a temporary file
beside the target, so that a document can be written in its usual order
(objects listed before what refers to them) while its parts are made in
another; :func:`write_members` writes an object whose members may be such
sections.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from audioclass_gui.formats.aoef_writer import AOEF_VERSION

__all__ = ["Section", "iso", "iso_now", "write_document", "write_members"]


def iso(epoch: float) -> str:
    """An epoch time as ISO 8601 in UTC (what soundevent writes for aware datetimes)."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat()


def iso_now() -> str:
    """Now, in UTC, as ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat()


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class Section:
    """Items of a JSON array written to a temporary file as they come, copied out later.

    Parameters
    ----------
    folder
        Where the (unnamed) temporary file goes: beside the target, so that
        it takes disk, not memory.
    """

    def __init__(self, folder: Path) -> None:
        self._file: IO[str] = tempfile.TemporaryFile(
            "w+", encoding="utf-8", dir=folder, prefix=".aoef-"
        )
        self.count = 0

    def add(self, item: dict[str, Any]) -> None:
        """Append an item (a JSON object)."""
        self.add_text(_json(item))

    def add_text(self, text: str) -> None:
        """Append an item already encoded as JSON."""
        self._file.write("," + text if self.count else text)
        self.count += 1

    def add_texts(self, texts: list[str]) -> None:
        """Append items already encoded as JSON."""
        if texts:
            self._file.write(("," if self.count else "") + ",".join(texts))
            self.count += len(texts)

    def copy_to(self, out: IO[str]) -> None:
        """Write the items (comma-separated, without brackets) to ``out``."""
        self._file.seek(0)
        while chunk := self._file.read(1 << 18):
            out.write(chunk)

    def close(self) -> None:
        self._file.close()


def write_members(out: IO[str], members: Sequence[tuple[str, Any]]) -> None:
    """Write ``{"key":value,...}``: values are JSON-able, or a :class:`Section` (an array).

    Members whose value is None, or an empty section, are left out (as the
    writer leaves out empty fields).
    """
    out.write("{")
    comma = ""
    for key, value in members:
        if value is None or (isinstance(value, Section) and not value.count):
            continue
        out.write(f"{comma}{_json(key)}:")
        comma = ","
        if isinstance(value, Section):
            out.write("[")
            value.copy_to(out)
            out.write("]")
        else:
            out.write(_json(value))
    out.write("}")


def write_document(
    out: IO[str], members: Sequence[tuple[str, Any]], created_on: str | None = None
) -> None:
    """Write a whole AOEF document: its version and date, then ``data`` (see :func:`write_members`)."""
    out.write(f'{{"version":"{AOEF_VERSION}","created_on":"{created_on or iso_now()}","data":')
    write_members(out, members)
    out.write("}")
