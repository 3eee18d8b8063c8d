"""The privacy report per dataset: what was found per column, what was done, k achieved.

Stored as JSON in the curated zone (``_privacy/<sector>/<id>.json``, the latest, plus a dated
copy per run under ``_privacy/<sector>/<id>/``) for the catalog to show. It carries counts,
shares and decisions, never values; the rare quasi-identifier combinations that block a release
go to the Dagster check (engineers), not into this public report.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ada.settings import Settings
from catalog.specs import DatasetSpec
from lake import reports
from privacy.protection import ProtectionResult

REPORTS_PREFIX = "_privacy"


def report_key(spec: DatasetSpec, partition: str | None = None) -> str:
    return reports.report_key(REPORTS_PREFIX, spec.sector.value, spec.id, partition)


def build_report(
    spec: DatasetSpec, result: ProtectionResult, partition: str | None = None
) -> dict[str, Any]:
    gate = result.gate.as_dict()
    gate.pop("rare_combinations", None)
    return {
        "dataset": spec.id,
        "sector": spec.sector.value,
        "partition": partition,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "published": result.released and result.policy_complete,
        "policy_complete": result.policy_complete,
        "columns_without_policy": result.unresolved,
        "columns": [outcome.as_dict() for outcome in result.columns],
        "k_required": result.gate.k_required,
        "k_achieved": result.gate.k_achieved,
        "l_required": result.gate.l_required,
        "l_achieved": result.gate.l_achieved,
        "rows_in": result.gate.rows_in,
        "rows_suppressed": result.gate.rows_suppressed,
        "rows_out": result.rows_out,
        "gate": gate,
    }


def store_report(settings: Settings, spec: DatasetSpec, report: dict[str, Any]) -> str:
    """Write the report (latest and a dated copy); returns the latest's URI."""
    stamp = report["generated_at"].replace(":", "").replace("-", "")
    return reports.write_report(settings, report_key(spec, report.get("partition")), report, stamp)


def load_report(
    settings: Settings, spec: DatasetSpec, partition: str | None = None
) -> dict[str, Any] | None:
    """The latest report, or ``None`` if the dataset has not been through the gate yet."""
    return reports.read_report(settings, report_key(spec, partition))
