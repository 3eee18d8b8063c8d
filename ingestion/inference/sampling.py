"""Read a bounded sample of a file, per format, for spec inference.

Format detection (magic bytes, then extension), and for text files the dialect: encoding,
delimiter, quote and header row, guessed from the first ``HEAD_BYTES``. Each sampler (CSV, XLSX,
Parquet, JSON) reads at most ``sample_rows`` rows, never the whole file, and hands column
inference a :class:`Sample`: the cleaned headers and one string column per header (typed columns
for Parquet).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ada.settings import Zone
from catalog.specs import FileFormat
from ingestion.readers.headers import clean_headers
from lake.storage import LocalStore

#: Bytes read from the start of the file to guess encoding, delimiter, quote and header row.
HEAD_BYTES = 1 << 20
#: A CSV sample never reads more than this many bytes, whatever ``sample_rows`` asks for.
MAX_CSV_SAMPLE_BYTES = 256 << 20
#: JSON is sampled from at most this many bytes (records beyond are not needed for a sample).
JSON_SAMPLE_BYTES = 32 << 20
#: Rows looked at to find the header row and the delimiter.
DIALECT_ROWS = 200
HEADER_SEARCH_ROWS = 30


NUMBERISH = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?%?$")


#: Keys under which APIs nest their records (CKAN ``result.records``, Socrata views ``data``).
_RECORD_KEYS = {"records", "data", "results", "rows", "items", "features", "registros", "datos"}


_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".json": "json",
    ".ndjson": "json",
    ".jsonl": "json",
    ".geojson": "json",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}


class InferenceError(ValueError):
    """The file cannot be sampled (unknown format, empty, not a table)."""


@dataclass
class Sample:
    """What a format-specific sampler hands to column inference."""

    fmt: dict[str, Any]
    headers: list[str]
    raw_headers: list[str]
    columns: list[pa.Array]
    rows: int
    truncated: bool
    notes: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str | None = None


def read_head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def detect_format(path: Path, head: bytes) -> tuple[str, list[str]]:
    notes: list[str] = []
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    by_magic: str | None = None
    if head.startswith(b"PAR1"):
        by_magic = "parquet"
    elif head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            names = []
        if not any(n.startswith("xl/") for n in names):
            raise InferenceError(
                f"{path.name} es un ZIP que no es un libro de Excel; descomprímalo y entregue "
                "el archivo de datos"
            )
        by_magic = "xlsx"
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        by_magic = "xlsx"
        notes.append("El archivo es un libro de Excel antiguo (.xls); se lee como hoja de cálculo.")
    else:
        text = _strip_bom(head[:4096]).lstrip()
        if text[:1] in (b"[", b"{"):
            by_magic = "json"
        elif b"\x00" in head[:4096] and not head.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            raise InferenceError(f"{path.name} parece un archivo binario de formato desconocido")
    if by_magic and by_extension and by_magic != by_extension:
        notes.append(
            f"La extensión '{path.suffix}' no coincide con el contenido; se leyó como {by_magic}."
        )
    chosen = by_magic or by_extension or "csv"
    if not by_magic and not by_extension:
        notes.append(f"Extensión '{path.suffix}' desconocida: se leyó como texto delimitado.")
    return chosen, notes


def _strip_bom(data: bytes) -> bytes:
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if data.startswith(bom):
            return data[len(bom) :]
    return data


def _detect_encoding(head: bytes, truncated: bool) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM), UTF-16 (with BOM), else cp1252 or latin-1."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", ["El archivo empieza con BOM UTF-8 (se tolera)."]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", ["El archivo está en UTF-16 (exportación 'Texto Unicode' de Excel)."]
    try:
        head.decode("utf-8")
        return "utf-8", []
    except UnicodeDecodeError as err:
        if truncated and err.start >= len(head) - 4:
            return "utf-8", []
    high_controls = any(0x80 <= b <= 0x9F for b in head)
    if high_controls:
        try:
            head.decode("cp1252")
            return "cp1252", [
                "Codificación cp1252 (Windows), no UTF-8: verifique tildes y eñes en la muestra."
            ]
        except UnicodeDecodeError:
            pass
    return "latin-1", [
        "Codificación latin-1 (ISO-8859-1), no UTF-8: verifique tildes y eñes en la muestra."
    ]


def _decode(data: bytes, encoding: str) -> str:
    python_name = "utf-8-sig" if encoding == "utf-8" else encoding
    return data.decode(python_name, errors="replace").lstrip("\ufeff")


def _complete_lines(head: bytes, truncated: bool, encoding: str) -> bytes:
    """Drop the partial last line of a truncated head (whole lines only)."""
    if not truncated:
        return head
    newline = "\n".encode(encoding if encoding != "utf-16" else "utf-16-le")
    cut = head.rfind(newline)
    if encoding == "utf-16" and cut % 2:
        cut = head.rfind(newline, 0, cut)
    return head[: cut + len(newline)] if cut > 0 else head


def _rows(text: str, delimiter: str, quote: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def _detect_delimiter(text: str, extension: str) -> tuple[str, float]:
    """The delimiter that splits most rows into the same (largest) number of fields."""
    scores: list[tuple[float, int, str]] = []
    for delimiter in [",", ";", "\t", "|"]:
        for quote in ('"', "'"):
            rows = [
                r for r in _rows(text, delimiter, quote, DIALECT_ROWS) if any(map(str.strip, r))
            ]
            if not rows:
                continue
            width, hits = Counter(len(r) for r in rows).most_common(1)[0]
            if width <= 1:
                continue
            consistency = hits / len(rows)
            if extension in (".tsv", ".tab") and delimiter == "\t":
                consistency += 0.05
            scores.append((consistency, width, delimiter))
    if not scores:
        return ",", 0.0
    best = max(s[0] for s in scores)
    near = [s for s in scores if s[0] >= best - 0.05]
    consistency, _width, delimiter = max(near, key=lambda s: (s[1], s[0]))
    return delimiter, min(consistency, 1.0)


def _detect_quote(text: str, delimiter: str) -> str:
    d = re.escape(delimiter)
    counts = {}
    for quote in ('"', "'"):
        q = re.escape(quote)
        field_pattern = rf"(?:^|{d})[ \t]*{q}[^{q}\n]*{q}[ \t]*(?={d}|\r?$)"
        counts[quote] = len(re.findall(field_pattern, text, re.M))
    return "'" if counts["'"] > counts['"'] else '"'


def _looks_like_value(cell: str) -> bool:
    value = cell.strip().replace("$", "").replace(" ", "")
    return bool(NUMBERISH.match(value)) or bool(re.match(r"^\d{1,4}[/-]\d{1,2}[/-]\d{1,4}", value))


def _find_header(rows: list[list[str]]) -> int:
    """0-based index of the header among ``rows`` (titles and blank lines above are skipped)."""
    filled = [sum(1 for c in r if c.strip()) for r in rows]
    width = max(filled, default=0)
    if width == 0:
        raise InferenceError("el archivo no tiene filas con datos")
    needed = max(1, math.ceil(width * 0.5))
    candidates = [i for i, n in enumerate(filled) if n >= needed]
    for index in candidates:
        cells = [c for c in rows[index] if c.strip()]
        values = sum(1 for c in cells if _looks_like_value(c))
        if values < len(cells) * 0.5:
            return index
    return candidates[0]


class _PrefixStore(LocalStore):
    """The first bytes of a file, served to the CSV reader as if they were the whole file."""

    def __init__(self, path: Path, data: bytes) -> None:
        super().__init__(Zone.LANDING, path.parent)
        self._name, self._data = path.name, data

    def get_bytes(self, key: str) -> bytes:
        return self._data if key == self._name else super().get_bytes(key)

    def open_input(self, key: str) -> pa.NativeFile:
        return pa.BufferReader(self._data) if key == self._name else super().open_input(key)


def _csv_prefix(
    path: Path, head: bytes, size: int, rows_wanted: int, encoding: str, quote: str
) -> bytes:
    """Enough whole rows from the start of the file for the sample (never the whole of a big file).

    The size is estimated from the head's average line length with a wide margin; the cut falls
    on a line end outside quotes, so the last record is never a partial one.
    """
    if size <= len(head):
        return head
    per_line = len(head) / max(1, head.count(b"\n"))
    budget = int(per_line * rows_wanted * 1.5) + len(head)
    budget = min(size, max(len(head), budget), MAX_CSV_SAMPLE_BYTES)
    data = head if budget <= len(head) else read_head(path, budget)
    if len(data) >= size:
        return data
    data = _complete_lines(data, True, encoding)
    if encoding != "utf-16":
        mark = quote.encode("ascii", "ignore")
        for _ in range(1000):  # inside a quoted field: back to an earlier line end
            if not mark or data.count(mark) % 2 == 0:
                break
            cut = data.rfind(b"\n", 0, len(data) - 1)
            if cut <= 0:
                break
            data = data[: cut + 1]
    return data


def sample_csv(path: Path, sample_rows: int) -> Sample:
    from ingestion.readers.csv import CsvReader

    size = path.stat().st_size
    head = read_head(path, HEAD_BYTES)
    truncated = size > len(head)
    encoding, notes = _detect_encoding(head, truncated)
    text = _decode(_complete_lines(head, truncated, encoding), encoding)
    delimiter, consistency = _detect_delimiter(text, path.suffix.lower())
    if consistency < 0.9:
        notes.append(
            f"El separador '{show(delimiter)}' no divide todas las filas en el mismo número de "
            "columnas: revise 'format.delimiter' y las filas mal formadas."
        )
    quote = _detect_quote(text[: 1 << 16], delimiter)
    rows = _rows(text, delimiter, quote, HEADER_SEARCH_ROWS)
    header_index = _find_header(rows)
    fmt: dict[str, Any] = {
        "type": "csv",
        "encoding": encoding,
        "delimiter": delimiter,
        "quote": quote,
        "header_row": header_index + 1,
    }
    prefix = _csv_prefix(path, head, size, sample_rows + header_index + 2, encoding, quote)
    reader = CsvReader(_PrefixStore(path, prefix), path.name, FileFormat(**fmt))
    batches: list[pa.RecordBatch] = []
    rows_read = 0
    more = len(prefix) < size
    for batch in reader.batches():
        if batch.num_rows > sample_rows - rows_read:
            more = True
            batch = batch.slice(0, sample_rows - rows_read)
        batches.append(batch)
        rows_read += batch.num_rows
        if rows_read >= sample_rows:
            break
    if reader.malformed:
        notes.append(
            f"{len(reader.malformed)} filas de la muestra no tienen el número de columnas del "
            "encabezado (irán a cuarentena): revise separador y comillas."
        )
    table = pa.Table.from_batches(
        batches, schema=pa.schema([(h, pa.string()) for h in reader.headers])
    )
    raw_headers = rows[header_index] if header_index < len(rows) else reader.headers
    return Sample(
        fmt=fmt,
        headers=list(reader.headers),
        raw_headers=[h.replace("\ufeff", "").strip() for h in raw_headers],
        columns=[c.combine_chunks() for c in table.columns],
        rows=table.num_rows,
        truncated=more,
        notes=notes,
        encoding=encoding,
        delimiter=delimiter,
    )


def sample_xlsx(path: Path, sample_rows: int) -> Sample:
    from python_calamine import CalamineWorkbook

    from ingestion.readers.xlsx import _as_text

    workbook = CalamineWorkbook.from_path(str(path))
    names = workbook.sheet_names
    if not names:
        raise InferenceError(f"{path.name} no tiene hojas")
    notes: list[str] = []
    if len(names) > 1:
        notes.append(
            f"El libro tiene {len(names)} hojas ({', '.join(names)}); se usó '{names[0]}': "
            "cambie 'format.sheet' si los datos están en otra."
        )
    rows_iter: Iterator[list[Any]] = iter(workbook.get_sheet_by_name(names[0]).iter_rows())
    top: list[list[str]] = []
    for row in rows_iter:
        top.append(["" if (t := _as_text(v)) is None else t for v in row])
        if len(top) >= HEADER_SEARCH_ROWS:
            break
    header_index = _find_header(top)
    raw_headers = top[header_index]
    headers = clean_headers(list(raw_headers))
    width = len(headers)
    data: list[list[str | None]] = [[] for _ in range(width)]

    def add(values: list[Any]) -> None:
        cells = [_as_text(v) for v in values[:width]]
        cells += [None] * (width - len(cells))
        for column, value in zip(data, cells, strict=True):
            column.append(value)

    rows = 0
    for row in top[header_index + 1 :]:
        if rows >= sample_rows:
            break
        add([v if v != "" else None for v in row])
        rows += 1
    more = False
    for row in rows_iter:
        if rows >= sample_rows:
            more = True
            break
        add(list(row))
        rows += 1
    fmt = {"type": "xlsx", "sheet": names[0], "header_row": header_index + 1}
    return Sample(
        fmt=fmt,
        headers=headers,
        raw_headers=[h.strip() for h in raw_headers],
        columns=[pa.array(c, pa.string()) for c in data],
        rows=rows,
        truncated=more,
        notes=notes,
    )


def sample_parquet(path: Path, sample_rows: int) -> Sample:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    names = list(parquet.schema_arrow.names)
    headers = clean_headers(list(names))
    batches: list[pa.RecordBatch] = []
    rows = 0
    for batch in parquet.iter_batches(batch_size=min(sample_rows, 65_536)):
        batch = batch.slice(0, sample_rows - rows)
        batches.append(batch)
        rows += batch.num_rows
        if rows >= sample_rows:
            break
    table = pa.Table.from_batches(batches, schema=parquet.schema_arrow)
    total = parquet.metadata.num_rows
    return Sample(
        fmt={"type": "parquet"},
        headers=headers,
        raw_headers=names,
        columns=[c.combine_chunks() for c in table.columns],
        rows=rows,
        truncated=total > rows,
    )


def _json_records(
    text: str, complete: bool, sample_rows: int
) -> tuple[list[Any], str | None, bool]:
    """(records, records_path, ndjson) from the start of a JSON document."""
    decoder = json.JSONDecoder()
    if complete:
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            document = None
        if document is not None:
            records, records_path = _records_in(document)
            return records[:sample_rows], records_path, False
    start = _skip_ws(text, 0)
    if text[start : start + 1] == "[":
        return _array_items(text, start, sample_rows), None, False
    # An object first: NDJSON (one object per line) or records nested under a key.
    try:
        _first, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError:
        end = -1  # the first object is larger than the sample: records nested inside it
    if end > 0 and "\n" in text[end : _skip_ws(text, end) + 1]:
        return _ndjson(text, sample_rows), None, True
    found = _find_list(text, start) if text[start : start + 1] == "{" else None
    if found is None:
        raise InferenceError(
            "no se encontró una lista de registros al comienzo del JSON; "
            "defina 'format.records_path'"
        )
    path, position = found
    return _array_items(text, position, sample_rows), ".".join(path), False


def _skip_ws(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _records_in(document: Any) -> tuple[list[Any], str | None]:
    """The document's list of records: the longest list of objects within three levels."""
    if isinstance(document, list):
        return document, None
    if not isinstance(document, dict):
        raise InferenceError("el JSON no contiene registros")
    found: list[tuple[int, list[str], list[Any]]] = []
    queue: list[tuple[list[str], dict[str, Any]]] = [([], document)]
    while queue:
        path, node = queue.pop(0)
        for key, value in node.items():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value[:50]):
                found.append((len(value), [*path, str(key)], value))
            elif isinstance(value, dict) and len(path) < 3:
                queue.append(([*path, str(key)], value))
    if not found:
        return [document], None
    _length, path, records = max(found, key=lambda f: (f[0], f[1][-1] in _RECORD_KEYS))
    return records, ".".join(path)


