"""Typing: text columns become the spec's types, vectorised over Arrow arrays.

Each rule returns the typed array and a mask of the values that could not be typed, so a
batch splits into rows for staging and rows for quarantine, with a reason per column, without
a Python loop per cell. The rules cope with what district files carry: decimal commas,
thousands separators, currency signs, percentages as text, ``d/mm/yy`` dates, null markers
such as ``Sin dato``.

Arrow does the work except for dates and times, which an in-process DuckDB parses: its
``try_strptime`` is strict where Arrow's is not (Arrow rolls ``31/02/24`` over to 2 March) and
accepts the unpadded days and hours district files write (``6/03/20``, ``0:00``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from catalog.specs import Column, FileFormat

ISO_DATE_FORMATS = ["%Y-%m-%d"]
ISO_DATETIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
TIME_FORMATS = ["%H:%M:%S", "%H:%M"]

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "time": pa.time64("us"),
}

_INTEGER = r"^[+-]?\d+$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


@dataclass(frozen=True)
class Typed:
    """A typed column, and which of its values could not be typed (and what was expected)."""

    values: pa.Array
    invalid: pa.BooleanArray
    expected: str


def none_invalid(length: int) -> pa.BooleanArray:
    return pa.array(np.zeros(length, dtype=bool))


def _clean_text(values: pa.Array, null_values: pa.Array) -> pa.Array:
    """Trim, and turn null markers (``''``, ``Sin dato``, ``-9999``...) into nulls."""
    trimmed = pc.utf8_trim_whitespace(values)
    is_marker = pc.is_in(trimmed, value_set=null_values)
    if not pc.any(is_marker).as_py():
        return trimmed
    return pc.if_else(is_marker, pa.scalar(None, pa.string()), trimmed)


def _invalid(text: pa.Array, typed: pa.Array) -> pa.BooleanArray:
    """A value is invalid when there was text but no typed value came out of it."""
    return pc.and_(pc.is_valid(text), pc.is_null(typed))


def _cast_checked(text: pa.Array, pattern: str, target: pa.DataType) -> pa.Array:
    """Cast, trusting Arrow's strict cast when the whole batch is clean (the common case) and
    checking value by value with ``pattern`` only when it is not."""
    try:
        return pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.match_substring_regex(text, pattern)
        return pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), target)


def _number_text(text: pa.Array, fmt: FileFormat, column: Column) -> pa.Array:
    """Normalise ``'$ 1.250.000,50'`` or ``'12,5 %'`` to ``'1250000.50'`` / ``'12.5'``."""
    if pc.any(pc.match_substring_regex(text, r"[\s$]")).as_py():
        text = pc.replace_substring_regex(text, r"[\s$]", "")
    if column.percent:
        text = pc.replace_substring(text, "%", "")
    if fmt.thousands:
        text = pc.replace_substring(text, fmt.thousands, "")
        if fmt.decimal == ",":
            text = pc.replace_substring(text, ",", ".")
    else:
        # No thousands separator declared: either mark is a decimal mark ('4,635' or '4.635').
        text = pc.replace_substring(text, ",", ".")
    return text


def _clean_cast(text: pa.Array, target: pa.DataType) -> pa.Array | None:
    """Arrow's strict cast when every value of the batch is clean (the common case)."""
    try:
        values = pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pa.types.is_floating(target) and pc.any(pc.is_nan(values)).as_py():
        return None  # 'nan' parses as a float; a district file never means it
    if pa.types.is_floating(target) and pc.any(pc.is_inf(values)).as_py():
        return None
    return values


