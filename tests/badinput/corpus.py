"""The bad-input corpus: one case per way a delivered file goes wrong.

Each :class:`Case` is a dataset (its own spec, its own landing folder) and a function that
writes the file at test time: nothing large is committed, the 10 MB field is generated and the
2 GB file is sparse (``truncate``), so it costs no disk and no time. ``expect`` says what ADA
must do and ``says`` the fragments its message or quarantine reason must contain, so a vague
or generic message fails the test.
"""

from __future__ import annotations

import codecs
import gzip
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

#: ``file``: the whole file is refused in staging (quarantine entry without a row, asset fails);
#: ``rows``: some rows are quarantined with their line and reason, the others load;
#: ``refused``: the raw asset refuses the delivery before copying it (size or archive limits);
#: ``loaded``: the file is odd but valid and loads whole (no false alarm).
Expect = Literal["file", "rows", "refused", "loaded"]

LOCALIDADES = ["Usaquén", "Chapinero", "Santa Fe", "San Cristóbal", "Usme", "Tunjuelito"]
SECTOR = "gobierno"
PREFIX = "mal_"

#: The columns most cases share: an id, a localidad, a number and a date.
BASIC: list[dict[str, Any]] = [
    {"name": "id", "type": "integer", "nullable": False},
    {"name": "localidad", "type": "string"},
    {"name": "valor", "type": "number"},
    {"name": "fecha", "type": "date"},
]
GOOD_ROWS = ["1,Usaquén,10.5,2024-01-01", "2,Chapinero,3,2024-01-02", "3,Usme,7.25,2024-01-03"]
HEADER = "id,localidad,valor,fecha"


@dataclass(frozen=True)
class Case:
    """One bad file, the spec it is delivered under and what ADA must answer."""

    name: str
    file_name: str
    build: Callable[[Path], None]
    expect: Expect
    says: tuple[str, ...]
    format: dict[str, Any] = field(default_factory=dict)
    columns: list[dict[str, Any]] = field(default_factory=lambda: BASIC)
    #: For ``rows``: the 1-based file lines that must be quarantined.
    lines: tuple[int, ...] = ()
    #: For ``rows`` and ``loaded``: how many rows reach the staging table.
    rows: int | None = None
    #: The file is sparse: compare sizes and a sample instead of hashing 2 GB.
    sparse: bool = False
    suite: dict[str, Any] | None = None
    #: For ``loaded``: the sum of ``valor`` in staging, when the case is about numbers.
    total: float | None = None

    @property
    def dataset_id(self) -> str:
        return PREFIX + self.name

    def spec(self) -> dict[str, Any]:
        extension = self.file_name.rsplit(".", 1)[-1]
        return {
            "id": self.dataset_id,
            "sector": SECTOR,
            "source": {"kind": "landing", "pattern": f"*.{extension}"},
            "format": {"type": "csv", **self.format},
            "schema": {"columns": self.columns},
        }


def _text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content.encode(encoding))


