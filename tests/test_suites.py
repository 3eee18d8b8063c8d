"""Every dataset has a hand-written quality suite, and every suite fits its spec and GX."""

from __future__ import annotations

from pathlib import Path

import great_expectations as gx
import pytest

from catalog.registry import load_registry
from catalog.specs import DatasetSpec
from expectations.rules import SUITES_DIR, load_suite, rules_for
from expectations.validation import gx_expectation
from tests.helpers import REPO

SPECS: tuple[DatasetSpec, ...] = load_registry(REPO / "catalog" / "datasets").specs
IDS = [spec.id for spec in SPECS]


def test_the_registry_has_specs_and_every_suite_file_belongs_to_one() -> None:
    assert SPECS
    suites = {path.stem for path in SUITES_DIR.glob("*.yaml")}
    assert suites - set(IDS) == set(), "suite files without a dataset spec"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_dataset_has_a_suite_file_with_a_header(spec: DatasetSpec) -> None:
    path: Path = SUITES_DIR / f"{spec.id}.yaml"
    assert path.exists(), f"missing {path.relative_to(REPO)}"
    assert path.read_text(encoding="utf-8").startswith("#"), "the suite says what it adds"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_suite_loads_and_names_only_columns_of_its_spec(spec: DatasetSpec) -> None:
    suite = load_suite(spec.id)
    assert suite.dataset == spec.id
    assert suite.rules, "a suite adds at least one hand-written rule"
    columns = {c.name: c for c in spec.schema_.columns}
    for rule in suite.rules:
        assert rule.columns, f"{rule.rule} names no column"
        unknown = set(rule.columns) - set(columns)
        assert not unknown, f"{rule.rule} names columns not in the spec: {sorted(unknown)}"
        assert rule.description, f"{rule.rule} on {rule.columns} says why (in Spanish)"
        assert not rule.derived
    if suite.freshness_column:
        assert columns[suite.freshness_column].type in ("date", "datetime")


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_rule_is_a_great_expectations_expectation(spec: DatasetSpec) -> None:
    for index, rule in enumerate(load_suite(spec.id).rules):
        assert hasattr(gx.expectations, rule.rule), f"'{rule.rule}' is not a GX expectation"
        gx_expectation(rule, index)  # GX validates the parameters


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_suite_rules_are_merged_with_the_derived_ones(spec: DatasetSpec) -> None:
    rules = rules_for(spec)
    identities = [r.identity for r in rules if not r.derived]
    assert identities == [r.identity for r in load_suite(spec.id).rules]
    assert any(r.derived for r in rules)
