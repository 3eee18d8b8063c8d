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
from ingestion.readers.archive import check_zip
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
        try:
            self._open(path, fmt)
        except BaseException:
            self._cleanup()
            raise

    def _open(self, path: Path, fmt: FileFormat) -> None:
        from python_calamine import CalamineWorkbook

        with path.open("rb") as stream:
            if stream.read(4) == b"PK\x03\x04":  # .xlsx; legacy .xls (OLE) is not a ZIP
                stream.seek(0)
                check_zip(stream, "libro de Excel")
        try:
            workbook = CalamineWorkbook.from_path(str(path))
            names = workbook.sheet_names
            if fmt.sheet is not None and fmt.sheet not in names:
                raise FileParseError(
                    f"el libro no tiene la hoja '{fmt.sheet}' (tiene: {', '.join(names)}); "
                    "corrija format.sheet en la ficha"
                )
            self._sheet = workbook.get_sheet_by_name(fmt.sheet or names[0])
            self._rows = self._sheet.iter_rows()
            header: list[Any] | None = None
            for _ in range(fmt.header_row):
                header = next(self._rows, None)
        except FileParseError:
            raise
        except Exception as err:  # calamine's errors are plain exceptions with a Rust message
            raise FileParseError(
                f"no es un libro de Excel válido ({type(err).__name__}); ábralo en Excel, "
                "guárdelo como .xlsx y entréguelo de nuevo, o revise format.type en la ficha"
            ) from None
        if not header or not any(v not in (None, "") for v in header):
            raise FileParseError(
                f"no hay encabezado en la fila {fmt.header_row} de la hoja "
                f"'{fmt.sheet or names[0]}'; revise format.header_row y format.sheet en la ficha"
            )
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
            self._cleanup()

    def _cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
