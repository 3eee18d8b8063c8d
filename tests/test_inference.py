"""Spec inference on the real district files and on small generated ones.

Every case renders the draft spec, parses it back with the registry (it must be equal) and
loads the file with it through the real readers and :func:`ingestion.coercion.coerce`: an
inferred spec is only good if the loader then types (almost) every value.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from ada.settings import Zone
from catalog.registry import parse_spec
from catalog.specs import Column, DatasetSpec, Dimension, Sector
from ingestion.coercion import coerce
from ingestion.inference import InferenceReport, infer_spec, render_spec_yaml
from ingestion.readers import open_reader
from ingestion.staging import match_headers
from lake.storage import LocalStore

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
COVID = REALDATA / "covid_bogota_osb_2020may" / "osb_enftransm-covid-19_2020-05.csv"
CRASHES = REALDATA / "movilidad_siniestros_viales" / "datos_siniestralidad-small.csv"
RMCAB = REALDATA / "ambiente_rmcab_calidad_aire" / "rmcab_estacion_bolivia_horario.csv"
EXAMPLE_SPEC = (
    Path(__file__).resolve().parents[1]
    / "catalog"
    / "datasets"
    / "salud"
    / "covid19_casos_osb.yaml"
)


def _real(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(
            f"real data file missing: {path} (tests expect ../shared/realdata beside the checkout)"
        )
    return path


def _roundtrip(spec: DatasetSpec, report: InferenceReport) -> str:
    """The rendered YAML is a valid draft spec equal to ``spec``, keys in the example's order."""
    text = render_spec_yaml(spec, report)
    assert parse_spec(Path(f"{spec.id}.yaml"), text) == spec
    assert "\nstatus: draft\n" in text
    assert text.startswith("# ")
    assert f"filas de muestra: {report.rows_sampled}" in text
    for note in report.notes:
        assert note.split()[0] in text
    keys = list(yaml.safe_load(text))
    example = list(yaml.safe_load(EXAMPLE_SPEC.read_text(encoding="utf-8")))
    shared = [k for k in keys if k in example]
    assert shared == [k for k in example if k in keys]
    assert keys.index("status") == keys.index("sector") + 1
    return text


def _load(path: Path, spec: DatasetSpec) -> tuple[int, dict[str, int]]:
    """Rows read and invalid values per column when loading ``path`` with ``spec``."""
    reader = open_reader(LocalStore(Zone.LANDING, path.parent), path.name, spec.format)
    mapping = match_headers(list(spec.schema_.columns), reader.headers)
    missing = [name for name, header in mapping.items() if header is None]
    assert not missing, f"columns without a header in the file: {missing}"
    rows = 0
    invalid = {c.name: 0 for c in spec.schema_.columns}
    for batch in reader.batches():
        rows += batch.num_rows
        for column in spec.schema_.columns:
            typed = coerce(batch.column(mapping[column.name]), column, spec.format)
            invalid[column.name] += pc.sum(typed.invalid).as_py() or 0
    assert not reader.malformed
    return rows, invalid


def _typed(path: Path, spec: DatasetSpec, name: str) -> list[Any]:
    reader = open_reader(LocalStore(Zone.LANDING, path.parent), path.name, spec.format)
    header = match_headers(list(spec.schema_.columns), reader.headers)[name]
    assert header is not None
    column = spec.schema_.column(name)
    return [
        value
        for batch in reader.batches()
        for value in coerce(batch.column(header), column, spec.format).values.to_pylist()
    ]


def _assert_loads_clean(path: Path, spec: DatasetSpec, rows: int | None = None) -> None:
    read, invalid = _load(path, spec)
    if rows is not None:
        assert read == rows
    assert sum(invalid.values()) <= read * 0.001, invalid


def _columns(spec: DatasetSpec) -> dict[str, Column]:
    return {c.name: c for c in spec.schema_.columns}


def _formats_of(spec: DatasetSpec, name: str) -> list[str]:
    column = spec.schema_.column(name)
    if column.formats:
        return column.formats
    return spec.format.datetime_formats if column.type == "datetime" else spec.format.date_formats


# --------------------------------------------------------------------------------------------
# Real files


