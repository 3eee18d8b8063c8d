"""Excel workbooks, read with calamine (fast, no formulas evaluated, no macros run)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from catalog.specs import FileFormat
from ingestion.readers.base import BATCH_ROWS, FileParseError, ReaderState
from ingestion.readers.headers import clean_headers
from lake.storage import LocalStore, ObjectStore


def _as_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


class XlsxReader(ReaderState):
    def __init__(self, store: ObjectStore, key: str, fmt: FileFormat) -> None:
        super().__init__()
        from python_calamine import CalamineWorkbook

        self._tmp: Path | None = None
        if isinstance(store, LocalStore):
            path = store.root / key
        else:
            with (
                tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle,
                store.open_input(key) as source,
            ):
                shutil.copyfileobj(source, handle)
            path = self._tmp = Path(handle.name)
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        if fmt.sheet is not None and fmt.sheet not in names:
            raise FileParseError(f"no sheet '{fmt.sheet}' (sheets: {', '.join(names)})")
        self._sheet = workbook.get_sheet_by_name(fmt.sheet or names[0])
        self._rows = self._sheet.iter_rows()
        header: list[Any] | None = None
        for _ in range(fmt.header_row):
            header = next(self._rows, None)
        if not header:
            raise FileParseError(f"no header at row {fmt.header_row}; check 'format.header_row'")
        self.headers = clean_headers([_as_text(v) for v in header])

    def batches(self) -> Iterator[pa.RecordBatch]:
        width = len(self.headers)
        try:
            while True:
                columns: list[list[str | None]] = [[] for _ in range(width)]
                count = 0
                for row in self._rows:
                    values = [_as_text(v) for v in row[:width]]
                    values += [None] * (width - len(values))
                    for column, value in zip(columns, values, strict=True):
                        column.append(value)
                    count += 1
                    if count == BATCH_ROWS:
                        break
                if count == 0:
                    return
                yield pa.record_batch(
                    [pa.array(c, pa.string()) for c in columns], names=self.headers
                )
                if count < BATCH_ROWS:
                    return
        finally:
            if self._tmp is not None:
                self._tmp.unlink(missing_ok=True)
