"""Quality rules as data, in the spirit of Amsterdam's dq-suite.

A rule names a Great Expectations 1.x expectation class (``ExpectColumnValuesToNotBeNull``...),
its parameters and a severity: ``blocking`` rules (schema and contract: types, nullability, keys,
allowed values) stop downstream assets when they fail; ``warning`` rules are reported only.

Rules come from two places: derived from the dataset spec (``derive_rules``), so a dataset gets
a useful suite with no extra file, and the dataset's own suite ``expectations/suites/<id>.yaml``
for what the spec cannot say. A suite rule with the same expectation and column as a derived one
replaces it (e.g. to relax a range to a warning).

This module is plain data (pydantic); Great Expectations itself is imported only where rules
are run, never when the Dagster definitions load.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from catalog.specs import DatasetSpec, Frequency

SUITES_DIR = Path(__file__).resolve().parent / "suites"

Severity = Literal["blocking", "warning"]

#: The measurable criteria of MinTIC's ISO/IEC 25012-based open-data quality guide that a rule
#: can inform (the score adds comprensibilidad and trazabilidad from the metadata and lineage).
Criterion = Literal[
    "completitud", "exactitud", "actualidad", "consistencia", "unicidad", "conformidad"
]

#: Spec column types → the type names Great Expectations observes on a DuckDB batch (the
#: SQLAlchemy class names duckdb-engine reflects, e.g. BIGINT → ``BigInteger``).
_GX_TYPES = {
    "string": ["String", "VARCHAR"],
    "integer": ["BigInteger", "Integer", "SmallInteger", "BIGINT", "INTEGER"],
    "number": ["FLOAT", "Float", "NUMERIC", "Numeric", "DOUBLE", "REAL", "DECIMAL"],
    "boolean": ["BOOLEAN", "Boolean"],
    "date": ["DATE", "Date"],
    "datetime": ["TIMESTAMP", "DateTime", "DATETIME"],
    "time": ["TIME", "Time"],
}

#: The criterion each expectation informs when the rule does not say.
_CRITERIA: dict[str, Criterion] = {
    "ExpectTableColumnsToMatchSet": "conformidad",
    "ExpectTableColumnsToMatchOrderedList": "conformidad",
    "ExpectColumnToExist": "conformidad",
    "ExpectColumnValuesToBeInTypeList": "conformidad",
    "ExpectColumnValuesToBeOfType": "conformidad",
    "ExpectColumnValuesToNotBeNull": "completitud",
    "ExpectColumnValuesToBeUnique": "unicidad",
    "ExpectCompoundColumnsToBeUnique": "unicidad",
    "ExpectSelectColumnValuesToBeUniqueWithinRecord": "unicidad",
    "ExpectTableRowCountToBeBetween": "consistencia",
    "ExpectColumnPairValuesAToBeGreaterThanB": "consistencia",
    "ExpectColumnPairValuesToBeEqual": "consistencia",
    "ExpectMulticolumnSumToEqual": "consistencia",
    "ExpectColumnMaxToBeBetween": "actualidad",
}

#: How old the newest record may be, per declared frequency, before the data is stale (a
#: delivery is expected once per period; one period of slack).
MAX_AGE_DAYS: dict[Frequency, int | None] = {
    Frequency.HORARIA: 1,
    Frequency.DIARIA: 2,
    Frequency.SEMANAL: 14,
    Frequency.MENSUAL: 62,
    Frequency.TRIMESTRAL: 184,
    Frequency.SEMESTRAL: 366,
    Frequency.ANUAL: 731,
    Frequency.EVENTUAL: None,
}


class Rule(BaseModel):
    """One expectation with its parameters, as written in a suite file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(pattern=r"^Expect[A-Za-z]+$", description="GX expectation class name")
    parameters: dict[str, Any] = Field(default_factory=dict)
    severity: Severity = "warning"
    description: str | None = Field(None, description="why the rule exists, in Spanish")
    derived: bool = Field(False, description="derived from the spec, not written by hand")
    criterion: Criterion | None = Field(
        None, description="ISO 25012 criterion it informs; by default from the expectation"
    )

    @property
    def column(self) -> str | None:
        value = self.parameters.get("column")
        return value if isinstance(value, str) else None

    @property
    def columns(self) -> list[str]:
        """Every column the rule reads (to decide whether its failing values may be shown)."""
        found: list[str] = []
        for name in ("column", "column_A", "column_B"):
            value = self.parameters.get(name)
            if isinstance(value, str):
                found.append(value)
        for name in ("column_list",):
            value = self.parameters.get(name)
            if isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
        return found

    @property
    def quality_criterion(self) -> Criterion:
        return self.criterion or _CRITERIA.get(self.rule, "exactitud")

    @property
    def identity(self) -> tuple[str, str | None]:
        return self.rule, self.column


