"""The release path in Dagster: blocking privacy checks stop publication, and say why."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from ada.runner import plan_units, run_units
from ada.settings import Zone, load_settings
from catalog.registry import load_registry
from lake import tables
from lake.storage import store_for
from tests.helpers import make_spec, write_spec

COLUMNS = [
    {"name": "id", "type": "integer"},
    {"name": "localidad", "type": "string"},
    {"name": "sexo", "type": "string"},
    {"name": "edad", "type": "integer"},
    {"name": "telefono", "type": "string"},
]
LOCALIDADES = ["Suba", "Kennedy", "Bosa", "Engativá"]


def _csv(rows: int) -> bytes:
    lines = ["id,localidad,sexo,edad,telefono"]
    for i in range(rows):
        lines.append(f"{i},{LOCALIDADES[i % 4]},{'FM'[i % 2]},{20 + i % 60},3{i:09d}")
    return ("\n".join(lines) + "\n").encode()


def _run(specs_dir: Path, spec_id: str, rows: int, privacy: dict) -> list:  # type: ignore[type-arg]
    spec = make_spec(id=spec_id, schema={"columns": COLUMNS}, privacy=privacy)
    write_spec(specs_dir, spec)
    settings = load_settings()
    store_for(settings, Zone.LANDING).put_bytes(f"{spec_id}/{spec_id}.csv", _csv(rows))
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    registry = load_registry(settings.datasets_dir)
    units = plan_units(defs, registry.specs, settings, select=f"key:*/gobierno/{spec_id}")
    # The dataset's run, then the catalog's (which runs whatever the dataset's outcome).
    result, catalog = run_units(defs, units, settings)
    assert catalog.success, catalog.message
    return [result]


@pytest.fixture
def specs_dir(ada_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = ada_home / "datasets"
    monkeypatch.setenv("ADA_DATASETS_DIR", str(folder))
    return folder


def _published(spec_id: str) -> list[str]:
    return [
        o.key for o in store_for(load_settings(), Zone.OPEN).list(f"downloads/gobierno/{spec_id}/")
    ]


def _curated_columns(spec_id: str) -> list[str] | None:
    con = tables.connect(load_settings(), [Zone.CURATED], read_only=True)
    try:
        if not tables.table_exists(con, Zone.CURATED, "gobierno", spec_id):
            return None
        table: pa.Table = con.execute(
            f"SELECT * FROM curated.gobierno.{spec_id} LIMIT 1"
        ).to_arrow_table()
        return table.column_names
    finally:
        con.close()


def test_a_personal_column_without_policy_is_dropped_and_blocks_publication(
    specs_dir: Path,
) -> None:
    privacy = {"quasi_identifiers": ["localidad", "sexo"]}
    [result] = _run(specs_dir, "sin_politica", 400, privacy)
    assert not result.success
    assert "privacy_policy" in result.message and "telefono" in result.message
    assert "3000000" not in result.message
    columns = _curated_columns("sin_politica")
    assert columns is not None and "telefono" not in columns
    assert _published("sin_politica") == []


def test_a_release_below_k_is_blocked_and_nothing_is_written(specs_dir: Path) -> None:
    # Two sexes can never give three distinct sensitive values per group, however coarse.
    privacy = {
        "columns": {"telefono": {"operator": "drop"}},
        "quasi_identifiers": ["localidad", "edad"],
        "sensitive": ["sexo"],
        "l": 3,
    }
    [result] = _run(specs_dir, "bloqueado", 60, privacy)
    assert not result.success
    assert "reidentification_risk" in result.message and "Bloqueado" in result.message
    assert _curated_columns("bloqueado") is None
    assert _published("bloqueado") == []


def test_a_safe_release_is_published_with_its_report(specs_dir: Path) -> None:
    from privacy.report import load_report

    privacy = {
        "columns": {
            "telefono": {"operator": "mask", "visible": 2},
            "edad": {"operator": "generalize", "to": "band", "size": 10},
        },
        "quasi_identifiers": ["localidad", "sexo", "edad"],
    }
    [result] = _run(specs_dir, "publicable", 800, privacy)
    assert result.success, result.message
    assert sorted(_published("publicable")) == [
        "downloads/gobierno/publicable/current.json",
        "downloads/gobierno/publicable/v1/_release.json",
        "downloads/gobierno/publicable/v1/datapackage.json",
        "downloads/gobierno/publicable/v1/publicable.csv",
        "downloads/gobierno/publicable/v1/publicable.json",
        "downloads/gobierno/publicable/v1/publicable.parquet",
    ]
    spec = load_registry(load_settings().datasets_dir).get("publicable")
    assert spec is not None
    report = load_report(load_settings(), spec)
    assert report is not None and report["published"]
    assert report["k_achieved"] >= 5
    operators = {c["columna"]: c["operador"] for c in report["columns"]}
    assert operators["telefono"].startswith("mask")
    assert operators["localidad"] == "keep"
