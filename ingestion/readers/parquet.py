"""Parquet: already typed, read in row-group batches; typing only casts where needed."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from catalog.specs import FileFormat
from ingestion.readers.base import BATCH_ROWS, FileParseError, ReaderState
from ingestion.readers.headers import clean_headers
from lake.storage import ObjectStore


class ParquetReader(ReaderState):
    def __init__(self, store: ObjectStore, key: str, fmt: FileFormat) -> None:
        super().__init__()
        self._stream = store.open_input(key)
        try:
            self._file = pq.ParquetFile(pa.BufferReader(self._stream.read()))
        except pa.ArrowInvalid as err:
            raise FileParseError(f"not a valid Parquet file ({err})") from None
        finally:
            self._stream.close()
        self.headers = clean_headers(list(self._file.schema_arrow.names))

    def batches(self) -> Iterator[pa.RecordBatch]:
        for batch in self._file.iter_batches(batch_size=BATCH_ROWS):
            yield pa.record_batch(batch.columns, names=self.headers)
