"""Run a dataset's rules with Great Expectations 1.x on the staging table, inside DuckDB.

GX runs in an ephemeral context on its SQL datasource over the same DuckDB session that has the
DuckLake catalogs attached: every metric is a query that DuckDB answers from the Parquet files,
so the table is never loaded into pandas. Great Expectations is imported here, lazily, never
when the Dagster definitions load (it takes seconds to import).

Two details make GX work on DuckDB:

- GX reads a query's rows after handing its SQLAlchemy connection back, and a duckdb-engine
  connection is its own cursor, so the rows are gone by then (every metric fails with "list
  index out of range"). Our connection wrapper hands out real DuckDB cursors, which keep their
  rows and share the session's attached catalogs.
- GX has no regex support for the DuckDB dialect: regex rules run as
  ``UnexpectedRowsExpectation`` with DuckDB's ``regexp_matches`` (same ``re.search`` meaning).

Results carry counts and, for columns that are not personal, a few failing values. Values of
columns under a privacy policy or named as quasi-identifiers, and anything that looks like an
identifier, are replaced by ``<oculto>`` in our outcome *and* in the GX result that Data Docs
render.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from expectations.quarantine import quoted, sql_literal, violation_predicate
from expectations.rules import Rule

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult

HIDDEN = "<oculto>"
EXAMPLES = 5

#: Long digit runs, dotted thousands (cédulas), e-mail: never shown even in an unprotected column.
_IDENTIFYING = re.compile(r"\d{6,}|\d{1,3}(?:[.\s]\d{3}){2,}|@")


@dataclass
class RuleOutcome:
    """One rule's result, safe to show: counts, an observed value and non-personal examples."""

    rule: Rule
    success: bool
    unexpected: int | None = None
    evaluated: int | None = None
    observed: str | None = None
    examples: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def unexpected_share(self) -> float | None:
        if self.unexpected is None or not self.evaluated:
            return None
        return self.unexpected / self.evaluated

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rule"] = self.rule.model_dump(exclude_none=True)
        data["criterion"] = self.rule.quality_criterion
        return data


@dataclass
class Validation:
    """Every rule's outcome on one batch, and GX's own result (sanitized) for Data Docs."""

    rows: int
    outcomes: list[RuleOutcome]
    gx_result: ExpectationSuiteValidationResult | None = None

    def failed(self, severity: str) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success and o.rule.severity == severity]


def is_shown(value: object) -> bool:
    text = str(value)
    return len(text) <= 60 and not _IDENTIFYING.search(text)


def _safe_examples(values: list[Any], shown: bool) -> list[str]:
    if not shown:
        return [HIDDEN] * min(len(values), 1)
    seen: list[str] = []
    for value in values:
        text = str(value) if is_shown(value) else HIDDEN
        if text not in seen:
            seen.append(text)
        if len(seen) == EXAMPLES:
            break
    return seen


def _regex_query(rule: Rule) -> str:
    column = quoted(rule.parameters["column"])
    # GX fills ``{batch}`` with str.format: a regex's own braces ({3}, {1,2}) are doubled.
    regex = sql_literal(rule.parameters["regex"]).replace("{", "{{").replace("}", "}}")
    return (
        f"SELECT {column} FROM {{batch}} "
        f"WHERE {column} IS NOT NULL AND NOT regexp_matches({column}, {regex})"
    )


def gx_expectation(rule: Rule, index: int) -> Any:
    """The GX expectation for ``rule``; ``meta.ada_rule`` ties its result back to the rule."""
    import great_expectations as gx

    meta = {"ada_rule": index, "ada_severity": rule.severity}
    notes = rule.description
    if rule.rule == "ExpectColumnValuesToMatchRegex":
        return gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=_regex_query(rule),
            description=notes or f"'{rule.column}' sigue el formato {rule.parameters['regex']}",
            meta=meta,
        )
    expectation_class = getattr(gx.expectations, rule.rule, None)
    if expectation_class is None:
        raise ValueError(f"'{rule.rule}' no es una expectativa de Great Expectations 1.x")
    return expectation_class(**rule.parameters, meta=meta, notes=notes)


class _CursorConnection:
    """What duckdb-engine wraps: a DuckDB connection whose cursors are real DuckDB cursors."""

    def __init__(self, base: duckdb.DuckDBPyConnection) -> None:
        from duckdb_engine import ConnectionWrapper, CursorWrapper

        class Wrapper(ConnectionWrapper):
            def cursor(self) -> CursorWrapper:
                return CursorWrapper(base.cursor(), self)

        self._wrapper = Wrapper
        self._base = base

    def __call__(self) -> Any:
        return self._wrapper(self._base.cursor())


def _error(info: dict[str, Any]) -> str | None:
    """GX's exception message, whether at the top or per metric."""
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "error de Great Expectations")
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "error de Great Expectations")
    return None


