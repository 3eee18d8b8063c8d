"""Skim a JSON document in bounded memory: count the records of one array, keep the rest.

API pages (Socrata, CKAN's ``datastore_search``) can hold tens of thousands of records. The
connectors store the page bytes as received and only need to know how many records a page
held and a few small fields (``success``, ``result.total``, an error message). This module
walks the document with :meth:`json.JSONDecoder.raw_decode`, one record at a time, so memory
stays at one read chunk plus one record, whatever the page size.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CHUNK = 1 << 20
_WHITESPACE = " \t\n\r"


class JsonScanError(ValueError):
    """The bytes are not the JSON document they should be."""


@dataclass
class Skim:
    """``records``: length of the array at the path (``None`` if the path is not there);
    ``values``: every other member met on the way, by dotted key (``"$"`` for a top-level
    value that is not the expected container, e.g. an error object)."""

    records: int | None = None
    values: dict[str, Any] = field(default_factory=dict)


class _Scanner:
    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read
        self._decoder = json.JSONDecoder()
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._buf = ""
        self._pos = 0
        self._consumed = 0  # characters dropped from the front of the buffer
        self._eof = False
        self._first = True

    def _fill(self) -> None:
        if self._eof:
            return
        data = self._read(CHUNK)
        self._eof = not data
        try:
            text = self._utf8.decode(data, final=self._eof)
        except UnicodeDecodeError as err:
            raise JsonScanError(f"not UTF-8 text ({err.reason})") from None
        if self._first and text:
            text = text.lstrip("\ufeff")
            self._first = False
        self._consumed += self._pos
        self._buf = self._buf[self._pos :] + text
        self._pos = 0

    def _where(self) -> str:
        return f"character {self._consumed + self._pos}"

    def peek(self) -> str | None:
        """The next non-blank character (not consumed), ``None`` at the end."""
        while True:
            buf, pos = self._buf, self._pos
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                pos += 1
            self._pos = pos
            if pos < len(buf):
                return buf[pos]
            if self._eof:
                return None
            self._fill()

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            shown = "the end of the data" if found is None else repr(found)
            raise JsonScanError(f"expected {char!r} at {self._where()}, found {shown}")
        self._pos += 1

    def value(self) -> Any:
        if self.peek() is None:
            raise JsonScanError("the data ends before the document does")
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as err:
                if self._eof:
                    raise JsonScanError(f"{err.msg} at {self._where()}") from None
                self._fill()
                continue
            if end == len(self._buf) and not self._eof:
                self._fill()  # a number may go on in the next chunk
                continue
            self._pos = end
            return value

    def count_array(self) -> int:
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return 0
        count = 0
        while True:
            self.value()
            count += 1
            if self.peek() == ",":
                self._pos += 1
                continue
            self.expect("]")
            return count

    def walk(self, path: tuple[str, ...], prefix: str, skim: Skim) -> None:
        here = prefix.rstrip(".") or "$"
        char = self.peek()
        if not path:
            if char == "[":
                skim.records = self.count_array()
            else:
                skim.values[here] = self.value()
            return
        if char != "{":
            skim.values[here] = self.value()
            return
        self.expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise JsonScanError(f"an object key is not a string at {self._where()}")
            self.expect(":")
            if key == path[0]:
                self.walk(path[1:], f"{prefix}{key}.", skim)
            else:
                skim.values[prefix + key] = self.value()
            if self.peek() == ",":
                self._pos += 1
                continue
            self.expect("}")
            return


def skim_json(read: Callable[[int], bytes], records_path: tuple[str, ...] = ()) -> Skim:
    """Read a whole JSON document from ``read`` and skim it (see :class:`Skim`)."""
    scanner = _Scanner(read)
    skim = Skim()
    if scanner.peek() is None:
        raise JsonScanError("the response is empty")
    scanner.walk(records_path, "", skim)
    if scanner.peek() is not None:
        raise JsonScanError(f"unexpected data after the document at {scanner._where()}")
    return skim