def _to_integer(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    values = _clean_cast(text, pa.int64())
    if values is None:
        digits = _number_text(text, fmt, column)
        digits = pc.replace_substring_regex(digits, r"\.0+$", "")
        values = _cast_checked(digits, _INTEGER, pa.int64())
    return Typed(values, _invalid(text, values), "un número entero")


def _to_number(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    normalised = _number_text(text, fmt, column)
    values = _clean_cast(normalised, pa.float64())
    if values is None:
        ok = pc.match_substring_regex(normalised, _NUMBER)
        values = pc.cast(pc.if_else(ok, normalised, pa.scalar(None, pa.string())), pa.float64())
    if column.percent:
        values = pc.divide(values, 100.0)
    mark = "coma" if fmt.decimal == "," else "punto"
    return Typed(values, _invalid(text, values), f"un número (decimal con {mark})")


def _to_boolean(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    lowered = pc.utf8_lower(text)
    true_set = pa.array([v.lower() for v in column.true_values], pa.string())
    false_set = pa.array([v.lower() for v in column.false_values], pa.string())
    is_true = pc.is_in(lowered, value_set=true_set)
    is_false = pc.is_in(lowered, value_set=false_set)
    values = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
    options = "/".join(column.true_values[:2] + column.false_values[:2])
    return Typed(values, _invalid(text, values), f"un sí/no ({options})")


def _to_string(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    return Typed(text, none_invalid(len(text)), "texto")


_LOCAL = threading.local()


def _duckdb() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB per thread (connections are not shared across threads)."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        _LOCAL.con = con
    return con


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _formats(column: Column, declared: list[str], iso: list[str]) -> list[str]:
    chosen = list(column.formats or declared)
    return chosen + [f for f in iso if f not in chosen]


def _temporal_rule(column: Column, fmt: FileFormat) -> tuple[list[str], str, str]:
    """Formats to try, the SQL type, and what a publisher is told was expected."""
    if column.type == "date":
        formats = _formats(column, fmt.date_formats, ISO_DATE_FORMATS + ISO_DATETIME_FORMATS)
        return formats, "DATE", f"una fecha ({' o '.join(formats[:2])})"
    if column.type == "datetime":
        formats = _formats(column, fmt.datetime_formats, ISO_DATETIME_FORMATS)
        return formats, "TIMESTAMP", f"una fecha y hora ({formats[0]})"
    formats = list(column.formats or TIME_FORMATS)
    return formats, "TIME", f"una hora ({formats[0]})"


def _parse_temporal(texts: list[pa.Array], rules: list[tuple[list[str], str]]) -> list[pa.Array]:
    """Parse several date/time columns of a batch in one DuckDB query (first format wins)."""
    table = pa.table({f"t{i}": text for i, text in enumerate(texts)})
    selects = ", ".join(
        f"CAST(try_strptime(t{i}, {_sql_list(formats)}) AS {sql_type}) AS v{i}"
        for i, (formats, sql_type) in enumerate(rules)
    )
    con = _duckdb()
    con.register("incoming_text", table)
    try:
        result = con.execute(f"SELECT {selects} FROM incoming_text").to_arrow_table()
    finally:
        con.unregister("incoming_text")
    return [result.column(i).combine_chunks() for i in range(len(rules))]


_RULES: dict[str, Callable[[pa.Array, FileFormat, Column], Typed]] = {
    "string": _to_string,
    "integer": _to_integer,
    "number": _to_number,
    "boolean": _to_boolean,
}
_TEMPORAL = {"date", "datetime", "time"}


def _native(values: pa.Array, target: pa.DataType) -> pa.Array | None:
    """Already-typed input (Parquet, JSON numbers) cast directly when Arrow can, else None."""
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return None
    if values.type == target:
        return values
    try:
        return pc.cast(values, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


@dataclass(frozen=True)
class BatchTyping:
    """Types every spec column of a batch; ``sources`` names each column's header (or None)."""

    columns: list[Column]
    sources: list[str | None]
    fmt: FileFormat

    @classmethod
    def build(
        cls, columns: list[Column], sources: list[str | None], fmt: FileFormat
    ) -> BatchTyping:
        return cls(list(columns), list(sources), fmt)

    def run(self, batch: pa.RecordBatch | pa.Table) -> list[Typed]:
        nulls = pa.array(self.fmt.null_values, pa.string())
        n = batch.num_rows
        typed: list[Typed | None] = []
        temporal: list[tuple[int, pa.Array, list[str], str, str]] = []
        for index, (column, source) in enumerate(zip(self.columns, self.sources, strict=True)):
            target = ARROW_TYPES[column.type]
            if source is None:
                typed.append(Typed(pa.nulls(n, target), none_invalid(n), column.type))
                continue
            values = batch.column(source)
            if isinstance(values, pa.ChunkedArray):
                values = values.combine_chunks()
            native = _native(values, target)
            if native is not None:
                typed.append(Typed(native, none_invalid(n), column.type))
                continue
            text = _clean_text(values.cast(pa.string()), nulls)
            if column.type in _TEMPORAL:
                formats, sql_type, expected = _temporal_rule(column, self.fmt)
                temporal.append((index, text, formats, sql_type, expected))
                typed.append(None)
            else:
                typed.append(_RULES[column.type](text, self.fmt, column))
        if temporal:
            parsed = _parse_temporal([t[1] for t in temporal], [(t[2], t[3]) for t in temporal])
            for (index, text, _, _, expected), values in zip(temporal, parsed, strict=True):
                values = values.cast(ARROW_TYPES[self.columns[index].type])
                typed[index] = Typed(values, _invalid(text, values), expected)
        return [t for t in typed if t is not None]


def coerce(values: pa.Array, column: Column, fmt: FileFormat) -> Typed:
    """Type one column (the same rules as a whole batch; used by inference and tests)."""
    return BatchTyping.build([column], ["value"], fmt).run(pa.table({"value": values}))[0]
