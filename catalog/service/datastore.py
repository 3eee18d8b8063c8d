"""``datastore_search`` over the curated table behind a resource, read-only.

The table is the ``source_table`` of the resource's release (``curated.conformado.<id>``). It is
read through :func:`ada.sql.analyst_session`, the same locked-down session analysts get: only
the curated zone attached, ``READ_ONLY``, external access off and the configuration locked. One
session per worker is opened on first use and shared by the worker's threads through cursors
(opening one costs about a second: extensions and the DuckLake catalog).

The SQL is built here, never taken from the caller: every identifier (``fields``, ``sort``,
``filters`` and ``q`` keys) must be one of the table's real columns, read from DuckDB's catalog,
and is then quoted; every value (filters, search words, limit, offset) is a bound parameter.
Anything else is refused with CKAN's 409 "Validation Error". Search words are matched
literally (``LIKE`` with its wildcards escaped), accent- and case-insensitively.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import duckdb

from ada.settings import Settings, Zone
from ada.sql import SqlError, analyst_session
from catalog.service.ckan import NotFound, ValidationFailed
from catalog.service.params import DATASTORE_DEFAULT_LIMIT, DatastoreRequest

#: The pipeline's lineage columns (``_ada_raw_version`` ...) are not part of the published data.
INTERNAL_PREFIX = "_ada_"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SORT_PART = re.compile(r'^\s*"?(?P<column>[^"\s,]+)"?(?:\s+(?P<direction>asc|desc))?\s*$', re.I)
#: What DuckDB raises for a value that does not fit its column (identifiers are checked
#: before, so a value is all it can be): ``{"hora": "tarde"}``, ``{"fecha": true}``, 10**30.
_VALUE_ERRORS = (
    duckdb.ConversionException,
    duckdb.InvalidInputException,
    duckdb.BinderException,
    duckdb.OutOfRangeException,
    duckdb.TypeMismatchException,
)
_MAX_WORDS = 32
_MAX_FILTER_VALUES = 1000
#: DuckDB types → the type names CKAN's datastore reports (PostgreSQL's).
_CKAN_TYPES: tuple[tuple[str, str], ...] = (
    ("VARCHAR", "text"),
    ("BOOLEAN", "bool"),
    ("TINYINT", "int2"),
    ("SMALLINT", "int2"),
    ("INTEGER", "int4"),
    ("BIGINT", "int8"),
    ("HUGEINT", "numeric"),
    ("UTINYINT", "int2"),
    ("USMALLINT", "int4"),
    ("UINTEGER", "int8"),
    ("UBIGINT", "numeric"),
    ("FLOAT", "float4"),
    ("DOUBLE", "float8"),
    ("DECIMAL", "numeric"),
    ("DATE", "date"),
    ("TIMESTAMP WITH TIME ZONE", "timestamptz"),
    ("TIMESTAMP", "timestamp"),
    ("TIME", "time"),
    ("INTERVAL", "interval"),
    ("UUID", "uuid"),
)


@dataclass(frozen=True)
class TableRef:
    """A curated table, checked to be one: ``curated.<schema>.<table>``."""

    schema: str
    table: str

    @classmethod
    def parse(cls, source_table: str) -> TableRef:
        parts = source_table.split(".")
        if len(parts) != 3 or parts[0] != Zone.CURATED.value:
            raise NotFound("Este recurso no tiene datos consultables.")
        if not all(_IDENTIFIER.match(part) for part in parts[1:]):
            raise NotFound("Este recurso no tiene datos consultables.")
        return cls(parts[1], parts[2])

    @property
    def sql(self) -> str:
        return f"curated.{quote(self.schema)}.{quote(self.table)}"


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier (only ever called on a column the table really has)."""
    return '"' + identifier.replace('"', '""') + '"'