def _outcome(rule: Rule, gx_result: Any, shown: bool, rows: int) -> RuleOutcome:
    result: dict[str, Any] = dict(gx_result.result or {})
    error = _error(gx_result.exception_info or {})
    unexpected = result.get("unexpected_count")
    evaluated = result.get("element_count")
    if unexpected is not None and evaluated is None:
        evaluated = rows
    observed = result.get("observed_value")
    if rule.rule == "ExpectColumnValuesToMatchRegex" and isinstance(observed, int):
        unexpected, evaluated, observed = observed, rows, None
    examples = _safe_examples(list(result.get("partial_unexpected_list") or []), shown)
    observed_text = None
    if isinstance(observed, float):
        observed = round(observed, 3)
    if observed is not None:
        # An aggregate (row count, newest date, column set) says nothing about one person;
        # a value of a personal column (e.g. the newest birth date) is still hidden.
        aggregate = isinstance(observed, int | float | list) or violation_predicate(rule) is None
        observed_text = str(observed) if (shown or aggregate) and is_shown(observed) else HIDDEN
    return RuleOutcome(
        rule=rule,
        success=bool(gx_result.success) and error is None,
        unexpected=int(unexpected) if unexpected is not None else None,
        evaluated=int(evaluated) if evaluated is not None else None,
        observed=observed_text,
        examples=examples,
        error=error,
    )


def _sanitize(gx_result: Any, shown: bool) -> None:
    """Hide failing values in GX's result too, so Data Docs never render personal values."""
    result = gx_result.result
    if not isinstance(result, dict):
        return
    for key in ("partial_unexpected_list", "unexpected_list"):
        if key in result:
            result[key] = [v if shown and is_shown(v) else HIDDEN for v in result[key] or []]
    for key in ("partial_unexpected_counts", "unexpected_index_list", "details"):
        if key in result and not shown:
            result.pop(key)
    if "partial_unexpected_counts" in result:
        result["partial_unexpected_counts"] = [
            {**c, "value": c.get("value") if is_shown(c.get("value")) else HIDDEN}
            for c in result["partial_unexpected_counts"]
        ]
    result.pop("unexpected_index_query", None)
    observed = result.get("observed_value")
    if isinstance(observed, str | list) and not shown:
        result["observed_value"] = HIDDEN


def validate(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    rules: list[Rule],
    *,
    suite_name: str,
    personal_columns: set[str],
    run_name: str | None = None,
) -> Validation:
    """Validate ``relation`` (a table name or a parenthesized query) with ``rules`` in GX.

    ``personal_columns``: columns whose values must never be shown (policy and
    quasi-identifier columns); failing values of other columns are shown unless they look like
    identifiers.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    # GX warns on every type rule that duckdb-engine is not one of its known dialects (type
    # names then come from SQLAlchemy's generic types, which rules.py expects).
    logging.getLogger("great_expectations.expectations.type_comparison").setLevel(logging.ERROR)
    view = f"ada_batch_{uuid.uuid4().hex[:12]}"
    con.execute(f"CREATE VIEW memory.main.{view} AS SELECT * FROM {relation}")
    try:
        row = con.execute(f"SELECT count(*) FROM memory.main.{view}").fetchone()
        rows = int(row[0]) if row else 0
        # GX's default ephemeral config makes a temporary docs folder per call (never removed):
        # Data Docs are rendered apart (expectations/docs.py), so none here.
        context = gx.get_context(
            mode="ephemeral",
            project_config=DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                progress_bars=ProgressBarsConfig(globally=False),
            ),
        )
        datasource = context.data_sources.add_sql(  # type: ignore[call-arg]
            "ada_staging",
            connection_string="duckdb:///:memory:",
            kwargs={"creator": _CursorConnection(con)},
        )
        batch = datasource.add_table_asset(suite_name, table_name=view)
        definition = batch.add_batch_definition_whole_table("entrega")
        suite = context.suites.add(gx.ExpectationSuite(name=suite_name))
        outcomes: dict[int, RuleOutcome] = {}
        for index, rule in enumerate(rules):
            try:
                suite.add_expectation(gx_expectation(rule, index))
            except (ValueError, TypeError) as err:  # a suite naming a wrong class or parameter
                outcomes[index] = RuleOutcome(rule=rule, success=False, error=str(err))
        run = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_name, data=definition, suite=suite)
        )
        result = run.run(
            result_format={"result_format": "BASIC", "partial_unexpected_count": 20},
            run_id=RunIdentifier(run_name=run_name) if run_name else None,
        )
        for item in result.results:
            config = item.expectation_config
            assert config is not None and config.meta is not None
            index = int(config.meta["ada_rule"])
            rule = rules[index]
            shown = not (set(rule.columns) & personal_columns)
            outcomes[index] = _outcome(rule, item, shown, rows)
            _sanitize(item, shown)
        ordered = [outcomes[i] for i in range(len(rules)) if i in outcomes]
        return Validation(rows=rows, outcomes=ordered, gx_result=result)
    finally:
        con.execute(f"DROP VIEW IF EXISTS memory.main.{view}")
