"""The column operators on real sample values: outputs, nulls kept, HMAC as Python's ``hmac``
computes it, one pseudonym per person whatever the spelling, and the pseudonym key's sources."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from privacy.policy import ColumnPolicy
from privacy.structured.operators import (
    PseudonymKeyError,
    address_cell,
    apply_operator,
    pseudonym,
    pseudonym_key,
)

KEY = b"clave-de-prueba-de-32-caracteres"


@pytest.fixture(scope="module")
def salud(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """The generated health notifications (2,000 rows), every column as the file writes it."""
    from samples.generator import generate

    folder = tmp_path_factory.mktemp("operators")
    generate(folder, rows=2000, seed=42, only=["notificaciones_salud"])
    return pacsv.read_csv(
        folder / "notificaciones_salud" / "notificaciones_salud.csv",
        read_options=pacsv.ReadOptions(encoding="latin-1"),
        parse_options=pacsv.ParseOptions(delimiter=";"),
        convert_options=pacsv.ConvertOptions(
            column_types={"Número de documento": pa.string(), "Teléfono": pa.string()}
        ),
    )


def _op(values: pa.Array | pa.ChunkedArray, **policy: object) -> pa.Array:
    result = apply_operator(values, ColumnPolicy.model_validate(policy), key=KEY)
    assert result is not None
    assert len(result) == len(values)
    return result


def test_keep_and_drop() -> None:
    values = pa.chunked_array([["a", None], ["b"]])
    assert _op(values, operator="keep").to_pylist() == ["a", None, "b"]
    assert apply_operator(values, ColumnPolicy(operator="drop")) is None


def test_pseudonym_is_python_hmac_of_the_normalised_value(salud: pa.Table) -> None:
    documents = salud["Número de documento"]
    tokens = _op(documents, operator="pseudonym", entity="CO_CEDULA").to_pylist()
    for raw, token in zip(documents.to_pylist()[:300], tokens[:300], strict=True):
        if raw is None:
            assert token is None
            continue
        digits = "".join(c for c in raw if c.isalnum()).upper()
        expected = hmac.new(KEY, digits.encode(), hashlib.sha256).hexdigest()[:16]
        assert token == f"p_{expected}"
        assert token == pseudonym(raw, KEY, "CO_CEDULA")
    distinct_in = len(set(d.replace(".", "") for d in documents.to_pylist() if d))
    assert len(set(t for t in tokens if t)) == distinct_in  # no collisions, no merges


def test_same_person_same_pseudonym_across_spellings_and_datasets() -> None:
    def one(value: str, entity: str) -> str:
        return str(_op(pa.array([value]), operator="pseudonym", entity=entity)[0])

    cedula = {one(v, "CO_CEDULA") for v in ["1.020.345.678", "1020345678", " 1020 345 678 "]}
    assert len(cedula) == 1
    phone = {one(v, "PHONE_NUMBER") for v in ["+57 300 123 4567", "300-123-4567", "3001234567"]}
    assert len(phone) == 1
    email = {one(v, "EMAIL_ADDRESS") for v in ["Maria.Gomez@Correo.co", "maria.gomez@correo.co "]}
    assert len(email) == 1
    names = {one(v, "PERSON") for v in ["María  Gómez", "MARIA GOMEZ"]}
    assert len(names) == 1
    assert one("1020345678", "CO_CEDULA") != one("1020345679", "CO_CEDULA")
    other_key = apply_operator(
        pa.array(["1020345678"]), ColumnPolicy(operator="pseudonym"), key=b"x" * 32
    )
    assert other_key is not None and other_key[0].as_py() != one("1020345678", "CO_CEDULA")


def test_long_keys_are_hashed_first_as_rfc_2104_says() -> None:
    key = b"k" * 100
    expected = hmac.new(key, b"1020345678", hashlib.sha256).hexdigest()[:16]
    token = apply_operator(
        pa.array(["1020345678"]), ColumnPolicy(operator="pseudonym", entity="CO_CEDULA"), key=key
    )
    assert token is not None and token.to_pylist() == [f"p_{expected}"]


def test_nulls_and_empty_values_stay_null_under_every_operator() -> None:
    text = pa.array(["3001234567", None, ""])
    for policy in [
        {"operator": "mask", "visible": 2},
        {"operator": "pseudonym", "entity": "PHONE_NUMBER"},
        {"operator": "redact", "entity": "PHONE_NUMBER"},
    ]:
        assert _op(text, **policy)[1].as_py() is None, policy
    assert _op(text, operator="pseudonym")[2].as_py() is None  # "" is no one
    ages = pa.array([23, None])
    assert _op(ages, operator="generalize", to="band", size=5).to_pylist() == ["20-24", None]


def test_mask_keeps_only_the_last_characters(salud: pa.Table) -> None:
    phones = salud["Teléfono"]
    masked = _op(phones, operator="mask", visible=2).to_pylist()
    for raw, out in zip(phones.to_pylist(), masked, strict=True):
        if raw is None:
            assert out is None
        else:
            assert out == "*" * (len(raw) - 2) + raw[-2:]
    assert _op(pa.array(["12", "ñandú"]), operator="mask", visible=2).to_pylist() == ["**", "***dú"]
    assert _op(pa.array(["abc"]), operator="mask", visible=0).to_pylist() == ["***"]


def test_redact_structured_values_to_their_placeholder(salud: pa.Table) -> None:
    names = _op(salud["Nombre del paciente"], operator="redact", entity="PERSON")
    assert set(names.drop_null().to_pylist()) == {"<PERSONA>"}
    assert names.null_count == salud["Nombre del paciente"].null_count
    docs = _op(pa.array(["1.020.345.678"]), operator="redact", entity="CO_CEDULA")
    assert docs.to_pylist() == ["<DOCUMENTO>"]


def test_generalize_ages_to_bands_and_numbers_to_half_open_bands(salud: pa.Table) -> None:
    ages = salud["Edad"]
    bands = _op(ages, operator="generalize", to="band", size=5).to_pylist()
    assert ages.null_count > 0
    for age, label in zip(ages.to_pylist(), bands, strict=True):
        assert label == (None if age is None else f"{age // 5 * 5}-{age // 5 * 5 + 4}")
    weights = pa.array([40.2, 49.99, 50.0, None])
    assert _op(weights, operator="generalize", to="band", size=10).to_pylist() == [
        "40-<50",
        "40-<50",
        "50-<60",
        None,
    ]


def test_generalize_dates_to_month_year_and_decade() -> None:
    births = pa.array([dt.date(1987, 3, 4), dt.date(2010, 12, 31), None])
    assert _op(births, operator="generalize", to="month").to_pylist() == [
        "1987-03",
        "2010-12",
        None,
    ]
    assert _op(births, operator="generalize", to="year").to_pylist() == ["1987", "2010", None]
    assert _op(births, operator="generalize", to="decade").to_pylist() == [
        "1980-1989",
        "2010-2019",
        None,
    ]
    stamps = pa.array([dt.datetime(2024, 3, 9, 14, 29)], pa.timestamp("us"))
    assert _op(stamps, operator="generalize", to="month").to_pylist() == ["2024-03"]
    assert _op(
        pa.array(["2024-03-09", "9/03/24"]), operator="generalize", to="year"
    ).to_pylist() == ["2024", None]
    assert _op(pa.array([1987, 2003]), operator="generalize", to="decade").to_pylist() == [
        "1980-1989",
        "2000-2009",
    ]


@pytest.mark.parametrize(
    ("address", "cell"),
    [
        ("Calle 45 # 12-30", "CL 40-49 x KR 10-19"),
        ("KR 80-CL 34 S", "CL 30-39 Sur x KR 80-89"),
        ("Cra. 7 No. 32-16 Apto 502", "CL 30-39 x KR 0-9"),
        ("Cll 75 B Bis Sur # 82-59", "CL 70-79 Sur x KR 80-89"),
        ("Calle 72B Sur 32 42 Int 8 Apto 1502", "CL 70-79 Sur x KR 30-39"),
        ("CL 54 S # 3-12 E", "CL 50-59 Sur x KR 0-9 Este"),
        ("KR 71 # 7-25 S Int 1 Apto 2004", "CL 0-9 Sur x KR 70-79"),
        ("AK 68 # 13-50", "CL 10-19 x KR 60-69"),
        ("Diagonal 2 Bis Sur # 3-45", "CL 0-9 Sur x KR 0-9"),
        ("Transversal 78H # 5-20", "CL 0-9 x KR 70-79"),
        ("CL 12C S -KR 15C", "CL 10-19 Sur x KR 10-19"),
        ("Avenida Boyacá", None),
        ("Sin dirección", None),
        (None, None),
    ],
)
def test_addresses_to_their_grid_cell(address: str | None, cell: str | None) -> None:
    assert address_cell(pa.array([address], pa.string()), 10).to_pylist() == [cell]


def test_generated_addresses_mostly_parse(salud: pa.Table) -> None:
    cells = _op(salud["Dirección de residencia"], operator="generalize", to="grid", size=10)
    assert cells.null_count / len(cells) < 0.1
    assert all(c.startswith("CL ") and " x KR " in c for c in cells.drop_null().to_pylist())


def test_grid_cells_do_not_read_as_addresses_to_the_leak_canary(salud: pa.Table) -> None:
    canary = pytest.importorskip("privacy.canary")
    cells = _op(salud["Dirección de residencia"], operator="generalize", to="grid", size=10)
    assert canary.scan_table(pa.table({"direccion": cells})) == []


def test_coordinates_to_a_grid() -> None:
    coords = pa.array([4.60971, -74.08175, None])
    assert _op(coords, operator="generalize", to="grid", size=0.01).to_pylist() == [
        "4.6",
        "-74.09",
        None,
    ]
    assert _op(coords, operator="generalize", to="grid", size=0.5).to_pylist() == [
        "4.5",
        "-74.5",
        None,
    ]


def test_suppress_rare_values(salud: pa.Table) -> None:
    eps = salud["EPS"]
    counts = {v: eps.to_pylist().count(v) for v in set(eps.to_pylist())}
    out = _op(eps, operator="suppress", min_count=30).to_pylist()
    for raw, kept in zip(eps.to_pylist(), out, strict=True):
        assert kept == (raw if raw is not None and counts[raw] >= 30 else None)
    k_default = apply_operator(
        pa.array(["a"] * 5 + ["b"] * 4), ColumnPolicy(operator="suppress"), k=5
    )
    assert k_default is not None and k_default.to_pylist() == ["a"] * 5 + [None] * 4


def test_redact_free_text_with_the_text_redactor() -> None:
    pytest.importorskip("privacy.text.redaction")
    text = pa.array(["Soy María Fernanda Rodríguez Gómez, cc 1.020.345.678, cel 3001234567.", None])
    out = _op(text, operator="redact").to_pylist()
    assert out[1] is None
    assert "1.020.345.678" not in out[0] and "3001234567" not in out[0]
    assert "<DOCUMENTO>" in out[0] and "<TELEFONO>" in out[0]


def test_pseudonym_key_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADA_HOME", str(tmp_path / "home"))
    first = pseudonym_key()
    path = tmp_path / "home" / "secrets" / "pseudonym.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert pseudonym_key() == first  # stable across runs
    monkeypatch.setenv("ADA_PSEUDONYM_KEY", "una-clave-larga-de-verdad")
    assert pseudonym_key() == b"una-clave-larga-de-verdad"
    monkeypatch.setenv("ADA_PSEUDONYM_KEY", "corta")
    with pytest.raises(PseudonymKeyError, match="16"):
        pseudonym_key()
    monkeypatch.delenv("ADA_PSEUDONYM_KEY")
    monkeypatch.setenv("ADA_DATABASE_URL", "postgresql://ada@localhost/ada")
    with pytest.raises(PseudonymKeyError, match="ADA_PSEUDONYM_KEY") as error:
        pseudonym_key()
    assert first.decode() not in str(error.value)


def test_pseudonyms_keep_row_order_across_duckdb_batches() -> None:
    values = pa.array([str(10_000_000 + i) for i in range(250_000)])
    tokens = _op(values, operator="pseudonym", entity="CO_CEDULA")
    for i in (0, 99_999, 100_000, 150_001, 249_999):
        assert tokens[i].as_py() == pseudonym(str(10_000_000 + i), KEY, "CO_CEDULA")