def _array_items(text: str, position: int, limit: int) -> list[Any]:
    decoder = json.JSONDecoder()
    items: list[Any] = []
    position = _skip_ws(text, position + 1)
    while position < len(text) and text[position] != "]" and len(items) < limit:
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            break  # the sample ends inside this record
        items.append(item)
        position = _skip_ws(text, position)
        if text[position : position + 1] == ",":
            position = _skip_ws(text, position + 1)
    return items


def _ndjson(text: str, limit: int) -> list[Any]:
    records: list[Any] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
        if len(records) >= limit:
            break
    return records


def _find_list(text: str, position: int) -> tuple[list[str], int] | None:
    """Where the records start in an object that the sample cuts: the list of objects that runs
    past the end of the sample, else the longest complete one (keys walked, values skipped)."""
    complete: list[tuple[int, list[str], int]] = []
    cut = _walk_object(text, position, [], complete)
    if cut is not None:
        return cut
    if not complete:
        return None
    _length, path, start = max(complete, key=lambda c: (c[0], c[1][-1] in _RECORD_KEYS))
    return path, start


def _walk_object(
    text: str, position: int, path: list[str], complete: list[tuple[int, list[str], int]]
) -> tuple[list[str], int] | None:
    decoder = json.JSONDecoder()
    position = _skip_ws(text, position + 1)
    try:
        while position < len(text) and text[position] != "}":
            key, position = decoder.raw_decode(text, position)
            position = _skip_ws(text, _skip_ws(text, position) + 1)  # past the ':'
            here = [*path, str(key)]
            char = text[position : position + 1]
            after = _skip_ws(text, position + 1)
            if char == "{" and len(path) < 3:
                cut = _walk_object(text, position, here, complete)
                if cut is not None:
                    return cut
            try:
                value, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError:
                if char == "[" and text[after : after + 1] == "{":
                    return here, position  # the records run past the sample
                raise
            if char == "[" and isinstance(value, list) and value and isinstance(value[0], dict):
                complete.append((len(value), here, position))
            position = _skip_ws(text, end)
            if text[position : position + 1] == ",":
                position = _skip_ws(text, position + 1)
    except json.JSONDecodeError:
        return None
    return None


