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

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from catalog.specs import DatasetSpec

SUITES_DIR = Path(__file__).resolve().parent / "suites"

Severity = Literal["blocking", "warning"]

#: Spec column types → the Great Expectations type names of a DuckDB-backed batch.
_GX_TYPES = {
    "string": ["VARCHAR"],
    "integer": ["BIGINT", "INTEGER"],
    "number": ["DOUBLE", "DECIMAL"],
    "boolean": ["BOOLEAN"],
    "date": ["DATE"],
    "datetime": ["TIMESTAMP", "TIMESTAMP WITH TIME ZONE"],
    "time": ["TIME"],
}


class Rule(BaseModel):
    """One expectation with its parameters, as written in a suite file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(pattern=r"^Expect[A-Za-z]+$", description="GX expectation class name")
    parameters: dict[str, Any] = Field(default_factory=dict)
    severity: Severity = "warning"
    description: str | None = Field(None, description="why the rule exists, in Spanish")
    derived: bool = Field(False, description="derived from the spec, not written by hand")

    @property
    def column(self) -> str | None:
        value = self.parameters.get("column")
        return value if isinstance(value, str) else None

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
    suite = load_suite(spec.id, folder)
    written = {rule.identity for rule in suite.rules}
    return [r for r in derive_rules(spec) if r.identity not in written] + list(suite.rules)
