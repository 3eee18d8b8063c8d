"""Row-level quarantine: rows that break a blocking row rule leave the staging table, with why.

A blocking rule that is judged row by row (a mandatory value missing, a value outside the
allowed set, a repeated key) does not stop a whole delivery because of a few bad rows: those
rows move to ``staging.quarantine.<dataset id>`` (the table ingestion already uses for rows it
cannot parse), one entry per broken rule with the rule and its reason, and the rest goes on.
Whether the share moved is acceptable is itself a blocking check (``max_quarantine_share``).

Each row rule is compiled here to a SQL predicate that is true when a row breaks it. The
predicates follow Great Expectations' semantics (nulls are not judged by value rules; a regex
matches anywhere in the value, like ``re.search``), and a test holds each one to GX's own
unexpected count on the same data.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import duckdb

from expectations.rules import Rule
from ingestion.staging import LINEAGE_PREFIX, PARTITION_COLUMN

#: Rank of a row among those sharing its key (the first delivered keeps the key).
_DUPLICATE_RANK = "_ada_key_rank"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: Any) -> str:
    """A SQL literal for a rule parameter (strings quoted, numbers as they are)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _between(column: str, parameters: dict[str, Any]) -> str | None:
    low, high = parameters.get("min_value"), parameters.get("max_value")
    strict_low, strict_high = parameters.get("strict_min"), parameters.get("strict_max")
    parts = []
    if low is not None:
        parts.append(f"{column} {'<=' if strict_low else '<'} {sql_literal(low)}")
    if high is not None:
        parts.append(f"{column} {'>=' if strict_high else '>'} {sql_literal(high)}")
    return f"{column} IS NOT NULL AND ({' OR '.join(parts)})" if parts else None


def violation_predicate(rule: Rule) -> str | None:
    """SQL that is true for a row breaking ``rule``; ``None`` if the rule is not judged per row.

    Uniqueness refers to ``_ada_key_rank``, the row's rank among rows with the same key, which
    :func:`ranked_relation` adds.
    """
    p = rule.parameters
    column = quoted(p["column"]) if isinstance(p.get("column"), str) else ""
    match rule.rule:
        case "ExpectColumnValuesToNotBeNull":
            return f"{column} IS NULL"
        case "ExpectColumnValuesToBeInSet":
            values = ", ".join(sql_literal(v) for v in p["value_set"])
            return f"{column} IS NOT NULL AND {column} NOT IN ({values})"
        case "ExpectColumnValuesToNotBeInSet":
            values = ", ".join(sql_literal(v) for v in p["value_set"])
            return f"{column} IS NOT NULL AND {column} IN ({values})"
        case "ExpectColumnValuesToBeBetween":
            return _between(column, p)
        case "ExpectColumnValueLengthsToBeBetween":
            return _between(f"length({column})", p)
        case "ExpectColumnValuesToMatchRegex":
            return (
                f"{column} IS NOT NULL AND NOT regexp_matches({column}, {sql_literal(p['regex'])})"
            )
        case "ExpectColumnValuesToNotMatchRegex":
            return f"{column} IS NOT NULL AND regexp_matches({column}, {sql_literal(p['regex'])})"
        case "ExpectColumnPairValuesAToBeGreaterThanB":
            a, b = quoted(p["column_A"]), quoted(p["column_B"])
            op = ">=" if p.get("or_equal") else ">"
            return f"{a} IS NOT NULL AND {b} IS NOT NULL AND NOT ({a} {op} {b})"
        case "ExpectColumnValuesToBeUnique" | "ExpectCompoundColumnsToBeUnique":
            return f"{_DUPLICATE_RANK} > 1"
    return None


def key_columns(rule: Rule) -> list[str]:
    if rule.rule == "ExpectColumnValuesToBeUnique":
        return [rule.parameters["column"]]
    if rule.rule == "ExpectCompoundColumnsToBeUnique":
        return list(rule.parameters["column_list"])
    return []


def ranked_relation(relation: str, rules: list[Rule]) -> str:
    """``relation`` plus the key rank uniqueness predicates need (nulls are never duplicates:
    a missing key is the mandatory-value rule's business)."""
    keys = next((key_columns(r) for r in rules if key_columns(r)), [])
    if not keys:
        return f"(SELECT *, 1 AS {_DUPLICATE_RANK} FROM {relation})"
    by = ", ".join(quoted(k) for k in keys)
    not_null = " AND ".join(f"{quoted(k)} IS NOT NULL" for k in keys)
    rank = (
        f"CASE WHEN {not_null} THEN row_number() OVER (PARTITION BY {by} ORDER BY "
        f"{LINEAGE_PREFIX}raw_version, {LINEAGE_PREFIX}source_file, {LINEAGE_PREFIX}record) "
        "ELSE 1 END"
    )
    return f"(SELECT *, {rank} AS {_DUPLICATE_RANK} FROM {relation})"


