"""The reader interface and the choice of reader by format."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa

from catalog.specs import FileFormat
from lake.storage import ObjectStore

#: Rows per batch: large enough for vectorised work, small enough to bound memory.
BATCH_ROWS = 64_000


class FileParseError(ValueError):
    """The whole file cannot be read; the message says what is wrong and what to change."""


@dataclass(frozen=True)
class MalformedRow:
    """A row the parser could not split into the header's columns (kept, never dropped)."""

    line: int | None
    reason: str
    text: str


class FileReader(Protocol):
    headers: list[str]
    malformed: list[MalformedRow]

    def batches(self) -> Iterator[pa.RecordBatch]: ...


@dataclass
class ReaderState:
    headers: list[str] = field(default_factory=list)
    malformed: list[MalformedRow] = field(default_factory=list)


def open_reader(store: ObjectStore, key: str, fmt: FileFormat) -> FileReader:
    """A reader for the raw object ``key`` according to the spec's format hints."""
    if fmt.type == "csv":
        from ingestion.readers.csv import CsvReader

        return CsvReader(store, key, fmt)
    if fmt.type == "json":
        from ingestion.readers.json import JsonReader

        return JsonReader(store, key, fmt)
    if fmt.type == "xlsx":
        from ingestion.readers.xlsx import XlsxReader

        return XlsxReader(store, key, fmt)
    if fmt.type == "parquet":
        from ingestion.readers.parquet import ParquetReader

        return ParquetReader(store, key, fmt)
    raise FileParseError(f"unsupported format '{fmt.type}'")
