"""The sample district data generator: deterministic, scalable, true to its specs, and dirty.

Every generated file is checked against the spec that will ingest it (encoding, delimiter,
header row and names, decimal mark, date formats), so a drift between ``samples/`` and
``catalog/datasets/`` fails here rather than in a pipeline run.
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from catalog.registry import load_registry
from catalog.specs import Column, DatasetSpec, Dimension
from samples.__main__ import main as cli_main
from samples.base import CHUNK_ROWS
from samples.generator import DATASETS, DEFAULT_ROWS, REGISTRY, GeneratedFile, generate, sizes
from samples.pools import nit_check_digit
from samples.reference import LOCALIDADES, strip_accents
from samples.writers import CsvWriter

CATALOG = Path(__file__).resolve().parents[1] / "catalog" / "datasets"
ROWS = 600


@pytest.fixture(scope="module")
def registry() -> dict[str, DatasetSpec]:
    loaded = load_registry(CATALOG)
    assert not loaded.errors, [str(e) for e in loaded.errors]
    return {s.id: s for s in loaded.specs}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[GeneratedFile]]:
    out = tmp_path_factory.mktemp("landing")
    return out, generate(out, rows=ROWS, seed=7)


# ---------------------------------------------------------------------------------------------
# Reading a generated file the way its spec says it is written


def _header_names(spec: DatasetSpec) -> list[str]:
    return [c.source or c.name for c in spec.schema_.columns]


def _decode(raw: bytes, encoding: str) -> str:
    text = raw.decode(encoding)  # strict: a wrong declared encoding raises here
    return text.removeprefix("\ufeff")


def read_table(path: Path, spec: DatasetSpec) -> tuple[list[str], list[list[Any]]]:
    """(header, data rows) of a generated file, parsed only with the spec's format hints."""
    fmt = spec.format
    if fmt.type == "csv":
        text = _decode(path.read_bytes(), fmt.encoding)
        lines = list(
            csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter, quotechar=fmt.quote)
        )
        return lines[fmt.header_row - 1], [list(r) for r in lines[fmt.header_row :]]
    if fmt.type == "json":
        records = json.loads(_decode(path.read_bytes(), fmt.encoding))
        assert isinstance(records, list)
        header = list(records[0])
        return header, [[r.get(k) for k in header] for r in records]
    if fmt.type == "xlsx":
        book = CalamineWorkbook.from_path(str(path))
        assert fmt.sheet in book.sheet_names
        cells: list[list[Any]] = book.get_sheet_by_name(fmt.sheet).to_python()
        return [str(v) for v in cells[fmt.header_row - 1]], cells[fmt.header_row :]
    if fmt.type == "parquet":
        table = pq.read_table(path)
        return table.column_names, [list(r.values()) for r in table.to_pylist()]
    raise AssertionError(f"unexpected format {fmt.type}")


def _files_of(files: list[GeneratedFile], dataset_id: str) -> list[GeneratedFile]:
    return [f for f in files if f.dataset_id == dataset_id]


def _values(
    root: Path, files: list[GeneratedFile], spec: DatasetSpec, column: str
) -> Iterator[Any]:
    for f in _files_of(files, spec.id):
        header, rows = read_table(root / f.relative_path, spec)
        wanted = spec.schema_.column(column)
        index = header.index(wanted.source or wanted.name)
        for row in rows:
            yield row[index]


def _is_null(value: Any, spec: DatasetSpec) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in spec.format.null_values)


