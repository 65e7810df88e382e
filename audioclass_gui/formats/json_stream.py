"""Walk a large JSON document in bounded memory, a value or a chunk of items at a time.

:class:`JsonStream` reads a UTF-8 file a few megabytes at a time and hands
out the members of its objects (:meth:`JsonStream.keys`) and the items of
its arrays in lists (:meth:`JsonStream.chunks`). Each value is decoded by
the C scanner of :mod:`json` (the one ``json.loads`` uses), so a document
of millions of small objects is read at the standard library's speed
without ever being held whole.

Anything the walker does not expect (a syntax error, a value larger than
:data:`MAX_VALUE` characters, bytes that are not UTF-8) raises
:class:`NotStreamable`; callers then read the file another way.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from json.scanner import make_scanner
from typing import IO, Any

__all__ = ["MAX_VALUE", "JsonStream", "NotStreamable"]

#: Characters read from the file per step.
READ_SIZE = 4 << 20
#: The largest single value (an item of an array, or a member) read whole.
MAX_VALUE = 64 << 20
#: Items handed out per chunk by :meth:`JsonStream.chunks`.
CHUNK_ITEMS = 20_000

_SPACE = re.compile(r"[ \t\n\r]*")


class NotStreamable(ValueError):
    """The document is not laid out (or not written) as the walker expects."""


class JsonStream:
    """A cursor over a JSON document read from a binary file.

    Parameters
    ----------
    handle
        The file, opened in binary mode.
    read_size
        Characters read per step (tests use small ones).
    """

    def __init__(self, handle: IO[bytes], *, read_size: int = READ_SIZE) -> None:
        self._handle = handle
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._read_size = read_size
        self._scan = make_scanner(json.JSONDecoder())
        self.buf = ""
        self.pos = 0
        self.eof = False

    def _fill(self) -> bool:
        """Append the next part of the file to the buffer; False at its end."""
        if self.eof:
            return False
        raw = self._handle.read(self._read_size)
        try:
            more = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise NotStreamable(f"not UTF-8 ({exc})") from exc
        self.eof = not raw
        self.buf = self.buf[self.pos :] + more
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def take(self, char: str) -> None:
        """Step over ``char`` (after white space); raise if something else is there."""
        if self.peek() != char:
            raise NotStreamable(f"expected {char!r} at character {self.pos}")
        self.pos += 1

    def value(self) -> Any:
        """Decode the value that starts here (after white space)."""
        self.peek()
        while True:
            try:
                obj, end = self._scan(self.buf, self.pos)
            except (StopIteration, ValueError):
                if len(self.buf) - self.pos > MAX_VALUE or not self._fill():
                    raise NotStreamable(f"not JSON at character {self.pos}") from None
                continue
            if end >= len(self.buf) and self._fill():
                continue  # a number may go on past the buffer: read on, decode again
            self.pos = end
            return obj

    def keys(self) -> Iterator[str]:
        """The keys of the object that starts here; read or skip each one's value.

        The caller must consume the member's value (:meth:`value` or
        :meth:`chunks`) before asking for the next key.
        """
        self.take("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise NotStreamable(f"an object key that is not a string: {key!r}")
            self.take(":")
            yield key
            end = self.peek()
            self.pos += 1
            if end == "}":
                return
            if end != ",":
                raise NotStreamable(f"expected ',' or '}}' at character {self.pos - 1}")

    def chunks(self, size: int = CHUNK_ITEMS) -> Iterator[list[Any]]:
        """The items of the array that starts here (or of ``null``), in lists of ``size``."""
        if self.peek() == "n":
            if self.value() is not None:
                raise NotStreamable("expected an array")
            return
        self.take("[")
        if self.peek() == "]":
            self.pos += 1
            return
        scan, space = self._scan, _SPACE.match
        out: list[Any] = []
        while True:
            if not self.peek():  # (white space may run over a part's end)
                raise NotStreamable("the document ends inside an array")
            buf, pos = self.buf, self.pos
            n = len(buf)
            done = False
            while True:
                try:
                    obj, end = scan(buf, pos)
                except (StopIteration, ValueError):
                    break  # cut off by the buffer's end (or not JSON): read on
                if end >= n:
                    break
                sep = buf[end]
                if sep not in ",]":
                    end = space(buf, end).end()  # type: ignore[union-attr]
                    if end >= n:
                        break
                    sep = buf[end]
                if sep == ",":
                    pos = space(buf, end + 1).end()  # type: ignore[union-attr]
                    out.append(obj)
                    if pos >= n:
                        break
                elif sep == "]":
                    pos = end + 1
                    out.append(obj)
                    done = True
                    break
                else:
                    raise NotStreamable(f"expected ',' or ']' at character {end}")
                if len(out) >= size:
                    break
            self.pos = pos
            if done:
                if out:
                    yield out
                return
            if len(out) >= size:
                yield out
                out = []
                continue
            if len(self.buf) - self.pos > MAX_VALUE or not self._fill():
                raise NotStreamable(f"not JSON at character {self.pos}")
