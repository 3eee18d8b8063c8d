"""CSV in any of the district's dialects, streamed with pyarrow in bounded memory."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

from catalog.specs import FileFormat
from ingestion.readers import encoding as enc
from ingestion.readers.base import BATCH_ROWS, FileParseError, MalformedRow, ReaderState
from ingestion.readers.headers import clean_headers
from lake.storage import ObjectStore

_SAMPLE = 1 << 16
_DIAGNOSIS = re.compile(r"(CSV parse error: )?(Row #\d+: )?[^:]*")
#: Small blocks keep the parser's read-ahead (and so peak memory) small; batches are then
#: gathered to BATCH_ROWS rows so that typing works on large vectors.
_BLOCK = 1 << 20


class CsvReader(ReaderState):
    def __init__(self, store: ObjectStore, key: str, fmt: FileFormat) -> None:
        super().__init__()
        self._store, self._key, self._fmt = store, key, fmt
        sample = _head(store, key)
        self.encoding = enc.resolve(fmt.encoding, sample)
        self.headers = self._read_headers(sample)

    def _read_headers(self, sample: bytes) -> list[str]:
        text = _decode_sample(sample, self.encoding, self._key)
        rows = csv.reader(
            io.StringIO(text.lstrip("\ufeff")),
            delimiter=self._fmt.delimiter,
            quotechar=self._fmt.quote,
        )
        header: list[str] | None = None
        for number, row in enumerate(rows, start=1):
            if number == self._fmt.header_row:
                header = row
                break
        if not header or not any(h.strip() for h in header):
            raise FileParseError(
                f"no header found at line {self._fmt.header_row}; check 'format.header_row' "
                f"and 'format.delimiter' ('{self._fmt.delimiter}') in the spec"
            )
        return clean_headers(list(header))

    def _on_invalid(self, row: pacsv.InvalidRow) -> str:
        reason = (
            f"se esperaban {row.expected_columns} columnas y la fila tiene {row.actual_columns}"
        )
        line = row.number if row.number is not None and row.number >= 0 else None
        self.malformed.append(MalformedRow(line, reason, row.text or ""))
        return "skip"

    def locate_skipped_lines(self, header_row: int) -> list[int]:
        return _locate_skipped_lines(
            self._store, self._key, self.encoding, header_row, self.malformed
        )

    def batches(self) -> Iterator[pa.RecordBatch]:
        read_options = pacsv.ReadOptions(
            column_names=self.headers,
            skip_rows=self._fmt.header_row,
            block_size=_BLOCK,
            encoding="utf8" if self.encoding == "utf-8" else self.encoding,
            # Single-threaded parsing: the Python transcoder and the invalid-row callback both
            # need the GIL, and the other stages already use the second core.
            use_threads=False,
        )
        parse_options = pacsv.ParseOptions(
            delimiter=self._fmt.delimiter,
            quote_char=self._fmt.quote,
            newlines_in_values=True,
            invalid_row_handler=self._on_invalid,
        )
        convert_options = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in self.headers},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        stream = self._store.open_input(self._key)
        try:
            try:
                reader = pacsv.open_csv(stream, read_options, parse_options, convert_options)
            except pa.ArrowInvalid as err:
                raise _explain(err, self.encoding) from None
            pending: list[pa.RecordBatch] = []
            pending_rows = 0
            # Small first batches fill the read → type → write pipeline quickly.
            target = BATCH_ROWS // 8
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    if pending:
                        yield _gather(pending)
                    return
                except pa.ArrowInvalid as err:
                    raise _explain(err, self.encoding) from None
                pending.append(batch)
                pending_rows += batch.num_rows
                if pending_rows >= target:
                    yield _gather(pending)
                    pending, pending_rows = [], 0
                    target = min(target * 2, BATCH_ROWS)
        finally:
            stream.close()


def _locate_skipped_lines(
    store: ObjectStore, key: str, encoding: str, header_row: int, malformed: list[MalformedRow]
) -> list[int]:
    """Line numbers of the lines that did not become records (malformed or blank).

    Arrow does not report line numbers, so when a file has malformed rows (rare) it is scanned
    once more, line by line, to place them; each malformed row gets its line, and the sorted
    list lets every other record's line be computed exactly (one record per line assumed).
    """
    pending = [row.text for row in malformed]
    lines: list[int] = []
    stream = store.open_input(key)
    try:
        text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        position = 0
        for number, line in enumerate(text, start=1):
            if number <= header_row:
                continue
            content = line.rstrip("\r\n")
            if not content.strip():
                lines.append(number)
            elif position < len(pending) and content == pending[position]:
                malformed[position] = MalformedRow(number, malformed[position].reason, content)
                lines.append(number)
                position += 1
    finally:
        stream.close()
    return lines


def _gather(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


def _head(store: ObjectStore, key: str) -> bytes:
    stream = store.open_input(key)
    try:
        return stream.read(_SAMPLE)
    finally:
        stream.close()


def _decode_sample(sample: bytes, encoding: str, key: str) -> str:
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError as err:
        if encoding == "utf-8" and err.start >= len(sample) - 4:
            return sample[: err.start].decode(encoding)
        raise FileParseError(
            f"the file is not valid {encoding} (byte 0x{sample[err.start]:02x} at offset "
            f"{err.start}); set 'format.encoding' in the spec (e.g. latin-1) or use 'auto'"
        ) from None


def _explain(err: pa.ArrowInvalid, encoding: str) -> FileParseError:
    text = str(err)
    if "invalid UTF8" in text or "UTF8" in text:
        return FileParseError(
            f"the file is declared {encoding} but holds bytes that are not; set "
            "'format.encoding' in the spec (latin-1 or cp1252 for Windows exports, or 'auto')"
        )
    # Arrow quotes the offending row after the last colon: keep only the diagnosis, never values.
    diagnosis = _DIAGNOSIS.match(text.splitlines()[0] if text else "")
    return FileParseError(
        f"the CSV cannot be parsed ({diagnosis.group(0) if diagnosis else 'unknown error'}); "
        "check 'format.delimiter', 'format.quote' and 'format.encoding' in the spec"
    )