def _parses(value: Any, column: Column, spec: DatasetSpec) -> bool:
    """A plain-Python reading of the spec's typing rules (independent of the ingestion code)."""
    fmt = spec.format
    if isinstance(value, bool):
        return column.type == "boolean"
    if isinstance(value, (int, float)):
        return column.type in {"integer", "number"} and (
            column.type == "number" or float(value).is_integer()
        )
    if isinstance(value, dt.date):
        return column.type in {"date", "datetime"}
    text = str(value).strip()
    if column.type in {"integer", "number"}:
        text = re.sub(r"[\s$]", "", text)
        if fmt.thousands:
            text = text.replace(fmt.thousands, "")
        text = text.replace(fmt.decimal, ".") if fmt.decimal == "," else text
        pattern = r"[+-]?\d+" if column.type == "integer" else r"[+-]?\d+(\.\d+)?"
        return re.fullmatch(pattern, text) is not None
    if column.type in {"date", "datetime", "time"}:
        if column.formats:
            formats = column.formats
        elif column.type == "date":
            formats = fmt.date_formats
        elif column.type == "datetime":
            formats = fmt.datetime_formats
        else:
            formats = ["%H:%M:%S", "%H:%M"]
        for f in [*formats, "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"]:
            try:
                dt.datetime.strptime(text, f)
            except ValueError:
                continue
            return True
        return False
    if column.type == "boolean":
        return text.lower() in {v.lower() for v in column.true_values + column.false_values}
    return True


# ---------------------------------------------------------------------------------------------
# Determinism and scaling


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", rows=300, seed=11)
    second = generate(tmp_path / "b", rows=300, seed=11)
    generate(tmp_path / "c", rows=300, seed=12)
    assert first == second
    a, b, c = _digests(tmp_path / "a"), _digests(tmp_path / "b"), _digests(tmp_path / "c")
    assert a == b
    assert a.keys() == c.keys()  # same layout (dates do not depend on the seed) ...
    assert all(a[k] != c[k] for k in a)  # ... but every file's content does
    assert len(a) == len(first)


def test_only_writes_the_same_bytes_as_a_full_run(tmp_path: Path) -> None:
    generate(tmp_path / "full", rows=200, seed=5)
    subset = generate(
        tmp_path / "one", rows=200, seed=5, only=["registro_empresas", "calidad_aire_rmcab"]
    )
    assert {f.dataset_id for f in subset} == {"registro_empresas", "calidad_aire_rmcab"}
    for f in subset:
        assert (tmp_path / "one" / f.relative_path).read_bytes() == (
            tmp_path / "full" / f.relative_path
        ).read_bytes()
    with pytest.raises(ValueError, match="unknown sample dataset"):
        generate(tmp_path / "x", rows=10, only=["no_such_dataset"])


def test_rows_scale_and_counts_are_exact(tmp_path: Path, registry: dict[str, DatasetSpec]) -> None:
    small = generate(tmp_path / "s", rows=200, seed=3)
    large = generate(tmp_path / "l", rows=1200, seed=3)
    for root, files, rows in ((tmp_path / "s", small, 200), (tmp_path / "l", large, 1200)):
        for f in files:
            _, data = read_table(root / f.relative_path, registry[f.dataset_id])
            assert len(data) == f.rows, f.relative_path
        per_dataset = {d: sum(f.rows for f in _files_of(files, d)) for d in DATASETS}
        assert per_dataset == sizes(rows)
        assert per_dataset["notificaciones_salud"] == rows
    for d in DATASETS:
        assert sum(f.rows for f in _files_of(large, d)) > sum(f.rows for f in _files_of(small, d))
    # the partitioned dataset scales by adding days: 7 at the demo size
    assert (
        len(
            _files_of(
                generate(tmp_path / "d", rows=DEFAULT_ROWS, only=["calidad_aire_rmcab"]),
                "calidad_aire_rmcab",
            )
        )
        == 7
    )