def test_covid_osb_latin1_semicolon_two_digit_years() -> None:
    path = _real(COVID)
    spec, report = infer_spec(path, "covid19_casos_osb", Sector.SALUD)

    assert spec.format.type == "csv"
    assert spec.format.encoding in ("latin-1", "cp1252")
    assert report.encoding == spec.format.encoding
    assert spec.format.delimiter == ";" and report.delimiter == ";"
    assert spec.format.header_row == 1 and report.header_row == 1
    assert report.rows_sampled == 2345
    cols = _columns(spec)
    fecha = spec.schema_.column("fecha_de_diagnostico")
    assert fecha.type == "date" and fecha.source == "Fecha de diagnóstico"
    assert "%d/%m/%y" in _formats_of(spec, "fecha_de_diagnostico")
    assert "%d/%m/%Y" not in _formats_of(spec, "fecha_de_diagnostico")
    assert spec.schema_.column("edad").type == "integer"
    assert spec.schema_.column("ubicacion").source == "Ubicación"
    assert set(cols) >= {"sexo", "localidad_de_residencia", "tipo_de_caso", "estado"}
    assert spec.schema_.column("localidad_de_residencia").type == "string"
    assert report.candidate_keys == []

    # Placeholders for the publication, flagged for review.
    assert spec.status == "draft"
    assert spec.publication.entidad == "POR DEFINIR"
    assert spec.publication.dimension is Dimension.CALIDAD_DE_VIDA
    assert spec.publication.contact.email == "datos@salud.gov.co"
    assert len(spec.publication.description) >= 10
    assert spec.update_frequency.value == "eventual"
    assert spec.source.kind == "landing" and spec.source.pattern == path.name
    assert spec.privacy.columns == {}  # ages, sexes and localidades: quasi-identifiers only
    assert any("cuasi-identificadores" in n and "edad" in n for n in report.notes)
    assert any("latin-1" in n or "cp1252" in n for n in report.notes)

    text = _roundtrip(spec, report)
    assert "'%d/%m/%y'" in text
    _assert_loads_clean(path, spec, rows=2345)
    dates = _typed(path, spec, "fecha_de_diagnostico")
    assert dates[0] == dt.date(2020, 3, 6)
    assert min(d for d in dates if d) >= dt.date(2020, 3, 1)


def test_road_crashes_quoted_iso_slashes_times_and_plus00() -> None:
    path = _real(CRASHES)
    spec, report = infer_spec(path, "siniestros_viales", Sector.MOVILIDAD)

    assert spec.format.delimiter == "," and spec.format.quote == '"'
    assert spec.format.encoding == "utf-8"
    assert report.rows_sampled == 2358
    assert spec.schema_.column("fecha_ocurrencia_acc").type == "date"
    assert _formats_of(spec, "fecha_ocurrencia_acc")[0] == "%Y/%m/%d"
    assert spec.schema_.column("hora_ocurrencia_acc").type == "time"
    fecha_hora = spec.schema_.column("fecha_hora_acc")
    assert fecha_hora.type == "datetime" and fecha_hora.source == "FECHA_HORA_ACC"
    assert "%Y/%m/%d %H:%M:%S+00" in _formats_of(spec, "fecha_hora_acc")
    assert spec.schema_.column("latitud").type == "number"
    assert spec.schema_.column("longitud").type == "number"
    assert spec.schema_.column("ano_ocurrencia_acc").type == "integer"
    # A numeric code stays text, and is the key.
    assert spec.schema_.column("codigo_accidente").type == "string"
    assert "codigo_accidente" in report.candidate_keys
    assert spec.schema_.primary_key == ["codigo_accidente"]
    assert "latitud" not in report.candidate_keys
    assert spec.publication.dimension is Dimension.HABITAT
    assert any("+00" in n for n in report.notes)

    _roundtrip(spec, report)
    _assert_loads_clean(path, spec, rows=2358)
    stamps = _typed(path, spec, "fecha_hora_acc")
    assert stamps[0] == dt.datetime(2022, 9, 21, 15, 14)


