"""``siniestros_viales``: road crashes with victims, one row per victim.

Shaped like the Secretaría Distrital de Movilidad's historical crash export: UTF-8, ``,``,
every field double-quoted, upper-case values without accents, ``YYYY/MM/DD`` dates,
``FECHA_HORA_ACC`` with a ``+00`` suffix, latitude/longitude as text (a few with a decimal
comma), police-form intersections (``KR 80-CL 34 S``). Crash-level fields repeat on every
victim of the same crash.
"""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np

from samples import dirt
from samples.base import Context, DatasetDef, GeneratedFile, chunks
from samples.pools import (
    ages,
    birth_dates,
    doc_types_by_age,
    document_numbers,
    format_dates,
    intersections,
    names,
    pick,
    pick_index,
    plates,
    render_unique,
    to_str,
    ymd,
)
from samples.reference import LOCALIDADES, POPULATION_SHARE
from samples.writers import CsvWriter

DATASET_ID = "siniestros_viales"
SECTOR = "movilidad"
START = dt.date(2023, 1, 1)
END = dt.date(2024, 12, 31)

HEADER = (
    "FORMULARIO",
    "CODIGO_ACCIDENTE",
    "CODIGO_VICTIMA",
    "FECHA_OCURRENCIA_ACC",
    "HORA_OCURRENCIA_ACC",
    "ANO_OCURRENCIA_ACC",
    "MES_OCURRENCIA_ACC",
    "DIA_OCURRENCIA_ACC",
    "DIRECCION",
    "GRAVEDAD",
    "CLASE_ACC",
    "LOCALIDAD",
    "MUNICIPIO",
    "FECHA_HORA_ACC",
    "LATITUD",
    "LONGITUD",
    "CONDICION_VICTIMA",
    "ESTADO_VICTIMA",
    "CLASE_VEHICULO",
    "SERVICIO_VEHICULO",
    "PLACA",
    "NOMBRE_VICTIMA",
    "TIPO_DOC_VICTIMA",
    "NUM_DOC_VICTIMA",
    "EDAD_VICTIMA",
    "SEXO_VICTIMA",
)

MESES = (
    "ENERO",
    "FEBRERO",
    "MARZO",
    "ABRIL",
    "MAYO",
    "JUNIO",
    "JULIO",
    "AGOSTO",
    "SEPTIEMBRE",
    "OCTUBRE",
    "NOVIEMBRE",
    "DICIEMBRE",
)
DIAS = ("LUNES", "MARTES", "MIERCOLES", "JUEVES", "VIERNES", "SABADO", "DOMINGO")
CLASES = (
    "CHOQUE",
    "ATROPELLO",
    "CAIDA DE OCUPANTE",
    "VOLCAMIENTO",
    "AUTOLESION",
    "OTRO",
    "INCENDIO",
)
CONDICIONES = ("MOTOCICLISTA", "PEATON", "CICLISTA", "PASAJERO", "CONDUCTOR", "ACOMPAÑANTE")
_CONDICION_P = (38, 25, 12, 12, 9, 4)
VEHICULOS = (
    "AUTOMOVIL",
    "CAMPERO",
    "CAMIONETA",
    "BUS",
    "BUSETA",
    "MICROBUS",
    "CAMION",
    "TRACTOCAMION",
    "TAXI",
)
_VEHICULO_P = (38, 6, 14, 12, 5, 3, 8, 3, 11)
GRAVEDADES = ("CON MUERTOS", "CON HERIDOS")

# Hour-of-day weights: commuting peaks and Friday/Saturday nights.
_HOUR_P = np.array(
    [2, 1.5, 1.2, 1, 1.5, 3.5, 6, 7, 6, 5, 5, 5.5, 6, 6, 5.5, 6, 6.5, 7, 7.5, 6.5, 5, 4, 3.5, 2.5]
)
# Traffic is where the arterials are, not only where people live.
_CRASH_P = POPULATION_SHARE * np.array(
    [1, 2.2, 1.8, 0.8, 0.7, 1, 0.9, 1, 1.4, 1, 0.9, 1.5, 1.8, 2, 1.4, 1.8, 1.2, 0.8, 0.7, 0.3]
)