def test_chunked_generation_keeps_rows_exact(tmp_path: Path) -> None:
    """Past one chunk the benchmark table still has exactly --rows rows and unique ids."""
    rows = CHUNK_ROWS + 50
    [f] = generate(tmp_path, rows=rows, only=["notificaciones_salud"])
    assert f.rows == rows
    text = (tmp_path / f.relative_path).read_bytes().decode("latin-1")
    ids = [line.split(";", 1)[0] for line in text.splitlines()[1:]]
    assert len(ids) == rows
    assert len(set(ids)) > rows * 0.99  # only the injected exact duplicates repeat


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli_main(
            [
                "--out",
                str(tmp_path),
                "--rows",
                "100",
                "--seed",
                "1",
                "--only",
                "pqrs_peticiones,matricula_escolar",
            ]
        )
        == 0
    )
    assert (tmp_path / "pqrs_peticiones" / "pqrs_peticiones.json").is_file()
    assert (tmp_path / "matricula_escolar" / "matricula_escolar_2025.xlsx").is_file()
    assert "pqrs_peticiones" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Files match their specs


def test_registry_and_specs_agree(registry: dict[str, DatasetSpec]) -> None:
    assert len(DATASETS) >= 7
    for dataset_id, definition in REGISTRY.items():
        spec = registry[dataset_id]
        assert spec.sector.value == definition.sector
        assert spec.source.kind == "landing"
        assert spec.publication.license == "CC-BY-4.0"
        assert len(spec.publication.description) > 100
        assert spec.publication.contact.email.endswith((".gov.co", ".edu.co"))
        # Every sample but air quality carries personal data, so its spec has a policy.
        assert spec.privacy.columns or dataset_id == "calidad_aire_rmcab", dataset_id
        for column in spec.schema_.columns:
            assert column.description
            if re.search(r"documento|telefono|celular|nit|radicado|codigo", column.name):
                assert column.type == "string", column.name
            assert not (column.name == "localidad" and column.allowed_values)


def test_datasets_cover_the_six_dimensions_and_five_sectors(
    registry: dict[str, DatasetSpec],
) -> None:
    specs = [registry[d] for d in DATASETS]
    assert {s.publication.dimension for s in specs} == set(Dimension)
    assert len({s.sector for s in specs}) >= 5


@pytest.mark.parametrize("dataset_id", DATASETS)
def test_generated_files_match_their_spec(
    dataset_id: str,
    generated: tuple[Path, list[GeneratedFile]],
    registry: dict[str, DatasetSpec],
) -> None:
    root, files = generated
    spec = registry[dataset_id]
    mine = _files_of(files, dataset_id)
    assert mine
    for f in mine:
        path = root / f.relative_path
        parts = Path(f.relative_path).parts
        assert parts[0] == dataset_id
        assert fnmatch.fnmatch(parts[-1], spec.source.pattern)  # type: ignore[union-attr]
        if spec.partitioning:
            assert len(parts) == 3
            day = dt.date.fromisoformat(parts[1])
            assert day >= spec.partitioning.start
        else:
            assert len(parts) == 2

        if spec.format.type == "csv":
            raw = path.read_bytes()
            first_line = _decode(raw, spec.format.encoding).splitlines()[spec.format.header_row - 1]
            assert spec.format.delimiter in first_line
            if spec.format.encoding.lower() in {"latin-1", "iso-8859-1"}:
                with pytest.raises(UnicodeDecodeError):  # really latin-1, not UTF-8
                    raw.decode("utf-8")
        header, rows = read_table(path, spec)
        assert header == _header_names(spec), f.relative_path
        assert all(len(r) == len(header) for r in rows)

        # every typed column parses with the declared hints, apart from the injected dirt
        for column in spec.schema_.columns:
            index = header.index(column.source or column.name)
            values = [r[index] for r in rows if not _is_null(r[index], spec)]
            if not values or column.type == "string":
                continue
            good = sum(_parses(v, column, spec) for v in values)
            assert good >= 0.97 * len(values), (f.relative_path, column.name)
            if column.type == "number" and spec.format.type != "xlsx":
                text = [str(v) for v in values if isinstance(v, str)]
                if spec.format.decimal == "," and text:
                    assert any("," in v for v in text), column.name
                if spec.format.decimal == "." and text:
                    assert sum("." in v for v in text) > 0.5 * len(text), column.name

        if spec.partitioning and spec.partitioning.column:
            index = header.index(spec.schema_.column(spec.partitioning.column).source or "")
            day = dt.date.fromisoformat(parts[1])
            stamps = [r[index] for r in rows]
            on_day = sum(
                _parses(s, spec.schema_.column(spec.partitioning.column), spec)
                and dt.datetime.strptime(s, spec.format.datetime_formats[0]).date() == day
                for s in stamps
            )
            assert on_day >= len(stamps) - 2


