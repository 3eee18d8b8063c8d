"""Typing rules over Arrow arrays: what district files carry, and what must be refused."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from catalog.specs import Column, FileFormat
from ingestion.coercion import coerce

COMMA = FileFormat(decimal=",", thousands=".", date_formats=["%d/%m/%y", "%d/%m/%Y"])


def _typed(values: list[str | None], fmt: FileFormat = COMMA, **column: object):  # type: ignore[no-untyped-def]
    result = coerce(pa.array(values, pa.string()), Column(name="c", **column), fmt)  # type: ignore[arg-type]
    return result.values.to_pylist(), result.invalid.to_pylist()


def test_day_first_short_dates_and_impossible_dates() -> None:
    values, invalid = _typed(["6/03/20", "31/02/24", "29/02/24", "10/10/2023"], type="date")
    assert values == [dt.date(2020, 3, 6), None, dt.date(2024, 2, 29), dt.date(2023, 10, 10)]
    assert invalid == [False, True, False, False]


def test_null_markers_and_blanks_are_null_not_errors() -> None:
    values, invalid = _typed(["  ", "Sin dato", "N/A", ""], type="integer")
    assert values == [None] * 4 and invalid == [False] * 4


def test_decimal_comma_thousands_dots_and_currency() -> None:
    values, invalid = _typed(["$ 1.250.000,50", "12,5", "-3", "12,5,3"], type="number")
    assert values[:3] == [1250000.5, 12.5, -3.0]
    assert invalid == [False, False, False, True]


def test_either_decimal_mark_when_no_thousands_separator() -> None:
    values, _ = _typed(["4,635", "4.635", "-74.1"], fmt=FileFormat(), type="number")
    assert values == [4.635, 4.635, -74.1]


def test_percentages_as_text() -> None:
    values, invalid = _typed(["12,5%", "100 %", "abc%"], type="number", percent=True)
    assert values[:2] == [0.125, 1.0] and invalid == [False, False, True]


def test_integers_refuse_words_and_fractions() -> None:
    values, invalid = _typed(["12", "12,0", "treinta", "1,5"], type="integer")
    assert values[:2] == [12, 12]
    assert invalid == [False, False, True, True]


def test_booleans_in_spanish() -> None:
    values, invalid = _typed(["Sí", "no", "S", "N", "quizás"], type="boolean")
    assert values == [True, False, True, False, None]
    assert invalid[-1] is True


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("10/10/2023 0:00", "%d/%m/%Y %H:%M", dt.datetime(2023, 10, 10, 0, 0)),
        ("2022/09/21 15:14:00+00", "%Y/%m/%d %H:%M:%S+00", dt.datetime(2022, 9, 21, 15, 14)),
    ],
)
def test_datetimes_as_real_files_write_them(text: str, fmt: str, expected: dt.datetime) -> None:
    values, invalid = _typed([text], type="datetime", formats=[fmt])
    assert values == [expected] and invalid == [False]


def test_times_and_out_of_range_times() -> None:
    values, invalid = _typed(["6:46:00", "25:00:00"], type="time")
    assert values[0] == dt.time(6, 46) and invalid == [False, True]
