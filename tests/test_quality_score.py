"""The quality score: each criterion from what was measured, the seal from thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from expectations.rules import Rule
from expectations.score import Profile, metadata_score, score, seal_for
from expectations.validation import RuleOutcome
from tests.helpers import PUBLICATION, make_spec

TODAY = dt.date(2026, 11, 22)


def _outcome(rule: str, success: bool, unexpected: int | None = None, **kw: object) -> RuleOutcome:
    parameters = {"column": "x", **kw.pop("parameters", {})}  # type: ignore[dict-item]
    return RuleOutcome(
        rule=Rule(rule=rule, parameters=parameters, severity=kw.pop("severity", "warning")),  # type: ignore[arg-type]
        success=success,
        unexpected=unexpected,
        evaluated=1000 if unexpected is not None else None,
        observed=kw.pop("observed", None),  # type: ignore[arg-type]
    )


def _profile(**kw: int) -> Profile:
    values = {
        "rows_delivered": 1000,
        "rows_unparsed": 0,
        "rows_quarantined": 0,
        "cells": 5000,
        "null_cells": 0,
        "traced_rows": 1000,
    }
    values.update(kw)
    return Profile(**values)


def _criteria(result) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    return {c.criterion: c.score for c in result.criteria}


def test_each_criterion_follows_what_was_measured() -> None:
    spec = make_spec(update_frequency="mensual")
    outcomes = [
        _outcome("ExpectColumnValuesToBeInSet", False, 100),  # exactitud 0.9
        _outcome("ExpectColumnValuesToBeBetween", True, 0),  # exactitud 1.0
        _outcome("ExpectColumnValuesToBeUnique", False, 20, severity="blocking"),  # 0.98
        _outcome("ExpectColumnValuesToBeInTypeList", True),
        _outcome(
            "ExpectColumnMaxToBeBetween",
            False,
            observed="2026-07-25",  # 120 days old; 62 allowed for monthly data
            parameters={"min_value": "2026-09-21"},
        ),
    ]
    profile = _profile(null_cells=250, rows_unparsed=250, traced_rows=900)
    result = score(spec, outcomes, profile, reference_day=TODAY, contract_broken=False)
    c = _criteria(result)
    assert c["completitud"] == pytest.approx(10 * (1 - 250 / 5000))
    assert c["exactitud"] == pytest.approx(10 * (0.9 + 1.0) / 2)
    assert c["unicidad"] == pytest.approx(9.8)
    assert c["conformidad"] == pytest.approx(5 * 1.0 + 5 * 1000 / 1250)
    assert c["trazabilidad"] == pytest.approx(9.0)
    assert c["actualidad"] == pytest.approx(10 * (1 - (120 / 62 - 1) / 2))
    assert c["consistencia"] is None  # nothing measured it: it does not count
    measured = [v for v in c.values() if v is not None]
    assert result.total == pytest.approx(sum(measured) / len(measured))
    assert all(crit.how for crit in result.criteria)


def test_stale_data_loses_all_freshness_at_three_times_the_allowed_age() -> None:
    spec = make_spec(update_frequency="diaria")  # 2 days allowed
    old = _outcome("ExpectColumnMaxToBeBetween", False, observed=str(TODAY - dt.timedelta(days=30)))
    result = score(spec, [old], _profile(), reference_day=TODAY, contract_broken=False)
    assert _criteria(result)["actualidad"] == 0.0
    fresh = _outcome("ExpectColumnMaxToBeBetween", True, observed=str(TODAY))
    result = score(spec, [fresh], _profile(), reference_day=TODAY, contract_broken=False)
    assert _criteria(result)["actualidad"] == 10.0


def test_seals_follow_thresholds_and_a_broken_contract_gets_none() -> None:
    assert seal_for(9.5, contract_broken=False, blocking_failed=False) == "oro"
    assert seal_for(9.5, contract_broken=False, blocking_failed=True) == "plata"
    assert seal_for(8.0, contract_broken=False, blocking_failed=False) == "plata"
    assert seal_for(6.5, contract_broken=False, blocking_failed=False) == "bronce"
    assert seal_for(5.0, contract_broken=False, blocking_failed=False) == "sin sello"
    assert seal_for(9.9, contract_broken=True, blocking_failed=False) == "sin sello"
    assert seal_for(None, contract_broken=False, blocking_failed=False) == "sin sello"


def test_metadata_score_asks_data_gouv_fr_questions_of_the_spec() -> None:
    rich = make_spec(
        publication={
            **PUBLICATION,
            "description": "Una descripción larga " * 8,
            "documentation": "https://datos.gov.co/doc",
            "temporal": {"start": "2024-01-01"},
        }
    )
    poor = make_spec(publication={**PUBLICATION, "license": "propietaria"})
    fresh = [_outcome("ExpectColumnMaxToBeBetween", True, observed="2026-11-21")]
    good = metadata_score(rich, fresh)
    bad = metadata_score(poor, [])
    assert good["total"] == bad["total"] == 9
    assert good["cumplidos"] == 9 and good["puntaje"] == 10
    assert not bad["criterios"]["licencia abierta"]
    assert not bad["criterios"]["documentación"]
    assert not bad["criterios"]["actualizado según su frecuencia"]
    assert bad["puntaje"] < good["puntaje"]