def test_header_row_of_the_workbook_is_below_a_title(
    generated: tuple[Path, list[GeneratedFile]], registry: dict[str, DatasetSpec]
) -> None:
    root, files = generated
    spec = registry["matricula_escolar"]
    assert spec.format.header_row in (2, 3)
    [f] = _files_of(files, "matricula_escolar")
    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(root / f.relative_path))
        .get_sheet_by_name(spec.format.sheet or "")
        .to_python()
    )
    assert str(rows[0][0]).startswith("SECRETARÍA DE EDUCACIÓN")
    assert [str(v) for v in rows[spec.format.header_row - 1]] == _header_names(spec)
    born = [r[12] for r in rows[spec.format.header_row :]]
    assert sum(isinstance(v, dt.date) for v in born) > 0.9 * len(born)  # real Excel dates


# ---------------------------------------------------------------------------------------------
# Colombian formats


def _dian_check_digit(base: str) -> int:
    weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]
    total = sum(int(d) * w for d, w in zip(reversed(base), weights, strict=False))
    rest = total % 11
    return rest if rest in (0, 1) else 11 - rest


def test_nit_check_digits_validate(
    generated: tuple[Path, list[GeneratedFile]], registry: dict[str, DatasetSpec]
) -> None:
    assert _dian_check_digit("800197268") == 4  # the DIAN's own NIT, 800.197.268-4
    assert nit_check_digit(np.array([800197268, 899999239]))[0] == 4
    root, files = generated
    nits = [v for v in _values(root, files, registry["registro_empresas"], "nit") if v]
    assert len(nits) == sizes(ROWS)["registro_empresas"]
    dotted = 0
    for nit in nits:
        match = re.fullmatch(r"(\d{1,3}(?:\.\d{3})+|\d+)-(\d)", nit)
        assert match, nit
        base = match[1].replace(".", "")
        assert _dian_check_digit(base) == int(match[2]), nit
        dotted += "." in nit
    assert dotted > 0.5 * len(nits)


def test_colombian_value_formats(
    generated: tuple[Path, list[GeneratedFile]], registry: dict[str, DatasetSpec]
) -> None:
    root, files = generated
    salud = registry["notificaciones_salud"]
    docs = [v for v in _values(root, files, salud, "numero_documento") if v]
    assert any(re.fullmatch(r"1\.0\d{2}\.\d{3}\.\d{3}", d) for d in docs)
    assert any(re.fullmatch(r"\d{8,10}", d) for d in docs)
    phones = [v for v in _values(root, files, salud, "telefono") if v]
    assert any(re.fullmatch(r"3\d{2} \d{3} \d{4}", p) for p in phones)
    assert any(p.startswith("601") for p in phones)
    addresses = [v for v in _values(root, files, salud, "direccion") if v]
    assert any(re.search(r"#\s?\d+[A-Z]?(?: Bis)?-\d+", a) for a in addresses)
    assert any(re.search(r"\b(Sur|S)\b", a) for a in addresses)
    fechas = list(_values(root, files, salud, "fecha_notificacion"))
    assert any(re.fullmatch(r"\d{1,2}/\d{2}/\d{2}", f) for f in fechas)
    assert any(re.fullmatch(r"\d{2}/\d{2}/\d{4}", f) for f in fechas)
    plates = {v.strip() for v in _values(root, files, registry["siniestros_viales"], "placa")}
    assert any(re.fullmatch(r"[A-Z]{3}\d{3}", p) for p in plates)
    assert any(re.fullmatch(r"[A-Z]{3}\d{2}[A-Z]", p) for p in plates)
    money = list(_values(root, files, registry["beneficiarios_subsidios"], "valor_subsidio"))
    assert any(re.fullmatch(r"\$ \d{1,3}(\.\d{3})+", m) for m in money)
    texts = list(_values(root, files, registry["pqrs_peticiones"], "descripcion"))
    assert any(re.search(r"\d{1,3}\.\d{3}\.\d{3}", t) for t in texts)  # a cédula in free text
    assert any(re.search(r"[\w.]+@[\w.]+\.\w+", t) for t in texts)  # an e-mail
    assert any(re.search(r"\b3\d{2} ?\d{3} ?\d{4}\b", t) for t in texts)  # a mobile


