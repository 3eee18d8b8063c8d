"""``beneficiarios_subsidios``: beneficiaries of the district's social transfers (SDIS-like).

Person-level microdata full of quasi-identifiers (birth date, sex, barrio, estrato, Sisbén
group, ethnicity, disability, nationality) next to direct identifiers (document, names,
mobile). UTF-8, ``,``, amounts written ``$ 1.250.000``, birth dates ``dd/mm/yyyy`` and start
dates ``yyyy-mm-dd`` as they come from different source systems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from samples import dirt
from samples.base import Context, DatasetDef, GeneratedFile, chunks
from samples.pools import (
    ages,
    birth_dates,
    document_numbers,
    dotted,
    format_dates,
    localidad_index,
    names,
    pesos,
    phones,
    pick,
    pick_index,
    to_str,
    ymd,
)
from samples.reference import ESTRATO_SHARE, LOCALIDADES
from samples.writers import CsvWriter

DATASET_ID = "beneficiarios_subsidios"
SECTOR = "integracion_social"
CUTOFF = dt.date(2025, 5, 31)
FIRST_START = dt.date(2020, 4, 1)

HEADER = (
    "ID Registro",
    "Programa",
    "Tipo Documento",
    "Número Documento",
    "Primer Nombre",
    "Segundo Nombre",
    "Primer Apellido",
    "Segundo Apellido",
    "Fecha Nacimiento",
    "Sexo",
    "Nacionalidad",
    "Localidad",
    "Barrio",
    "Estrato",
    "Grupo Sisbén",
    "Celular",
    "Valor Subsidio",
    "Fecha Inicio",
    "Jefe de Hogar",
    "Discapacidad",
    "Etnia",
    "Estado",
)

_ADULTS = [0, 0, 0, 1, 8, 11, 12, 12, 11, 10, 9, 8, 7, 5, 3, 2, 1, 0.5, 0, 0]
# name, weight, age bands, female share, possible amounts (COP per month)
PROGRAMAS: tuple[tuple[str, float, Sequence[float], float, tuple[int, ...]], ...] = (
    ("Ingreso Mínimo Garantizado", 35, _ADULTS, 0.62, ()),
    ("Bono Canasta Alimentaria", 18, _ADULTS, 0.65, (150_000, 175_000, 200_000, 260_000)),
    (
        "Apoyo Económico Tipo C - Persona Mayor",
        20,
        [0] * 12 + [20, 25, 22, 16, 10, 5, 2, 0.5],
        0.58,
        (130_000,),
    ),
    ("Jóvenes Reto - Parceros por Bogotá", 7, [0, 0, 0, 2, 8, 4] + [0] * 14, 0.5, (500_000,)),
    (
        "Apoyo Alimentario Gestantes y Lactantes",
        7,
        [0, 0, 0, 15, 35, 30, 15, 5] + [0] * 12,
        1.0,
        (90_000, 120_000),
    ),
    ("Apoyo Alimentario Primera Infancia", 7, [1, 0.2] + [0] * 18, 0.49, (96_000, 120_000)),
    (
        "Apoyo a Personas con Discapacidad y Cuidadores",
        3,
        [2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 4, 3, 2, 1, 0],
        0.52,
        (350_000, 400_000),
    ),
    ("Arriendo Solidario", 3, _ADULTS, 0.6, (600_000, 1_250_000)),
)
PROGRAM_NAMES = tuple(p[0] for p in PROGRAMAS)
DOC_TYPES = ("CC", "TI", "CE", "PEP", "PPT", "RC")
DISCAPACIDADES = ("Ninguna", "Física", "Visual", "Auditiva", "Cognitiva", "Psicosocial", "Múltiple")
ETNIAS = ("Ninguna", "Afrocolombiano", "Indígena", "Raizal", "Palenquero", "Rrom", "No informa")
_ETNIA_P = (93, 3.5, 1.5, 0.3, 0.1, 0.2, 1.4)
ESTADOS = ("Activo", "Suspendido", "Retirado")


def size(rows: int) -> int:
    return max(1, rows // 2)


def _sisben(rng: np.random.Generator, estrato: np.ndarray) -> np.ndarray:
    """Sisbén IV group (A1-A5 extreme poverty … D1-D21 not poor), tied to the estrato."""
    n = len(estrato)
    u = rng.random(n)
    p_a = np.select([estrato == 1, estrato == 2], [0.45, 0.25], 0.10)
    p_b = np.select([estrato == 1, estrato == 2], [0.45, 0.50], 0.40)
    p_c = np.select([estrato == 1, estrato == 2], [0.10, 0.25], 0.45)
    group = np.select([u < p_a, u < p_a + p_b, u < p_a + p_b + p_c], [0, 1, 2], 3)
    top = np.array([5, 7, 18, 21])[group]
    level = 1 + np.floor(rng.random(n) * top).astype(np.int64)
    return np.array(
        [f"{'ABCD'[g]}{lv}" for g, lv in zip(group.tolist(), level.tolist(), strict=True)],
        dtype=object,
    )


def _chunk(ctx: Context, rng: np.random.Generator, offset: int, n: int) -> list[np.ndarray]:
    prog = pick_index(rng, n, [p[1] for p in PROGRAMAS])
    age = np.zeros(n, dtype=np.int64)
    for i, p in enumerate(PROGRAMAS):
        mask = prog == i
        if mask.any():
            age[mask] = ages(rng, int(mask.sum()), p[2])
    age = np.where(prog == 4, np.clip(age, 14, 45), age)  # gestantes: 14-45
    age = np.where(prog == 5, np.minimum(age, 5), age)
    age = np.where(prog == 3, np.clip(age, 18, 28), age)
    female = rng.random(n) < np.array([p[3] for p in PROGRAMAS])[prog]

    start = np.datetime64(FIRST_START) + rng.integers(0, (CUTOFF - FIRST_START).days + 1, n).astype(
        "timedelta64[D]"
    )
    born = birth_dates(rng, age, np.full(n, np.datetime64(CUTOFF)))
    by, _, _ = ymd(born)

    venezuelan = rng.random(n) < 0.09
    other = (~venezuelan) & (rng.random(n) < 0.005)
    nacionalidad = np.where(venezuelan, "Venezolana", np.where(other, "Otra", "Colombiana")).astype(
        object
    )
    tipo = np.where(age < 7, "RC", np.where(age < 18, "TI", "CC")).astype(object)
    ven_type = pick(rng, ["PPT", "PPT", "PPT", "PPT", "PEP", "PEP", "CE"], n)
    tipo[venezuelan] = ven_type[venezuelan]
    tipo[other] = "CE"
    numero = document_numbers(rng, tipo, by, female)
    numero = dotted(numero, (tipo == "CC") & (rng.random(n) < 0.1))

    who = names(rng, ctx.pools, female)
    g1, g2 = who.given()
    s1, s2 = who.surnames()
    loc = localidad_index(rng, n)
    poorer = ESTRATO_SHARE[loc] * np.array([1.5, 1.2, 0.6, 0.1, 0.02, 0.01])
    cum = np.cumsum(poorer / poorer.sum(axis=1, keepdims=True), axis=1)
    estrato = (rng.random(n)[:, None] > cum).sum(axis=1) + 1
    barrio_pool = [x.barrios for x in LOCALIDADES]
    bpick = rng.integers(0, 1 << 20, n)
    barrio = np.array(
        [
            barrio_pool[i][j % len(barrio_pool[i])]
            for i, j in zip(loc.tolist(), bpick.tolist(), strict=True)
        ],
        dtype=object,
    )

    amounts = np.zeros(n, dtype=np.int64)
    for i, p in enumerate(PROGRAMAS):
        mask = prog == i
        k = int(mask.sum())
        if not k:
            continue
        if p[4]:
            amounts[mask] = np.array(p[4])[rng.integers(0, len(p[4]), k)]
        else:  # IMG: a variable transfer, rounded to 5.000 pesos
            amounts[mask] = np.clip(
                np.round(rng.lognormal(12.4, 0.45, k) / 5000) * 5000, 80_000, 700_000
            )
    disc = np.where(rng.random(n) < 0.05, pick_index(rng, n, [0, 40, 15, 12, 15, 10, 8]), 0)
    disc = np.where(prog == 6, np.maximum(disc, 1 + rng.integers(0, 6, n)), disc)
    jefe_p = np.select([prog == 5, prog == 2, prog == 3], [0.0, 0.5, 0.15], 0.6)
    estado = pick(rng, ESTADOS, n, [80, 8, 12])

    cols: list[np.ndarray] = [
        to_str(offset + 1 + np.arange(n)),
        np.array(PROGRAM_NAMES, dtype=object)[prog],
        tipo,
        numero,
        g1,
        g2,
        s1,
        s2,
        format_dates(born, "dd/mm/yyyy"),
        np.where(female, "Mujer", "Hombre").astype(object),
        nacionalidad,
        dirt.localidades(rng, loc, "title", rate=0.03),
        barrio,
        to_str(estrato),
        _sisben(rng, estrato),
        phones(rng, n, landline_rate=0.05),
        pesos(amounts),
        format_dates(start, "yyyy-mm-dd"),
        np.where(rng.random(n) < jefe_p, "S", "N").astype(object),
        np.array(DISCAPACIDADES, dtype=object)[disc],
        pick(rng, ETNIAS, n, _ETNIA_P),
        estado,
    ]
    ix = {name: i for i, name in enumerate(HEADER)}
    sexo = cols[ix["Sexo"]]
    sexo[dirt.choose_rows(rng, n, 0.0005, minimum=0)] = "Intersexual"
    dirt.blanks(rng, cols[ix["Celular"]], 0.07)
    dirt.blanks(rng, cols[ix["Barrio"]], 0.03)
    dirt.blanks(rng, cols[ix["Estrato"]], 0.02)
    dirt.blanks(rng, cols[ix["Grupo Sisbén"]], 0.04)
    dirt.inject(rng, cols[ix["Estrato"]], ["tres", "N/D", "Sin estrato"], 0.001)
    valor = cols[ix["Valor Subsidio"]]
    plain = dirt.choose_rows(rng, n, 0.02)
    valor[plain] = [v.replace("$ ", "").replace(".", "") for v in valor[plain]]
    dirt.inject(rng, valor, ["12,5,3", "doscientos mil"], 0.0005)
    dirt.inject(
        rng, cols[ix["Fecha Nacimiento"]], ["31/02/1990", "00/00/0000", "1985-06-15"], 0.0005
    )
    dirt.mixed_case(rng, cols[ix["Barrio"]], 0.03)
    dirt.mixed_case(rng, cols[ix["Primer Apellido"]], 0.02)
    dirt.stray_spaces(rng, cols[ix["Primer Nombre"]], 0.01)
    dirt.duplicate_rows(rng, cols, 0.002)
    return cols


def write(ctx: Context, rows: int) -> list[GeneratedFile]:
    rng = ctx.rng(DATASET_ID)
    rel = f"{DATASET_ID}/{DATASET_ID}.csv"
    with CsvWriter(ctx.out_dir / rel, HEADER, encoding="utf-8", delimiter=",") as out:
        for offset, n in chunks(rows):
            out.write(_chunk(ctx, rng, offset, n))
    return [GeneratedFile(DATASET_ID, rel, out.rows)]


DATASET = DatasetDef(DATASET_ID, SECTOR, size, write)
