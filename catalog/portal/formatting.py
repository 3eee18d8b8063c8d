"""Numbers, dates and sizes as each language writes them (Babel's CLDR data).

Bogotá writes ``1.234,5`` and ``7 de junio de 2025``; the records store ISO 8601 in UTC, so
times are shown in Bogotá's zone. One :class:`Formatter` per language is made at start and
handed to the templates as ``fmt``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.core import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import NumberPattern, parse_pattern

from catalog.catalog_info import parse_timestamp

BOGOTA = "America/Bogota"
_SIZE_UNITS = ("B", "kB", "MB", "GB", "TB")


@functools.cache
def _number_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "#" * digits if digits > 0 else ""))


@functools.cache
def formatter(locale: str) -> Formatter:
    """The formatter of a Babel locale, made once (parsing a locale is not free)."""
    return Formatter(Locale.parse(locale))


@dataclass(frozen=True)
class Formatter:
    """Formatting in one Babel locale (``es_CO`` or ``en``); get one with :func:`formatter`."""

    locale: Locale

    def number(self, value: float | int | None, digits: int = 1) -> str:
        """At most ``digits`` decimals, grouped thousands; empty for a missing value."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return ""
        return _number_pattern(digits).apply(value, self.locale)

    def integer(self, value: int | None) -> str:
        return self.number(value, 0)

    def score(self, value: float | None) -> str:
        """A 0-10 score with two decimals at most (``8,65``)."""
        return self.number(value, 2)

    def date(self, stamp: str | None) -> str:
        """An ISO date or timestamp as a long date (``7 de junio de 2025``), in Bogotá."""
        if not stamp:
            return ""
        return format_date(self._day(stamp), "long", locale=self.locale)

    def short_date(self, stamp: str | None) -> str:
        """``7/06/2025``: for chart axes, where space is short."""
        if not stamp:
            return ""
        return format_date(self._day(stamp), "short", locale=self.locale)

    @staticmethod
    def _day(stamp: str) -> dt.date:
        """The calendar day of an ISO date, or of a UTC timestamp in Bogotá."""
        if len(stamp) == 10:
            return dt.date.fromisoformat(stamp)
        return parse_timestamp(stamp).astimezone(ZoneInfo(BOGOTA)).date()

    def period(self, period: str) -> str:
        """``2025-05`` → ``mayo de 2025``; anything else is shown as it is."""
        try:
            first = dt.date.fromisoformat(f"{period}-01")
        except ValueError:
            return period
        return format_skeleton("yMMMM", first, locale=self.locale)

    def short_period(self, period: str) -> str:
        """``2025-05`` → ``may 2025``."""
        try:
            first = dt.date.fromisoformat(f"{period}-01")
        except ValueError:
            return period
        return format_skeleton("yMMM", first, locale=self.locale).replace(" de ", " ")

    def size(self, count: int | None) -> str:
        """Bytes in decimal units (``1,2 MB``), as downloads are usually labelled."""
        if count is None:
            return ""
        value = float(count)
        for unit in _SIZE_UNITS:
            if value < 1000 or unit == _SIZE_UNITS[-1]:
                digits = 0 if unit == "B" else 1
                return f"{self.number(value, digits)} {unit}"
            value /= 1000
        return f"{count} B"  # pragma: no cover - the loop always returns
