"""Quality rules as data: what a spec implies, and how a dataset's suite adds to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.registry import load_registry
from expectations.rules import derive_rules, load_suite, rules_for
from tests.helpers import REPO, make_spec


@pytest.fixture(scope="module")
def notificaciones():  # type: ignore[no-untyped-def]
    spec = load_registry(REPO / "catalog" / "datasets").get("notificaciones_salud")
    assert spec is not None
    return spec


def test_the_spec_implies_types_keys_mandatory_columns_allowed_values_and_ranges(
    notificaciones,  # type: ignore[no-untyped-def]
) -> None:
    rules = {(r.rule, r.column): r for r in derive_rules(notificaciones)}
    assert rules[("ExpectColumnValuesToBeUnique", "id_notificacion")].severity == "blocking"
    assert rules[("ExpectColumnValuesToNotBeNull", "fecha_notificacion")].severity == "blocking"
    assert ("ExpectColumnValuesToNotBeNull", "telefono") not in rules  # nullable
    in_set = rules[("ExpectColumnValuesToBeInSet", "sexo")]
    assert in_set.parameters["value_set"] == ["F", "M"]
    between = rules[("ExpectColumnValuesToBeBetween", "semana_epidemiologica")]
    assert (between.parameters["min_value"], between.parameters["max_value"]) == (1, 53)
    assert between.severity == "warning"
    types = rules[("ExpectColumnValuesToBeInTypeList", "fecha_notificacion")]
    assert "DATE" in types.parameters["type_list"]
    columns = rules[("ExpectTableColumnsToMatchSet", None)].parameters["column_set"]
    assert columns == [c.name for c in notificaciones.schema_.columns]
    assert all(r.derived and r.description for r in rules.values())


def test_a_compound_key_becomes_one_compound_rule() -> None:
    spec = make_spec(
        schema={
            "columns": [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}],
            "primary_key": ["a", "b"],
        }
    )
    compound = [r for r in derive_rules(spec) if r.rule == "ExpectCompoundColumnsToBeUnique"]
    assert [r.parameters["column_list"] for r in compound] == [["a", "b"]]


def test_a_suite_adds_rules_and_replaces_derived_ones(notificaciones) -> None:  # type: ignore[no-untyped-def]
    rules = rules_for(notificaciones)
    temperature = [
        r for r in rules if r.identity == ("ExpectColumnValuesToBeBetween", "temperatura")
    ]
    assert len(temperature) == 1 and not temperature[0].derived
    assert temperature[0].parameters["min_value"] == 34
    assert any(r.rule == "ExpectColumnPairValuesAToBeGreaterThanB" for r in rules)


def test_a_bad_suite_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("dataset: x\nrules:\n  - rule: NotAnExpectation\n")
    with pytest.raises(ValueError, match=r"x\.yaml"):
        load_suite("x", tmp_path)
    (tmp_path / "y.yaml").write_text("dataset: otro\n")
    with pytest.raises(ValueError, match="expected 'y'"):
        load_suite("y", tmp_path)
    assert load_suite("sin_suite", tmp_path).rules == []


def test_every_suite_file_belongs_to_a_dataset_and_loads() -> None:
    ids = {s.id for s in load_registry(REPO / "catalog" / "datasets").specs}
    for path in (REPO / "expectations" / "suites").glob("*.yaml"):
        assert path.stem in ids, path.name
        assert load_suite(path.stem).dataset == path.stem