def test_rmcab_bom_duplicated_headers_units_and_empty_columns() -> None:
    path = _real(RMCAB)
    spec, report = infer_spec(path, "rmcab_bolivia", Sector.AMBIENTE)

    assert spec.format.encoding == "utf-8" and spec.format.delimiter == ","
    assert any("BOM" in n for n in report.notes)
    names = [c.name for c in spec.schema_.columns]
    assert names[:2] == ["estacion", "fechahora"]
    assert {
        "latitud_decimal",
        "latitud_decimal_2",
        "longitud_decimal",
        "longitud_decimal_2",
    } <= set(names)
    assert spec.schema_.column("latitud_decimal").type == "string"  # 4°44'08.9"N
    assert spec.schema_.column("latitud_decimal_2").type == "number"
    assert spec.schema_.column("longitud_decimal_2").type == "number"
    pm25 = spec.schema_.column("pm25")
    assert pm25.unit == "µg/m3" and pm25.source == "pm25 (µg/m3)" and pm25.type == "number"
    assert pm25.nullable
    assert spec.schema_.column("co").unit == "ppm"
    assert spec.schema_.column("no").type == "number"
    fechahora = spec.schema_.column("fechahora")
    assert fechahora.type == "datetime" and not fechahora.nullable
    assert _formats_of(spec, "fechahora")[0] == "%d/%m/%Y %H:%M"
    so2 = spec.schema_.column("so2")
    assert so2.nullable and so2.type == "string"
    assert any("so2" in n and "vacía" in n for n in report.notes)
    assert any("latitud_decimal" in n and "repetidos" in n for n in report.notes)
    assert spec.publication.dimension is Dimension.MEDIO_AMBIENTE

    text = _roundtrip(spec, report)
    assert "{name: 'no'," in text  # YAML 1.1 would read a bare no as false
    _assert_loads_clean(path, spec, rows=17540)
    assert _typed(path, spec, "fechahora")[0] == dt.datetime(2023, 10, 10, 0, 0)


# --------------------------------------------------------------------------------------------
# Generated files


def test_xlsx_with_a_title_above_the_header(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "matricula_oficial_2024.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Matrícula")
    sheet.write(0, 0, "Secretaría de Educación del Distrito - Matrícula oficial 2024")
    headers = ["Código DANE", "Colegio", "Fecha corte", "Matriculados", "Deserción (%)", "Activo"]
    for j, header in enumerate(headers):
        sheet.write(2, j, header)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for i in range(40):
        row = 3 + i
        sheet.write_string(row, 0, f"{111001000000 + i * 17}")
        sheet.write(row, 1, f"Colegio Distrital {i}")
        sheet.write_datetime(row, 2, dt.datetime(2024, 3, 1 + i % 28), date_format)
        sheet.write_number(row, 3, 100 + i * 7)
        sheet.write_number(row, 4, 2.5 + i / 10)
        sheet.write(row, 5, "SI" if i % 3 else "NO")
    workbook.close()

    spec, report = infer_spec(path, "matricula_oficial", Sector.EDUCACION)

    assert spec.format.type == "xlsx"
    assert spec.format.header_row == 3 and report.header_row == 3
    assert spec.format.sheet == "Matrícula"
    assert report.delimiter is None and report.rows_sampled == 40
    assert spec.schema_.column("codigo_dane").type == "string"
    assert spec.schema_.column("codigo_dane").source == "Código DANE"
    assert spec.schema_.column("fecha_corte").type == "date"
    assert spec.schema_.column("matriculados").type == "integer"
    desercion = spec.schema_.column("desercion")
    assert desercion.type == "number" and desercion.unit == "%"
    assert spec.schema_.column("activo").type == "boolean"
    assert spec.schema_.primary_key == ["codigo_dane"]
    assert spec.publication.dimension is Dimension.PERSONAS
    assert spec.publication.title.lower().startswith("matricula oficial")

    _roundtrip(spec, report)
    _assert_loads_clean(path, spec, rows=40)
    assert _typed(path, spec, "fecha_corte")[0] == dt.date(2024, 3, 1)


def test_json_array_of_records(tmp_path: Path) -> None:
    path = tmp_path / "tramites.json"
    records = [
        {
            "id_tramite": 1000 + i,
            "valor": i * 1.5,
            "cantidad": i,
            "fecha": f"2024-01-{i + 1:02d}",
            "radicado_en": f"2024-01-{i + 1:02d}T08:{i:02d}:00",
            "pagado": i % 2 == 0,
            "detalle": None if i % 4 else {"canal": "web"},
        }
        for i in range(25)
    ]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")

    spec, report = infer_spec(path, "tramites", Sector.GOBIERNO)

    assert spec.format.type == "json" and spec.format.records_path is None
    assert report.delimiter is None and report.rows_sampled == 25
    cols = _columns(spec)
    assert list(cols) == [
        "id_tramite", "valor", "cantidad", "fecha", "radicado_en", "pagado", "detalle",
    ]  # fmt: skip
    assert spec.schema_.column("id_tramite").type == "string"
    assert spec.schema_.column("valor").type == "number"
    assert spec.schema_.column("cantidad").type == "integer"
    assert spec.schema_.column("fecha").type == "date"
    assert spec.schema_.column("radicado_en").type == "datetime"
    assert spec.schema_.column("pagado").type == "boolean"
    assert spec.schema_.column("detalle").type == "string"
    assert spec.schema_.column("detalle").nullable
    assert spec.schema_.primary_key == ["id_tramite"]
    assert spec.publication.dimension is Dimension.GOBERNANZA

    _roundtrip(spec, report)
    _assert_loads_clean(path, spec, rows=25)


