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
from ingestion.readers.sniff import check_text, line_at
from lake.storage import ObjectStore

_SAMPLE = 1 << 16
_DIAGNOSIS = re.compile(r"(CSV parse error: )?(Row #\d+: )?[^:]*")
#: Small blocks keep the parser's read-ahead (and so peak memory) small; batches are then
#: gathered to BATCH_ROWS rows so that typing works on large vectors.
_BLOCK = 1 << 20
#: A field or line longer than a block makes Arrow stop ("straddling object"); the file is then
#: read again with blocks 16 times larger, up to this size. Beyond it the file is refused: no
#: real district value is 16 MB long, but an unterminated quote or a file without line breaks
#: looks like one.
_MAX_BLOCK = 16 << 20
#: A malformed row's text kept in quarantine is cut here: a 5 MB "row" is a broken file, and
#: the whole of it stays, byte for byte, in the raw zone.
_KEPT_TEXT = 64 << 10


class _Straddling(Exception):
    """A field or a line did not fit in one parser block."""


class CsvReader(ReaderState):
    def __init__(self, store: ObjectStore, key: str, fmt: FileFormat) -> None:
        super().__init__()
        self._store, self._key, self._fmt = store, key, fmt
        sample = _head(store, key)
        check_text(sample, "CSV", fmt.encoding)
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
                f"no hay encabezado en la línea {self._fmt.header_row} (está vacía o el archivo "
                "tiene menos líneas); revise format.header_row y format.delimiter "
                f"('{self._fmt.delimiter}') en la ficha"
            )
        return clean_headers(list(header))

    def _on_invalid(self, row: pacsv.InvalidRow) -> str:
        reason = (
            f"se esperaban {row.expected_columns} columnas y la fila tiene {row.actual_columns}"
        )
        if (row.text or "").count(self._fmt.quote) % 2:
            reason += (
                f"; tiene una comilla ({self._fmt.quote}) sin cerrar, que une las líneas "
                "siguientes a esta fila: revise format.quote o corrija la comilla"
            )
        line = row.number if row.number is not None and row.number >= 0 else None
        text = row.text or ""
        if len(text) > _KEPT_TEXT:
            reason += (
                f"; la fila mide {len(text) >> 10} KB: aquí se guardan sus primeros "
                f"{_KEPT_TEXT >> 10} KB y la completa sigue en la zona raw"
            )
            text = text[:_KEPT_TEXT]
        self.malformed.append(MalformedRow(line, reason, text))
        return "skip"

    def locate_skipped_lines(self, header_row: int) -> list[int]:
        return _locate_skipped_lines(
            self._store, self._key, self.encoding, header_row, self.malformed
        )

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The file's rows; when a field does not fit in a block, the file is read again with
        larger blocks, skipping the rows already handed over (nothing is repeated)."""
        block, done = _BLOCK, 0
        while True:
            try:
                for batch in self._read(block, done):
                    done += batch.num_rows
                    yield batch
                return
            except _Straddling:
                if block >= _MAX_BLOCK:
                    raise FileParseError(
                        f"después del registro {done} hay un campo o una línea de más de "
                        f"{_MAX_BLOCK >> 20} MB: suele ser una comilla ({self._fmt.quote}) sin "
                        "cerrar o un archivo sin saltos de línea; revise format.quote y "
                        "format.delimiter en la ficha, o el archivo"
                    ) from None
                block = min(block * 16, _MAX_BLOCK)
                self.malformed.clear()  # found again by the new pass

    def _read(self, block: int, skip: int) -> Iterator[pa.RecordBatch]:
        read_options = pacsv.ReadOptions(
            column_names=self.headers,
            skip_rows=self._fmt.header_row,
            block_size=block,
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
                raise self._explain(err) from None
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
                    raise self._explain(err) from None
                if skip:
                    dropped = min(skip, batch.num_rows)
                    batch, skip = batch.slice(dropped), skip - dropped
                    if not batch.num_rows:
                        continue
                pending.append(batch)
                pending_rows += batch.num_rows
                if pending_rows >= target:
                    yield _gather(pending)
                    pending, pending_rows = [], 0
                    target = min(target * 2, BATCH_ROWS)
        finally:
            stream.close()

    def _explain(self, err: pa.ArrowInvalid) -> Exception:
        """A publisher's message for Arrow's error (never the row's values)."""
        text = str(err)
        if "straddling" in text:
            return _Straddling()
        if "UTF8" in text:
            return self._encoding_error()
        # Arrow quotes the offending row after the last colon: keep only the diagnosis.
        diagnosis = _DIAGNOSIS.match(text.splitlines()[0] if text else "")
        return FileParseError(
            f"el CSV no se puede interpretar ({diagnosis.group(0) if diagnosis else 'error'}); "
            "revise format.delimiter, format.quote y format.encoding en la ficha"
        )

    def _encoding_error(self) -> FileParseError:
        stream = self._store.open_input(self._key)
        try:
            where = enc.first_invalid(stream, self.encoding)
        finally:
            stream.close()
        place = f" (línea {where[0]}, byte 0x{where[2]:02x})" if where else ""
        return FileParseError(
            f"el archivo se declaró {self.encoding.upper()} pero tiene bytes que no lo son"
            f"{place}: parte del archivo está en otra codificación; declare format.encoding "
            "(latin-1 o cp1252 para exportes de Windows) en la ficha o entregue todo en UTF-8"
        )


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
            elif position < len(pending) and _same_row(content, pending[position]):
                malformed[position] = MalformedRow(number, malformed[position].reason, content)
                lines.append(number)
                position += 1
    finally:
        stream.close()
    return lines


def _same_row(content: str, kept: str) -> bool:
    """Whether a line is the malformed row kept (perhaps cut at :data:`_KEPT_TEXT`)."""
    return content == kept or (len(kept) == _KEPT_TEXT and content.startswith(kept))


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
            f"el archivo no es {encoding.upper()} válido (byte 0x{sample[err.start]:02x} en la "
            f"línea {line_at(sample, err.start)}); declare format.encoding en la ficha (por "
            "ejemplo latin-1 o cp1252 para exportes de Windows) o use 'auto'"
        ) from None