def size(rows: int) -> int:
    return max(1, rows // 2)


def _coord(values: np.ndarray, short: np.ndarray, comma: np.ndarray) -> np.ndarray:
    long_txt = render_unique(np.round(values, 8), lambda v: f"{v:.8f}".rstrip("0"))
    short_txt = render_unique(np.round(values, 3), lambda v: f"{v:.3f}".rstrip("0"))
    out = np.where(short, short_txt, long_txt).astype(object)
    out[comma] = np.array([v.replace(".", ",") for v in out[comma]], dtype=object)
    return out


def _chunk(
    ctx: Context, rng: np.random.Generator, offset: int, n: int, crash_offset: int
) -> tuple[list[np.ndarray], int]:
    # Crashes and their victims: 1 victim mostly, up to 6 in a bus crash.
    per_crash = pick_index(rng, n, [70, 20, 7, 1.5, 1, 0.5]) + 1
    m = int(np.searchsorted(np.cumsum(per_crash), n)) + 1
    crash_of = np.repeat(np.arange(m), per_crash[:m])[:n]

    c_loc = pick_index(rng, m, _CRASH_P)
    c_day = np.datetime64(START) + rng.integers(0, (END - START).days + 1, m).astype(
        "timedelta64[D]"
    )
    c_hour = pick_index(rng, m, _HOUR_P)
    c_min = rng.integers(0, 60, m)
    c_clase = pick_index(rng, m, [55, 25, 12, 3, 2, 2.5, 0.5])
    lat = np.array([x.lat for x in LOCALIDADES])[c_loc] + rng.normal(0, 0.012, m)
    lon = np.array([x.lon for x in LOCALIDADES])[c_loc] + rng.normal(0, 0.012, m)
    short = rng.random(m) < 0.4
    comma = rng.random(m) < 0.02
    c_dir = intersections(rng, c_loc)
    codigo = crash_offset + 10_400_000 + np.cumsum(rng.integers(1, 40, m))
    formulario = np.array([f"A00{c:07d}" for c in (codigo - 9_000_000).tolist()], dtype=object)

    cond = pick_index(rng, n, _CONDICION_P)
    clase = c_clase[crash_of]
    cond = np.where(clase == 1, 1, cond)  # atropello: the victim is a pedestrian
    cond = np.where((clase != 1) & (cond == 1), 0, cond)
    dead = rng.random(n) < np.where(cond == 1, 0.035, 0.015)
    crash_dead = np.zeros(m, dtype=bool)
    np.logical_or.at(crash_dead, crash_of, dead)

    male_p = np.array([0.85, 0.5, 0.78, 0.45, 0.8, 0.4])[cond]
    female = rng.random(n) >= male_p
    ped_bands = [6, 5, 4, 6, 8, 8, 7, 6, 5, 5, 5, 5, 5, 5, 5, 4, 3, 2, 1, 0.5]
    road_bands = [0.5, 0.5, 1, 6, 14, 15, 13, 11, 9, 7, 6, 5, 4, 3, 2, 1, 0.5, 0.2, 0.1, 0]
    age = np.where(cond == 1, ages(rng, n, ped_bands), ages(rng, n, road_bands))
    age = np.where((cond == 0) | (cond == 4), np.maximum(age, 16), age)
    day = c_day[crash_of]
    born = birth_dates(rng, age, day)
    by, _, _ = ymd(born)
    tipo_doc = doc_types_by_age(rng, age, migrant_rate=0.05)
    numero = document_numbers(rng, tipo_doc, by, female)

    moto = cond == 0
    moto = moto | ((cond == 5) & (rng.random(n) < 0.8))
    vehiculo = pick(rng, VEHICULOS, n, _VEHICULO_P)
    vehiculo[moto] = "MOTOCICLETA"
    vehiculo[cond == 2] = "BICICLETA"
    vehiculo[cond == 1] = ""
    placa = plates(rng, moto)
    placa[(cond == 1) | (cond == 2)] = ""
    servicio = pick(rng, ["PARTICULAR", "PUBLICO", "OFICIAL"], n, [75, 23, 2])
    servicio[np.isin(vehiculo, ["BUS", "BUSETA", "MICROBUS", "TAXI"])] = "PUBLICO"
    servicio[(cond == 1) | (cond == 2)] = ""

    year, month, _ = ymd(c_day)
    weekday = (c_day.astype(np.int64) + 3) % 7
    fecha = format_dates(c_day, "yyyy/mm/dd")
    hora = np.array(
        [f"{h}:{mi:02d}:00" for h, mi in zip(c_hour.tolist(), c_min.tolist(), strict=True)],
        dtype=object,
    )
    fecha_hora = np.array(
        [
            f"{f} {h:02d}:{mi:02d}:00+00"
            for f, h, mi in zip(fecha.tolist(), c_hour.tolist(), c_min.tolist(), strict=True)
        ],
        dtype=object,
    )
    who = names(rng, ctx.pools, female)

    def per_victim(values: np.ndarray) -> np.ndarray:
        return values[crash_of]

    cols: list[np.ndarray] = [
        per_victim(formulario),
        per_victim(to_str(codigo)),
        to_str(offset + 1 + np.arange(n)),
        per_victim(fecha),
        per_victim(hora),
        per_victim(to_str(year)),
        per_victim(np.array(MESES, dtype=object)[month - 1]),
        per_victim(np.array(DIAS, dtype=object)[weekday]),
        per_victim(c_dir),
        per_victim(np.where(crash_dead, GRAVEDADES[0], GRAVEDADES[1]).astype(object)),
        per_victim(np.array(CLASES, dtype=object)[c_clase]),
        per_victim(dirt.localidades(rng, c_loc, "upper_ascii", rate=0.03)),
        np.full(n, "BOGOTA DC", dtype=object),
        per_victim(fecha_hora),
        per_victim(_coord(lat, short, comma)),
        per_victim(_coord(lon, short, comma)),
        np.array(CONDICIONES, dtype=object)[cond],
        np.where(dead, "MUERTO", "HERIDO").astype(object),
        vehiculo,
        servicio,
        placa,
        who.full_upper(),
        tipo_doc,
        numero,
        to_str(age),
        np.where(female, "FEMENINO", "MASCULINO").astype(object),
    ]
    ix = {name: i for i, name in enumerate(HEADER)}
    dirt.blanks(rng, cols[ix["NUM_DOC_VICTIMA"]], 0.08)
    dirt.blanks(rng, cols[ix["NOMBRE_VICTIMA"]], 0.05)
    dirt.blanks(rng, cols[ix["EDAD_VICTIMA"]], 0.04)
    dirt.blanks(rng, cols[ix["DIRECCION"]], 0.005)
    dirt.inject(rng, cols[ix["EDAD_VICTIMA"]], ["SD", "n/a", "treinta"], 0.001)
    dirt.inject(rng, cols[ix["FECHA_OCURRENCIA_ACC"]], ["2024/02/30", "2023/13/01"], 0.0003)
    dirt.inject(rng, cols[ix["LATITUD"]], ["4,6,12", "4.6.35"], 0.0003)
    dirt.mixed_case(rng, cols[ix["NOMBRE_VICTIMA"]], 0.01)
    dirt.stray_spaces(rng, cols[ix["PLACA"]], 0.005)
    dirt.duplicate_rows(rng, cols, 0.002)
    return cols, int(codigo[-1]) - 10_400_000


def write(ctx: Context, rows: int) -> list[GeneratedFile]:
    rng = ctx.rng(DATASET_ID)
    rel = f"{DATASET_ID}/{DATASET_ID}.csv"
    crash_offset = 0
    with CsvWriter(
        ctx.out_dir / rel, HEADER, encoding="utf-8", delimiter=",", quoting=csv.QUOTE_ALL
    ) as out:
        for offset, n in chunks(rows):
            cols, crash_offset = _chunk(ctx, rng, offset, n, crash_offset)
            out.write(cols)
    return [GeneratedFile(DATASET_ID, rel, out.rows)]


DATASET = DatasetDef(DATASET_ID, SECTOR, size, write)
