"""The SQLMesh project: localidad spellings, unit tests, audits, a build into the lake, and
every model transpiling to a second engine."""

from __future__ import annotations

import csv

import duckdb
import pytest
from sqlglot import ErrorLevel

from ada.settings import Settings, Zone
from lake import tables
from samples.dirt import _SPECIALS, _VARIANTS
from tests.helpers import REALDATA
from transformations.macros.localidad import localidad_sql
from transformations.project import build, run_unit_tests, sqlmesh_context

#: Real files and the column that names the localidad (encoding, delimiter).
REAL_LOCALIDADES = [
    (
        "covid_bogota_osb_2020may/osb_enftransm-covid-19_2020-05.csv",
        "Localidad de residencia",
        "latin-1",
        ";",
    ),
    ("movilidad_siniestros_viales/datos_siniestralidad-small.csv", "LOCALIDAD", "utf-8-sig", ","),
]


def _codes(values: list[str | None]) -> list[str]:
    con = duckdb.connect()
    con.execute("CREATE TABLE v (i INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(values)))
    return [
        row[0] for row in con.execute(f"SELECT {localidad_sql('x')} FROM v ORDER BY i").fetchall()
    ]


def test_every_spelling_in_the_samples_maps_to_its_code() -> None:
    for index, variants in enumerate(_VARIANTS):
        assert _codes(list(variants)) == [f"{index + 1:02d}"] * len(variants), variants


def test_unknowns_are_explicit() -> None:
    specials = [*_SPECIALS, None, "Marte", "Localidad 27"]
    codes = dict(zip([str(s) for s in specials], _codes(specials), strict=True))
    assert codes["Sin dato"] == codes["SIN DATO"] == codes[""] == codes["None"] == "00"
    assert codes["Sin información"] == "00"
    assert codes["Fuera de Bogotá"] == codes["FUERA DE BOGOTA"] == codes["Soacha"] == "98"
    assert codes["Marte"] == codes["Localidad 27"] == "99"


@pytest.mark.parametrize(("path", "column", "encoding", "delimiter"), REAL_LOCALIDADES)
def test_every_spelling_in_the_real_files_is_recognized(
    path: str, column: str, encoding: str, delimiter: str
) -> None:
    with (REALDATA / path).open(encoding=encoding, newline="") as handle:
        values = sorted({row[column] for row in csv.DictReader(handle, delimiter=delimiter)})
    assert len(values) >= 15
    codes = dict(zip(values, _codes(values), strict=True))
    unrecognized = [v for v, c in codes.items() if c == "99"]
    assert not unrecognized, unrecognized
    assert len({c for c in codes.values() if c not in ("00", "98")}) >= 15


def test_sqlmesh_unit_tests_pass(settings: Settings) -> None:
    ran, failed = run_unit_tests(settings)
    assert ran >= 1 and failed == 0


def test_build_writes_the_dimensions_into_the_curated_zone(settings: Settings) -> None:
    build(settings)  # also runs every audit: a failing audit raises
    con = tables.connect(settings, [Zone.CURATED], read_only=True)
    try:
        rows = con.execute(
            "SELECT codigo, nombre, area, poblacion FROM curated.dim.localidad "
            "WHERE es_localidad ORDER BY codigo"
        ).fetchall()
        days = con.execute("SELECT count(*) FROM curated.dim.fecha").fetchone()
    finally:
        con.close()
    assert [r[0] for r in rows] == [f"{i:02d}" for i in range(1, 21)]
    assert rows[19][1:3] == ("Sumapaz", "rural")
    assert all(r[3] and r[3] > 0 for r in rows)
    assert days is not None and days[0] == 5844  # 2015-01-01 .. 2030-12-31


@pytest.mark.parametrize("dialect", ["trino", "spark"])
def test_every_model_transpiles_to_a_second_engine(settings: Settings, dialect: str) -> None:
    context = sqlmesh_context(settings)
    assert context.models
    for name, model in context.models.items():
        if model.kind.is_seed:
            continue
        query = context.render(name)
        sql = query.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
        assert sql, name


def test_state_lives_in_postgres_when_configured(postgres_env: str) -> None:
    from ada.settings import load_settings
    from transformations.config import STATE_SCHEMA, build_config

    config = build_config(load_settings())
    state = config.gateways["ada"].state_connection
    assert state is not None and state.type_ == "postgres"
    build(load_settings())
    import psycopg

    with psycopg.connect(postgres_env) as conn:
        tables_in_state = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [STATE_SCHEMA],
        ).fetchall()
    assert any(name == "_snapshots" for (name,) in tables_in_state)


def test_the_committed_manifest_matches_the_project(settings: Settings) -> None:
    from transformations.manifest import (
        TABLES_DOC,
        generate_manifest,
        load_manifest,
        render,
        render_tables_doc,
    )

    manifest = generate_manifest(settings)
    stale = "is stale: run python -m transformations.manifest"
    assert render(load_manifest()) == render(manifest), f"transformations/manifest.json {stale}"
    assert TABLES_DOC.read_text(encoding="utf-8") == render_tables_doc(manifest), (
        f"docs/curated-tables.md {stale}"
    )
    documented = TABLES_DOC.read_text(encoding="utf-8")
    for model in manifest["models"]:
        if model["kind"] != "SEED":
            assert f"### `{'.'.join(model['key'])}`" in documented
            assert all(column["description"] for column in model["columns"]), model["name"]


def test_every_model_is_a_dagster_asset_downstream_of_its_sources() -> None:
    import dagster as dg

    from orchestration.definitions import build_definitions
    from transformations.manifest import load_manifest

    graph = build_definitions().resolve_asset_graph()
    for model in load_manifest()["models"]:
        node = graph.get(dg.AssetKey(model["key"]))
        assert node.group_name == "transformaciones"
        assert {tuple(k.path[1:]) for k in node.parent_keys} == {
            tuple(dep) for dep in model["depends_on"]
        }
    localidad = graph.get(dg.AssetKey(["curated", "dim", "localidad"]))
    lineage = localidad.metadata["dagster/column_lineage"]
    assert lineage.deps_by_column["poblacion"][0].asset_key == dg.AssetKey(
        ["curated", "dim", "poblacion_semilla"]
    )


def test_ada_run_materializes_the_models_after_the_datasets(settings: Settings) -> None:
    from ada.runner import TRANSFORMATIONS_LABEL, plan_units, run_units
    from catalog.registry import load_registry
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    specs = load_registry(settings.datasets_dir).specs
    units = plan_units(defs, specs, settings, select="group:transformaciones")
    assert [u.label for u in units] == [TRANSFORMATIONS_LABEL]
    [result] = run_units(defs, units, settings)
    assert result.success, result.message
    con = tables.connect(settings, [Zone.CURATED], read_only=True)
    try:
        row = con.execute(
            "SELECT count(*) FROM curated.dim.localidad WHERE es_localidad"
        ).fetchone()
    finally:
        con.close()
    assert row is not None and row[0] == 20