def row_rules(rules: list[Rule]) -> list[Rule]:
    """The blocking rules judged row by row: their breaking rows are quarantined."""
    return [r for r in rules if r.severity == "blocking" and violation_predicate(r) is not None]


@dataclass
class QuarantineOutcome:
    """What the split moved: rows and, per rule description, how many rows broke it."""

    rows_checked: int
    rows_quarantined: int
    by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.rows_quarantined / self.rows_checked if self.rows_checked else 0.0


def _record_json(columns: list[str]) -> str:
    fields = ", ".join(f"{sql_literal(c)}: {quoted(c)}" for c in columns)
    return f"to_json({{{fields}}})::VARCHAR"


def _rule_label(rule: Rule) -> str:
    return rule.description or rule.rule


def split_quarantine(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset_id: str,
    table: str,
    columns: list[str],
    rules: list[Rule],
    partition: str | None,
) -> QuarantineOutcome:
    """Move the rows of ``table`` (a partition of it, if given) that break a blocking row rule
    into ``staging.quarantine.<dataset_id>``, in one transaction. Returns the counts."""
    where = f"WHERE {PARTITION_COLUMN} = {sql_literal(partition)}" if partition else ""
    relation = f"(SELECT * FROM {table} {where})"
    total_row = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
    total = int(total_row[0]) if total_row else 0
    candidates = row_rules(rules)
    if not candidates or not total:
        return QuarantineOutcome(total, 0)
    ranked = ranked_relation(relation, candidates)
    lineage = (
        f"{LINEAGE_PREFIX}raw_version AS raw_version, {LINEAGE_PREFIX}source_file AS source_file,"
        f" {LINEAGE_PREFIX}record AS record"
    )
    selects = [
        f"SELECT {lineage}, {i} AS rule_index, {_record_json(columns)} AS raw_record "
        f"FROM {ranked} WHERE {violation_predicate(rule)}"
        for i, rule in enumerate(candidates)
    ]
    quarantine = f'staging.quarantine."{dataset_id}"'
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE ada_violations AS " + " UNION ALL ".join(selects))
        per_rule = con.execute(
            "SELECT rule_index, count(*) FROM ada_violations GROUP BY rule_index"
        ).fetchall()
        moved_row = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT raw_version, source_file, record "
            "FROM ada_violations)"
        ).fetchone()
        moved = int(moved_row[0]) if moved_row else 0
        if moved:
            _record_violations(con, quarantine, dataset_id, partition, candidates)
            con.execute(
                f"DELETE FROM {table} AS t USING (SELECT DISTINCT raw_version, source_file, "
                "record FROM ada_violations) AS v "
                f"WHERE t.{LINEAGE_PREFIX}raw_version = v.raw_version "
                f"AND t.{LINEAGE_PREFIX}source_file = v.source_file "
                f"AND t.{LINEAGE_PREFIX}record = v.record"
                + (f" AND t.{PARTITION_COLUMN} = {sql_literal(partition)}" if partition else "")
            )
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute("DROP TABLE IF EXISTS ada_violations")
    by_rule = {_rule_label(candidates[int(i)]): int(n) for i, n in per_rule}
    return QuarantineOutcome(total, moved, by_rule)


def _record_violations(
    con: duckdb.DuckDBPyConnection,
    quarantine: str,
    dataset_id: str,
    partition: str | None,
    rules: list[Rule],
) -> None:
    """One quarantine entry per broken rule, in the table ingestion uses for unparseable rows.

    ``expected`` says what the rule wants; the offending record is kept as JSON in the
    restricted staging zone, never in logs or the UI.
    """
    labels = ", ".join(
        f"({i}, {sql_literal(', '.join(rule.columns) or None)}, {sql_literal(_rule_label(rule))},"
        f" {sql_literal('no cumple la regla de calidad ' + rule.rule)})"
        for i, rule in enumerate(rules)
    )
    con.execute(
        f"""INSERT INTO {quarantine}
        SELECT {sql_literal(dataset_id)}, {sql_literal(partition) if partition else "NULL"},
               v.raw_version, v.source_file, v.record, NULL, r.column_name, r.expected,
               r.reason, v.raw_record, now()
        FROM ada_violations v
        JOIN (VALUES {labels}) AS r(rule_index, column_name, expected, reason)
          ON r.rule_index = v.rule_index"""
    )