def test_json_records_nested_like_ckan(tmp_path: Path) -> None:
    path = tmp_path / "datastore.json"
    records = [{"_id": i, "localidad": f"{i % 20 + 1:02d}", "casos": i * 3} for i in range(12)]
    fields = [{"id": "_id", "type": "int"}, {"id": "localidad", "type": "text"}]
    result = {"fields": fields, "total": 12, "records": records}
    document = {"help": "x", "success": True, "result": result}
    path.write_text(json.dumps(document), encoding="utf-8")

    spec, report = infer_spec(path, "datastore", Sector.SALUD)

    assert spec.format.records_path == "result.records"
    assert [c.name for c in spec.schema_.columns] == ["id", "localidad", "casos"]
    assert spec.schema_.column("id").source == "_id"
    assert spec.schema_.column("localidad").type == "string"  # '01'…'12'
    assert spec.schema_.column("casos").type == "integer"
    _roundtrip(spec, report)
    _assert_loads_clean(path, spec, rows=12)


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "predios.parquet"
    table = pa.table(
        {
            "CHIP": [f"AAA{i:04d}XYZ" for i in range(30)],
            "Área (m2)": [float(i) * 1.5 for i in range(30)],
            "pisos": pa.array(list(range(30)), pa.int32()),
            "fecha_avaluo": pa.array([dt.date(2024, 1, 1)] * 30),
            "fecha_texto": [f"{i % 28 + 1}/02/2024" for i in range(30)],
            "estrato": [None if i % 7 == 0 else str(i % 6 + 1) for i in range(30)],
        }
    )
    pq.write_table(table, path)

    spec, report = infer_spec(path, "predios", Sector.HABITAT)

    assert spec.format.type == "parquet"
    assert report.rows_sampled == 30
    assert spec.schema_.column("chip").type == "string"
    area = spec.schema_.column("area")
    assert area.type == "number" and area.unit == "m2" and area.source == "Área (m2)"
    assert spec.schema_.column("pisos").type == "integer"
    assert spec.schema_.column("fecha_avaluo").type == "date"
    assert spec.schema_.column("fecha_texto").type == "date"
    assert "%d/%m/%Y" in _formats_of(spec, "fecha_texto")
    estrato = spec.schema_.column("estrato")
    assert estrato.type == "integer" and estrato.nullable
    assert "chip" in report.candidate_keys
    assert spec.publication.dimension is Dimension.GOBERNANZA

    _roundtrip(spec, report)
    _assert_loads_clean(path, spec, rows=30)