def fold(text: str) -> str:
    """Lower case without accents, as DuckDB's ``strip_accents(lower(...))`` gives."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def ckan_type(duckdb_type: str) -> str:
    upper = duckdb_type.upper()
    if any(nested in upper for nested in ("[", "STRUCT", "MAP", "UNION")):
        return "json"
    for prefix, name in _CKAN_TYPES:
        if upper.startswith(prefix):
            return name
    return "text"


class DatastoreSession:
    """The worker's read-only DuckDB session over the curated zone, opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._stack: contextlib.ExitStack | None = None
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the shared session (cursors are the DuckDB way to share one database
        between threads)."""
        with self._lock:
            if self._connection is None:
                self._open()
            assert self._connection is not None
            cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def _open(self) -> None:
        stack = contextlib.ExitStack()
        try:
            self._connection = stack.enter_context(analyst_session(self._settings, [Zone.CURATED]))
        except SqlError:
            stack.close()
            raise NotFound(
                "Los datos de este recurso todavía no se pueden consultar: la zona curada "
                "no está disponible."
            ) from None
        self._stack = stack

    def close(self) -> None:
        with self._lock:
            if self._stack is not None:
                self._stack.close()
            self._stack = None
            self._connection = None


# ------------------------------------------------------------------------------------- search


def table_columns(cursor: duckdb.DuckDBPyConnection, ref: TableRef) -> dict[str, str]:
    """The table's published columns and their DuckDB types, in the table's order."""
    rows = cursor.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [Zone.CURATED.value, ref.schema, ref.table],
    ).fetchall()
    columns = {str(n): str(t) for n, t in rows if not str(n).startswith(INTERNAL_PREFIX)}
    if not columns:
        raise NotFound("Los datos de este recurso todavía no se pueden consultar.")
    return columns


def search(
    cursor: duckdb.DuckDBPyConnection, ref: TableRef, request: DatastoreRequest, action_url: str
) -> dict[str, Any]:
    """CKAN's ``datastore_search`` result for ``request`` over ``ref``."""
    columns = table_columns(cursor, ref)
    selected = _selected(request.fields, columns)
    where, params = _where(request, columns)
    order = _order_by(request.sort, selected, columns)
    select = ", ".join(quote(c) for c in selected)
    query = f"SELECT {select} FROM {ref.sql}{where} ORDER BY {order} LIMIT ? OFFSET ?"
    try:
        rows = cursor.execute(query, [*params, request.limit, request.offset]).fetchall()
        total = (
            _scalar(cursor, f"SELECT count(*) FROM {ref.sql}{where}", params)
            if request.include_total
            else None
        )
    except (*_VALUE_ERRORS, OverflowError):
        raise ValidationFailed(
            "Un valor de filters no corresponde al tipo de su columna.",
            {"filters": ["Valor no válido para el tipo de la columna."]},
        ) from None
    result: dict[str, Any] = {
        "resource_id": request.resource_id,
        "fields": [{"id": c, "type": ckan_type(columns[c])} for c in selected],
        "records": [dict(zip(selected, row, strict=True)) for row in rows],
        "records_format": "objects",
        "limit": request.limit,
        "offset": request.offset,
        "include_total": request.include_total,
        "_links": _links(request, action_url),
    }
    if request.filters:
        result["filters"] = request.filters
    if request.q is not None:
        result["q"] = request.q
    if request.sort:
        result["sort"] = request.sort
    if total is not None:
        result["total"] = total
        result["total_was_estimated"] = False
    return result


def _scalar(cursor: duckdb.DuckDBPyConnection, query: str, params: list[Any]) -> int:
    row = cursor.execute(query, params).fetchone()
    return int(row[0]) if row else 0


def _unknown(name: str, what: str, columns: dict[str, str]) -> ValidationFailed:
    known = ", ".join(columns)
    return ValidationFailed(
        f"{what}: la columna «{name}» no existe. Columnas: {known}.",
        {what: [f"Columna desconocida: «{name}»."]},
    )


def _selected(fields: list[str] | None, columns: dict[str, str]) -> list[str]:
    if not fields:
        return list(columns)
    for name in fields:
        if name not in columns:
            raise _unknown(name, "fields", columns)
    return list(dict.fromkeys(fields))


