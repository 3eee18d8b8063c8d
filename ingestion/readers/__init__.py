"""Readers turn one raw file into a stream of Arrow record batches, whatever its format.

Every reader yields batches whose columns are named by the file's (de-duplicated) headers and,
for text formats, hold the values as strings: typing happens afterwards, in one vectorised place
(:mod:`ingestion.coercion`), so every format gets the same parsing rules and error reasons.
Rows that cannot even be split into columns are collected as :class:`MalformedRow`.
"""

from __future__ import annotations

from ingestion.readers.base import FileParseError, FileReader, MalformedRow, open_reader

__all__ = ["FileParseError", "FileReader", "MalformedRow", "open_reader"]
