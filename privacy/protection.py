"""Staging → curated: apply the spec's privacy policy, then the re-identification gate.

For every column of the staging table the policy decides the operator; a column the spec does
not mention is classified from its header and a sample of its values. One that looks personal
and has no policy is dropped (fail closed) and blocks publication until the spec says what to
do with it. The treated table then goes through the gate (k-anonymity, l-diversity); only a
table that passes replaces the curated one, so the curated zone never holds an unsafe release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec
from ingestion.staging import LINEAGE_PREFIX
from privacy.policy import ColumnPolicy, PrivacyPolicy
from privacy.reidentification import GateReport, enforce

if TYPE_CHECKING:
    from privacy.structured.classification import ColumnFinding

CLASSIFICATION_SAMPLE = 1_000


class ProtectionError(RuntimeError):
    """The policy cannot be applied as written (e.g. it names a column the table lacks)."""


@dataclass
class ColumnOutcome:
    """What happened to one column, for the privacy report (never its values)."""

    column: str
    entity: str | None
    role: str | None
    share: float
    confidence: float
    evidence: str
    operator: str
    declared: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "columna": self.column,
            "entidad": self.entity,
            "rol": self.role,
            "proporcion": round(self.share, 3),
            "confianza": round(self.confidence, 3),
            "evidencia": self.evidence,
            "operador": self.operator,
            "politica_declarada": self.declared,
        }


@dataclass
class ProtectionResult:
    columns: list[ColumnOutcome]
    gate: GateReport
    unresolved: list[str] = field(default_factory=list)
    rows_out: int = 0
    released: bool = False

    @property
    def policy_complete(self) -> bool:
        return not self.unresolved


def _sample(table: pa.Table, size: int) -> pa.Table:
    """A seeded uniform sample of rows: classification reads this, never the whole table."""
    if table.num_rows <= size:
        return table
    rows = np.random.default_rng(42).choice(table.num_rows, size=size, replace=False)
    return table.take(pa.array(np.sort(rows)))


def _check_policy_columns(spec: DatasetSpec, policy: PrivacyPolicy, names: set[str]) -> None:
    named = set(policy.columns) | set(policy.quasi_identifiers) | set(policy.sensitive)
    missing = sorted(named - names)
    if missing:
        raise ProtectionError(
            f"{spec.key}: privacy policy names columns the table does not have: "
            f"{', '.join(missing)}; fix 'privacy' in the spec"
        )


def plan_columns(
    spec: DatasetSpec, policy: PrivacyPolicy, findings: list[ColumnFinding]
) -> tuple[dict[str, ColumnPolicy], list[ColumnOutcome], list[str]]:
    """Decide the operator for each column: the spec's word first, else the classification."""
    plan: dict[str, ColumnPolicy] = {}
    outcomes: list[ColumnOutcome] = []
    unresolved: list[str] = []
    for finding in findings:
        if finding.column.startswith(LINEAGE_PREFIX):
            continue
        declared = policy.columns.get(finding.column)
        if declared is not None:
            chosen = declared
        elif finding.personal:
            chosen = ColumnPolicy(operator="drop")
            unresolved.append(finding.column)
        else:
            chosen = ColumnPolicy(operator="keep")
        plan[finding.column] = chosen
        outcomes.append(
            ColumnOutcome(
                column=finding.column,
                entity=(declared.entity if declared and declared.entity else finding.entity),
                role=finding.role,
                share=finding.share,
                confidence=finding.confidence,
                evidence=finding.evidence,
                operator=_describe_operator(chosen, unresolved=finding.column in unresolved),
                declared=declared is not None,
            )
        )
    return plan, outcomes, unresolved


def _describe_operator(policy: ColumnPolicy, *, unresolved: bool = False) -> str:
    if unresolved:
        return "drop (sin política: bloquea la publicación)"
    if policy.operator == "generalize":
        size = f" {policy.size:g}" if policy.size else ""
        return f"generalize → {policy.to}{size}"
    if policy.operator == "mask":
        return f"mask (visibles {policy.visible})"
    return policy.operator


