"""Every sample and real dataset through its full suite: the planted dirt is caught.

The sample generator plants duplicated rows in every dataset (and the real COVID-19 export
writes case types the spec does not allow); after the assessment, each blocking row rule has
moved exactly the rows that break it to quarantine, the key is unique again, and no rule of any
suite fails to run.
"""

from __future__ import annotations

import pytest

from ada.settings import Settings, Zone
from catalog.registry import load_registry
from catalog.specs import DatasetSpec
from expectations.assessment import assess_staging
from expectations.quarantine import key_columns, row_rules
from expectations.rules import load_suite, rules_for
from ingestion.delivery import receive_deliveries
from ingestion.staging import load_staging
from lake import tables
from samples.generator import generate
from tests.helpers import REPO

pytestmark = pytest.mark.slow


def _partition(settings: Settings, spec: DatasetSpec) -> str | None:
    if not spec.is_partitioned:
        return None
    folder = settings.local_zone_dir(Zone.LANDING) / spec.id
    return sorted(p.name for p in folder.iterdir() if p.is_dir())[0]


def _count(settings: Settings, query: str) -> int:
    con = tables.connect(settings, [Zone.STAGING], read_only=True)
    try:
        row = con.execute(query).fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def _repeated_extras(settings: Settings, table: str, where: str, keys: list[str]) -> int:
    """Rows beyond the first of each repeated (non-null) key."""
    names = ", ".join(f'"{k}"' for k in keys)
    not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in keys)
    scope = f"{where} AND {not_null}" if where else f"WHERE {not_null}"
    return _count(settings, f"SELECT count(*) - count(DISTINCT ({names})) FROM {table} {scope}")


def test_the_dirt_of_every_dataset_is_caught_and_quarantined(settings: Settings) -> None:
    generate(settings.local_zone_dir(Zone.LANDING), rows=600)
    specs = load_registry(REPO / "catalog" / "datasets").specs
    caught: dict[str, int] = {}
    for spec in specs:
        partition = _partition(settings, spec)
        receive_deliveries(settings, spec, partition)
        loaded = load_staging(settings, spec, partition)
        table = f'staging."{spec.sector.value}"."{spec.id}"'
        where = f"WHERE _ada_partition = '{partition}'" if partition else ""
        before = _count(settings, f"SELECT count(*) FROM {table} {where}")
        blocking = row_rules(rules_for(spec))
        extras = {
            r.identity: _repeated_extras(settings, table, where, key_columns(r))
            for r in blocking
            if key_columns(r)
        }

        assessment = assess_staging(
            settings, spec, partition, rows_unparsed=loaded.quarantined_rows, docs=False
        )

        errors = [(o.rule.rule, o.error) for o in assessment.validation.outcomes if o.error]
        assert not errors, (spec.id, errors)
        moved = assessment.quarantine.rows_quarantined
        after = _count(settings, f"SELECT count(*) FROM {table} {where}")
        assert after == before - moved, spec.id
        # Each blocking row rule moved what GX counted; a repeated key keeps its first row.
        outcomes = {o.rule.identity: o for o in assessment.validation.outcomes}
        for rule in blocking:
            counted = outcomes[rule.identity].unexpected or 0
            expected = extras.get(rule.identity, counted)
            assert expected <= counted
            label = rule.description or rule.rule
            assert assessment.quarantine.by_rule.get(label, 0) == expected, (spec.id, label)
            if key_columns(rule):
                assert _repeated_extras(settings, table, where, key_columns(rule)) == 0
        caught[spec.id] = moved
        assert assessment.report["filas_en_cuarentena"] == moved
        assert assessment.quality.total is not None
        assert load_suite(spec.id).dataset == spec.id

    # The generator plants repeated rows in every sample; the real COVID-19 export has
    # case types outside the spec ('Desconocido', lower-case 'relacionado', ...).
    sample_ids = {s.id for s in specs if s.source.kind == "landing"}
    assert all(caught[i] > 0 for i in sample_ids), caught
    assert caught["covid19_casos_osb"] == 200
