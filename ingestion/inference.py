"""Draft a dataset spec from one file: format, dialect, header row, column names, types, keys.

``infer_spec`` looks at a bounded sample (the first bytes for the dialect, the first
``sample_rows`` rows for the columns), never at the whole file: a 10-GB CSV costs a few blocks.
Types are chosen with the same rules the loader applies (:func:`ingestion.coercion.coerce`): a
type is right for a column when (almost) all its non-null sample values coerce to it.

The result is a *draft*: publication metadata are placeholders, and the report lists what was
inferred and what a reviewer must check. ``render_spec_yaml`` writes it as a spec file with that
report as a comment header; the YAML parses back (``catalog.registry.parse_spec``) to the same spec.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import math
import re
import textwrap
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from ada.settings import Zone
from catalog.specs import (
    Column,
    Contact,
    DatasetSpec,
    Dimension,
    FileFormat,
    Frequency,
    LandingSource,
    Publication,
    Schema,
    Sector,
)
from ingestion.coercion import coerce
from ingestion.readers.headers import clean_headers, slug, split_unit
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
#: Distinct numeric values per column looked at to tell the decimal mark from the thousands.
EVIDENCE_VALUES = 5_000
#: Distinct values of a column on which candidate date formats are screened.
PROBE_VALUES = 2_000

#: Share of a column's non-null sample values that may fail a type and still get that type.
INVALID_TOLERANCE = 0.001

DEFAULT_NULLS: list[str] = list(FileFormat.model_validate({}).null_values)
_DEFAULT_COLUMN = Column.model_validate({"name": "x"})

#: Markers that mean "no value" wherever they appear.
TEXT_NULLS = [
    "NA", "N/A", "n/a", "N/a", "NULL", "null", "Null", "None", "NONE", "NaN", "nan",
    "#N/A", "#N/D", "#¡VALOR!", "#VALUE!",
    "Sin dato", "SIN DATO", "Sin Dato", "sin dato", "Sin datos", "SIN DATOS",
    "Sin información", "SIN INFORMACIÓN", "SIN INFORMACION", "Sin informacion",
    "No registra", "NO REGISTRA", "No reporta", "NO REPORTA",
    "No disponible", "NO DISPONIBLE",
]  # fmt: skip
#: Markers that mean "no value" only in a column whose other values are numbers or dates.
CONTEXT_NULLS = ["-", "--", "---", ".", "ND", "N.D.", "-9999", "-9999.0", "-999", "-999.0"]

#: Day-first formats come first (Colombian files); two-digit years before four-digit ones so
#: that the loader, which keeps the first format that fits, never reads ``20`` as year 0020.
DATE_CANDIDATES = [
    "%d/%m/%y", "%d/%m/%Y", "%d-%m-%y", "%d-%m-%Y", "%d.%m.%Y",
    "%Y/%m/%d", "%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y",
]  # fmt: skip
_DATETIME_BASE = [
    "%d/%m/%y %H:%M", "%d/%m/%y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%SZ",
    "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S",
]  # fmt: skip
#: Real Bogotá mobility exports append a literal ``+00`` (UTC offset) to their datetimes.
DATETIME_CANDIDATES = _DATETIME_BASE + [f + "+00" for f in _DATETIME_BASE if "Z" not in f]
TIME_CANDIDATES = ["%H:%M:%S", "%H:%M"]

_DIRECTIVES = {
    "%d": r"\d{1,2}",
    "%m": r"\d{1,2}",
    "%Y": r"\d{4}",
    "%y": r"\d{2}",
    "%H": r"\d{1,2}",
    "%M": r"\d{2}",
    "%S": r"\d{2}",
}
_LEADING_ZEROS = r"(^|[^0-9])0+([0-9])"

_NUMBERISH = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?%?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_ONE_MARK = re.compile(r"^[+-]?(\d*)([.,])(\d+)$")
_PHONE = re.compile(r"^(?:\+?57)?(?:3\d{9}|60\d{8})$")
_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00)?(?:\+00|Z)?$")
_FRACTIONAL_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\.\d+")

#: Name tokens of columns that identify something (documents, phones, codes): never numbers.
_ID_TOKENS = {
    "id", "codigo", "cod", "documento", "doc", "cedula", "cc", "nit", "identificacion",
    "nuip", "pasaporte", "telefono", "tel", "celular", "movil", "fax", "radicado",
    "expediente", "placa", "chip", "dane", "divipola", "postal", "zip",
    "consecutivo", "formulario", "serial", "ficha", "contrato",
}  # fmt: skip
_ID_PREFIXES = ("cod", "id_", "nro_doc", "num_doc", "numero_doc", "no_doc")
#: Name tokens of columns that probably hold personal data.
_PII_TOKENS = {
    "nombre", "nombres", "apellido", "apellidos", "documento", "cedula", "cc", "nuip",
    "pasaporte", "telefono", "celular", "correo", "email", "direccion", "placa",
}  # fmt: skip
#: Keys under which APIs nest their records (CKAN ``result.records``, Socrata views ``data``).
_RECORD_KEYS = {"records", "data", "results", "rows", "items", "features", "registros", "datos"}
_BOOL_TRUE = {"true", "si", "sí", "s", "yes", "verdadero"}
_BOOL_FALSE = {"false", "no", "n", "falso"}

DIMENSION_BY_SECTOR: dict[Sector, Dimension] = {
    Sector.SALUD: Dimension.CALIDAD_DE_VIDA,
    Sector.MOVILIDAD: Dimension.HABITAT,
    Sector.AMBIENTE: Dimension.MEDIO_AMBIENTE,
    Sector.EDUCACION: Dimension.PERSONAS,
    Sector.INTEGRACION_SOCIAL: Dimension.PERSONAS,
    Sector.MUJER: Dimension.PERSONAS,
    Sector.DESARROLLO_ECONOMICO: Dimension.DESARROLLO_ECONOMICO,
    Sector.HACIENDA: Dimension.DESARROLLO_ECONOMICO,
}

PLACEHOLDER = "POR DEFINIR"
DESCRIPTION_PLACEHOLDER = (
    "POR COMPLETAR: describa qué contiene el conjunto de datos, su cobertura, su fuente y cómo "
    "se produce (más de 100 caracteres)."
)

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
class InferenceReport:
    rows_sampled: int
    encoding: str
    delimiter: str | None
    header_row: int
    candidate_keys: list[str]  # columns (or none) unique and non-null in the sample
    notes: list[str]  # things a reviewer should check, in Spanish


# --------------------------------------------------------------------------------------------
# Sampling: bytes → (headers, string columns)


@dataclass
class _Sample:
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


def _read_head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _detect_format(path: Path, head: bytes) -> tuple[str, list[str]]:
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
    return bool(_NUMBERISH.match(value)) or bool(re.match(r"^\d{1,4}[/-]\d{1,2}[/-]\d{1,4}", value))


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
    data = head if budget <= len(head) else _read_head(path, budget)
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


def _sample_csv(path: Path, sample_rows: int) -> _Sample:
    from ingestion.readers.csv import CsvReader

    size = path.stat().st_size
    head = _read_head(path, HEAD_BYTES)
    truncated = size > len(head)
    encoding, notes = _detect_encoding(head, truncated)
    text = _decode(_complete_lines(head, truncated, encoding), encoding)
    delimiter, consistency = _detect_delimiter(text, path.suffix.lower())
    if consistency < 0.9:
        notes.append(
            f"El separador '{_show(delimiter)}' no divide todas las filas en el mismo número de "
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
    return _Sample(
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


def _sample_xlsx(path: Path, sample_rows: int) -> _Sample:
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
    return _Sample(
        fmt=fmt,
        headers=headers,
        raw_headers=[h.strip() for h in raw_headers],
        columns=[pa.array(c, pa.string()) for c in data],
        rows=rows,
        truncated=more,
        notes=notes,
    )


def _sample_parquet(path: Path, sample_rows: int) -> _Sample:
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
    return _Sample(
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


def _sample_json(path: Path, sample_rows: int) -> _Sample:
    from ingestion.readers.json import _as_text

    size = path.stat().st_size
    head = _read_head(path, JSON_SAMPLE_BYTES)
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
    return _Sample(
        fmt=fmt,
        headers=headers,
        raw_headers=raw_keys,
        columns=columns,
        rows=len(records),
        truncated=not complete or len(records) >= sample_rows,
        notes=notes,
        encoding=encoding,
    )


# --------------------------------------------------------------------------------------------
# Column inference


def _show(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter


def _tokens(name: str) -> set[str]:
    return set(name.split("_"))


def _identifier_name(name: str) -> bool:
    return bool(_tokens(name) & _ID_TOKENS) or name.startswith(_ID_PREFIXES)


def _column_name(header: str, position: int) -> tuple[str, str | None]:
    base, unit = split_unit(header)
    if unit is not None and (len(unit) > 25 or any(ch in unit for ch in "=,;")):
        base, unit = header, None
    name = slug(base) or slug(header) or f"columna_{position}"
    if not name[0].isalpha():
        name = f"col_{name}"
    return name, unit


def _null_mask(text: pa.Array, markers: list[str]) -> pa.Array:
    return pc.fill_null(pc.is_in(text, value_set=pa.array(markers, pa.string())), True)


def _unique_strings(values: pa.Array) -> list[str]:
    return [v for v in pc.unique(values).to_pylist() if v is not None]


def _format_regex(fmt: str) -> str:
    pattern = re.escape(fmt)
    for directive, regex in _DIRECTIVES.items():
        pattern = pattern.replace(re.escape(directive), regex)
    return f"^{pattern}$"


def _matches(text: pa.Array, fmt: str) -> pa.Array:
    """Which values are written exactly in ``fmt`` (a real date, same digits, same shape)."""
    shaped = pc.match_substring_regex(text, _format_regex(fmt))
    if not pc.any(shaped).as_py():
        return shaped
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    back = pc.replace_substring_regex(pc.strftime(parsed, format=fmt), _LEADING_ZEROS, r"\1\2")
    same = pc.equal(back, pc.replace_substring_regex(text, _LEADING_ZEROS, r"\1\2"))
    return pc.fill_null(pc.and_(shaped, same), False)


@functools.cache
def _shape(fmt: str) -> re.Pattern[str]:
    return re.compile(_format_regex(fmt))


def _cover(text: pa.Array, candidates: list[str]) -> tuple[list[str], int]:
    """Formats (in candidate order) that together cover the most values, and how many.

    Only formats whose shape fits one of the first distinct values are tried on the whole
    sample, so that a text column costs a few regular expressions, not one per candidate.
    """
    probe = _unique_strings(pc.unique(text)[:PROBE_VALUES])
    plausible = [f for f in candidates if any(_shape(f).match(v) for v in probe)]
    pending = pa.array(np.ones(len(text), dtype=bool))
    chosen: list[str] = []
    covered = 0
    for fmt in plausible:
        if covered == len(text):
            break
        hits = pc.and_(pending, _matches(text, fmt))
        count = pc.sum(hits).as_py() or 0
        if count:
            chosen.append(fmt)
            covered += count
            pending = pc.and_(pending, pc.invert(hits))
    return chosen, covered


@dataclass
class _Numbers:
    """Evidence for the decimal mark and the thousands separator."""

    decimal_comma: int = 0
    decimal_dot: int = 0
    thousands_dot: int = 0
    thousands_comma: int = 0
    ambiguous_comma: int = 0
    ambiguous_dot: int = 0

    def add(self, value: str) -> None:
        v = value.replace("%", "")
        if _THOUSANDS_DOT.match(v) and ("," in v or v.count(".") > 1):
            self.thousands_dot += 1
            self.decimal_comma += "," in v
        elif _THOUSANDS_COMMA.match(v) and ("." in v or v.count(",") > 1):
            self.thousands_comma += 1
            self.decimal_dot += "." in v
        elif match := _ONE_MARK.match(v):
            whole, mark, decimals = match.groups()
            clear = len(decimals) != 3 or not whole or whole.lstrip("+-").startswith("0")
            clear = clear or len(whole.lstrip("+-")) > 3
            if mark == ",":
                self.decimal_comma += clear
                self.ambiguous_comma += not clear
            else:
                self.decimal_dot += clear
                self.ambiguous_dot += not clear

    def decide(self) -> tuple[str, str, list[str]]:
        notes: list[str] = []
        comma = self.decimal_comma + self.thousands_dot
        dot = self.decimal_dot + self.thousands_comma
        if comma > dot or (comma == dot == 0 and self.ambiguous_comma > self.ambiguous_dot):
            decimal = ","
            thousands = "." if self.thousands_dot or self.ambiguous_dot else ""
            if comma == 0:
                notes.append(
                    "Números como '1,250' son ambiguos: se asumió coma decimal; revise "
                    "'format.decimal' y 'format.thousands'."
                )
        else:
            decimal = "."
            thousands = (
                "," if self.thousands_comma or (comma == 0 and dot and self.ambiguous_comma) else ""
            )
        if comma and dot:
            notes.append(
                f"Hay números con coma decimal ({comma}) y con punto decimal ({dot}); se eligió "
                f"'{decimal}' como marca decimal: revise las columnas numéricas."
            )
        return decimal, thousands, notes


@dataclass
class _ColumnPlan:
    header: str
    name: str
    unit: str | None
    values: pa.Array  # as the reader yields them
    text: pa.Array | None = None  # trimmed, every null marker as null (textual columns only)
    type: str = "string"
    formats: list[str] | None = None
    percent: bool = False
    nullable: bool = True
    true_values: list[str] | None = None
    false_values: list[str] | None = None
    markers: dict[str, int] = field(default_factory=dict)
    identifier: bool = False

    def column(self, with_formats: bool = True, source: str | None = None) -> Column:
        data: dict[str, Any] = {"name": self.name, "type": self.type, "nullable": self.nullable}
        if source is not None:
            data["source"] = source
        if self.unit:
            data["unit"] = self.unit
        if with_formats and self.formats:
            data["formats"] = self.formats
        if self.percent:
            data["percent"] = True
        if self.true_values is not None:
            data["true_values"] = self.true_values
            data["false_values"] = self.false_values
        return Column(**data)


def _arrow_type(dtype: pa.DataType) -> str | None:
    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "number"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_timestamp(dtype):
        return "datetime"
    if pa.types.is_time(dtype):
        return "time"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return None
    return "string"


class _Inference:
    def __init__(self, sample: _Sample) -> None:
        self.sample = sample
        self.notes: list[str] = list(sample.notes)
        self.null_values: list[str] = list(DEFAULT_NULLS)

    # -- names ---------------------------------------------------------------------------

    def plans(self) -> list[_ColumnPlan]:
        plans: list[_ColumnPlan] = []
        used: set[str] = set()
        raw_counts = Counter(self.sample.raw_headers)
        repeated = sorted(h for h, n in raw_counts.items() if n > 1 and h)
        if repeated:
            self.notes.append(
                "Encabezados repetidos: "
                + ", ".join(f"'{h}' ×{raw_counts[h]}" for h in repeated)
                + "; las repeticiones se numeraron (_2, _3): verifique qué contiene cada una."
            )
        for position, (header, values) in enumerate(
            zip(self.sample.headers, self.sample.columns, strict=True), start=1
        ):
            name, unit = _column_name(header, position)
            base, suffix = name, 2
            while name in used:
                name, suffix = f"{base}_{suffix}", suffix + 1
            used.add(name)
            if header.startswith("columna_") and header == f"columna_{position}":
                self.notes.append(f"La columna {position} no tiene encabezado: se llamó '{name}'.")
            plans.append(_ColumnPlan(header=header, name=name, unit=unit, values=values))
        return plans

    # -- null markers and numbers ----------------------------------------------------------

    def prepare(self, plan: _ColumnPlan) -> None:
        values = plan.values
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        if _arrow_type(values.type) is not None:
            return
        trimmed = pc.utf8_trim_whitespace(values.cast(pa.string()))
        seen = pc.filter(trimmed, _null_mask(trimmed, TEXT_NULLS + CONTEXT_NULLS))
        if len(seen):
            for item in pc.value_counts(seen).to_pylist():
                plan.markers[item["values"]] = item["counts"]
        always = DEFAULT_NULLS + TEXT_NULLS + CONTEXT_NULLS
        plan.text = pc.if_else(
            pc.or_(_null_mask(trimmed, always), pc.equal(trimmed, "")),
            pa.scalar(None, pa.string()),
            trimmed,
        )

    def number_evidence(self, plans: list[_ColumnPlan]) -> _Numbers:
        evidence = _Numbers()
        for plan in plans:
            if plan.text is None or _identifier_name(plan.name):
                continue
            present = pc.drop_null(plan.text)
            if not len(present):
                continue
            compact = pc.replace_substring_regex(present, r"[\s$]", "")
            numeric = pc.match_substring_regex(compact, _NUMBERISH.pattern)
            if pc.sum(numeric).as_py() < len(present) * (1 - INVALID_TOLERANCE):
                continue
            for value in _unique_strings(pc.filter(compact, numeric))[:EVIDENCE_VALUES]:
                evidence.add(value)
        return evidence

    # -- types -----------------------------------------------------------------------------

    def infer(self, plan: _ColumnPlan, fmt: FileFormat) -> None:
        if plan.text is None:  # a typed column (parquet)
            values = plan.values
            plan.type = _arrow_type(values.type) or "string"
            plan.nullable = values.null_count > 0
            return
        text = plan.text
        present = pc.drop_null(text)
        plan.nullable = len(present) < len(text)
        n = len(present)
        if n == 0:
            plan.type = "string"
            if len(text):
                self.notes.append(
                    f"La columna '{plan.name}' está vacía en la muestra: se dejó como texto; "
                    "revise su tipo o elimínela."
                )
            return
        tolerance = math.floor(n * INVALID_TOLERANCE)
        distinct = _unique_strings(present)
        lowered = {v.lower() for v in distinct}
        if lowered <= (_BOOL_TRUE | _BOOL_FALSE | {"0", "1"}) and lowered - {"0", "1"}:
            plan.type = "boolean"
            if lowered & {"verdadero", "falso"}:
                plan.true_values = [*_DEFAULT_COLUMN.true_values, "verdadero"]
                plan.false_values = [*_DEFAULT_COLUMN.false_values, "falso"]
            return
        if self._numeric(plan, fmt, present, distinct, tolerance):
            return
        if self._temporal(plan, present, tolerance):
            return
        if any(_FRACTIONAL_SECONDS.match(v) for v in distinct[:100]):
            self.notes.append(
                f"La columna '{plan.name}' tiene fechas con fracciones de segundo, que el cargador "
                "no interpreta: se dejó como texto."
            )
        plan.type = "string"

    def _invalid(self, text: pa.Array, fmt: FileFormat, column: Column) -> int:
        try:
            typed = coerce(text, column, fmt)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return len(text)
        return pc.sum(typed.invalid).as_py() or 0

    def _numeric(
        self,
        plan: _ColumnPlan,
        fmt: FileFormat,
        present: pa.Array,
        distinct: list[str],
        tolerance: int,
    ) -> bool:
        present_text = plan.text
        assert present_text is not None
        compact = pc.replace_substring_regex(present, r"[\s$]", "")
        numeric = pc.sum(pc.match_substring_regex(compact, _NUMBERISH.pattern)).as_py() or 0
        if numeric < len(present) - tolerance:
            return False
        percent = (pc.sum(pc.ends_with(compact, "%")).as_py() or 0) >= len(present) * 0.5
        if not percent and self._identifier(plan, distinct):
            plan.identifier = True
            return True  # stays string
        if fmt.thousands:
            decimals = pc.match_substring(compact, fmt.decimal)
        else:
            decimals = pc.match_substring_regex(compact, r"[.,]")
        has_decimals = bool(pc.any(decimals).as_py()) or any("e" in v.lower() for v in distinct)
        kinds = ["number"] if has_decimals or percent else ["integer", "number"]
        for kind in kinds:
            column = Column.model_validate({"name": plan.name, "type": kind, "percent": percent})
            if self._invalid(present_text, fmt, column) <= tolerance:
                plan.type, plan.percent = kind, percent
                return True
        return False

    def _identifier(self, plan: _ColumnPlan, distinct: list[str]) -> bool:
        plain = [v.replace(" ", "") for v in distinct]
        reason = None
        if _identifier_name(plan.name):
            reason = "su nombre indica un identificador o código"
        elif any(re.fullmatch(r"0\d+", v) for v in plain):
            reason = "tiene valores con ceros a la izquierda"
        elif sum(1 for v in distinct if _PHONE.match(re.sub(r"[\s\-()]", "", v))) >= max(
            1, 0.8 * len(distinct)
        ):
            reason = "sus valores parecen números de teléfono"
        elif any(re.fullmatch(r"[+-]?\d{16,}", v) for v in plain):
            reason = "tiene números de más de 15 dígitos"
        if reason is None:
            return False
        self.notes.append(
            f"La columna '{plan.name}' es numérica pero {reason}: se dejó como texto (string)."
        )
        return True

    def _temporal(self, plan: _ColumnPlan, present: pa.Array, tolerance: int) -> bool:
        n = len(present)
        dates, date_hits = _cover(present, DATE_CANDIDATES)
        datetimes, datetime_hits = (
            _cover(present, DATETIME_CANDIDATES) if date_hits < n else ([], 0)
        )
        if date_hits >= n - tolerance:
            plan.type, plan.formats = "date", dates
        elif datetime_hits and date_hits + datetime_hits >= n - tolerance:
            midnight = all(_MIDNIGHT.search(v) for v in _unique_strings(present))
            if midnight and date_hits == 0:
                plan.type, plan.formats = "date", datetimes
            else:
                plan.type, plan.formats = "datetime", datetimes + dates
        else:
            times, time_hits = _cover(present, TIME_CANDIDATES)
            if time_hits < n - tolerance:
                return False
            plan.type, plan.formats = "time", times
        used = plan.formats or []
        if any(f.startswith("%m") for f in used):
            self.notes.append(
                f"La columna '{plan.name}' usa fechas mes/día (formato estadounidense): verifique."
            )
        elif any(f.startswith("%d") for f in used) and not any(
            f.startswith("%d") and _first_part_above_12(present, f) for f in used
        ):
            self.notes.append(
                f"En la columna '{plan.name}' ningún día pasa de 12 en la muestra: se asumió "
                "día/mes (formato colombiano); confirme que no es mes/día."
            )
        if any(f.endswith("+00") for f in used):
            self.notes.append(
                f"La columna '{plan.name}' termina en '+00' (UTC según la fuente): se lee como "
                "fecha y hora sin zona; confirme si es hora UTC o de Bogotá."
            )
        if any("%y" in f for f in used):
            self.notes.append(
                f"La columna '{plan.name}' tiene años de dos dígitos (%y): 69-99 se leen como "
                "19xx y 00-68 como 20xx."
            )
        return True


def _first_part_above_12(values: pa.Array, fmt: str) -> bool:
    separator = fmt[2]
    firsts = pc.utf8_slice_codeunits(values, 0, 2)
    firsts = pc.replace_substring(firsts, separator, "")
    numbers = pc.cast(
        pc.if_else(pc.match_substring_regex(firsts, r"^\d+$"), firsts, None), pa.int64()
    )
    return bool(pc.any(pc.greater(numbers, 12)).as_py())


def _ordered(formats: list[str], candidates: list[str]) -> list[str]:
    order = {f: i for i, f in enumerate(candidates)}
    return sorted(dict.fromkeys(formats), key=lambda f: order.get(f, len(order)))


def _key_rank(name: str) -> int:
    """Surrogate ids and codes first, then other identifier-looking names, in column order."""
    tokens = _tokens(name)
    if tokens & {"id", "codigo", "cod", "consecutivo", "radicado"} or name.startswith(
        ("id_", "cod")
    ):
        return 0
    return 1


def _candidate_keys(plans: list[_ColumnPlan], rows: int) -> list[str]:
    if rows < 2:
        return []
    keys = []
    for plan in plans:
        if plan.type in ("number", "boolean"):
            continue
        values = plan.text if plan.text is not None else plan.values
        if values.null_count or len(values) != rows:
            continue
        if pc.count_distinct(values).as_py() == rows:
            keys.append(plan.name)
    return keys


# --------------------------------------------------------------------------------------------
# The spec


def _title(path: Path, dataset_id: str) -> str:
    words = re.sub(r"[_\-\s]+", " ", path.stem).strip()
    title = (words[:1].upper() + words[1:]) if words else ""
    return title if len(title) >= 3 else f"Conjunto de datos {dataset_id}"


def infer_spec(
    path: Path, dataset_id: str, sector: Sector, sample_rows: int = 50_000
) -> tuple[DatasetSpec, InferenceReport]:
    """A draft spec for ``path``, inferred from at most ``sample_rows`` rows, and its report."""
    path = Path(path)
    sector = Sector(sector)
    if sample_rows < 1:
        raise ValueError("sample_rows must be positive")
    if not path.is_file():
        raise InferenceError(f"{path} no existe o no es un archivo")
    head = _read_head(path, 4096)
    if not head:
        raise InferenceError(f"{path.name} está vacío")
    kind, format_notes = _detect_format(path, head)
    sampler = {
        "csv": _sample_csv,
        "xlsx": _sample_xlsx,
        "json": _sample_json,
        "parquet": _sample_parquet,
    }[kind]
    sample = sampler(path, sample_rows)
    if not sample.headers:
        raise InferenceError(f"{path.name}: no se encontraron columnas")
    inference = _Inference(sample)
    inference.notes[:0] = format_notes

    plans = inference.plans()
    for plan in plans:
        inference.prepare(plan)
    decimal, thousands, number_notes = inference.number_evidence(plans).decide()
    inference.notes.extend(number_notes)
    base_fmt = dict(sample.fmt)
    if any(p.text is not None for p in plans):
        base_fmt.update(decimal=decimal, thousands=thousands)
    probe = FileFormat(
        **base_fmt, null_values=list(dict.fromkeys(DEFAULT_NULLS + TEXT_NULLS + CONTEXT_NULLS))
    )
    for plan in plans:
        inference.infer(plan, probe)

    # Null markers: every text marker seen; context markers only where the column is typed.
    nulls = list(DEFAULT_NULLS)
    seen_markers: Counter[str] = Counter()
    for plan in plans:
        for marker, count in plan.markers.items():
            if marker in CONTEXT_NULLS and plan.type == "string":
                continue
            seen_markers[marker] += count
    nulls += [m for m in seen_markers if m not in nulls]
    if seen_markers:
        inference.notes.append(
            "Marcadores de vacío vistos en la muestra (se leen como nulos): "
            + ", ".join(f"'{m}' ({seen_markers[m]})" for m in seen_markers)
            + "."
        )
    kept = {m for p in plans if p.type == "string" for m in p.markers if m in CONTEXT_NULLS}
    dropped = sorted(kept - set(nulls))
    if dropped:
        inference.notes.append(
            "Valores como " + ", ".join(f"'{m}'" for m in dropped) + " aparecen en columnas de "
            "texto y se conservaron como valores: si significan 'sin dato', agréguelos a "
            "'format.null_values'."
        )

    date_formats = _ordered(
        [f for p in plans if p.type == "date" for f in p.formats or []],
        DATE_CANDIDATES + DATETIME_CANDIDATES,
    )
    datetime_formats = _ordered(
        [f for p in plans if p.type == "datetime" for f in p.formats or []],
        DATETIME_CANDIDATES + DATE_CANDIDATES,
    )
    fmt_data = dict(base_fmt)
    if date_formats:
        fmt_data["date_formats"] = date_formats
    if datetime_formats:
        fmt_data["datetime_formats"] = datetime_formats
    if nulls != DEFAULT_NULLS:
        fmt_data["null_values"] = nulls
    fmt = FileFormat(**fmt_data)

    # Check every column with the final format exactly as the loader will type it.
    columns: list[Column] = []
    for plan in plans:
        columns.append(_final_column(plan, fmt, inference))

    keys = _candidate_keys(plans, sample.rows)
    primary = sorted((k for k in keys if _identifier_name(k)), key=_key_rank)[:1]
    if keys:
        inference.notes.append(
            "Claves candidatas (únicas y sin vacíos en la muestra): "
            + ", ".join(keys)
            + (f"; se propuso '{primary[0]}' como clave primaria" if primary else "")
            + ": confirme que lo son en todo el archivo."
        )
    pii = [p.name for p in plans if _tokens(p.name) & _PII_TOKENS]
    long_text = [
        p.name
        for p in plans
        if p.type == "string"
        and p.text is not None
        and len(pc.drop_null(p.text))
        and (pc.mean(pc.utf8_length(pc.drop_null(p.text))).as_py() or 0) > 60
    ]
    if pii or long_text:
        inference.notes.append(
            "Posibles datos personales en "
            + ", ".join(dict.fromkeys(pii + long_text))
            + ": defina su tratamiento en 'privacy' antes de publicar."
        )
    if sample.truncated:
        inference.notes.append(
            f"Los tipos se infirieron de las primeras {sample.rows} filas, no de todo el archivo."
        )
    inference.notes.append(
        "Título, descripción, entidad, contacto, etiquetas y cobertura temporal son marcadores "
        "provisionales: complételos; la frecuencia de actualización es 'eventual' por omisión."
    )

    publication = Publication.model_validate(
        {
            "title": _title(path, dataset_id),
            "description": DESCRIPTION_PLACEHOLDER,
            "entidad": PLACEHOLDER,
            "dimension": DIMENSION_BY_SECTOR.get(sector, Dimension.GOBERNANZA),
            "contact": Contact(name=PLACEHOLDER, email=f"datos@{sector.value}.gov.co"),
        }
    )
    spec = DatasetSpec.model_validate(
        {
            "id": dataset_id,
            "spec_version": 1,
            "sector": sector,
            "status": "draft",
            "publication": publication,
            "source": LandingSource(kind="landing", pattern=path.name),
            "format": fmt,
            "schema": Schema(columns=columns, primary_key=primary),
            "update_frequency": Frequency.EVENTUAL,
            "privacy": {},
        }
    )
    report = InferenceReport(
        rows_sampled=sample.rows,
        encoding=fmt.encoding if kind in ("csv", "json") else "no aplica",
        delimiter=sample.delimiter,
        header_row=fmt.header_row,
        candidate_keys=keys,
        notes=list(dict.fromkeys(inference.notes)),
    )
    return spec, report


def _final_column(plan: _ColumnPlan, fmt: FileFormat, inference: _Inference) -> Column:
    source = plan.header if plan.header != plan.name else None
    column = plan.column(with_formats=False, source=source)
    if plan.text is None or plan.type == "string":
        return column
    typed = coerce(plan.text, column, fmt)
    if plan.formats:
        own = plan.column(with_formats=True, source=source)
        exact = coerce(plan.text, own, fmt)
        shared_invalid = pc.sum(typed.invalid).as_py() or 0
        exact_invalid = pc.sum(exact.invalid).as_py() or 0
        if shared_invalid > exact_invalid or not typed.values.equals(exact.values):
            column, typed = own, exact  # the file-level formats would misread this column
    invalid = pc.sum(typed.invalid).as_py() or 0
    present = len(plan.text) - plan.text.null_count
    if invalid > math.floor(present * INVALID_TOLERANCE):
        inference.notes.append(
            f"La columna '{plan.name}' no se pudo tipar como {plan.type} ({invalid} valores "
            "inválidos): se dejó como texto."
        )
        plan.type = "string"
        return plan.column(with_formats=False, source=source)
    if invalid:
        inference.notes.append(
            f"La columna '{plan.name}' ({plan.type}) tiene {invalid} valores de la muestra que no "
            "se pueden convertir: irían a cuarentena; revíselos."
        )
    return column


# --------------------------------------------------------------------------------------------
# Rendering


def _flow(value: Any) -> str:
    """One YAML value in flow style on one line (quoted where YAML needs it)."""
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1 << 16
    )
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.rstrip("\n")


def _block_kv(key: str, value: Any, indent: str, width: int = 98) -> list[str]:
    """``key: value`` for a (long) scalar, wrapped the way YAML folds plain/quoted scalars."""
    text = yaml.safe_dump(
        {key: value}, allow_unicode=True, sort_keys=False, width=width - len(indent)
    ).rstrip("\n")
    return [indent + line for line in text.splitlines()]


def _wrapped_flow(value: dict[str, Any], first: str, rest: str, width: int = 98) -> list[str]:
    text = yaml.safe_dump(
        value,
        default_flow_style=True,
        allow_unicode=True,
        sort_keys=False,
        width=max(40, width - len(first)),
    ).rstrip("\n")
    lines = text.splitlines()
    return [first + lines[0]] + [rest + line.strip() for line in lines[1:]]


def _comment(text: str, indent: str = "") -> list[str]:
    wrapped = textwrap.wrap(text, width=96 - len(indent), break_long_words=False) or [""]
    first, *rest = wrapped
    return [f"# {indent}{first}"] + [f"# {indent}  {line}" for line in rest]


def _column_data(column: Column) -> dict[str, Any]:
    data = column.model_dump(exclude_defaults=True)
    order = [
        "name", "source", "type", "unit", "formats", "percent", "nullable", "description",
        "allowed_values", "minimum", "maximum", "pattern", "true_values", "false_values",
    ]  # fmt: skip
    data.setdefault("type", column.type)
    return {k: data[k] for k in order if k in data}


def render_spec_yaml(spec: DatasetSpec, report: InferenceReport) -> str:
    """The spec as YAML (keys in the order of the hand-written specs), headed by the report."""
    fmt = spec.format
    lines: list[str] = []
    pattern = spec.source.pattern if isinstance(spec.source, LandingSource) else spec.id
    lines += _comment(
        f"BORRADOR generado automáticamente a partir de '{pattern}' (status: draft). "
        "Revíselo y complételo antes de activarlo."
    )
    lines.append("#")
    lines.append("# Inferido de la muestra:")
    lines += _comment(f"- filas de muestra: {report.rows_sampled}", "  ")
    dialect = f"- formato: {fmt.type}"
    if fmt.type in ("csv", "json"):
        dialect += f"; codificación: {report.encoding}"
    if report.delimiter is not None:
        dialect += f"; separador: '{_show(report.delimiter)}'; comillas: '{fmt.quote}'"
    if fmt.type in ("csv", "xlsx"):
        dialect += f"; encabezado en la fila {report.header_row}"
    if fmt.sheet:
        dialect += f"; hoja: '{fmt.sheet}'"
    lines += _comment(dialect, "  ")
    if fmt.type != "parquet":
        thousands = f"'{fmt.thousands}'" if fmt.thousands else "ninguno"
        lines += _comment(
            f"- marca decimal: '{fmt.decimal}'; separador de miles: {thousands}", "  "
        )
    typed = Counter(c.type for c in spec.schema_.columns)
    lines += _comment(
        f"- {len(spec.schema_.columns)} columnas: "
        + ", ".join(f"{n} {t}" for t, n in typed.most_common()),
        "  ",
    )
    keys = ", ".join(report.candidate_keys) if report.candidate_keys else "ninguna"
    lines += _comment(f"- claves candidatas: {keys}", "  ")
    lines.append("#")
    lines.append("# Qué revisar:")
    for note in report.notes:
        lines += _comment(f"- {note}", "  ")

    pub = spec.publication
    lines += [
        f"id: {_flow(spec.id)}",
        f"spec_version: {spec.spec_version}",
        f"sector: {_flow(spec.sector.value)}",
        f"status: {_flow(spec.status)}",
        "publication:",
        *_block_kv("title", pub.title, "  "),
        *_block_kv("description", pub.description, "  "),
        *_block_kv("entidad", pub.entidad, "  "),
        f"  dimension: {_flow(pub.dimension.value)}",
        f"  license: {_flow(pub.license)}",
        f"  tags: {_flow(list(pub.tags))}",
        f"  spatial: {_flow(pub.spatial)}",
    ]
    temporal = pub.temporal.model_dump(exclude_none=True, mode="json")
    if temporal:
        lines.append(f"  temporal: {_flow(temporal)}")
    lines.append(f"  contact: {_flow(pub.contact.model_dump())}")
    if pub.language != "es":
        lines.append(f"  language: {_flow(pub.language)}")
    if pub.documentation:
        lines.append(f"  documentation: {_flow(pub.documentation)}")
    lines.append("source:")
    for key, value in spec.source.model_dump().items():
        lines.append(f"  {key}: {_flow(value)}")
    lines.append("format:")
    fmt_data = fmt.model_dump(exclude_defaults=True)
    fmt_data["type"] = fmt.type
    if fmt.type == "csv":
        fmt_data.update(encoding=fmt.encoding, delimiter=fmt.delimiter, header_row=fmt.header_row)
    for key in FileFormat.model_fields:
        if key in ("delimiter", "quote") and key in fmt_data:
            lines.append(f"  {key}: {json.dumps(fmt_data[key])}")  # JSON strings are YAML too
        elif key in fmt_data:
            lines.append(f"  {key}: {_flow(fmt_data[key])}")
    lines.append("schema:")
    lines.append("  columns:")
    for column in spec.schema_.columns:
        lines += _wrapped_flow(_column_data(column), "    - ", "       ")
    if spec.schema_.primary_key:
        lines.append(f"  primary_key: {_flow(list(spec.schema_.primary_key))}")
    if spec.load != "snapshot":
        lines.append(f"load: {spec.load}")
    lines.append(f"update_frequency: {_flow(spec.update_frequency.value)}")
    if spec.partitioning is not None:
        lines.append("partitioning:")
        for key, value in spec.partitioning.model_dump(exclude_none=True, mode="json").items():
            lines.append(f"  {key}: {_flow(value)}")
    lines.append(f"privacy: {_flow(dict(spec.privacy))}")
    if spec.owners:
        lines.append(f"owners: {_flow(list(spec.owners))}")
    return "\n".join(lines) + "\n"
