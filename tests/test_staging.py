"""Raw to staging on real district files: typing, quarantine with reasons, idempotency."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ada.settings import Settings, Zone
from catalog.registry import load_registry
from catalog.specs import DatasetSpec
from ingestion.delivery import receive_deliveries
from ingestion.staging import StagingError, load_staging
from lake import tables
from lake.raw import receive
from lake.storage import store_for
from tests.helpers import REPO, make_spec

REAL = {"covid19_casos_osb": 2345, "siniestros_viales_sdm": 2358, "rmcab_estacion_bolivia": 17540}


def _spec(dataset_id: str) -> DatasetSpec:
    return load_registry(REPO / "catalog" / "datasets").get(dataset_id)


def _query(settings: Settings, sql: str) -> list[tuple]:
    con = tables.connect(settings, [Zone.STAGING])
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("dataset_id", sorted(REAL))
def test_real_files_load_every_row(settings: Settings, dataset_id: str) -> None:
    spec = _spec(dataset_id)
    receive_deliveries(settings, spec)
    result = load_staging(settings, spec)
    assert result.rows + result.quarantined_rows == REAL[dataset_id]
    assert result.quarantined_rows == 0
    count = _query(settings, f"SELECT count(*) FROM staging.{spec.table_name}")[0][0]
    assert count == REAL[dataset_id]


def test_latin1_semicolon_short_dates_are_typed(settings: Settings) -> None:
    spec = _spec("covid19_casos_osb")
    receive_deliveries(settings, spec)
    load_staging(settings, spec)
    rows = _query(
        settings,
        "SELECT fecha_diagnostico::VARCHAR, localidad_residencia, edad FROM "
        "staging.salud.covid19_casos_osb WHERE _ada_record = 1",
    )
    assert rows == [("2020-03-06", "01 - Usaquén", 19)]


def test_duplicated_headers_and_units_map_to_spec_columns(settings: Settings) -> None:
    spec = _spec("rmcab_estacion_bolivia")
    receive_deliveries(settings, spec)
    load_staging(settings, spec)
    row = _query(
        settings,
        "SELECT latitud_dms, round(latitud, 4), pm10, fecha_hora::VARCHAR FROM "
        "staging.ambiente.rmcab_estacion_bolivia WHERE _ada_record = 1",
    )[0]
    assert row == ("4°44'08.9\"N", 4.7358, 33.0, "2023-10-10 00:00:00")


def test_rerun_is_idempotent(settings: Settings) -> None:
    spec = _spec("siniestros_viales_sdm")
    for _ in range(2):
        assert not receive_deliveries(settings, spec).new or True
        load_staging(settings, spec)
    versions = receive_deliveries(settings, spec)
    assert versions.new == [] and len(versions.unchanged) == 1
    total, distinct = _query(
        settings,
        "SELECT count(*), count(DISTINCT codigo_accidente) "
        "FROM staging.movilidad.siniestros_viales_sdm",
    )[0]
    assert total == distinct == REAL["siniestros_viales_sdm"]


def _land(settings: Settings, spec: DatasetSpec, content: bytes, name: str = "datos.csv") -> None:
    store_for(settings, Zone.LANDING).put_bytes(f"{spec.id}/{name}", content)


DIRTY = make_spec(
    id="dirty",
    format={"type": "csv", "delimiter": ";", "decimal": ",", "date_formats": ["%d/%m/%y"]},
    schema={
        "columns": [
            {"name": "id", "type": "integer", "nullable": False},
            {"name": "fecha", "type": "date"},
            {"name": "valor", "source": "Valor (COP)", "type": "number"},
        ]
    },
)


def test_bad_rows_go_to_quarantine_with_file_line_column_and_reason(settings: Settings) -> None:
    content = (
        b"id;fecha;Valor (COP)\n"
        b"1;6/03/20;12,5\n"
        b"2;31/02/24;3\n"  # impossible date
        b"3;7/03/20;1;extra\n"  # too many fields
        b"treinta;8/03/20;4\n"  # not an integer
        b"5;9/03/20;7,25\n"
    )
    _land(settings, DIRTY, content)
    receive_deliveries(settings, DIRTY)
    result = load_staging(settings, DIRTY)
    assert result.rows == 2
    assert result.quarantined_rows == 3
    rows = _query(
        settings,
        "SELECT source_file, line, column_name, reason, raw_record FROM "
        "staging.quarantine.dirty ORDER BY line",
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("datos.csv", 3, "fecha"),
        ("datos.csv", 4, None),
        ("datos.csv", 5, "id"),
    ]
    assert "se esperaba una fecha (%d/%m/%y" in rows[0][3]
    assert "se esperaban 3 columnas y la fila tiene 4" in rows[1][3]
    assert "se esperaba un número entero" in rows[2][3]
    assert json.loads(rows[2][4])["id"] == "treinta"  # nothing is lost
    reasons = " ".join(result.reasons)
    assert "treinta" not in reasons and "31/02/24" not in reasons  # no values in the UI
    assert _query(settings, "SELECT sum(valor) FROM staging.gobierno.dirty")[0][0] == 19.75


def test_wrong_encoding_fails_clearly_keeps_raw_and_previous_table(settings: Settings) -> None:
    _land(settings, DIRTY, b"id;fecha;Valor (COP)\n1;6/03/20;1\n")
    receive_deliveries(settings, DIRTY)
    load_staging(settings, DIRTY)
    bad = (
        "id;fecha;Valor (COP)\n"
        + "".join(f"{i};6/03/20;{i}\n" for i in range(2, 50000))
        + "99;6/03/20;Bogotá\n"
    ).encode("latin-1")
    _land(settings, DIRTY, bad, "segunda.csv")
    receive_deliveries(settings, DIRTY)
    with pytest.raises(StagingError, match=r"segunda.csv no se pudo leer.*latin-1"):
        load_staging(settings, DIRTY)
    assert _query(settings, "SELECT count(*) FROM staging.gobierno.dirty")[0][0] == 1
    files = _query(settings, "SELECT source_file, reason FROM staging.quarantine.dirty")
    assert files[0][0] == "segunda.csv" and "encoding" in files[0][1]
    raw_files = [o.key for o in store_for(settings, Zone.RAW).list("dirty/")]
    assert any(k.endswith("segunda.csv") for k in raw_files)


def test_missing_required_column_quarantines_the_file(settings: Settings) -> None:
    _land(settings, DIRTY, b"fecha;Valor (COP)\n6/03/20;1\n")
    receive_deliveries(settings, DIRTY)
    with pytest.raises(StagingError, match="faltan columnas obligatorias: id"):
        load_staging(settings, DIRTY)


def test_append_mode_unions_every_delivery(settings: Settings) -> None:
    spec = DIRTY.model_copy(update={"load": "append"})
    raw = store_for(settings, Zone.RAW)
    for content in (b"id;fecha;Valor (COP)\n1;6/03/20;1\n", b"id;fecha;Valor (COP)\n2;7/03/20;2\n"):
        receive(
            raw,
            dataset_id=spec.id,
            spec_version=1,
            source="test",
            files=[("d.csv", io.BytesIO(content))],
        )
    assert load_staging(settings, spec).rows == 2
    assert load_staging(settings, spec).rows == 2  # still two: rebuilt, not appended twice


def test_no_delivery_yet_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(StagingError, match=r"todavía no hay entregas.*landing/dirty/"):
        load_staging(settings, DIRTY)


def test_staging_keeps_snapshots_for_time_travel(settings: Settings, tmp_path: Path) -> None:
    _land(settings, DIRTY, b"id;fecha;Valor (COP)\n1;6/03/20;1\n")
    receive_deliveries(settings, DIRTY)
    first = load_staging(settings, DIRTY).snapshot_id
    _land(settings, DIRTY, b"id;fecha;Valor (COP)\n1;6/03/20;1\n2;6/03/20;2\n", "b.csv")
    receive_deliveries(settings, DIRTY)
    load_staging(settings, DIRTY)
    old = _query(settings, f"SELECT count(*) FROM staging.gobierno.dirty AT (VERSION => {first})")
    assert old[0][0] == 1
    assert _query(settings, "SELECT count(*) FROM staging.gobierno.dirty")[0][0] == 2


def test_rows_outside_their_daily_partition_are_quarantined(settings: Settings) -> None:
    spec = make_spec(
        id="diario",
        format={"type": "csv", "datetime_formats": ["%Y-%m-%d %H:%M"]},
        schema={"columns": [{"name": "id", "type": "integer"}, {"name": "t", "type": "datetime"}]},
        partitioning={"type": "daily", "start": "2025-06-01", "column": "t"},
    )
    content = b"id,t\n1,2025-06-02 10:00\n2,2025-06-03 00:30\n3,2025-06-02 23:59\n"
    store_for(settings, Zone.LANDING).put_bytes("diario/2025-06-02/d.csv", content)
    receive_deliveries(settings, spec, "2025-06-02")
    result = load_staging(settings, spec, "2025-06-02")
    assert result.rows == 2 and result.quarantined_rows == 1
    assert any("2025-06-02 (la partición)" in reason for reason in result.reasons)
    ids = _query(settings, "SELECT id, _ada_partition FROM staging.gobierno.diario ORDER BY id")
    assert ids == [(1, "2025-06-02"), (3, "2025-06-02")]
