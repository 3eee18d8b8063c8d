"""Assess one delivery in staging: validate, quarantine, score, render Data Docs, store the report.

The staging asset calls :func:`assess_staging` right after loading the table, and turns the
result into its three checks:

- ``contrato`` (blocking): the rules about the whole table (columns present, types, blocking
  suite rules that are not judged per row) hold. If not, nothing downstream runs.
- ``cuarentena`` (blocking): rows breaking a blocking row rule were moved to quarantine, and
  their share is within the suite's ``max_quarantine_share``.
- ``reglas`` (warning): the warning rules (ranges, formats, row-count change, freshness);
  reported, never blocking.

The report (``_quality/<sector>/<id>.json`` in the curated zone, with a dated copy per run and a
trend of the last runs inside) and the Data Docs (``_quality/<sector>/<id>/docs/<run>/``) are
what the catalog shows.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec
from expectations.quarantine import (
    QuarantineOutcome,
    quoted,
    split_quarantine,
    sql_literal,
    violation_predicate,
)
from expectations.rules import delivery_rules, load_suite, merged_rules
from expectations.score import Profile, QualityScore, score
from expectations.validation import RuleOutcome, Validation, validate
from ingestion.staging import LINEAGE_PREFIX, PARTITION_COLUMN
from lake import reports

REPORTS_PREFIX = "_quality"
#: Runs kept in the report's trend (the dated copies keep everything).
TREND_RUNS = 100


@dataclass
class Assessment:
    """Everything one assessment found; ``report`` is what is stored for the catalog."""

    validation: Validation
    quarantine: QuarantineOutcome
    max_quarantine_share: float
    quality: QualityScore
    report: dict[str, Any]
    report_uri: str
    docs_uri: str | None

    @property
    def contract_failures(self) -> list[RuleOutcome]:
        return _contract_failures(self.validation)

    @property
    def quarantine_ok(self) -> bool:
        return self.quarantine.share <= self.max_quarantine_share

    @property
    def warnings(self) -> list[RuleOutcome]:
        return self.validation.failed("warning")


def _contract_failures(validation: Validation) -> list[RuleOutcome]:
    """Blocking rules that failed for the whole table, or could not be judged at all (a row
    rule whose run errored cannot quarantine rows: the delivery is not understood)."""
    return [
        o
        for o in validation.failed("blocking")
        if violation_predicate(o.rule) is None or o.error is not None
    ]


def report_key(spec: DatasetSpec, partition: str | None = None) -> str:
    return reports.report_key(REPORTS_PREFIX, spec.sector.value, spec.id, partition)


def load_quality(
    settings: Settings, spec: DatasetSpec, partition: str | None = None
) -> dict[str, Any] | None:
    """The latest quality report (with its trend), or ``None`` before the first run."""
    return reports.read_report(settings, report_key(spec, partition))


def _profile(
    con: duckdb.DuckDBPyConnection, relation: str, spec: DatasetSpec
) -> tuple[int, int, int]:
    """Rows, null cells over the declared columns, and rows with full lineage: one scan."""
    present = {row[0] for row in con.execute(f"SELECT * FROM {relation} LIMIT 0").description or []}
    columns = [c.name for c in spec.schema_.columns if c.name in present]
    nulls = " + ".join(f"count(*) - count({quoted(c)})" for c in columns) or "0"
    missing = len(spec.schema_.columns) - len(columns)
    lineage = " AND ".join(
        f"{LINEAGE_PREFIX}{name} IS NOT NULL" for name in ("raw_version", "source_file", "record")
    )
    row = con.execute(
        f"SELECT count(*), {nulls} + {missing} * count(*), count(*) FILTER ({lineage}) "
        f"FROM {relation}"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def _store_docs(settings: Settings, spec: DatasetSpec, validation: Validation, run: str) -> str:
    """Render GX's Data Docs for this run and upload them; returns the page's URI."""
    from expectations.docs import render_data_docs
    from lake.storage import store_for

    if validation.gx_result is None:
        return ""
    store = store_for(settings, Zone.CURATED)
    prefix = f"{REPORTS_PREFIX}/{spec.sector.value}/{spec.id}/docs/{run}"
    with tempfile.TemporaryDirectory(prefix="ada-docs-") as tmp:
        folder = Path(tmp)
        page = render_data_docs(validation.gx_result, folder)
        for path in _files_to_keep(folder):
            store.put_bytes(f"{prefix}/{path.relative_to(folder).as_posix()}", path.read_bytes())
        return store.uri(f"{prefix}/{page.relative_to(folder).as_posix()}")


_LINK = re.compile(r"""(?:href|src)=["']([^"'#?]+)|url\(["']?([^"')#?]+)""")


def _files_to_keep(folder: Path) -> list[Path]:
    """The pages and only the static files they (or their stylesheets) refer to: GX copies
    4 MB of images and fonts into every site, most of which no page uses."""
    pages = [p for p in folder.rglob("*.html")]
    keep: set[Path] = set(pages)
    pending = list(pages)
    while pending:
        source = pending.pop()
        for match in _LINK.finditer(source.read_text(encoding="utf-8", errors="replace")):
            link = match.group(1) or match.group(2)
            if "://" in link or link.startswith(("data:", "mailto:", "/")):
                continue
            target = (source.parent / link).resolve()
            if target.is_file() and target.is_relative_to(folder.resolve()) and target not in keep:
                keep.add(target)
                if target.suffix == ".css":
                    pending.append(target)
    return sorted(keep)


def _store_report(settings: Settings, spec: DatasetSpec, report: dict[str, Any]) -> str:
    partition = report.get("partition")
    # A partition's run is also the dataset's latest run, whichever partition it was.
    also = (report_key(spec),) if partition else ()
    return reports.write_report(
        settings, report_key(spec, partition), report, report["run"], also=also
    )


def _run_stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


def assess_staging(
    settings: Settings,
    spec: DatasetSpec,
    partition: str | None = None,
    *,
    rows_unparsed: int = 0,
    run_id: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    docs: bool = True,
) -> Assessment:
    """Validate the staging table (or partition) with the dataset's rules in Great
    Expectations, move rows breaking blocking row rules to quarantine, score the run and store
    the report and Data Docs."""
    from lake import tables

    own = con is None
    con = con or tables.connect(settings, [Zone.STAGING])
    try:
        return _assess(settings, spec, partition, rows_unparsed, run_id, con, docs)
    finally:
        if own:
            con.close()


def _assess(
    settings: Settings,
    spec: DatasetSpec,
    partition: str | None,
    rows_unparsed: int,
    run_id: str | None,
    con: duckdb.DuckDBPyConnection,
    docs: bool,
) -> Assessment:
    from lake import tables

    now = dt.datetime.now(dt.UTC)
    run = _run_stamp(now)
    table = f'staging."{spec.sector.value}"."{spec.id}"'
    relation = (
        f"(SELECT * FROM {table} WHERE {PARTITION_COLUMN} = {sql_literal(partition)})"
        if partition
        else table
    )
    suite = load_suite(spec.id, settings.suites_dir)
    previous = load_quality(settings, spec)
    reference = dt.date.fromisoformat(partition) + dt.timedelta(days=1) if partition else now.date()
    rules = merged_rules(spec, suite) + delivery_rules(
        spec,
        suite,
        previous_rows=(previous or {}).get("filas_entregadas"),
        reference_day=reference,
    )
    policy = spec.privacy
    personal = set(policy.columns) | set(policy.quasi_identifiers)
    validation = validate(
        con, relation, rules, suite_name=spec.id, personal_columns=personal, run_name=run_id
    )
    rows, null_cells, traced = _profile(con, relation, spec)
    contract_broken = bool(_contract_failures(validation))
    if contract_broken:
        quarantine = QuarantineOutcome(rows, 0)
    else:
        quarantine = tables.retry_when_busy(
            lambda: split_quarantine(
                con,
                dataset_id=spec.id,
                table=table,
                columns=[c.name for c in spec.schema_.columns],
                rules=[o.rule for o in validation.outcomes if o.error is None],
                partition=partition,
            )
        )
    over_limit = quarantine.share > suite.max_quarantine_share
    profile = Profile(
        rows_delivered=rows,
        rows_unparsed=rows_unparsed,
        rows_quarantined=quarantine.rows_quarantined,
        cells=rows * len(spec.schema_.columns),
        null_cells=null_cells,
        traced_rows=traced,
    )
    quality = score(
        spec,
        validation.outcomes,
        profile,
        reference_day=reference,
        contract_broken=contract_broken or over_limit,
    )
    docs_uri = _store_docs(settings, spec, validation, run) if docs else None
    report = _report(spec, partition, run, run_id, now, validation, quarantine, suite, quality)
    report["data_docs"] = docs_uri
    report["tendencia"] = _trend(previous, report)
    report_uri = _store_report(settings, spec, report)
    return Assessment(
        validation=validation,
        quarantine=quarantine,
        max_quarantine_share=suite.max_quarantine_share,
        quality=quality,
        report=report,
        report_uri=report_uri,
        docs_uri=docs_uri,
    )


def _report(
    spec: DatasetSpec,
    partition: str | None,
    run: str,
    run_id: str | None,
    now: dt.datetime,
    validation: Validation,
    quarantine: QuarantineOutcome,
    suite: Any,
    quality: QualityScore,
) -> dict[str, Any]:
    return {
        "dataset": spec.id,
        "sector": spec.sector.value,
        "partition": partition,
        "run": run,
        "dagster_run_id": run_id,
        "generated_at": now.isoformat(timespec="seconds"),
        "filas_entregadas": validation.rows,
        "filas_en_cuarentena": quarantine.rows_quarantined,
        "proporcion_cuarentena": round(quarantine.share, 6),
        "max_proporcion_cuarentena": suite.max_quarantine_share,
        "cuarentena_por_regla": quarantine.by_rule,
        "reglas": [o.as_dict() for o in validation.outcomes],
        **quality.as_dict(),
    }


def _trend(previous: dict[str, Any] | None, report: dict[str, Any]) -> list[dict[str, Any]]:
    """The previous trend plus this run: what the catalog charts."""
    earlier = list((previous or {}).get("tendencia") or [])
    point = {
        "run": report["run"],
        "generated_at": report["generated_at"],
        "puntaje": report["puntaje"],
        "sello": report["sello"],
        "filas": report["filas_entregadas"],
        "criterios": {c["criterio"]: c["puntaje"] for c in report["criterios"]},
    }
    return [*earlier, point][-TREND_RUNS:]
