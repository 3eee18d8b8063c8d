"""Parquet: already typed, read batch by batch from a seekable file (memory-mapped locally,
ranged reads on S3), so a large file never sits in memory; typing only casts where needed."""

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
        self._source = store.open_random_access(key)
        try:
            self._file = pq.ParquetFile(self._source)
        except (pa.ArrowInvalid, OSError):
            self._source.close()
            raise FileParseError(
                "no es un archivo Parquet válido (le falta la marca PAR1 o está cortado); "
                "revise format.type en la ficha o vuelva a exportarlo"
            ) from None
        self.headers = clean_headers(list(self._file.schema_arrow.names))

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self._file.iter_batches(batch_size=BATCH_ROWS):
                yield pa.record_batch(batch.columns, names=self.headers)
        except (pa.ArrowInvalid, OSError):
            raise FileParseError(
                "el archivo Parquet está dañado (una parte no se puede leer); vuelva a exportarlo"
            ) from None
        finally:
            self._source.close()
