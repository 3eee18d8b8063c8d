"""Choosing a text encoding: what the spec declares, or a guess from the first bytes."""

from __future__ import annotations

import codecs
from typing import BinaryIO

_UTF8_NAMES = {"utf8", "utf-8", "utf_8", "utf-8-sig", "utf8-sig"}


def canonical(encoding: str) -> str:
    """A Python codec name (``latin-1`` → ``iso8859-1``), or ``utf-8`` for every UTF-8 spelling."""
    if encoding.lower() in _UTF8_NAMES:
        return "utf-8"
    return codecs.lookup(encoding).name


def detect(sample: bytes) -> str:
    """UTF-8 if the sample decodes as UTF-8, else the best guess of charset-normalizer.

    District exports are UTF-8 (with or without BOM), ISO-8859-1 or Windows-1252; a strict
    UTF-8 decode tells the first from the others cheaply and without false positives.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(sample) - 4:  # not merely a character cut at the sample's end
            from charset_normalizer import from_bytes

            best = from_bytes(sample).best()
            guess = canonical(best.encoding) if best else "cp1252"
            # cp1252 is a superset of latin-1 for printable text; prefer it for Windows exports.
            return "cp1252" if guess in {"iso8859-1", "latin-1"} else guess
    return "utf-8"


def resolve(declared: str, sample: bytes) -> str:
    return detect(sample) if declared.lower() == "auto" else canonical(declared)


def first_invalid(stream: BinaryIO, encoding: str) -> tuple[int, int, int] | None:
    """``(line, offset, byte)`` of the first byte that is not ``encoding``, or ``None``.

    Arrow only says that a file is not valid UTF-8, not where; when that happens the file is
    scanned once more, in 1 MiB chunks, so the publisher is told the line to look at.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    line, offset = 1, 0
    while chunk := stream.read(1 << 20):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as err:
            position = max(err.start - (len(err.object) - len(chunk)), 0)  # minus carried bytes
            bad = err.object[err.start]
            return line + chunk.count(b"\n", 0, position), offset + position, bad
        line += chunk.count(b"\n")
        offset += len(chunk)
    return None
