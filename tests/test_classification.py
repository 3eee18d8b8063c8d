"""Column classification on the sample datasets as staging types them, on raw files, and on the
real files: every personal column found with the right entity, nothing else flagged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from privacy.structured.classification import (
    ColumnFinding,
    classify_column,
    classify_columns,
    sample_table,
)
from tests.helpers import REALDATA, REPO

DOCUMENT = "CO_CEDULA"

#: The personal and quasi-identifying columns of each dataset; every other column must be None.
EXPECTED: dict[str, dict[str, str]] = {
    "notificaciones_salud": {
        "fecha_notificacion": "DATE",
        "fecha_inicio_sintomas": "DATE",
        "nombre_paciente": "PERSON",
        "numero_documento": DOCUMENT,
        "fecha_nacimiento": "BIRTH_DATE",
        "edad": "AGE",
        "sexo": "SEX",
        "telefono": "PHONE_NUMBER",
        "direccion": "CO_ADDRESS",
        "localidad": "CO_LOCALIDAD",
        "upz": "CO_UPZ",
    },
    "beneficiarios_subsidios": {
        "numero_documento": DOCUMENT,
        "primer_nombre": "PERSON",
        "segundo_nombre": "PERSON",
        "primer_apellido": "PERSON",
        "segundo_apellido": "PERSON",
        "fecha_nacimiento": "BIRTH_DATE",
        "sexo": "SEX",
        "nacionalidad": "NATIONALITY",
        "localidad": "CO_LOCALIDAD",
        "barrio": "CO_BARRIO",
        "celular": "PHONE_NUMBER",
        "fecha_inicio": "DATE",
        "discapacidad": "DISABILITY",
        "etnia": "ETHNICITY",
    },
    "pqrs_peticiones": {
        "fecha_radicacion": "DATE",
        "localidad": "CO_LOCALIDAD",
        "descripcion": "FREE_TEXT",
        "fecha_cierre": "DATE",
    },
    "siniestros_viales": {
        "fecha_ocurrencia": "DATE",
        "direccion": "CO_ADDRESS",
        "localidad": "CO_LOCALIDAD",
        "fecha_hora": "DATE",
        "latitud": "GEO_COORDINATE",
        "longitud": "GEO_COORDINATE",
        "placa": "CO_PLACA",
        "nombre_victima": "PERSON",
        "num_doc_victima": DOCUMENT,
        "edad_victima": "AGE",
        "sexo_victima": "SEX",
    },
    "matricula_escolar": {
        "localidad": "CO_LOCALIDAD",
        "nombre_estudiante": "PERSON",
        "numero_documento": DOCUMENT,
        "fecha_nacimiento": "BIRTH_DATE",
        "edad": "AGE",
        "sexo": "SEX",
    },
    "registro_empresas": {
        "nit": "CO_NIT",
        "razon_social": "PERSON",  # a persona natural's name is its razón social
        "fecha_matricula": "DATE",
        "fecha_renovacion": "DATE",
        "localidad": "CO_LOCALIDAD",
        "direccion_comercial": "CO_ADDRESS",
        "telefono_comercial": "PHONE_NUMBER",
        "correo_comercial": "EMAIL_ADDRESS",
        "representante_legal": "PERSON",
        "num_id_representante": DOCUMENT,
    },
    "covid19_casos_osb": {
        "fecha_diagnostico": "DATE",
        "localidad_residencia": "CO_LOCALIDAD",
        "edad": "AGE",
        "sexo": "SEX",
    },
}
QUASI = {"DATE", "BIRTH_DATE", "AGE", "SEX", "CO_LOCALIDAD", "CO_UPZ", "CO_BARRIO"}
QUASI |= {"GEO_COORDINATE", "NATIONALITY", "ETHNICITY", "DISABILITY"}


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, pa.Table]]:
    """The sample datasets (2,000 rows, seed 42) and the real covid file, loaded into staging
    by the pipeline, then sampled with DuckDB from the staging tables."""
    from ada.settings import Zone, load_settings
    from catalog.registry import load_registry
    from ingestion.delivery import receive_deliveries
    from ingestion.staging import load_staging
    from lake import tables
    from lake.storage import ensure_buckets, store_for
    from samples.generator import generate

    base = tmp_path_factory.mktemp("classification")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ADA_HOME", str(base / "home"))
        for name in ("ADA_S3_ENDPOINT", "ADA_DATABASE_URL", "ADA_DATASETS_DIR"):
            env.delenv(name, raising=False)
        settings = load_settings()
        ensure_buckets(settings)
        generate(base / "landing", rows=2000, seed=42, only=list(EXPECTED)[:-1])
        landing = store_for(settings, Zone.LANDING)
        for path in (base / "landing").rglob("*"):
            if path.is_file():
                landing.put_bytes(str(path.relative_to(base / "landing")), path.read_bytes())
        registry = load_registry(REPO / "catalog" / "datasets")
        for dataset_id in EXPECTED:
            spec = registry.get(dataset_id)
            receive_deliveries(settings, spec)
            load_staging(settings, spec)
        con = tables.connect(settings, [Zone.STAGING])
        try:
            yield {
                dataset_id: sample_table(
                    con.table(f"staging.{registry.get(dataset_id).table_name}")
                ).drop_columns(["_ada_raw_version", "_ada_source_file", "_ada_record"])
                for dataset_id in EXPECTED
            }
        finally:
            con.close()


def _by_column(findings: list[ColumnFinding]) -> dict[str, ColumnFinding]:
    return {f.column: f for f in findings}


@pytest.mark.parametrize("dataset_id", sorted(EXPECTED))
def test_every_column_of_the_staged_samples_is_classified_right(
    staged: dict[str, pa.Table], dataset_id: str
) -> None:
    sample = staged[dataset_id]
    assert sample.num_rows == min(1000, sample.num_rows) and sample.num_rows > 300
    findings = _by_column(classify_columns(sample))
    got = {c: f.entity for c, f in findings.items()}
    want = {c: EXPECTED[dataset_id].get(c) for c in sample.column_names}
    assert got == want
    for column, finding in findings.items():
        entity = finding.entity
        role = None if entity is None else "quasi" if entity in QUASI else "direct"
        role = "free_text" if entity == "FREE_TEXT" else role
        assert finding.role == role, column
        assert finding.personal is (role in ("direct", "free_text")), column
        if entity is not None and entity not in {"CO_UPZ", "CO_BARRIO", "NATIONALITY"} | {
            "ETHNICITY",
            "DISABILITY",
        }:
            assert finding.share >= 0.5, column  # values agree, not only the header
            assert "values" in finding.evidence or "type" in finding.evidence, column


def test_age_is_a_quasi_identifier_never_a_location(staged: dict[str, pa.Table]) -> None:
    for dataset_id in ("notificaciones_salud", "matricula_escolar", "covid19_casos_osb"):
        edad = _by_column(classify_columns(staged[dataset_id]))["edad"]
        assert (edad.entity, edad.role, edad.personal) == ("AGE", "quasi", False)
    # the unit of the age is a category, not an age, although its header says "edad"
    unidad = classify_column("unidad_edad", staged["notificaciones_salud"]["unidad_edad"])
    assert unidad.entity is None


def test_numeric_ids_and_small_numbers_are_not_documents_or_localidades(
    staged: dict[str, pa.Table],
) -> None:
    salud = _by_column(classify_columns(staged["notificaciones_salud"]))
    assert salud["id_notificacion"].entity is None
    # The same 6-digit numbers under a document header are documents: the header decides.
    as_document = classify_column(
        "numero_documento", staged["notificaciones_salud"]["id_notificacion"]
    )
    assert as_document.entity == DOCUMENT
    small = pa.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] * 10)
    assert classify_column("estrato", small).entity is None
    assert classify_column("localidad", small).entity == "CO_LOCALIDAD"  # codes, with a header


def test_headers_alone_do_not_make_a_person(staged: dict[str, pa.Table]) -> None:
    schools = staged["matricula_escolar"]["nombre_colegio"]
    assert classify_column("nombre_colegio", schools).entity is None
    assert classify_column("nombre", schools).entity is None  # values disagree
    names = staged["matricula_escolar"]["nombre_estudiante"]
    assert classify_column("columna_7", names).entity == "PERSON"  # values alone suffice


def test_values_alone_find_emails_phones_and_addresses_under_meaningless_headers(
    staged: dict[str, pa.Table],
) -> None:
    empresas = staged["registro_empresas"]
    assert classify_column("c1", empresas["correo_comercial"]).entity == "EMAIL_ADDRESS"
    assert classify_column("c2", empresas["telefono_comercial"]).entity == "PHONE_NUMBER"
    assert classify_column("c3", empresas["direccion_comercial"]).entity == "CO_ADDRESS"
    assert classify_column("c4", empresas["nit"]).entity == "CO_NIT"
    # plain 8-digit numbers without a header are not called cédulas
    assert classify_column("c5", empresas["num_id_representante"]).entity is None


@pytest.mark.parametrize(
    ("path", "options", "expected"),
    [
        (
            "covid_bogota_osb_2020may/osb_enftransm-covid-19_2020-05.csv",
            {"encoding": "latin-1", "delim": ";"},
            {
                "Fecha de diagnóstico": "DATE",
                "Localidad de residencia": "CO_LOCALIDAD",
                "Edad": "AGE",
                "Sexo": "SEX",
            },
        ),
        (
            "movilidad_siniestros_viales/datos_siniestralidad-small.csv",
            {"delim": ","},
            {
                "FECHA_OCURRENCIA_ACC": "DATE",
                "FECHA_HORA_ACC": "DATE",
                "DIRECCION": "CO_ADDRESS",
                "LOCALIDAD": "CO_LOCALIDAD",
                "LATITUD": "GEO_COORDINATE",
                "LONGITUD": "GEO_COORDINATE",
            },
        ),
    ],
)
def test_real_csv_files_as_text(
    path: str, options: dict[str, str], expected: dict[str, str]
) -> None:
    sample = sample_table(REALDATA / path, csv_options=options)
    assert sample.num_rows == 1000
    got = {f.column: f.entity for f in classify_columns(sample)}
    assert got == {c: expected.get(c) for c in sample.column_names}


def test_raw_sample_files_with_source_headers(tmp_path: Path) -> None:
    from samples.generator import generate

    generate(tmp_path, rows=2000, seed=42, only=["notificaciones_salud", "registro_empresas"])
    csv = sample_table(
        tmp_path / "notificaciones_salud" / "notificaciones_salud.csv",
        csv_options={"encoding": "latin-1", "delim": ";"},
    )
    found = {f.column: f.entity for f in classify_columns(csv)}
    assert found["Número de documento"] == DOCUMENT
    assert found["Fecha de nacimiento"] == "BIRTH_DATE"  # d/mm/yyyy text
    assert found["Nombre del paciente"] == "PERSON"
    assert found["ID Notificación"] is None and found["Tipo de documento"] is None
    parquet = tmp_path / "registro_empresas" / "registro_empresas.parquet"
    found = {f.column: f.entity for f in classify_columns(sample_table(parquet))}
    assert found["CORREO_COMERCIAL"] == "EMAIL_ADDRESS" and found["NIT"] == "CO_NIT"
    assert found["FECHA_MATRICULA"] == "DATE"  # AAAAMMDD text


def test_samples_are_random_reproducible_and_bounded(tmp_path: Path) -> None:
    table = pa.table({"i": pa.array(range(100_000))})
    first = sample_table(table, 500, seed=1)
    assert first.num_rows == 500
    assert first.equals(sample_table(table, 500, seed=1))
    assert not first.equals(sample_table(table, 500, seed=2))
    values = first["i"].to_pylist()
    assert max(values) > 90_000 and min(values) < 10_000  # spread, not the head of the table
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=1000)
    from_file = sample_table(path, 500, seed=1)["i"].to_pylist()
    assert len(from_file) == 500 and len(set(v // 1000 for v in from_file)) >= 2


def test_evidence_never_quotes_a_value(staged: dict[str, pa.Table]) -> None:
    sample = staged["notificaciones_salud"]
    values = {str(v) for c in sample.columns for v in c.to_pylist() if v is not None}
    for finding in classify_columns(sample):
        assert not any(v in finding.evidence for v in values if len(v) > 3)


def test_empty_and_all_null_columns() -> None:
    assert classify_column("telefono", pa.array([None, None], pa.string())).entity == "PHONE_NUMBER"
    assert classify_column("x", pa.array([None], pa.string())).entity is None
