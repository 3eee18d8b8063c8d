"""The territory pages (``/territorio``): the indicators per localidad, from the curated mart.

``curated.indicadores.localidad_periodo`` has one row per localidad (all 20) and month, and
``curated.indicadores.definiciones`` one row per indicator with its name, MinTIC dimension,
unit, formula and sources. Both are read whole (a few thousand cells) through the service's
read-only DuckDB session and kept for :data:`REFRESH_SECONDS`, so a page costs no query.

**Which period.** Indicators cover different months (each source its own span). The default
period is the latest month in which the most indicators have a value for all 20 localidades
(the "latest complete" month); for one indicator, the latest month in which it covers the
most localidades. **The district** ("Bogotá") is what the district as a whole would show:
a rate is recomputed from the localidades' counts and populations (not averaged), a count is
summed, PM2.5 is the mean of all the stations' measurements; an indicator the portal does not
know is compared with the localidades' median, and labelled so.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from catalog.service.state import Service

MART = "curated.indicadores.localidad_periodo"
DEFINITIONS = "curated.indicadores.definiciones"
LOCALIDADES = "curated.dim.localidad"
MODEL = "indicadores.localidad_periodo"
#: How long the mart read from DuckDB is kept (it changes once per pipeline run).
REFRESH_SECONDS = 60.0


class TerritoryUnavailable(Exception):
    """The indicators cannot be read (no curated zone yet, models not built)."""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    dimension: str
    unit: str
    formula: str
    sources: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Localidad:
    code: str
    name: str
    area: str  # "urbana" or "rural" (Sumapaz)
    population: int | None
    upz: int | None

    @property
    def rural(self) -> bool:
        return self.area == "rural"


@dataclass(frozen=True)
class District:
    """How the district's value of an indicator is computed from the localidades'."""

    kind: str  # "rate", "sum", "weighted", "median"
    column: str | None = None  # the numerator (rate) or the weight (weighted)
    per: int = 1


#: The indicators of the mart the portal knows how to add up for the whole district.
DISTRICT_RULES: dict[str, District] = {
    "notificaciones_salud_100k": District("rate", "notificaciones_salud", 100_000),
    "victimas_siniestros_100k": District("rate", "victimas_siniestros", 100_000),
    "siniestros_viales_100k": District("rate", "siniestros_viales", 100_000),
    "peticiones_1000": District("rate", "peticiones", 1_000),
    "beneficiarios_1000": District("rate", "beneficiarios_activos", 1_000),
    "pm25_promedio": District("weighted", "pm25_mediciones"),
    "matriculados": District("sum"),
    "empresas_activas": District("sum"),
}
_MEDIAN = District("median")


@dataclass(frozen=True)
class Territory:
    indicators: tuple[Indicator, ...]
    localidades: tuple[Localidad, ...]
    periods: tuple[str, ...]  # oldest first
    rows: Mapping[tuple[str, str], Mapping[str, Any]]  # (localidad code, period) → row
    _memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def indicator(self, code: str | None) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def localidad(self, code: str | None) -> Localidad | None:
        return next((loc for loc in self.localidades if loc.code == code), None)

    def value(self, localidad: str, period: str, indicator: str) -> float | None:
        row = self.rows.get((localidad, period))
        found = row.get(indicator) if row else None
        return float(found) if found is not None else None

    def coverage(self, period: str, indicator: str) -> int:
        """How many localidades have a value of ``indicator`` in ``period``."""
        return sum(self.value(loc.code, period, indicator) is not None for loc in self.localidades)

    def _memoised(self, key: Any, build: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def default_period(self, indicator: str | None = None) -> str | None:
        """The latest complete month: for one indicator, the latest with its widest coverage;
        for the page as a whole, the latest with the most indicators fully covered."""

        def choose() -> str | None:
            if not self.periods:
                return None
            wanted = len(self.localidades)
            if indicator is not None:
                score = {p: self.coverage(p, indicator) for p in self.periods}
            else:
                score = {
                    p: sum(self.coverage(p, i.code) == wanted for i in self.indicators)
                    for p in self.periods
                }
            best = max(score.values())
            return max(p for p, s in score.items() if s == best)

        chosen: str | None = self._memoised(("period", indicator), choose)
        return chosen

    def default_indicator(self, period: str) -> Indicator | None:
        """The first indicator (definitions' order) that covers the most localidades."""
        if not self.indicators:
            return None
        return max(self.indicators, key=lambda i: self.coverage(period, i.code))

    def ranking(self, period: str, indicator: str) -> list[tuple[Localidad, float | None]]:
        """Every localidad, highest value first; those without a value last, by code."""
        pairs = [(loc, self.value(loc.code, period, indicator)) for loc in self.localidades]
        present = sorted(
            ((loc, v) for loc, v in pairs if v is not None), key=lambda p: (-p[1], p[0].code)
        )
        return [*present, *((loc, v) for loc, v in pairs if v is None)]

    def places(
        self, period: str, indicator: str
    ) -> list[tuple[Localidad, float | None, int | None]]:
        """:meth:`ranking` with each localidad's place (1 = highest; ties share a place,
        the next place skips: 1, 2, 2, 4); no place without a value."""
        ranking = self.ranking(period, indicator)
        values = [v for _, v in ranking if v is not None]
        return [
            (loc, v, None if v is None else 1 + sum(other > v for other in values))
            for loc, v in ranking
        ]

    def place(self, localidad: str, period: str, indicator: str) -> int | None:
        return next(
            (p for loc, _, p in self.places(period, indicator) if loc.code == localidad), None
        )

    def district(self, period: str, indicator: str) -> float | None:
        """The whole district's value of ``indicator`` in ``period`` (see the module)."""
        rule = DISTRICT_RULES.get(indicator, _MEDIAN)
        rows = [self.rows.get((loc.code, period)) or {} for loc in self.localidades]
        if rule.kind == "rate" and rule.column:
            counted = [r for r in rows if r.get(rule.column) is not None and r.get("poblacion")]
            if not counted:
                return None
            events = sum(float(r[rule.column]) for r in counted)
            people = sum(float(r["poblacion"]) for r in counted)
            return events / people * rule.per
        values = [float(r[indicator]) for r in rows if r.get(indicator) is not None]
        if not values:
            return None
        if rule.kind == "sum":
            return sum(values)
        if rule.kind == "weighted" and rule.column:
            weighted = [
                (float(r[indicator]), float(r.get(rule.column) or 0))
                for r in rows
                if r.get(indicator) is not None
            ]
            total = sum(w for _, w in weighted)
            if total > 0:
                return sum(v * w for v, w in weighted) / total
        return statistics.median(values)

    def district_kind(self, indicator: str) -> str:
        return DISTRICT_RULES.get(indicator, _MEDIAN).kind

    def series(self, localidad: str, indicator: str) -> list[float | None]:
        return [self.value(localidad, period, indicator) for period in self.periods]

    def district_series(self, indicator: str) -> list[float | None]:
        return [self.district(period, indicator) for period in self.periods]

    def span(self, indicator: str) -> tuple[int, int]:
        """The first and last position in :attr:`periods` where ``indicator`` has data (the
        charts leave out the years before and after the source's coverage)."""

        def find() -> tuple[int, int]:
            covered = [i for i, p in enumerate(self.periods) if self.coverage(p, indicator)]
            return (covered[0], covered[-1]) if covered else (0, len(self.periods) - 1)

        span: tuple[int, int] = self._memoised(("span", indicator), find)
        return span


def read_territory(cursor: duckdb.DuckDBPyConnection) -> Territory:
    """The mart, its definitions and the localidades, read whole."""
    try:
        columns = [
            str(name)
            for (name,) in cursor.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'curated' "
                "AND schema_name = 'indicadores' AND table_name = 'localidad_periodo'"
            ).fetchall()
        ]
        if not columns:
            raise TerritoryUnavailable(MART)
        definitions = cursor.execute(
            f"SELECT codigo, nombre, dimension, unidad, formula, fuente, nota FROM {DEFINITIONS} "
            "WHERE modelo = ?",
            [MODEL],
        ).fetchall()
        localidades = cursor.execute(
            f"SELECT codigo, nombre, area, poblacion, num_upz FROM {LOCALIDADES} "
            "WHERE es_localidad ORDER BY codigo"
        ).fetchall()
        relation = cursor.execute(f"SELECT * FROM {MART} ORDER BY periodo, codigo_localidad")
        names = [d[0] for d in relation.description or []]
        rows = [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
    except duckdb.Error as err:
        raise TerritoryUnavailable(type(err).__name__) from None
    return Territory(
        indicators=tuple(
            Indicator(
                code=str(code),
                name=str(name),
                dimension=str(dimension),
                unit=str(unit),
                formula=str(formula),
                sources=tuple(s.strip() for s in str(sources or "").split(",") if s.strip()),
                note=str(note or ""),
            )
            for code, name, dimension, unit, formula, sources, note in definitions
            if code in columns
        ),
        localidades=tuple(
            Localidad(str(code), str(name), str(area or ""), population, upz)
            for code, name, area, population, upz in localidades
        ),
        periods=tuple(sorted({str(r["periodo"]) for r in rows})),
        rows={(str(r["codigo_localidad"]), str(r["periodo"])): r for r in rows},
    )


class TerritorySource:
    """The worker's copy of the territory, read again after :data:`REFRESH_SECONDS`."""

    def __init__(self, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.refresh_seconds = refresh_seconds
        self._held: tuple[float, Territory] | None = None
        self._lock = threading.Lock()

    def get(self, service: Service) -> Territory:
        """The territory, read if never read or too old; raises :class:`TerritoryUnavailable`."""
        with self._lock:
            held = self._held
            if held is not None and time.monotonic() - held[0] < self.refresh_seconds:
                return held[1]
            from catalog.service.ckan import ActionError

            try:
                with service.datastore.cursor() as cursor:
                    territory = read_territory(cursor)
            except ActionError:  # the curated zone is not there yet
                raise TerritoryUnavailable("curated") from None
            self._held = (time.monotonic(), territory)
            return territory


def chosen(values: Sequence[str], wanted: str | None, default: str | None) -> str | None:
    """``wanted`` if it is one of ``values``, else ``default``."""
    return wanted if wanted in values else default