def treat_table(table: pa.Table, plan: dict[str, ColumnPolicy], *, key: bytes, k: int) -> pa.Table:
    """Apply each column's operator (vectorized); lineage columns pass through."""
    from privacy.structured.operators import apply_operator

    names: list[str] = []
    arrays: list[pa.Array | pa.ChunkedArray] = []
    for name in table.column_names:
        column = table.column(name)
        if name.startswith(LINEAGE_PREFIX):
            names.append(name)
            arrays.append(column)
            continue
        treated = apply_operator(column, plan[name], key=key, k=k)
        if treated is not None:
            names.append(name)
            arrays.append(treated)
    return pa.table(arrays, names=names)


def protect_table(
    spec: DatasetSpec, table: pa.Table, *, key: bytes
) -> tuple[pa.Table, ProtectionResult]:
    """The whole privacy treatment of one staging table, in memory (no I/O)."""
    from privacy.structured.classification import classify_columns
    from privacy.structured.operators import apply_operator

    policy = spec.privacy
    data_columns = [n for n in table.column_names if not n.startswith(LINEAGE_PREFIX)]
    _check_policy_columns(spec, policy, set(data_columns))
    findings = classify_columns(_sample(table.select(data_columns), CLASSIFICATION_SAMPLE))
    plan, outcomes, unresolved = plan_columns(spec, policy, findings)
    treated = treat_table(table, plan, key=key, k=policy.k)
    originals = {name: table.column(name) for name in policy.quasi_identifiers}

    def treat(values: pa.ChunkedArray, level: ColumnPolicy) -> pa.Array:
        result = apply_operator(values, level, key=key, k=policy.k)
        assert result is not None  # generalization never drops
        return result

    released, gate = enforce(treated, originals, policy, treat)
    result = ProtectionResult(outcomes, gate, unresolved, released.num_rows)
    result.released = gate.passed
    return released, result


def protect_dataset(
    settings: Settings, spec: DatasetSpec, partition: str | None = None
) -> ProtectionResult:
    """Read staging, treat, gate and (if it passes) replace the curated table or partition."""
    from ingestion.staging import PARTITION_COLUMN
    from lake.tables import connect, retry_when_busy, table_exists
    from privacy.structured.operators import pseudonym_key

    con = connect(settings, [Zone.STAGING, Zone.CURATED])
    try:
        source = f"staging.{spec.table_name}"
        if not table_exists(con, Zone.STAGING, spec.sector.value, spec.id):
            raise ProtectionError(f"{spec.key}: no staging table yet; run its ingestion first")
        where, params = (f" WHERE {PARTITION_COLUMN} = ?", [partition]) if partition else ("", [])
        table = con.execute(f"SELECT * FROM {source}{where}", params).to_arrow_table()
        # The key is only needed (and, in a shared deployment, only required) to pseudonymise.
        uses_key = any(p.operator == "pseudonym" for p in spec.privacy.columns.values())
        key = pseudonym_key(settings) if uses_key else b""
        released, result = protect_table(spec, table, key=key)
        if result.released:
            retry_when_busy(_write_curated, con, spec, released, partition)
        return result
    finally:
        con.close()


def _write_curated(con: Any, spec: DatasetSpec, table: pa.Table, partition: str | None) -> None:
    from ingestion.staging import PARTITION_COLUMN
    from lake.tables import table_exists

    target = f"curated.{spec.table_name}"
    con.execute("BEGIN")
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS curated.{spec.sector.value}")
        con.register("released", table)
        if partition is None or not table_exists(con, Zone.CURATED, spec.sector.value, spec.id):
            con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM released")
        else:
            con.execute(f"DELETE FROM {target} WHERE {PARTITION_COLUMN} = ?", [partition])
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM released")
        con.unregister("released")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
