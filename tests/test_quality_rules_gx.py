"""Rules run by Great Expectations on DuckDB, the quarantine predicates, and what is shown.

One in-memory DuckDB table with known dirt: every rule's GX count is checked against what the
dirt implies, and the quarantine predicate of each row rule is held to GX's own count.
"""

from __future__ import annotations

import duckdb
import pytest

from expectations.quarantine import ranked_relation, violation_predicate
from expectations.rules import Rule
from expectations.validation import HIDDEN, validate

ROWS = 200


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    # Dirt: 10 null codes, 7 unknown localidades, ages 130+ on 5 rows, 4 duplicated ids,
    # 6 badly written radicados, 3 closings before filing; documento is personal.
    connection.execute(
        f"""CREATE TABLE main.t AS
        SELECT
            CASE WHEN i % 50 = 7 THEN i - 1 ELSE i END AS id,
            CASE WHEN i % 20 = 3 THEN NULL ELSE 'C' || (i % 5) END AS codigo,
            CASE WHEN i < 7 THEN 'Bogotá rural' ELSE lpad(((i % 20) + 1)::VARCHAR, 2, '0') END
                AS localidad,
            CASE WHEN i % 40 = 1 THEN 130 + i % 3 ELSE 20 + i % 50 END AS edad,
            CASE WHEN i % 33 = 2 THEN 'R-' || i ELSE '2024' || lpad(i::VARCHAR, 6, '0') END
                AS radicado,
            DATE '2024-01-01' + (i % 60)::INTEGER AS fecha_radicado,
            DATE '2024-01-01' + (i % 60)::INTEGER + CASE WHEN i % 67 = 5 THEN -3 ELSE 2 END
                AS fecha_cierre,
            '1.0' || lpad((20345678 + i)::VARCHAR, 8, '0') AS documento,
            'raw1' AS _ada_raw_version, 'f.csv' AS _ada_source_file, i + 1 AS _ada_record
        FROM range({ROWS}) r(i)"""
    )
    return connection


RULES = [
    Rule(
        rule="ExpectColumnValuesToNotBeNull", parameters={"column": "codigo"}, severity="blocking"
    ),
    Rule(
        rule="ExpectColumnValuesToBeInSet",
        parameters={"column": "localidad", "value_set": [f"{i:02d}" for i in range(1, 21)]},
        severity="blocking",
    ),
    Rule(
        rule="ExpectColumnValuesToBeBetween",
        parameters={"column": "edad", "min_value": 0, "max_value": 120},
    ),
    Rule(rule="ExpectColumnValuesToBeUnique", parameters={"column": "id"}, severity="blocking"),
    Rule(
        rule="ExpectColumnValuesToMatchRegex",
        parameters={"column": "radicado", "regex": r"^20[0-9]{2}[0-9]{6}$"},
    ),
    Rule(
        rule="ExpectColumnPairValuesAToBeGreaterThanB",
        parameters={"column_A": "fecha_cierre", "column_B": "fecha_radicado", "or_equal": True},
    ),
    Rule(
        rule="ExpectColumnValuesToMatchRegex",
        parameters={"column": "documento", "regex": r"^9"},
    ),
    Rule(
        rule="ExpectTableColumnsToMatchSet",
        parameters={"column_set": ["id", "codigo", "falta"], "exact_match": False},
        severity="blocking",
    ),
    Rule(
        rule="ExpectColumnValuesToBeInTypeList",
        parameters={"column": "edad", "type_list": ["BigInteger", "Integer"]},
        severity="blocking",
    ),
]


@pytest.fixture(scope="module")
def validation(con: duckdb.DuckDBPyConnection):  # type: ignore[no-untyped-def]
    return validate(con, "main.t", RULES, suite_name="prueba", personal_columns={"documento"})


def _expected_counts(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    def count(where: str) -> int:
        row = con.execute(f"SELECT count(*) FROM main.t WHERE {where}").fetchone()
        return int(row[0]) if row else 0

    return {
        0: count("codigo IS NULL"),
        1: count("localidad = 'Bogotá rural'"),
        2: count("edad > 120"),
        4: count("radicado LIKE 'R-%'"),
        5: count("fecha_cierre < fecha_radicado"),
        6: ROWS,
    }


def test_gx_counts_every_kind_of_dirt(con: duckdb.DuckDBPyConnection, validation) -> None:  # type: ignore[no-untyped-def]
    outcomes = validation.outcomes
    assert validation.rows == ROWS and len(outcomes) == len(RULES)
    for index, expected in _expected_counts(con).items():
        assert expected > 0
        assert outcomes[index].unexpected == expected, outcomes[index]
        assert not outcomes[index].success and outcomes[index].error is None
    duplicated = con.execute(
        "SELECT count(*) FROM main.t WHERE id IN (SELECT id FROM main.t GROUP BY id "
        "HAVING count(*) > 1)"
    ).fetchone()
    assert duplicated is not None and outcomes[3].unexpected == duplicated[0] > 0
    assert not outcomes[7].success  # 'falta' is missing
    assert outcomes[8].success and outcomes[8].observed in ("Integer", "BigInteger")


def test_quarantine_predicates_agree_with_gx(con: duckdb.DuckDBPyConnection, validation) -> None:  # type: ignore[no-untyped-def]
    relation = ranked_relation("main.t", RULES)
    for rule, outcome in zip(RULES, validation.outcomes, strict=True):
        predicate = violation_predicate(rule)
        if predicate is None:
            continue
        row = con.execute(f"SELECT count(*) FROM {relation} WHERE {predicate}").fetchone()
        assert row is not None
        if rule.rule == "ExpectColumnValuesToBeUnique":
            # GX counts every copy of a repeated key; quarantine keeps the first of each.
            keys = con.execute(
                "SELECT count(*) FROM (SELECT id FROM main.t GROUP BY id HAVING count(*) > 1)"
            ).fetchone()
            assert keys is not None and row[0] == outcome.unexpected - keys[0]
        else:
            assert row[0] == outcome.unexpected, rule


def test_failing_values_are_shown_only_when_not_personal(validation) -> None:  # type: ignore[no-untyped-def]
    outcomes = validation.outcomes
    assert "Bogotá rural" in outcomes[1].examples
    assert set(outcomes[2].examples) <= {"130", "131", "132"}
    # documento is personal: nothing of it is shown, here or in the GX result Data Docs render.
    assert outcomes[6].examples in ([], [HIDDEN])
    rendered = str(validation.gx_result.to_json_dict())
    assert "1.0203" not in rendered and "10203" not in rendered
    # Even a non-personal column never shows what looks like an identifier (the repeated ids
    # are short here, so they are shown; a six-digit run would not be).
    assert all(len(e) < 7 for e in outcomes[3].examples)


def test_a_rule_naming_no_gx_expectation_is_an_error_not_a_crash(
    con: duckdb.DuckDBPyConnection,
) -> None:
    wrong = Rule(rule="ExpectColumnValuesToBeMagic", parameters={"column": "id"})
    result = validate(con, "main.t", [wrong, RULES[0]], suite_name="x", personal_columns=set())
    assert not result.outcomes[0].success
    assert "ExpectColumnValuesToBeMagic" in (result.outcomes[0].error or "")
    assert result.outcomes[1].unexpected == _expected_counts(con)[0]
