"""``matricula_escolar``: school enrolment (SIMAT-like), one row per enrolled student.

An Excel workbook as the Secretaría de Educación del Distrito circulates them: a title line
and a blank line above the header (header on row 3), real Excel dates for birth dates (a few
typed as text), DANE codes as text so the leading digit survives. Schools come from a fixed
pool per localidad; grade and age agree, with some over-age students.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from samples import dirt
from samples.base import Context, DatasetDef, GeneratedFile, chunks
from samples.pools import (
    birth_dates,
    doc_types_by_age,
    document_numbers,
    localidad_index,
    names,
    pick,
    pick_index,
    to_str,
    ymd,
)
from samples.reference import ESTRATO_SHARE, LOCALIDADES
from samples.writers import XlsxWriter, excel_serial

DATASET_ID = "matricula_escolar"
SECTOR = "educacion"
YEAR = 2025
CUTOFF = dt.date(2025, 3, 31)
MAX_ROWS = 1_000_000  # an Excel sheet holds 1,048,576 rows
SHEET = "Matricula 2025"
TITLE = (
    "SECRETARÍA DE EDUCACIÓN DEL DISTRITO - MATRÍCULA OFICIAL Y NO OFICIAL 2025 "
    "(CORTE: 31 DE MARZO DE 2025)"
)

HEADER = (
    "Año",
    "Código DANE",
    "Nombre Colegio",
    "Sector",
    "Zona",
    "Localidad",
    "Grado",
    "Jornada",
    "ID Estudiante",
    "Nombre Estudiante",
    "Tipo Documento",
    "Número Documento",
    "Fecha Nacimiento",
    "Edad",
    "Sexo",
    "Estrato",
)
DATE_COLUMN = HEADER.index("Fecha Nacimiento")

GRADOS = (
    "Prejardín",
    "Jardín",
    "Transición",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
)
_GRADO_P = (2, 3, 7, 8, 8, 8, 8, 8, 8.5, 8.5, 8, 8, 7.5, 7)
JORNADAS = ("Mañana", "Tarde", "Única", "Completa", "Nocturna", "Fin de semana")
_PATRONS = (
    "Manuel Elkin Patarroyo",
    "Gerardo Paredes",
    "Nicolás Esguerra",
    "Tomás Carrasquilla",
    "Rafael Uribe Uribe",
    "José Asunción Silva",
    "República de Colombia",
    "Antonio Nariño",
    "Policarpa Salavarrieta",
    "Francisco de Paula Santander",
    "Camilo Torres",
    "Gabriel García Márquez",
    "Débora Arango",
    "Jorge Eliécer Gaitán",
    "Simón Bolívar",
    "La Amistad",
    "Los Pinos",
    "Nuevo Horizonte",
    "El Porvenir",
    "Miguel Antonio Caro",
    "Luis López de Mesa",
    "Aquileo Parra",
    "Agustín Nieto Caballero",
    "Eduardo Umaña Mendoza",
    "Manuela Beltrán",
)
_PRIVATE_PREFIX = (
    "Colegio San",
    "Gimnasio",
    "Liceo",
    "Colegio Cristiano",
    "Instituto Pedagógico",
    "Colegio Santa",
)
_SAINTS = (
    "José",
    "Francisco",
    "Agustín",
    "Bartolomé",
    "Luis Gonzaga",
    "Viator",
    "Mateo",
    "Juan Bosco",
    "Tarsicio",
    "Lucía",
    "María",
    "Teresa",
    "Clara",
    "Isabel",
)
_PRIVATE_WORDS = (
    "Los Andes",
    "del Norte",
    "Campestre",
    "Moderno",
    "Los Alpes",
    "Nueva Granada",
    "Bilingüe",
    "Integral",
    "Psicopedagógico",
    "del Saber",
    "Colombo Británico",
)


def size(rows: int) -> int:
    return min(MAX_ROWS, max(1, rows // 4))


def _schools(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """A fixed pool of ~16 schools per localidad (fewer in Sumapaz): name, DANE code, sector."""
    loc, names_, codes, sector = [], [], [], []
    seen: set[str] = set()
    for i, x in enumerate(LOCALIDADES):
        k = 4 if x.code == 20 else 16
        for _ in range(k):
            oficial = rng.random() < (0.95 if x.code == 20 else 0.6)
            if oficial:
                patron = (
                    _PATRONS[rng.integers(len(_PATRONS))]
                    if rng.random() < 0.7
                    else x.barrios[rng.integers(len(x.barrios))]
                )
                name = (f"Colegio {patron} IED", f"Colegio {patron} (IED)", f"I.E.D. {patron}")[
                    rng.integers(3)
                ]
                code = f"111001{rng.integers(1000, 110000):06d}"
            else:
                if rng.random() < 0.5:
                    name = (
                        f"{_PRIVATE_PREFIX[rng.integers(len(_PRIVATE_PREFIX))]} "
                        f"{_SAINTS[rng.integers(len(_SAINTS))]}"
                    )
                else:
                    name = (
                        f"{_PRIVATE_PREFIX[rng.integers(1, 5)]} "
                        f"{_PRIVATE_WORDS[rng.integers(len(_PRIVATE_WORDS))]}"
                    )
                code = f"311001{rng.integers(1000, 110000):06d}"
            if name in seen:
                name = f"{name} Sede {x.name}"
            seen.add(name)
            loc.append(i)
            names_.append(name.upper() if rng.random() < 0.5 else name)
            codes.append(code)
            sector.append("Oficial" if oficial else "No oficial")
    return (
        np.array(loc),
        np.array(names_, dtype=object),
        np.array(codes, dtype=object),
        np.array(sector, dtype=object),
    )


def _chunk(
    ctx: Context, rng: np.random.Generator, schools: tuple[np.ndarray, ...], offset: int, n: int
) -> list[np.ndarray]:
    s_loc, s_name, s_code, s_sector = schools
    home = localidad_index(rng, n)
    # Students mostly study in their own localidad.
    same = rng.random(n) < 0.8
    target_loc = np.where(same, home, localidad_index(rng, n))
    per_loc = [np.flatnonzero(s_loc == i) for i in range(len(LOCALIDADES))]
    pick_s = rng.integers(0, 1 << 20, n)
    school = np.array(
        [
            per_loc[t][j % len(per_loc[t])]
            for t, j in zip(target_loc.tolist(), pick_s.tolist(), strict=True)
        ]
    )
    grado = pick_index(rng, n, _GRADO_P)
    nominal_age = grado + 3  # Prejardín at 3 … grade 11 at 16
    over = np.where(rng.random(n) < 0.15, rng.integers(1, 4, n), 0)
    age = nominal_age + over
    female = rng.random(n) < 0.49
    born = birth_dates(rng, age, np.full(n, np.datetime64(CUTOFF)))
    by, _, _ = ymd(born)
    tipo = doc_types_by_age(rng, age, migrant_rate=0.07)
    tipo = np.where(np.isin(tipo, ["PEP", "PA"]), "PPT", tipo).astype(object)
    numero = document_numbers(rng, tipo, by, female)
    jornada = pick(rng, JORNADAS, n, [40, 30, 20, 9.5, 0.3, 0.2])
    cum = np.cumsum(ESTRATO_SHARE[home], axis=1)
    estrato = (rng.random(n)[:, None] > cum).sum(axis=1) + 1
    who = names(rng, ctx.pools, female)
    nombre = who.full_upper()
    sumapaz = s_loc[school] == 19

    edad = np.empty(n, dtype=object)
    edad[:] = age.tolist()
    fecha = np.empty(n, dtype=object)
    fecha[:] = excel_serial(born).tolist()
    estr = np.empty(n, dtype=object)
    estr[:] = estrato.tolist()
    cols: list[np.ndarray] = [
        np.full(n, YEAR, dtype=object),
        s_code[school],
        s_name[school],
        s_sector[school],
        np.where(sumapaz, "Rural", "Urbana").astype(object),
        dirt.localidades(rng, s_loc[school], "upper", rate=0.03),
        np.array(GRADOS, dtype=object)[grado],
        jornada,
        to_str(5_000_001 + (offset + np.arange(n)) * 7),
        nombre,
        tipo,
        numero,
        fecha,
        edad,
        np.where(female, "FEMENINO", "MASCULINO").astype(object),
        estr,
    ]
    ix = {name: i for i, name in enumerate(HEADER)}
    dirt.blanks(rng, cols[ix["Estrato"]], 0.03)
    dirt.inject(rng, cols[ix["Edad"]], ["n/a", "doce", "SD"], 0.0005)
    text_dates = dirt.choose_rows(rng, n, 0.01)
    cols[DATE_COLUMN][text_dates] = [
        f"{d.day:02d}/{d.month:02d}/{d.year}" for d in born[text_dates].tolist()
    ]
    dirt.inject(rng, cols[ix["Fecha Nacimiento"]], ["31/02/2012", "15/13/2015"], 0.0005)
    dirt.mixed_case(rng, cols[ix["Nombre Estudiante"]], 0.03)
    dirt.stray_spaces(rng, cols[ix["Nombre Colegio"]], 0.005)
    dirt.duplicate_rows(rng, cols, 0.002)
    return cols


def write(ctx: Context, rows: int) -> list[GeneratedFile]:
    rng = ctx.rng(DATASET_ID)
    schools = _schools(rng)
    rel = f"{DATASET_ID}/{DATASET_ID}_{YEAR}.xlsx"
    with XlsxWriter(
        ctx.out_dir / rel, HEADER, sheet=SHEET, title_lines=(TITLE, ""), date_columns=(DATE_COLUMN,)
    ) as out:
        for offset, n in chunks(rows):
            out.write(_chunk(ctx, rng, schools, offset, n))
    return [GeneratedFile(DATASET_ID, rel, out.rows)]


DATASET = DatasetDef(DATASET_ID, SECTOR, size, write)