def test_csv_decimal_commas_thousands_dots_percentages_and_sentinels(tmp_path: Path) -> None:
    path = tmp_path / "ejecucion_presupuestal.csv"
    lines = ["Entidad;Valor apropiado ($);Ejecución;Fecha de corte;Meta;Temperatura (°C)"]
    for i in range(60):
        value = f"{1 + i}.{i * 37 % 1000:03d}.{i * 7 % 1000:03d},{i % 100:02d}"
        meta = "Sin dato" if i % 5 == 0 else f"{i},25"
        temperature = "-9999" if i % 9 == 0 else f"{14 + i % 6},{i % 10}"
        date = f"{i % 28 + 1}/{i % 12 + 1:02d}/2023"
        lines.append(f"Secretaría {i};{value};{10 + i % 80},5%;{date};{meta};{temperature}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))

    spec, report = infer_spec(path, "ejecucion_presupuestal", Sector.HACIENDA)

    assert spec.format.delimiter == ";"
    assert spec.format.encoding in ("latin-1", "cp1252")
    assert spec.format.decimal == "," and spec.format.thousands == "."
    valor = spec.schema_.column("valor_apropiado")
    assert valor.type == "number" and valor.unit == "$"
    ejecucion = spec.schema_.column("ejecucion")
    assert ejecucion.type == "number" and ejecucion.percent
    assert spec.schema_.column("fecha_de_corte").type == "date"
    meta_column = spec.schema_.column("meta")
    assert meta_column.type == "number" and meta_column.nullable
    temperatura = spec.schema_.column("temperatura")
    assert temperatura.type == "number" and temperatura.unit == "°C"
    assert "Sin dato" in spec.format.null_values
    assert "-9999" in spec.format.null_values
    assert any("-9999" in n for n in report.notes)
    assert spec.publication.dimension is Dimension.DESARROLLO_ECONOMICO

    _roundtrip(spec, report)
    _assert_loads_clean(path, spec, rows=60)
    assert _typed(path, spec, "valor_apropiado")[1] == pytest.approx(2_037_007.01)
    assert _typed(path, spec, "ejecucion")[0] == pytest.approx(0.105)
    assert _typed(path, spec, "temperatura")[0] is None


def test_csv_document_numbers_phones_and_codes_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "beneficiarios.csv"
    lines = ["Tipo documento,Número de documento,Teléfono,NIT operador,Edad,Subsidio,Localidad"]
    for i in range(40):
        lines.append(
            f"CC,{52_000_000 + i * 1234},{3_001_234_000 + i},900{i:06d},{20 + i},"
            f"{150_000 + i * 1000},{i % 20 + 1:02d}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    spec, report = infer_spec(path, "beneficiarios", Sector.INTEGRACION_SOCIAL)

    for name in ("numero_de_documento", "telefono", "nit_operador", "localidad"):
        assert spec.schema_.column(name).type == "string", name
    assert spec.schema_.column("edad").type == "integer"
    assert spec.schema_.column("subsidio").type == "integer"
    assert spec.schema_.column("numero_de_documento").source == "Número de documento"
    assert any("numero_de_documento" in n and "texto" in n for n in report.notes)
    assert any("datos personales" in n for n in report.notes)
    # The proposed policy fails closed: direct identifiers are dropped until someone decides.
    assert spec.privacy.columns["numero_de_documento"].operator == "drop"
    assert spec.privacy.columns["telefono"].operator == "drop"
    assert "edad" not in spec.privacy.columns
    assert spec.publication.contact.email == "datos@integracion_social.gov.co"

    _roundtrip(spec, report)
    _assert_loads_clean(path, spec, rows=40)
    assert _typed(path, spec, "localidad")[0] == "01"


def test_csv_excel_export_with_title_lines_and_ambiguous_dates(tmp_path: Path) -> None:
    path = tmp_path / "atenciones.csv"
    lines = [
        "Reporte de atenciones - Subred Norte;;;",
        ";;;",
        "Fecha;Hora;Localidad;Atenciones",
    ]
    lines += [
        f"{i % 12 + 1}/{i % 9 + 1:02d}/2024;{i % 24:02d}:{i % 60:02d};Suba;{i}" for i in range(50)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    spec, report = infer_spec(path, "atenciones", Sector.SALUD)

    assert spec.format.header_row == 3 and report.header_row == 3
    assert spec.format.delimiter == ";"
    assert [c.name for c in spec.schema_.columns] == ["fecha", "hora", "localidad", "atenciones"]
    assert spec.schema_.column("fecha").type == "date"
    assert _formats_of(spec, "fecha")[0] == "%d/%m/%Y"
    assert spec.schema_.column("hora").type == "time"
    assert any("día/mes" in n for n in report.notes)  # no day above 12: flagged for review
    _roundtrip(spec, report)
    _assert_loads_clean(path, spec, rows=50)


def test_sampling_is_bounded(tmp_path: Path) -> None:
    """A file far larger than the sample costs only the sample (here a 2-GB sparse file)."""
    path = tmp_path / "enorme.csv"
    lines = ["id_registro,valor,fecha"] + [
        f"{i},{i * 0.5},2024-01-{i % 28 + 1:02d}" for i in range(20_000)
    ]
    with path.open("wb") as handle:
        handle.write(("\n".join(lines) + "\n").encode())
        handle.seek(2 << 30)
        handle.write(b"\n")
    started = time.monotonic()
    spec, report = infer_spec(path, "enorme", Sector.GOBIERNO, sample_rows=1_000)
    elapsed = time.monotonic() - started

    assert report.rows_sampled == 1_000
    assert elapsed < 5
    assert spec.schema_.column("valor").type == "number"
    assert spec.schema_.column("fecha").type == "date"
    assert any("primeras 1000 filas" in n for n in report.notes)
    _roundtrip(spec, report)
