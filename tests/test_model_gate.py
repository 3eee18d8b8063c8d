"""A SQLMesh audit that fails holds back that dataset's publication (and the indicators built on
it) while the other datasets' models and publications go on; fixing the data releases it.

The privacy-treated sources are written straight into the curated zone with the column types
the project declares for them (``external_models.yaml``), so the test exercises the models, the
Dagster step and the publication, not the ingestion in front of them.
"""

from __future__ import annotations

from typing import Any

import yaml

from ada.runner import plan_units, run_units
from ada.settings import Settings, Zone
from catalog.publication import current_release, list_releases
from catalog.registry import load_registry
from lake import tables
from lake.storage import store_for
from transformations.project import PROJECT_DIR, refresh

HEALTH = '"curated"."salud"."notificaciones_salud"'
CRASHES = '"curated"."movilidad"."siniestros_viales_sdm"'


def _declared_columns(name: str) -> dict[str, str]:
    declared = yaml.safe_load((PROJECT_DIR / "external_models.yaml").read_text(encoding="utf-8"))
    return next(model["columns"] for model in declared if model["name"] == name)


def _write_source(settings: Settings, name: str, rows: list[dict[str, Any]]) -> None:
    """Replace a curated source table with ``rows`` (missing columns are null)."""
    columns = _declared_columns(name)
    catalog, schema, table = (part.strip('"') for part in name.split("."))
    con = tables.connect(settings, [Zone.CURATED])
    try:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS {catalog}."{schema}"')
        ddl = ", ".join(f'"{column}" {kind}' for column, kind in columns.items())
        con.execute(f'CREATE OR REPLACE TABLE {catalog}."{schema}"."{table}" ({ddl})')
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f'INSERT INTO {catalog}."{schema}"."{table}" VALUES ({placeholders})',
            [[row.get(column) for column in columns] for row in rows],
        )
    finally:
        con.close()


def _notifications(evento_of_last: str, count: int = 40) -> list[dict[str, Any]]:
    localidades = ["Suba", "KENNEDY", "01 - Usaquén", "Ciudad Bolívar"]
    rows = [
        {
            "id_notificacion": f"p_{i:016x}",
            "fecha_notificacion": f"2024-0{1 + i % 3}",
            "semana_epidemiologica": 1 + i % 12,
            "anio": 2024,
            "cod_evento": "210",
            "evento": "Dengue",
            "localidad": localidades[i % 4],
            "_ada_raw_version": "2024-04-01T000000Z-aaaa",
            "_ada_record": i,
        }
        for i in range(count)
    ]
    rows[-1]["evento"] = evento_of_last
    return rows


def _crashes() -> list[dict[str, Any]]:
    return [
        {
            "codigo_accidente": f"A{i:05d}",
            "fecha_ocurrencia": f"2024-0{1 + i % 3}-1{i % 9}",
            "hora_ocurrencia": f"{i % 24:02d}:15:00",
            "ano_ocurrencia": 2024,
            "gravedad": "SOLO DANOS",
            "clase": "CHOQUE",
            "localidad": "BOSA",
            "_ada_raw_version": "2024-04-01T000000Z-bbbb",
            "_ada_record": i,
        }
        for i in range(30)
    ]


def _published(settings: Settings) -> set[str]:
    return {o.key.rsplit("/", 1)[-1] for o in store_for(settings, Zone.OPEN).list("downloads/")}


def _publish_both(settings: Settings) -> Any:
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    specs = load_registry(settings.datasets_dir).specs
    selection = "key:open/salud/notificaciones_salud or key:open/movilidad/siniestros_viales_sdm"
    units = plan_units(defs, specs, settings, select=selection)
    # The publications read conformed models: they run with those models, after the datasets.
    assert len(units) == 1 and units[0].spec is None
    keys = {key.to_user_string() for key in units[0].keys}
    assert {
        "curated/conformado/notificaciones_salud",
        "curated/indicadores/localidad_periodo",
    } <= keys
    [result] = run_units(defs, units, settings)
    return result


def test_a_failing_audit_blocks_only_its_own_publication(settings: Settings) -> None:
    _write_source(settings, HEALTH, _notifications(evento_of_last="Gripa del vecino"))
    _write_source(settings, CRASHES, _crashes())

    result = _publish_both(settings)

    assert not result.success
    assert "curated.conformado.notificaciones_salud auditorias" in result.message
    assert "accepted_values" in result.message and "1 fila(s)" in result.message
    assert "Gripa" not in result.message  # the audit's arguments, never the offending value
    published = _published(settings)
    assert {"siniestros_viales_sdm.csv", "siniestros_viales_sdm.parquet"} <= published
    assert not any(name.startswith("notificaciones_salud") for name in published)

    _write_source(settings, HEALTH, _notifications(evento_of_last="Dengue grave"))
    result = _publish_both(settings)

    assert result.success, result.message
    assert {"notificaciones_salud.csv", "notificaciones_salud.parquet"} <= _published(settings)
    con = tables.connect(settings, [Zone.CURATED], read_only=True)
    try:
        codes = con.execute(
            "SELECT DISTINCT codigo_localidad FROM curated.conformado.notificaciones_salud "
            "ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert [c for (c,) in codes] == ["01", "08", "11", "19"]

    # Once deployed, a model is restated in place; a failing audit still holds back the new
    # release and the previous one stays published as it was.
    _write_source(settings, HEALTH, _notifications(evento_of_last="Gripa", count=20))
    result = _publish_both(settings)

    assert not result.success and "accepted_values" in result.message
    health = load_registry(settings.datasets_dir).get("notificaciones_salud")
    assert health is not None
    assert [r.label for r in list_releases(settings, health)] == ["v1"]
    current = current_release(settings, health)
    assert current is not None and current.rows == 40
    published = store_for(settings, Zone.OPEN).get_bytes(
        "downloads/salud/notificaciones_salud/v1/notificaciones_salud.csv"
    )
    assert published.decode("utf-8").count("\n") == 41  # header + the 40 rows released before


def test_refresh_reports_each_model(settings: Settings) -> None:
    _write_source(settings, CRASHES, _crashes())

    result = refresh(settings)

    crashes = result.outcomes["curated.conformado.siniestros_viales_sdm"]
    assert crashes.status == "built" and crashes.rows == 30 and crashes.audits_passed >= 5
    health = result.outcomes["curated.conformado.notificaciones_salud"]
    assert health.status == "waiting"
    assert health.waiting_for == ["curated.salud.notificaciones_salud"]
    # The indicators read every conformed model: they wait for the missing ones.
    assert result.outcomes["curated.indicadores.localidad_periodo"].status == "waiting"
    assert result.outcomes["curated.dim.localidad"].status == "built"