def sample_json(path: Path, sample_rows: int) -> Sample:
    from ingestion.readers.json import _as_text

    size = path.stat().st_size
    head = read_head(path, JSON_SAMPLE_BYTES)
    complete = size <= len(head)
    encoding, notes = _detect_encoding(head, not complete)
    text = _decode(head, encoding)
    records, records_path, ndjson = _json_records(text, complete, sample_rows)
    if not records:
        raise InferenceError("el JSON no contiene registros")
    keys: dict[str, None] = {}
    for record in records:
        if isinstance(record, dict):
            keys.update(dict.fromkeys(record))
    raw_keys = list(keys)
    headers = clean_headers(list(raw_keys))
    columns = [
        pa.array(
            [_as_text(r.get(k)) if isinstance(r, dict) else None for r in records], pa.string()
        )
        for k in raw_keys
    ]
    if ndjson:
        notes.append("JSON por líneas (NDJSON): un registro por línea.")
    if records_path:
        notes.append(f"Los registros están bajo '{records_path}' (format.records_path).")
    fmt: dict[str, Any] = {"type": "json", "records_path": records_path}
    if encoding != "utf-8":
        fmt["encoding"] = encoding
    return Sample(
        fmt=fmt,
        headers=headers,
        raw_headers=raw_keys,
        columns=columns,
        rows=len(records),
        truncated=not complete or len(records) >= sample_rows,
        notes=notes,
        encoding=encoding,
    )


def sample_file(path: Path, sample_rows: int) -> tuple[Sample, list[str]]:
    """Sniff the format of ``path`` and sample it; returns the sample and format notes."""
    if not path.is_file():
        raise InferenceError(f"{path} no existe o no es un archivo")
    head = read_head(path, 4096)
    if not head:
        raise InferenceError(f"{path.name} está vacío")
    kind, format_notes = detect_format(path, head)
    sampler = {
        "csv": sample_csv,
        "xlsx": sample_xlsx,
        "json": sample_json,
        "parquet": sample_parquet,
    }[kind]
    sample = sampler(path, sample_rows)
    if not sample.headers:
        raise InferenceError(f"{path.name}: no se encontraron columnas")
    return sample, format_notes


def show(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter
