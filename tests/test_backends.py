"""The same pipeline, through Dagster, on every backend: embedded, S3, Postgres, S3 + Postgres.

Each case runs the real files and a sample dataset from source through raw and staging with
the definitions the UI loads, then checks the tables, idempotency and raw versioning.
"""

from __future__ import annotations

import pytest

from ada.runner import plan_units, run_units
from ada.settings import Settings, Zone, load_settings
from catalog.registry import load_registry
from lake import tables
from lake.raw import list_versions
from lake.storage import S3Store, store_for
from orchestration.definitions import build_definitions

REAL_ROWS = {
    "covid19_casos_osb": 2145,  # 2,345 delivered; 200 quarantined by the tipo_caso rule
    "siniestros_viales_sdm": 2358,
    "rmcab_estacion_bolivia": 17540,
}
LANDED = "dataset_in_landing"
CSV_V1 = "id;nombre;valor\n1;uno;1,5\n2;dos;2,5\n"
CSV_V2 = "id;nombre;valor\n1;uno;1,5\n2;dos;2,5\n3;tres;3,5\n"


def _landing_spec_yaml() -> str:
    return f"""
id: {LANDED}
sector: hacienda
publication:
  title: Conjunto en landing
  description: Conjunto de prueba entregado en el área de landing.
  entidad: Secretaría Distrital de Hacienda
  dimension: Desarrollo Económico
  contact: {{name: Datos, email: datos@shd.gov.co}}
source: {{kind: landing, pattern: "*.csv"}}
format: {{type: csv, delimiter: ";", decimal: ","}}
schema:
  primary_key: [id]
  columns:
    - {{name: id, type: integer, nullable: false}}
    - {{name: nombre, type: string}}
    - {{name: valor, type: number}}
update_frequency: mensual
"""


@pytest.fixture(params=["embedded", "s3", "postgres", "s3+postgres"])
def backend(request: pytest.FixtureRequest, ada_home, tmp_path, monkeypatch) -> Settings:  # type: ignore[no-untyped-def]
    if "s3" in request.param:
        request.getfixturevalue("s3_env")
    if "postgres" in request.param:
        request.getfixturevalue("postgres_env")
    specs_dir = tmp_path / "datasets"
    source = load_registry(load_settings().datasets_dir)
    for spec in source.specs:
        if spec.id in REAL_ROWS:
            target = specs_dir / spec.sector.value / f"{spec.id}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            original = load_settings().datasets_dir / spec.sector.value / f"{spec.id}.yaml"
            target.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    (specs_dir / "hacienda").mkdir(parents=True)
    (specs_dir / "hacienda" / f"{LANDED}.yaml").write_text(_landing_spec_yaml(), encoding="utf-8")
    monkeypatch.setenv("ADA_DATASETS_DIR", str(specs_dir))
    settings = load_settings()
    assert (settings.s3 is not None) == ("s3" in request.param)
    assert (settings.database_url is not None) == ("postgres" in request.param)
    return settings


def _run_all(settings: Settings) -> None:
    registry = load_registry(settings.datasets_dir)
    defs = build_definitions()
    units = plan_units(defs, registry.active, settings)
    results = run_units(defs, units, settings)
    failed = [(r.unit.label, r.message) for r in results if not r.success]
    assert not failed


def _counts(settings: Settings) -> dict[str, int]:
    con = tables.connect(settings, [Zone.STAGING], read_only=True)
    try:
        rows = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'staging' "
            "AND schema_name <> 'quarantine'"
        ).fetchall()
        return {
            table: con.execute(f'SELECT count(*) FROM staging."{schema}"."{table}"').fetchone()[0]  # type: ignore[index]
            for schema, table in rows
        }
    finally:
        con.close()


@pytest.mark.slow
def test_pipeline_end_to_end_on_backend(backend: Settings) -> None:
    settings = backend
    landing = store_for(settings, Zone.LANDING)
    landing.put_bytes(f"{LANDED}/entrega.csv", CSV_V1.encode())

    _run_all(settings)
    first = _counts(settings)
    assert first == {**REAL_ROWS, LANDED: 2}

    # Idempotent: running again changes nothing and duplicates nothing.
    _run_all(settings)
    assert _counts(settings) == first
    raw = store_for(settings, Zone.RAW)
    assert all(len(list_versions(raw, d)) == 1 for d in (*REAL_ROWS, LANDED))

    # A re-delivery keeps both versions; staging follows the newest.
    landing.put_bytes(f"{LANDED}/entrega_2.csv", CSV_V2.encode())
    _run_all(settings)
    versions = list_versions(raw, LANDED)
    assert len(versions) == 2
    assert raw.get_bytes(versions[0].key("entrega.csv")) == CSV_V1.encode()
    assert _counts(settings)[LANDED] == 3

    # Where things live matches the backend.
    if settings.s3 is not None:
        assert isinstance(raw, S3Store)
        data_objects = store_for(settings, Zone.STAGING).list("")
        assert any(o.key.endswith(".parquet") for o in data_objects)
        assert not (settings.home / "lake").exists()
    else:
        assert any((settings.home / "lake" / "staging").rglob("*.parquet"))
    if settings.database_url is not None:
        assert not (settings.metadata_dir / "staging.sqlite").exists()
        import psycopg

        with psycopg.connect(settings.database_url.get_secret_value()) as conn:
            schemas = {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace")}
            runs = conn.execute("SELECT count(*) FROM runs").fetchone()[0]  # type: ignore[index]
        assert "ducklake_staging" in schemas
        assert runs >= 12  # Dagster's run storage is in Postgres too
    else:
        assert (settings.metadata_dir / "staging.sqlite").exists()


@pytest.mark.slow
@pytest.mark.s3
@pytest.mark.postgres
def test_every_sample_format_on_s3_and_postgres(s3_env, postgres_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """CSV, JSON, XLSX and Parquet samples (and the partitioned one) read from the bucket."""
    from ada.cli import _sync_into_landing
    from samples.generator import generate

    settings = load_settings()
    generated = tmp_path / "generated"
    generate(generated, rows=200, seed=7)
    assert _sync_into_landing(settings, generated) > 0
    assert _sync_into_landing(settings, generated) == 0  # unchanged files are not re-uploaded
    registry = load_registry(settings.datasets_dir)
    samples = [s for s in registry.active if s.source.kind == "landing"]
    assert {s.format.type for s in samples} == {"csv", "json", "xlsx", "parquet"}
    defs = build_definitions()
    units = plan_units(defs, samples, settings)
    results = run_units(defs, units, settings)
    assert [(r.unit.label, r.message) for r in results if not r.success] == []
    counts = _counts(settings)
    assert all(counts[s.id] > 0 for s in samples)
