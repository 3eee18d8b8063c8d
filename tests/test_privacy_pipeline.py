"""End to end: every sample dataset goes through the privacy treatment, and planted personal
values survive nowhere outside the restricted zones (landing, raw, staging), logs included."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from ada.settings import Zone, load_settings
from catalog.publication import current_release
from catalog.registry import load_registry
from lake import tables
from lake.storage import store_for
from tests.helpers import REPO

#: A person who does not exist, written the way publishers write people.
PLANTED = {
    "name": "Zoraida Quintanilla Barbosa",
    "cedula": "1.098.765.432",
    "phone": "315 777 8899",
    "email": "zoraida.quintanilla@correo.com.co",
    "address": "Calle 45 # 12-30 Apto 502",
}
PLANTED_NEEDLES = [
    *PLANTED.values(),
    "Quintanilla",
    "1098765432",
    "3157778899",
    "zoraida.quintanilla",
    "ZORAIDA QUINTANILLA",
]


def _plant_in_petitions(landing: Path) -> None:
    path = next((landing / "pqrs_peticiones").glob("*.json"))
    records = json.loads(path.read_text(encoding="utf-8"))
    record = dict(records[0])
    record["radicado"] = "19999992024"
    record["descripcion"] = (
        f"Buenos días, mi nombre es {PLANTED['name']}, identificada con cédula "
        f"{PLANTED['cedula']}, celular {PLANTED['phone']}, correo {PLANTED['email']}. "
        f"Vivo en la {PLANTED['address']} y solicito la poda de un árbol."
    )
    records.append(record)
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")


def _plant_in_notifications(landing: Path) -> None:
    path = next((landing / "notificaciones_salud").glob("*.csv"))
    text = path.read_text(encoding="latin-1")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, last = rows[0], list(rows[-1])
    values = {
        "ID Notificación": "199999",
        "Nombre del paciente": PLANTED["name"].upper(),
        "Número de documento": PLANTED["cedula"],
        "Teléfono": PLANTED["phone"],
        "Dirección de residencia": PLANTED["address"],
    }
    for column, value in values.items():
        last[header.index(column)] = value
    sink = io.StringIO()
    csv.writer(sink, delimiter=";", lineterminator="\r\n").writerow(last)
    path.write_text(text + sink.getvalue(), encoding="latin-1")


def _curated_and_open_text(settings) -> str:  # type: ignore[no-untyped-def]
    """Every string value of every curated table and every published file, as one text."""
    parts: list[str] = []
    con = tables.connect(settings, [Zone.CURATED], read_only=True)
    try:
        names = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'curated'"
        ).fetchall()
        assert names, "the curated zone is empty"
        for schema, table in names:
            data: pa.Table = con.execute(
                f'SELECT * FROM curated."{schema}"."{table}"'
            ).to_arrow_table()
            for column in data.columns:
                parts.extend(str(v) for v in column.to_pylist() if v is not None)
    finally:
        con.close()
    open_store = store_for(settings, Zone.OPEN)
    published = [o.key for o in open_store.list("downloads/")]
    assert any(k.endswith(".csv") for k in published), "nothing was published"
    for key in published:  # every text file: data (CSV, JSON, GeoJSON) and release metadata
        if not key.endswith(".parquet"):
            parts.append(open_store.get_bytes(key).decode("utf-8"))
    curated_store = store_for(settings, Zone.CURATED)
    parts += [curated_store.get_bytes(o.key).decode() for o in curated_store.list("_privacy/")]
    return "\n".join(parts)


def _files_text(folder: Path) -> str:
    """Every file under ``folder`` (SQLite event logs, compute logs...), decoded leniently."""
    chunks = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            chunks.append(data.decode("utf-8", errors="ignore"))
            chunks.append(data.decode("latin-1"))
    return "\n".join(chunks)


def _staging_personal_values(settings, specs) -> list[str]:  # type: ignore[no-untyped-def]
    """Values of every column a spec marks as a direct identifier (the ones dropped,
    pseudonymised, masked or redacted), straight from the restricted staging zone."""
    values: list[str] = []
    con = tables.connect(settings, [Zone.STAGING], read_only=True)
    try:
        for spec in specs:
            for column, policy in spec.privacy.columns.items():
                if policy.operator not in {"drop", "pseudonym", "mask"} or not policy.entity:
                    continue
                if policy.entity == "DATE_TIME":  # dates repeat legitimately in other columns
                    continue
                rows = con.execute(
                    f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM staging.{spec.table_name} '
                    f'WHERE "{column}" IS NOT NULL LIMIT 40'
                ).fetchall()
                # A lone given name or surname ("Esperanza", "Rodríguez") also names barrios and
                # schools; a person is a full name, a document, a phone, an e-mail, an address.
                words = 2 if policy.entity == "PERSON" else 1
                values += [r[0] for r in rows if len(r[0]) >= 8 and len(r[0].split()) >= words]
    finally:
        con.close()
    return values


@pytest.mark.slow
def test_no_personal_value_survives_outside_the_restricted_zones(ada_home: Path) -> None:
    from samples.generator import generate

    landing = ada_home / "lake" / "landing"
    generate(landing, rows=2000, seed=42)
    _plant_in_petitions(landing)
    _plant_in_notifications(landing)

    env = {**os.environ, "COLUMNS": "200"}
    run = subprocess.run(
        [sys.executable, "-m", "ada", "run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]

    settings = load_settings()
    specs = load_registry(REPO / "catalog" / "datasets").active
    # Every sample dataset was treated, reported and published.
    reports = {}
    for spec in specs:
        from privacy.report import load_report

        report = load_report(settings, spec, "2025-06-01" if spec.is_partitioned else None)
        assert report is not None, f"{spec.key}: no privacy report"
        assert report["published"], f"{spec.key}: {report['gate']['steps']}"
        assert (
            report["k_achieved"] >= report["k_required"] or not report["gate"]["quasi_identifiers"]
        )
        reports[spec.id] = report

    # The planted person really went in: staging holds them (restricted zone).
    con = tables.connect(settings, [Zone.STAGING], read_only=True)
    try:
        staged = con.execute(
            "SELECT count(*) FROM staging.gestion_publica.pqrs_peticiones WHERE descripcion LIKE ?",
            [f"%{PLANTED['email']}%"],
        ).fetchone()[0]
    finally:
        con.close()
    assert staged == 1

    exposed = "\n".join(
        [
            _curated_and_open_text(settings),
            _files_text(ada_home / "dagster"),
            run.stdout,
            run.stderr,
        ]
    )
    needles = PLANTED_NEEDLES + _staging_personal_values(settings, specs)
    assert len(needles) > 100
    # Count only: pytest would print a list of the leaked values themselves.
    leaked = sum(1 for n in needles if n in exposed)
    assert leaked == 0, f"{leaked} personal value(s) leaked outside the restricted zones"

    # The rest of the petition stays useful: the placeholders replace only the personal spans.
    petitions_spec = next(spec for spec in specs if spec.id == "pqrs_peticiones")
    release = current_release(settings, petitions_spec)
    assert release is not None and release.label == "v1"
    petitions_csv = release.file_of_format("CSV")
    assert petitions_csv is not None
    petitions = store_for(settings, Zone.OPEN).get_bytes(petitions_csv.key)
    planted_row = next(
        line for line in petitions.decode().splitlines() if "solicito la poda de un árbol" in line
    )
    for placeholder in ("<PERSONA>", "<DOCUMENTO>", "<TELEFONO>", "<CORREO>", "<DIRECCION>"):
        assert placeholder in planted_row, placeholder
    assert re.search(r"Buenos días, mi nombre es <PERSONA>", planted_row)


def _geojson(properties: list[dict[str, object]]) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [-74.1, 4.6]},
            "properties": p,
        }
        for p in properties
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.mark.slow
def test_the_canary_fails_on_a_published_file_with_personal_data(settings) -> None:  # type: ignore[no-untyped-def]
    """Planted in every format of a release version; a clean release and the release metadata
    (whose institutional contact e-mail is public on purpose) raise nothing."""
    import pyarrow.parquet as pq

    from privacy.canary import scan_open_zone

    store = store_for(settings, Zone.OPEN)
    leaky = "downloads/salud/x/v2/"
    store.put_bytes(
        f"{leaky}x.csv",
        f"localidad,contacto\nSuba,{PLANTED['email']}\nBosa,{PLANTED['phone']}\n".encode(),
    )
    store.put_bytes(
        f"{leaky}x.json",
        json.dumps([{"localidad": "Suba", "contacto": PLANTED["email"]}]).encode(),
    )
    store.put_bytes(
        f"{leaky}x.geojson", _geojson([{"localidad": "Bosa", "nota": PLANTED["phone"]}])
    )
    sink = io.BytesIO()
    pq.write_table(pa.table({"documento": [PLANTED["cedula"]]}), sink)
    store.put_bytes(f"{leaky}x.parquet", sink.getvalue())
    clean = "downloads/salud/y/v1/"
    store.put_bytes(f"{clean}y.csv", b"localidad,casos\nSuba,12\nBosa,30\n")
    store.put_bytes(f"{clean}y.json", b'[{"localidad": "Suba", "casos": 12}]')
    store.put_bytes(f"{clean}y.geojson", _geojson([{"localidad": "Suba", "casos": 12}]))
    contact = {"contributors": [{"title": "Equipo", "email": "datos@ada.gov.co"}]}
    store.put_bytes(f"{clean}datapackage.json", json.dumps(contact).encode())

    scanned, leaks = scan_open_zone(settings, "downloads/")

    assert scanned == 7
    found = {(leak.file, leak.column, leak.entity) for leak in leaks}
    assert found == {
        (f"{leaky}x.csv", "contacto", "EMAIL_ADDRESS"),
        (f"{leaky}x.csv", "contacto", "PHONE_NUMBER"),
        (f"{leaky}x.json", "contacto", "EMAIL_ADDRESS"),
        (f"{leaky}x.geojson", "nota", "PHONE_NUMBER"),
        (f"{leaky}x.parquet", "documento", "CO_CEDULA"),
    }
    assert all(PLANTED["email"] not in leak.describe() for leak in leaks)


@pytest.mark.slow
def test_the_canary_reads_files_in_batches_and_misses_nothing_past_the_first(settings) -> None:  # type: ignore[no-untyped-def]
    """Personal data far down a large file is found: in a later batch of the Parquet and JSON
    files, and in a CSV whose column reads as numbers in its first block (the streaming reader
    fails there, and the file is read again whole, the column as text)."""
    import pyarrow.parquet as pq

    from privacy.canary import scan_open_zone

    store = store_for(settings, Zone.OPEN)
    rows = 300_000
    counts = [str(i % 100) for i in range(rows)]
    csv_text = "casos\n" + "\n".join(counts) + f"\n{PLANTED['phone']}\n"
    store.put_bytes("downloads/salud/big/v1/big.csv", csv_text.encode())
    sink = io.BytesIO()
    pq.write_table(pa.table({"nota": [*counts, PLANTED["email"]]}), sink, row_group_size=50_000)
    store.put_bytes("downloads/salud/big/v1/big.parquet", sink.getvalue())
    records = [{"zona": f"zona {i % 100}"} for i in range(rows)] + [{"zona": PLANTED["cedula"]}]
    store.put_bytes("downloads/salud/big/v1/big.json", json.dumps(records).encode())

    scanned, leaks = scan_open_zone(settings, "downloads/salud/big/")

    assert scanned == 3
    found = {
        (leak.file.rsplit("/", 1)[-1], leak.column, leak.entity) for leak in leaks if leak.file
    }
    assert found == {
        ("big.csv", "casos", "PHONE_NUMBER"),
        ("big.parquet", "nota", "EMAIL_ADDRESS"),
        ("big.json", "zona", "CO_CEDULA"),
    }


def test_the_canary_rereads_only_new_or_rewritten_files(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With ``remember``, a file found clean is not read again while unchanged; leaky files and
    rewritten ones always are."""
    import time

    from privacy import canary

    store = store_for(settings, Zone.OPEN)
    store.put_bytes("downloads/salud/z/v1/z.csv", b"localidad,casos\nSuba,12\n")
    store.put_bytes("downloads/salud/z/v1/w.csv", f"contacto\n{PLANTED['email']}\n".encode())
    reads: list[str] = []
    real_read = canary.read_published

    def counting_read(settings, key):  # type: ignore[no-untyped-def]
        reads.append(key)
        return real_read(settings, key)

    monkeypatch.setattr(canary, "read_published", counting_read)

    first = canary.scan_open_zone(settings, "downloads/salud/z/", remember=True)
    second = canary.scan_open_zone(settings, "downloads/salud/z/", remember=True)

    assert first[0] == second[0] == 2 and len(first[1]) == len(second[1]) == 1
    leaky, clean = "downloads/salud/z/v1/w.csv", "downloads/salud/z/v1/z.csv"
    assert reads == [leaky, clean, leaky]  # the clean file was read once
    time.sleep(0.01)  # a rewrite gets a new etag (mtime and size locally, content on S3)
    store.put_bytes("downloads/salud/z/v1/z.csv", f"contacto\n{PLANTED['phone']}\n".encode())
    _, leaks = canary.scan_open_zone(settings, "downloads/salud/z/", remember=True)
    assert {leak.file for leak in leaks} == {leaky, clean}