class Suite(BaseModel):
    """A dataset's hand-written rules (``expectations/suites/<id>.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dataset: str
    rules: list[Rule] = Field(default_factory=list)
    max_quarantine_share: float = Field(
        0.05, ge=0, le=1, description="largest share of rows quarantined before it is an error"
    )
    row_count_change: float | None = Field(
        0.5,
        ge=0,
        description="largest relative change in rows against the previous delivery (warning); "
        "null turns the rule off",
    )
    freshness_column: str | None = Field(
        None,
        description="date column whose newest value shows how current the data is; "
        "by default the first mandatory date or datetime column",
    )
    max_age_days: int | None = Field(
        None, gt=0, description="overrides the age allowed by the declared update frequency"
    )


def _column_rules(spec: DatasetSpec) -> list[Rule]:
    rules: list[Rule] = []
    for column in spec.schema_.columns:
        name = column.name

        def add(rule: str, severity: Severity, why: str, **parameters: Any) -> None:
            rules.append(
                Rule(
                    rule=rule,
                    parameters={"column": name, **parameters},  # noqa: B023
                    severity=severity,
                    description=why,
                    derived=True,
                )
            )

        add(
            "ExpectColumnValuesToBeInTypeList",
            "blocking",
            f"'{name}' tiene el tipo declarado en la ficha ({column.type})",
            type_list=_GX_TYPES[column.type],
        )
        if not column.nullable:
            add("ExpectColumnValuesToNotBeNull", "blocking", f"'{name}' es obligatoria")
        if column.allowed_values:
            add(
                "ExpectColumnValuesToBeInSet",
                "blocking",
                f"'{name}' toma solo los valores permitidos por la ficha",
                value_set=list(column.allowed_values),
            )
        if column.minimum is not None or column.maximum is not None:
            add(
                "ExpectColumnValuesToBeBetween",
                "warning",
                f"'{name}' está en el rango declarado",
                min_value=column.minimum,
                max_value=column.maximum,
            )
        if column.pattern:
            add(
                "ExpectColumnValuesToMatchRegex",
                "warning",
                f"'{name}' sigue el formato declarado",
                regex=column.pattern,
            )
    return rules


def _table_rules(spec: DatasetSpec) -> list[Rule]:
    columns = [c.name for c in spec.schema_.columns]
    rules = [
        Rule(
            rule="ExpectTableColumnsToMatchSet",
            parameters={"column_set": columns, "exact_match": False},
            severity="blocking",
            description="la tabla tiene todas las columnas de la ficha",
            derived=True,
        )
    ]
    key = spec.schema_.primary_key
    if len(key) == 1:
        rules.append(
            Rule(
                rule="ExpectColumnValuesToBeUnique",
                parameters={"column": key[0]},
                severity="blocking",
                description=f"la clave primaria '{key[0]}' no se repite",
                derived=True,
            )
        )
    elif key:
        rules.append(
            Rule(
                rule="ExpectCompoundColumnsToBeUnique",
                parameters={"column_list": list(key)},
                severity="blocking",
                description=f"la clave primaria ({', '.join(key)}) no se repite",
                derived=True,
            )
        )
    return rules


def derive_rules(spec: DatasetSpec) -> list[Rule]:
    """The rules a spec implies: columns and types, nullability, keys, allowed values, ranges,
    formats. (Row-count change and freshness need the previous run and the clock: they are
    computed where rules run.)"""
    return _table_rules(spec) + _column_rules(spec)


def freshness_column(spec: DatasetSpec, suite: Suite) -> str | None:
    """The column that dates the records: the suite's; else the partitioning column; else the
    first mandatory date column, else the first date column. Birth dates never date a record."""
    if suite.freshness_column:
        return suite.freshness_column
    if spec.partitioning and spec.partitioning.column:
        return spec.partitioning.column
    dated = [
        c
        for c in spec.schema_.columns
        if c.type in ("date", "datetime") and "nacimiento" not in c.name
    ]
    mandatory = [c for c in dated if not c.nullable]
    candidates = mandatory or dated
    return candidates[0].name if candidates else None


def delivery_rules(
    spec: DatasetSpec,
    suite: Suite,
    *,
    previous_rows: int | None,
    reference_day: dt.date,
) -> list[Rule]:
    """Rules that need the previous delivery and the clock: the row count against the previous
    delivery, and the newest record against the age the update frequency allows (both warn)."""
    rules: list[Rule] = []
    if previous_rows and suite.row_count_change is not None:
        change = suite.row_count_change
        rules.append(
            Rule(
                rule="ExpectTableRowCountToBeBetween",
                parameters={
                    "min_value": int(previous_rows * max(0.0, 1 - change)),
                    "max_value": int(previous_rows * (1 + change)) + 1,
                },
                severity="warning",
                description=(
                    f"el número de filas cambia menos de {change:.0%} frente a la entrega "
                    f"anterior ({previous_rows:,} filas)".replace(",", ".")
                ),
                derived=True,
            )
        )
    column = freshness_column(spec, suite)
    max_age = suite.max_age_days or MAX_AGE_DAYS[spec.update_frequency]
    if column and max_age:
        oldest_allowed = reference_day - dt.timedelta(days=max_age)
        rules.append(
            Rule(
                rule="ExpectColumnMaxToBeBetween",
                parameters={"column": column, "min_value": oldest_allowed.isoformat()},
                severity="warning",
                description=(
                    f"el registro más reciente ('{column}') tiene menos de {max_age} días, "
                    f"como exige la frecuencia {spec.update_frequency.value}"
                ),
                derived=True,
                criterion="actualidad",
            )
        )
    return rules


def load_suite(dataset_id: str, folder: Path = SUITES_DIR) -> Suite:
    """The dataset's hand-written suite, or an empty one; errors name the file."""
    path = folder / f"{dataset_id}.yaml"
    if not path.exists():
        return Suite(dataset=dataset_id)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        suite = Suite.model_validate(data)
    except (yaml.YAMLError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from None
    if suite.dataset != dataset_id:
        raise ValueError(f"{path}: 'dataset' is '{suite.dataset}', expected '{dataset_id}'")
    return suite


def rules_for(spec: DatasetSpec, folder: Path = SUITES_DIR) -> list[Rule]:
    """Derived rules, with the suite's rules added or replacing derived ones of the same
    expectation and column."""
    return merged_rules(spec, load_suite(spec.id, folder))


def merged_rules(spec: DatasetSpec, suite: Suite) -> list[Rule]:
    """``rules_for`` with the suite already loaded."""
    written = {rule.identity for rule in suite.rules}
    return [r for r in derive_rules(spec) if r.identity not in written] + list(suite.rules)
