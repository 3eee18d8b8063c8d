"""Typing: text columns become the spec's types, vectorised over Arrow arrays.

Each rule returns the typed array and a mask of the values that could not be typed, so a
batch splits into rows for staging and rows for quarantine, with a reason per column, without
a Python loop per cell. The rules cope with what district files carry: decimal commas,
thousands separators, currency signs, percentages as text, ``d/mm/yy`` dates, sentinel values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
_LEADING_ZEROS = r"(^|[^0-9])0+([0-9])"


@dataclass(frozen=True)
class Typed:
    """A typed column, and which of its values could not be typed (and why)."""

    values: pa.Array
    invalid: pa.BooleanArray
    expected: str


def _none_invalid(length: int) -> pa.BooleanArray:
    return pa.array(np.zeros(length, dtype=bool))


def _blank_to_null(values: pa.Array, null_values: list[str]) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    is_null_marker = pc.is_in(trimmed, value_set=pa.array(null_values, pa.string()))
    return pc.if_else(is_null_marker, pa.scalar(None, pa.string()), trimmed)


def _invalid(original: pa.Array, typed: pa.Array) -> pa.BooleanArray:
    """A value is invalid when there was text but no typed value came out of it."""
    return pc.and_(pc.is_valid(original), pc.is_null(typed))


def _only_valid(text: pa.Array, pattern: str) -> pa.Array:
    ok = pc.match_substring_regex(text, pattern)
    return pc.if_else(ok, text, pa.scalar(None, pa.string()))


def _number_text(text: pa.Array, fmt: FileFormat, column: Column) -> pa.Array:
    """Normalise ``'$ 1.250.000,50'`` or ``'12,5 %'`` to ``'1250000.50'`` / ``'12.5'``."""
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


def _to_integer(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    digits = _number_text(text, fmt, column)
    digits = pc.replace_substring_regex(digits, r"\.0+$", "")
    candidate = _only_valid(digits, _INTEGER)
    values = pc.cast(candidate, pa.int64())
    return Typed(values, _invalid(text, values), "un número entero")


def _to_number(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    candidate = _only_valid(_number_text(text, fmt, column), _NUMBER)
    values = pc.cast(candidate, pa.float64())
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


def _strip_leading_zeros(text: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(text, _LEADING_ZEROS, r"\1\2")


def _parse_with_formats(text: pa.Array, formats: list[str]) -> pa.Array:
    """Try each format in order; a value keeps the first format that reproduces it exactly.

    Arrow's strptime rolls impossible dates over (``31/02/24`` becomes 2 March); formatting the
    result back and comparing (ignoring zero padding) rejects them.
    """
    result = pa.nulls(len(text), pa.timestamp("s"))
    comparable = _strip_leading_zeros(text)
    for fmt in formats:
        pending = pc.and_(pc.is_null(result), pc.is_valid(text))
        if not pc.any(pending).as_py():
            break
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        round_trip = _strip_leading_zeros(pc.strftime(parsed, format=fmt))
        exact = pc.fill_null(pc.equal(round_trip, comparable), False)
        result = pc.if_else(pc.and_(pending, exact), parsed, result)
    return result.cast(pa.timestamp("us"))


def _formats(column: Column, declared: list[str], iso: list[str]) -> list[str]:
    chosen = list(column.formats or declared)
    return chosen + [f for f in iso if f not in chosen]


def _to_date(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    formats = _formats(column, fmt.date_formats, ISO_DATE_FORMATS + ISO_DATETIME_FORMATS)
    values = pc.cast(_parse_with_formats(text, formats), pa.date32())
    return Typed(values, _invalid(text, values), f"una fecha ({' o '.join(formats[:2])})")


def _to_datetime(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    formats = _formats(column, fmt.datetime_formats, ISO_DATETIME_FORMATS)
    values = _parse_with_formats(text, formats)
    return Typed(values, _invalid(text, values), f"una fecha y hora ({formats[0]})")


def _to_time(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    formats = column.formats or TIME_FORMATS
    parsed = _parse_with_formats(text, formats)
    values = pc.cast(parsed, pa.time64("us"))
    return Typed(values, _invalid(text, values), f"una hora ({formats[0]})")


def _to_string(text: pa.Array, fmt: FileFormat, column: Column) -> Typed:
    return Typed(text, _none_invalid(len(text)), "texto")


_RULES: dict[str, Callable[[pa.Array, FileFormat, Column], Typed]] = {
    "string": _to_string,
    "integer": _to_integer,
    "number": _to_number,
    "boolean": _to_boolean,
    "date": _to_date,
    "datetime": _to_datetime,
    "time": _to_time,
}


def coerce(values: pa.Array, column: Column, fmt: FileFormat) -> Typed:
    """Type one column of a batch according to the spec."""
    target = ARROW_TYPES[column.type]
    if values.type == target:
        return Typed(values, _none_invalid(len(values)), column.type)
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        try:
            cast = pc.cast(values, target)
            return Typed(cast, _invalid(values, cast), column.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = pc.cast(values, pa.string())
    text = _blank_to_null(values.cast(pa.string()), fmt.null_values)
    return _RULES[column.type](text, fmt, column)
