"""The re-identification gate, measured by an independent library (pycanon) on what it releases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from pycanon import anonymity

from privacy.policy import ColumnPolicy, PrivacyPolicy
from privacy.reidentification import enforce, generalization_ladder


def _treat(values: pa.ChunkedArray, level: ColumnPolicy) -> pa.Array:
    from privacy.structured.operators import apply_operator

    result = apply_operator(values, level, key=b"test-key", k=5)
    assert result is not None
    return result


def _identity(values: pa.ChunkedArray, level: ColumnPolicy) -> pa.Array:
    """A treatment that cannot coarsen anything (e.g. a free-text quasi-identifier)."""
    return values.combine_chunks()


def _people(rows: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    localidades = [f"{i:02d}" for i in range(1, 21)]
    return pa.table(
        {
            "edad": pa.array(rng.integers(0, 95, rows), pa.int64()),
            "sexo": pa.array(rng.choice(["F", "M"], rows)),
            "localidad": pa.array(rng.choice(localidades, rows)),
            "nacimiento": pa.array(
                [
                    dt.date(1930, 1, 1) + dt.timedelta(days=int(d))
                    for d in rng.integers(0, 30000, rows)
                ]
            ),
            "evento": pa.array(rng.choice(["Dengue", "Varicela", "Tuberculosis", "IRA"], rows)),
        }
    )


def _k_and_l(table: pa.Table, qi: list[str], sensitive: list[str]) -> tuple[int, int | None]:
    frame = table.to_pandas().astype(str)
    k = anonymity.k_anonymity(frame, qi)
    l_value = anonymity.l_diversity(frame, qi, sensitive) if sensitive else None
    return k, l_value


def test_a_release_that_is_already_safe_passes_untouched() -> None:
    table = pa.table({"sexo": ["F", "M"] * 50, "localidad": ["01"] * 100})
    policy = PrivacyPolicy(quasi_identifiers=["sexo", "localidad"], k=5)
    released, report = enforce(
        table, {n: table.column(n) for n in policy.quasi_identifiers}, policy, _treat
    )
    assert report.passed
    assert report.rows_suppressed == 0
    assert released.equals(table)
    assert report.k_achieved == 50 == _k_and_l(released, ["sexo", "localidad"], [])[0]


def test_exact_ages_are_coarsened_then_rare_rows_suppressed_to_reach_k() -> None:
    table = _people(3000)
    policy = PrivacyPolicy(
        columns={"edad": ColumnPolicy(operator="generalize", to="band", size=5)},
        quasi_identifiers=["edad", "sexo", "localidad"],
        k=5,
    )
    treated = table.set_column(0, "edad", _treat(table.column("edad"), policy.columns["edad"]))
    released, report = enforce(treated, {"edad": table.column("edad")}, policy, _treat)
    assert report.passed, report.steps
    k, _ = _k_and_l(released, policy.quasi_identifiers, [])
    assert k >= 5
    assert report.k_achieved == k
    assert report.rows_suppressed == table.num_rows - released.num_rows
    assert report.suppressed_share <= policy.max_suppression
    assert any("generalizó 'edad'" in step for step in report.steps)
    assert report.final_levels["edad"] != "rangos de 5"


def test_dates_climb_their_ladder() -> None:
    ladder = generalization_ladder(ColumnPolicy(operator="generalize", to="month"), pa.date32())
    assert [level.to for level in ladder] == ["year", "decade", None]
    assert ladder[-1].operator == "suppress"
    assert len(generalization_ladder(None, pa.string())) == 1


def test_l_diversity_suppresses_classes_that_would_reveal_the_sensitive_value() -> None:
    table = _people(4000, seed=11)
    evento = table.column("evento").to_pylist()
    # Every woman in localidad 07 has the same diagnosis: knowing the class reveals it.
    homogeneous = [
        "VIH" if (s == "F" and loc == "07") else e
        for s, loc, e in zip(
            table.column("sexo").to_pylist(),
            table.column("localidad").to_pylist(),
            evento,
            strict=True,
        )
    ]
    table = table.set_column(4, "evento", pa.array(homogeneous))
    policy = PrivacyPolicy(
        quasi_identifiers=["sexo", "localidad"], sensitive=["evento"], k=5, l=2, max_suppression=0.1
    )
    released, report = enforce(
        table, {n: table.column(n) for n in policy.quasi_identifiers}, policy, _treat
    )
    assert report.passed, report.steps
    _k, l_value = _k_and_l(released, ["sexo", "localidad"], ["evento"])
    assert l_value is not None and l_value >= 2
    assert report.l_achieved == l_value
    assert report.rows_suppressed > 0
    assert "VIH" not in released.column("evento").to_pylist()


def test_a_release_that_cannot_be_made_safe_is_blocked_with_its_rare_combinations() -> None:
    rows = 200
    table = pa.table(
        {"barrio": [f"barrio {i}" for i in range(rows)], "sexo": ["F", "M"] * (rows // 2)}
    )
    policy = PrivacyPolicy(quasi_identifiers=["barrio"], k=5)
    released, report = enforce(table, {"barrio": table.column("barrio")}, policy, _identity)
    assert not report.passed
    assert report.rare_classes == rows
    assert report.rare_combinations and report.rare_combinations[0]["filas"] == 1
    assert set(report.rare_combinations[0]) == {"barrio", "filas"}
    assert "Bloqueado" in report.steps[-1]
    assert released.num_rows == rows


@pytest.mark.parametrize("rows", [0, 3])
def test_tiny_tables_are_not_released_below_k(rows: int) -> None:
    table = pa.table({"sexo": (["F"] * rows)})
    policy = PrivacyPolicy(quasi_identifiers=["sexo"], k=5, max_suppression=0.0)
    _, report = enforce(table, {"sexo": table.column("sexo")}, policy, _treat)
    assert report.passed is (rows == 0)


def test_without_quasi_identifiers_or_sensitive_attributes_any_table_passes() -> None:
    table = pa.table({"pm25": [12.5, 14.0, 9.1]})
    released, report = enforce(table, {}, PrivacyPolicy(k=5), _treat)
    assert report.passed and report.rows_suppressed == 0
    assert report.k_achieved == 3
    assert released.equals(table)
