"""Quality checks in Dagster: blocking failures stop publication, warnings do not, bad rows are
quarantined with their reasons, and every run stores a score, its trend and Data Docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ada.runner import UnitResult, plan_units, run_units
from ada.settings import Zone, load_settings
from catalog.registry import load_registry
from expectations.assessment import load_quality
from lake import tables
from lake.storage import store_for
from tests.helpers import make_spec, write_spec

LOCALIDADES = ["Suba", "Kennedy", "Bosa", "Engativá"]
COLUMNS = [
    {"name": "id", "type": "integer", "nullable": False},
    {"name": "localidad", "type": "string", "allowed_values": LOCALIDADES},
    {"name": "sexo", "type": "string"},
    {"name": "edad", "type": "integer", "minimum": 0, "maximum": 110},
    {"name": "telefono", "type": "string", "pattern": "^3[0-9]{9}$"},
    {"name": "fecha", "type": "date", "nullable": False},
]
PRIVACY = {
    "columns": {
        "telefono": {"operator": "drop"},
        "edad": {"operator": "generalize", "to": "band", "size": 10},
    },
    "quasi_identifiers": ["localidad", "sexo", "edad"],
}


def _csv(rows: int, *, bad_localidad_every: int = 0, old_age_every: int = 0) -> bytes:
    lines = ["id,localidad,sexo,edad,telefono,fecha"]
    for i in range(rows):
        localidad = LOCALIDADES[i % 4]
        if bad_localidad_every and i % bad_localidad_every == 1:
            localidad = "Fuera de Bogotá"
        edad = 150 if old_age_every and i % old_age_every == 2 else 20 + i % 60
        telefono = f"3{i:09d}" if i % 25 else f"57-{i:07d}"  # 4 % badly written phones
        lines.append(f"{i},{localidad},{'FM'[i % 2]},{edad},{telefono},2024-0{1 + i % 9}-1{i % 9}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def specs_dir(ada_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = ada_home / "datasets"
    monkeypatch.setenv("ADA_DATASETS_DIR", str(folder))
    monkeypatch.setenv("ADA_SUITES_DIR", str(ada_home / "suites"))
    return folder


def _deliver(
    spec_id: str, data: bytes, specs_dir: Path, suite: dict[str, Any] | None = None
) -> None:
    spec = make_spec(id=spec_id, schema={"columns": COLUMNS}, privacy=PRIVACY)
    write_spec(specs_dir, spec)
    settings = load_settings()
    if suite is not None:
        settings.suites_dir.mkdir(parents=True, exist_ok=True)
        (settings.suites_dir / f"{spec_id}.yaml").write_text(
            yaml.safe_dump({"dataset": spec_id, **suite}), encoding="utf-8"
        )
    store_for(settings, Zone.LANDING).put_bytes(f"{spec_id}/{spec_id}.csv", data)


def _run(spec_id: str) -> UnitResult:
    from orchestration.definitions import build_definitions

    settings = load_settings()
    defs = build_definitions()
    registry = load_registry(settings.datasets_dir)
    units = plan_units(defs, registry.specs, settings, select=f"key:*/gobierno/{spec_id}")
    # The dataset's run, then the catalog's (which runs whatever the dataset's outcome).
    result, catalog = run_units(defs, units, settings)
    assert catalog.success, catalog.message
    return result


def _published(spec_id: str) -> list[str]:
    return [
        o.key for o in store_for(load_settings(), Zone.OPEN).list(f"downloads/gobierno/{spec_id}/")
    ]


def _sql(query: str) -> list[tuple[Any, ...]]:
    con = tables.connect(load_settings(), [Zone.STAGING], read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def _quality(spec_id: str) -> dict[str, Any]:
    settings = load_settings()
    spec = load_registry(settings.datasets_dir).get(spec_id)
    assert spec is not None
    report = load_quality(settings, spec)
    assert report is not None
    return report


def test_too_many_bad_rows_are_quarantined_with_reasons_and_block_publication(
    specs_dir: Path,
) -> None:
    _deliver("muchas_malas", _csv(400, bad_localidad_every=5), specs_dir)
    result = _run("muchas_malas")

    assert not result.success
    assert "cuarentena" in result.message and "80 de 400" in result.message
    assert _published("muchas_malas") == []
    quarantined = _sql(
        "SELECT record, column_name, expected, reason, raw_record "
        "FROM staging.quarantine.muchas_malas ORDER BY record"
    )
    assert len(quarantined) == 80
    record, column, expected, reason, raw = quarantined[0]
    assert (record, column) == (2, "localidad")
    assert "valores permitidos" in expected and "ExpectColumnValuesToBeInSet" in reason
    assert json.loads(raw)["localidad"] == "Fuera de Bogotá"
    [(left,)] = _sql("SELECT count(*) FROM staging.gobierno.muchas_malas")
    assert left == 320
    report = _quality("muchas_malas")
    assert report["filas_en_cuarentena"] == 80 and report["sello"] == "sin sello"


def test_a_few_bad_rows_are_quarantined_and_the_rest_is_published(specs_dir: Path) -> None:
    _deliver("pocas_malas", _csv(800, bad_localidad_every=100), specs_dir)
    result = _run("pocas_malas")

    assert result.success, result.message
    assert _published("pocas_malas")
    [(n,)] = _sql("SELECT count(*) FROM staging.quarantine.pocas_malas")
    assert n == 8
    report = _quality("pocas_malas")
    assert report["filas_en_cuarentena"] == 8
    assert report["sello"] in {"plata", "bronce"}  # not oro: a blocking rule broke on rows


def test_a_warning_does_not_stop_publication_and_never_shows_personal_values(
    specs_dir: Path,
) -> None:
    _deliver("con_avisos", _csv(800, old_age_every=40), specs_dir)
    result = _run("con_avisos")

    assert result.success, result.message
    assert _published("con_avisos")
    report = _quality("con_avisos")
    failed = {r["rule"]["rule"]: r for r in report["reglas"] if not r["success"]}
    assert failed["ExpectColumnValuesToBeBetween"]["unexpected"] == 20
    # edad is a quasi-identifier, telefono is dropped by the policy: counts, never values.
    assert failed["ExpectColumnValuesToBeBetween"]["examples"] in ([], ["<oculto>"])
    assert failed["ExpectColumnValuesToMatchRegex"]["unexpected"] == 32
    assert failed["ExpectColumnValuesToMatchRegex"]["examples"] in ([], ["<oculto>"])
    text = json.dumps(report)
    assert "57-00" not in text and "3000000" not in text

    docs = report["data_docs"]
    assert docs and docs.endswith(".html")
    html = Path(docs).read_text(encoding="utf-8")
    assert "ExpectColumnValuesToBeBetween" in html or "values must" in html.lower()
    assert "57-00" not in html and "3000000" not in html


def test_a_contract_break_stops_downstream_and_says_why(specs_dir: Path) -> None:
    suite = {
        "rules": [
            {
                "rule": "ExpectTableRowCountToBeBetween",
                "parameters": {"min_value": 1000},
                "severity": "blocking",
                "description": "cada entrega trae al menos 1.000 filas",
            }
        ]
    }
    _deliver("entrega_corta", _csv(400), specs_dir, suite)
    result = _run("entrega_corta")

    assert not result.success
    assert "contrato" in result.message and "1.000 filas" in result.message
    assert _published("entrega_corta") == []
    # The curated asset never ran: no privacy treatment, no report, no curated table.
    from privacy.report import load_report

    settings = load_settings()
    spec = load_registry(settings.datasets_dir).get("entrega_corta")
    assert spec is not None and load_report(settings, spec) is None
    assert _quality("entrega_corta")["sello"] == "sin sello"


def test_every_run_adds_to_the_score_trend_and_compares_row_counts(specs_dir: Path) -> None:
    _deliver("tendencia", _csv(800), specs_dir)
    assert _run("tendencia").success
    first = _quality("tendencia")
    assert len(first["tendencia"]) == 1
    criteria = {c["criterio"]: c for c in first["criterios"]}
    assert set(criteria) >= {
        "completitud",
        "exactitud",
        "actualidad",
        "consistencia",
        "unicidad",
        "conformidad",
        "comprensibilidad",
        "trazabilidad",
    }
    assert all(c["como_se_calcula"] for c in criteria.values())
    assert criteria["trazabilidad"]["puntaje"] == 10
    assert 0 <= first["puntaje"] <= 10 and first["metadatos"]["total"] == 9

    # A second delivery with a third of the rows: the row-count rule warns, nothing blocks.
    store_for(load_settings(), Zone.LANDING).put_bytes("tendencia/tendencia.csv", _csv(250))
    assert _run("tendencia").success
    second = _quality("tendencia")
    assert [p["filas"] for p in second["tendencia"]] == [800, 250]
    row_count = next(
        r for r in second["reglas"] if r["rule"]["rule"] == "ExpectTableRowCountToBeBetween"
    )
    assert not row_count["success"] and row_count["observed"] == "250"