def _where(request: DatastoreRequest, columns: dict[str, str]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for name, wanted in request.filters.items():
        if name not in columns:
            raise _unknown(name, "filters", columns)
        clause, values = _filter(name, wanted, columns[name])
        clauses.append(clause)
        params.extend(values)
    if isinstance(request.q, dict):
        for name, text in request.q.items():
            if name not in columns:
                raise _unknown(name, "q", columns)
            clause, values = _text_match(text, [name], columns)
            clauses.append(clause)
            params.extend(values)
    elif request.q:
        text_columns = [c for c, t in columns.items() if t.upper().startswith("VARCHAR")]
        clause, values = _text_match(request.q, text_columns, columns)
        clauses.append(clause)
        params.extend(values)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _filter(name: str, wanted: Any, column_type: str) -> tuple[str, list[Any]]:
    """``column = ?`` or ``column IN (?, ...)``; ``null`` means IS NULL. A text column gets
    its values as text, so that ``{"codigo": 8}`` matches ``'8'`` instead of casting the
    column to a number."""
    values = wanted if isinstance(wanted, list) else [wanted]
    if len(values) > _MAX_FILTER_VALUES:
        raise ValidationFailed(
            f"El filtro de «{name}» tiene más de {_MAX_FILTER_VALUES} valores.",
            {"filters": ["Demasiados valores."]},
        )
    text = column_type.upper().startswith("VARCHAR")
    bound = [str(v).lower() if isinstance(v, bool) and text else v for v in values]
    bound = [str(v) if text and v is not None else v for v in bound]
    present = [v for v in bound if v is not None]
    parts: list[str] = []
    if present:
        marks = ", ".join("?" for _ in present)
        parts.append(f"{quote(name)} IN ({marks})")
    if len(present) < len(bound):
        parts.append(f"{quote(name)} IS NULL")
    return "(" + " OR ".join(parts) + ")", present


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_match(text: str, names: list[str], columns: dict[str, str]) -> tuple[str, list[Any]]:
    """Every word of ``text`` (split on spaces, punctuation kept) appears in one of ``names``;
    no text column at all matches nothing."""
    words = [fold(word) for word in text.split()][:_MAX_WORDS]
    if not words:
        return "TRUE", []
    if not names:
        return "FALSE", []
    haystacks = [
        f"strip_accents(lower(CAST({quote(n)} AS VARCHAR)))" for n in names if n in columns
    ]
    clauses: list[str] = []
    params: list[Any] = []
    for word in words:
        clauses.append("(" + " OR ".join(f"{h} LIKE ? ESCAPE '\\'" for h in haystacks) + ")")
        params.extend([f"%{_escape_like(word)}%"] * len(haystacks))
    return "(" + " AND ".join(clauses) + ")", params


def _order_by(sort: str | None, selected: list[str], columns: dict[str, str]) -> str:
    """The caller's order, then the selected columns as tie-breakers: pages of the same query
    never overlap nor skip a row (rows equal in every selected column are indistinguishable)."""
    keys: list[str] = []
    named: list[str] = []
    for part in (sort or "").split(","):
        if not part.strip():
            continue
        match = _SORT_PART.match(part)
        if match is None:
            raise ValidationFailed(
                f"Orden no válido «{part.strip()}»: use «columna asc» o «columna desc».",
                {"sort": [f"Orden no válido: «{part.strip()}»."]},
            )
        name = match["column"]
        if name not in columns:
            raise _unknown(name, "sort", columns)
        direction = (match["direction"] or "asc").upper()
        keys.append(f"{quote(name)} {direction}")
        named.append(name)
    keys += [quote(c) for c in selected if c not in named]
    return ", ".join(keys)


def _links(request: DatastoreRequest, action_url: str) -> dict[str, str]:
    params: dict[str, Any] = {"resource_id": request.resource_id}
    if request.filters:
        params["filters"] = json.dumps(request.filters, ensure_ascii=False)
    if request.q is not None:
        params["q"] = request.q if isinstance(request.q, str) else json.dumps(request.q)
    if request.fields:
        params["fields"] = ",".join(request.fields)
    if request.sort:
        params["sort"] = request.sort
    if request.limit != DATASTORE_DEFAULT_LIMIT:
        params["limit"] = request.limit
    start = f"{action_url}?{urlencode(params)}"
    following = f"{action_url}?{urlencode({**params, 'offset': request.offset + request.limit})}"
    return {"start": start, "next": following}