def _raw(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def _csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def _mixed_encoding(path: Path) -> None:
    # 3,000 clean UTF-8 rows (more than the 64 KiB the encoding is guessed from), then Latin-1.
    good = "".join(f"{i},Usaquén,{i},2024-01-01\n" for i in range(1, 3001)).encode()
    path.write_bytes(
        HEADER.encode() + b"\n" + good + "3001,Engativá,1,2024-01-01\n".encode("latin-1")
    )


def _huge_field(path: Path) -> None:
    # A quoted 10 MB field (a scanned document pasted into a cell), then a normal row.
    with path.open("wb") as handle:
        handle.write(b'id,localidad,valor,fecha\n1,"')
        handle.write(b"x" * (10 * 2**20))
        handle.write(b'",1,2024-01-01\n2,Usme,2,2024-01-02\n')


def _no_newline_blob(path: Path) -> None:
    # 5 MB without a single line break after the header: one endless row.
    path.write_bytes(HEADER.encode() + b"\n" + b"7" * (5 * 2**20))


def _binary(path: Path) -> None:
    import random

    path.write_bytes(random.Random(8).randbytes(200_000))


def _binary_without_nul(path: Path) -> None:
    # Garbage with no zero byte (e.g. an encrypted or image file): caught by its control bytes.
    import random

    path.write_bytes(bytes(b or 1 for b in random.Random(9).randbytes(200_000)))


def _sparse_2gb(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write((HEADER + "\n" + GOOD_ROWS[0] + "\n").encode())
        handle.truncate(2 * 2**30)


def _gzip_as_csv(path: Path) -> None:
    path.write_bytes(gzip.compress(_csv(HEADER, *GOOD_ROWS).encode()))


def _zip_of_csv(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("datos.csv", _csv(HEADER, *GOOD_ROWS))


def _workbook(path: Path, build: Callable[[Any], None]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    build(workbook)
    workbook.close()


def _merged_cells(path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.add_worksheet("Datos")
        sheet.merge_range("A1:D1", "Reporte de la entidad (celdas combinadas)")
        for col, name in enumerate(HEADER.split(",")):
            sheet.write(1, col, name)
        sheet.write_row(2, 0, [1, "Usaquén", 10.5, "2024-01-01"])
        sheet.merge_range("B4:B5", "Chapinero")  # one localidad for two rows
        sheet.write(3, 0, 2)
        sheet.write(4, 0, 3)
        sheet.write_row(3, 2, [3, "2024-01-02"])
        sheet.write_row(4, 2, [4, "2024-01-03"])

    _workbook(path, build)


def _several_sheets(path: Path) -> None:
    def build(workbook: Any) -> None:
        workbook.add_worksheet("Portada").write(0, 0, "Entidad: Secretaría de Gobierno")
        workbook.add_worksheet("Resumen").write(0, 0, "Totales")

    _workbook(path, build)


def _sheet_in_second_place(path: Path) -> None:
    def build(workbook: Any) -> None:
        workbook.add_worksheet("Portada").write(0, 0, "Notas")
        sheet = workbook.add_worksheet("Datos")
        sheet.write_row(0, 0, HEADER.split(","))
        for row, line in enumerate(GOOD_ROWS, start=1):
            values = line.split(",")
            sheet.write_row(row, 0, [int(values[0]), values[1], float(values[2]), values[3]])

    _workbook(path, build)


def _zip_bomb(path: Path) -> None:
    """A real workbook whose sheet is replaced by 256 MB of XML whitespace (about 1 MB packed)."""
    _sheet_in_second_place(path)
    with zipfile.ZipFile(path) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet2.xml":
                bomb.writestr(name, data)
                continue
            with bomb.open(name, "w", force_zip64=True) as sheet:
                head, tail = data.split(b"<sheetData>", 1)
                sheet.write(head + b"<sheetData>")
                chunk = b" " * 2**20
                for _ in range(256):
                    sheet.write(chunk)
                sheet.write(tail)


def _long_line(path: Path) -> None:
    # A 70 MB line, then a normal one: past the largest parser block (16 MB).
    with path.open("wb") as handle:
        handle.write(HEADER.encode() + b"\n")
        chunk = b"7" * 2**20
        for _ in range(70):
            handle.write(chunk)
        handle.write(b"\n" + GOOD_ROWS[0].encode() + b"\n")


def _mixed_line_endings(path: Path) -> None:
    path.write_bytes(
        (HEADER + "\r\n" + GOOD_ROWS[0] + "\n" + GOOD_ROWS[1] + "\r\n" + GOOD_ROWS[2]).encode()
    )


LOCALIDAD_RULE = {"name": "localidad", "type": "string", "allowed_values": LOCALIDADES}
JSON = {"type": "json"}

CASES: list[Case] = [
    # Empty, blank and header-only files.
    Case("vacio", "vacio.csv", _raw(b""), "file", ("vacio.csv", "vacío")),
    Case(
        "solo_espacios",
        "espacios.csv",
        _raw(b"\n\n   \n\n"),
        "file",
        ("espacios.csv", "líneas en blanco"),
    ),
    Case("solo_encabezado", "encabezado.csv", _text(HEADER + "\n"), "loaded", (), rows=0),
    # Encodings.
    Case(
        "latin1_declarado_utf8",
        "latin1.csv",
        _text(_csv(HEADER, "1,Engativá,1,2024-01-01"), "latin-1"),
        "file",
        ("latin1.csv", "UTF-8", "línea 2", "format.encoding"),
    ),
    Case(
        "codificacion_mezclada",
        "mezclada.csv",
        _mixed_encoding,
        "file",
        ("mezclada.csv", "línea 3002", "format.encoding"),
        format={"encoding": "auto"},
    ),
    Case(
        "utf16",
        "utf16.csv",
        _raw(codecs.BOM_UTF16_LE + _csv(HEADER, *GOOD_ROWS).encode("utf-16-le")),
        "file",
        ("utf16.csv", "UTF-16", "CSV UTF-8"),
    ),
    Case(
        "utf16_declarado",
        "utf16_ok.csv",
        _raw(codecs.BOM_UTF16_LE + _csv(HEADER, *GOOD_ROWS).encode("utf-16-le")),
        "loaded",
        (),
        format={"encoding": "utf-16"},
        rows=3,
    ),
    # Delimiters, ragged rows, quotes, line endings.
    Case(
        "delimitadores_mezclados",
        "delimitadores.csv",
        _text(_csv(HEADER, GOOD_ROWS[0], "2;Chapinero;3;2024-01-02", GOOD_ROWS[2])),
        "rows",
        ("se esperaban 4 columnas y la fila tiene 1",),
        lines=(3,),
        rows=2,
    ),
    Case(
        "delimitador_equivocado",
        "punto_y_coma.csv",
        _text(_csv(HEADER.replace(",", ";"), *(r.replace(",", ";") for r in GOOD_ROWS))),
        "file",
        ("punto_y_coma.csv", "faltan columnas obligatorias: id", "format.delimiter"),
    ),
    Case(
        "filas_irregulares",
        "irregulares.csv",
        _text(_csv(HEADER, GOOD_ROWS[0], "2,Chapinero", "3,Usme,7,2024-01-03,x,y", GOOD_ROWS[2])),
        "rows",
        ("se esperaban 4 columnas y la fila tiene 2", "la fila tiene 6"),
        lines=(3, 4),
        rows=2,
    ),
    Case(
        "comilla_sin_cerrar",
        "comilla.csv",
        _text(_csv(HEADER, GOOD_ROWS[0], '2,"Chapinero,3,2024-01-02', GOOD_ROWS[2])),
        "rows",
        ("comilla", "sin cerrar", "format.quote"),
        lines=(3,),
        rows=1,
    ),
    Case("finales_de_linea_mezclados", "finales.csv", _mixed_line_endings, "loaded", (), rows=3),
    # Oversized values and lines.
    Case(
        "campo_10mb",
        "campo_grande.csv",
        _huge_field,
        "rows",
        ("columna 'localidad'", "un texto de hasta 1024 KB", "comilla sin cerrar"),
        lines=(2,),
        rows=1,
    ),
    Case(
        "linea_5mb_sin_saltos",
        "sin_saltos.csv",
        _no_newline_blob,
        "rows",
        ("se esperaban 4 columnas y la fila tiene 1",),
        lines=(2,),
        rows=0,
    ),
    Case(
        "linea_70mb",
        "linea_70mb.csv",
        _long_line,
        "file",
        ("linea_70mb.csv", "más de 16 MB", "comilla"),
    ),
    # Files that are not text.
    Case("binario", "basura.csv", _binary, "file", ("basura.csv", "binario")),
    Case(
        "binario_sin_nulos",
        "imagen.csv",
        _binary_without_nul,
        "file",
        ("imagen.csv", "parece binario", "bytes de control"),
    ),
    Case(
        "gzip_como_csv",
        "comprimido.csv",
        _gzip_as_csv,
        "file",
        ("comprimido.csv", "gzip", "descomprímalo"),
    ),
    Case(
        "zip_como_csv",
        "archivo_zip.csv",
        _zip_of_csv,
        "file",
        ("archivo_zip.csv", "ZIP"),
    ),
    Case(
        "nul_en_texto",
        "nul.csv",
        _raw(_csv(HEADER, GOOD_ROWS[0], "2,Chap\x00inero,3,2024-01-02").encode()),
        "file",
        ("nul.csv", "bytes nulos", "línea 3"),
    ),
    # Workbooks.
    Case(
        "xlsx_celdas_combinadas",
        "combinadas.xlsx",
        _merged_cells,
        "loaded",
        (),
        format={"type": "xlsx", "header_row": 2},
        rows=3,
    ),
    Case(
        "xlsx_hoja_inexistente",
        "hojas.xlsx",
        _several_sheets,
        "file",
        ("hojas.xlsx", "'Datos'", "Portada, Resumen", "format.sheet"),
        format={"type": "xlsx", "sheet": "Datos"},
    ),
    Case(
        "xlsx_segunda_hoja",
        "segunda_hoja.xlsx",
        _sheet_in_second_place,
        "loaded",
        (),
        format={"type": "xlsx", "sheet": "Datos"},
        rows=3,
    ),
    Case(
        "xlsx_que_es_csv",
        "falso.xlsx",
        _text(_csv(HEADER, *GOOD_ROWS)),
        "file",
        ("falso.xlsx", "libro de Excel válido"),
        format={"type": "xlsx"},
    ),
    Case(
        "bomba_zip",
        "bomba.xlsx",
        _zip_bomb,
        "file",
        ("bomba.xlsx", "bomba ZIP", "256 MB", "ADA_MAX_UNCOMPRESSED_MB"),
        format={"type": "xlsx", "sheet": "Datos"},
    ),
    # JSON.
    Case(
        "json_malformado",
        "roto.json",
        _text('[{"id": 1, "localidad": "Usme"}, {"id": 2,'),
        "file",
        ("roto.json", "JSON no es válido", "línea 1"),
        format=JSON,
    ),
    Case(
        "json_escalar",
        "escalar.json",
        _text("42"),
        "file",
        ("escalar.json", "lista de registros", "records_path"),
        format=JSON,
    ),
    Case(
        "json_ruta_equivocada",
        "ruta.json",
        _text(json.dumps({"result": {"rows": []}})),
        "file",
        ("ruta.json", "result.records", "falta 'records'"),
        format={**JSON, "records_path": "result.records"},
    ),
    Case(
        "ndjson_linea_rota",
        "lineas.json",
        _text('{"id": 1, "localidad": "Usme"}\n{"id": 2, "localidad": \n{"id": 3}\n'),
        "rows",
        ("JSON inválido: falta un valor",),
        format=JSON,
        lines=(2,),
        rows=2,
    ),
    Case(
        "json_registro_no_objeto",
        "no_objeto.json",
        _text('[{"id": 1}, 7, {"id": 3}]'),
        "rows",
        ("el registro 2 no es un objeto",),
        format=JSON,
        rows=2,
    ),
    # Headers.
    Case(
        "encabezados_duplicados",
        "duplicados.csv",
        _text(_csv("id,localidad,localidad,valor,fecha", "1,Usme,Bosa,1,2024-01-01")),
        "loaded",
        (),
        rows=1,
    ),
    Case(
        "encabezados_vacios",
        "vacios.csv",
        _text(_csv("id,,localidad,valor,fecha,", "1,x,Usme,1,2024-01-01,y")),
        "loaded",
        (),
        rows=1,
    ),
    Case(
        "encabezado_en_otra_fila",
        "titulo.csv",
        _text(_csv("Reporte mensual de la entidad", "", HEADER, *GOOD_ROWS)),
        "file",
        ("titulo.csv", "faltan columnas obligatorias: id", "format.header_row"),
    ),
    Case(
        "ficha_no_coincide",
        "otra_cosa.csv",
        _text(_csv("codigo,nombre,monto", "A1,Uno,3")),
        "file",
        ("otra_cosa.csv", "faltan columnas obligatorias: id", "codigo, nombre, monto"),
    ),
    # Values.
    Case(
        "tipo_cambia",
        "tipo_cambia.csv",
        _text(
            _csv(
                HEADER,
                *(f"{i},Usme,{i},2024-01-01" for i in range(1, 6)),
                "ID-6,Usme,6,2024-01-01",
                "ID-7,Usme,7,2024-01-01",
            )
        ),
        "rows",
        ("columna 'id'", "se esperaba un número entero"),
        lines=(7, 8),
        rows=5,
    ),
    Case(
        "tres_formatos_de_fecha",
        "fechas.csv",
        _text(_csv(HEADER, "1,Usme,1,2024-01-31", "2,Usme,2,31/01/2024", "3,Usme,3,Jan 31 2024")),
        "rows",
        ("columna 'fecha'", "se esperaba una fecha (%Y-%m-%d o %d/%m/%Y)"),
        format={"date_formats": ["%Y-%m-%d", "%d/%m/%Y"]},
        lines=(4,),
        rows=2,
    ),
    Case(
        "miles_con_punto",
        "miles.csv",
        _text(_csv("id;localidad;valor;fecha", "1;Usme;1.234.567,89;2024-01-01", "2;Usme;12,5;")),
        "loaded",
        (),
        format={"delimiter": ";", "decimal": ",", "thousands": "."},
        rows=2,
    ),
    Case(
        "miles_sin_declarar",
        "miles_mal.csv",
        _text(_csv("id;localidad;valor;fecha", "1;Usme;1.234.567,89;2024-01-01", "2;Usme;12;")),
        "rows",
        ("columna 'valor'", "se esperaba un número"),
        format={"delimiter": ";"},
        lines=(2,),
        rows=1,
    ),
    Case(
        "localidad_desconocida",
        "localidades.csv",
        _text(_csv(HEADER, GOOD_ROWS[0], "2,Gotham,3,2024-01-02", GOOD_ROWS[2])),
        "rows",
        ("ExpectColumnValuesToBeInSet",),
        columns=[BASIC[0], LOCALIDAD_RULE, *BASIC[2:]],
        rows=2,
        suite={"max_quarantine_share": 0.5},
    ),
    Case(
        "parquet_falso",
        "falso.parquet",
        _text(_csv(HEADER, *GOOD_ROWS)),
        "file",
        ("falso.parquet", "Parquet válido"),
        format={"type": "parquet"},
    ),
    # Size.
    Case(
        "archivo_2gb_disperso",
        "enorme.csv",
        _sparse_2gb,
        "refused",
        ("enorme.csv", "2048 MB", "1024 MB", "ADA_MAX_FILE_MB"),
        sparse=True,
    ),
]

#: A dataset with nothing wrong, delivered in the same run: it must load whatever the others do.
CONTROL = Case("control", "bueno.csv", _text(_csv(HEADER, *GOOD_ROWS)), "loaded", (), rows=3)


def build_all(folder: Path, cases: list[Case]) -> dict[str, Path]:
    """Write every case's file under ``folder/<dataset id>/`` and return the paths by case."""
    paths = {}
    for case in cases:
        path = folder / case.dataset_id / case.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        case.build(path)
        paths[case.name] = path
    return paths


def read_sample(path: Path) -> bytes:
    """The first and last 64 KiB of a file: enough to compare a sparse file without reading it."""
    with path.open("rb") as handle:
        head = handle.read(2**16)
        handle.seek(max(0, path.stat().st_size - 2**16))
        return head + handle.read()


__all__ = ["CASES", "CONTROL", "Case", "build_all", "read_sample"]