# ---------------------------------------------------------------------------------------------
# Dirt


def _canonical_localidades() -> set[str]:
    out: set[str] = set()
    for loc in LOCALIDADES:
        out |= {loc.code_name, loc.name, loc.name.upper(), strip_accents(loc.name).upper()}
    return out


@pytest.mark.parametrize("dataset_id", DATASETS)
def test_dirt_is_present(
    dataset_id: str, generated: tuple[Path, list[GeneratedFile]], registry: dict[str, DatasetSpec]
) -> None:
    root, files = generated
    spec = registry[dataset_id]
    localidades = [v for v in _values(root, files, spec, "localidad")]
    odd = [v for v in localidades if v not in _canonical_localidades()]
    assert odd, "no odd localidad spelling"
    assert len(odd) < 0.15 * len(localidades), "dirt must stay a minority"

    unparseable = []
    for column in spec.schema_.columns:
        if column.type == "string":
            continue
        for value in _values(root, files, spec, column.name):
            if not _is_null(value, spec) and not _parses(value, column, spec):
                unparseable.append((column.name, value))
    assert unparseable, "no unparseable value"

    duplicated = 0
    for f in _files_of(files, dataset_id):
        _, rows = read_table(root / f.relative_path, spec)
        keys = [json.dumps(r, default=str) for r in rows]
        duplicated += len(keys) - len(set(keys))
    assert duplicated >= 1, "no exact duplicate row"


def test_localidad_shares_follow_population(
    generated: tuple[Path, list[GeneratedFile]], registry: dict[str, DatasetSpec]
) -> None:
    root, files = generated
    values = list(_values(root, files, registry["notificaciones_salud"], "localidad"))
    kennedy = sum(v == "08 - Kennedy" for v in values)
    candelaria = sum(v == "17 - La Candelaria" for v in values)
    assert kennedy > 5 * max(candelaria, 1)


# ---------------------------------------------------------------------------------------------
# The fast CSV path never changes what csv.writer would write


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
def test_csv_writer_falls_back_for_values_that_need_quoting(
    tmp_path: Path, quoting: Literal[0, 1, 2, 3]
) -> None:
    rows = [["a", 'con "comillas"', "x;y"], ["b", "línea\nnueva", ""], ["c", "d", "e"]]
    columns = [[r[i] for r in rows] for i in range(3)]
    for name, cols in (("tricky", columns), ("plain", [["a", "b"], ["c", "d"], ["e", "f"]])):
        path = tmp_path / f"{name}.csv"
        with CsvWriter(
            path,
            ["h1", "h2", "h3"],
            delimiter=";",
            quoting=quoting,
            lineterminator="\r\n",
            encoding="latin-1",
        ) as out:
            out.write(cols)
        expected = io.StringIO(newline="")
        writer = csv.writer(expected, delimiter=";", quoting=quoting, lineterminator="\r\n")
        writer.writerow(["h1", "h2", "h3"])
        writer.writerows(zip(*cols, strict=True))
        assert path.read_bytes() == expected.getvalue().encode("latin-1")
