"""``notificaciones_salud``: individual notifications of public-health events (SIVIGILA-like).

The benchmark table (one row per notification, ``--rows`` of them). Written as a Windows
export of the Secretaría Distrital de Salud would be: ISO-8859-1, ``;``, CRLF, decimal comma,
``d/mm/yy`` notification dates (a tenth ``dd/mm/yyyy``), upper-case names, cédulas with and
without dots, localidades as ``01 - Usaquén``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from samples import dirt
from samples.base import Context, DatasetDef, GeneratedFile, chunks
from samples.pools import addresses as grid_addresses
from samples.pools import (
    ages,
    birth_dates,
    completed_years,
    decimal_comma,
    doc_types_by_age,
    document_numbers,
    dotted,
    format_dates,
    localidad_index,
    names,
    phones,
    pick,
    pick_index,
    render_unique,
    to_str,
    ymd,
)
from samples.reference import ESTRATO_SHARE, LOCALIDADES
from samples.writers import CsvWriter

DATASET_ID = "notificaciones_salud"
SECTOR = "salud"
START = dt.date(2024, 1, 1)
END = dt.date(2025, 6, 7)

HEADER = (
    "ID Notificación",
    "Fecha de notificación",
    "Semana epidemiológica",
    "Año",
    "Código evento",
    "Evento",
    "Fecha inicio síntomas",
    "Nombre del paciente",
    "Tipo de documento",
    "Número de documento",
    "Fecha de nacimiento",
    "Edad",
    "Unidad de medida edad",
    "Sexo",
    "Teléfono",
    "Dirección de residencia",
    "Localidad de residencia",
    "UPZ",
    "Régimen",
    "EPS",
    "UPGD notificadora",
    "Peso (kg)",
    "Temperatura (°C)",
    "Hospitalizado",
    "Condición final",
)

# Age profiles: weights of the 5-year bands 0-4 … 95-99.
# fmt: off
_PROFILES: dict[str, Sequence[float]] = {
    "general": [5.5, 6, 6.5, 7, 8.5, 9, 8.5, 8, 7, 6.5, 6, 5.5, 4.5, 3.5, 2.7, 1.8, 1.1, .6, .25,
                .05],
    "ira": [30, 8, 4, 2, 2, 2, 2, 2, 2, 2, 2, 3, 4, 5, 6, 6, 6, 5, 3, 1],
    "adults": [1, 2, 3, 6, 10, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1, .5, .2, .1],
    "tb": [.5, .5, .5, 3, 8, 10, 10, 9, 8, 8, 8, 8, 7, 6, 5, 4, 3, 2, 1, .3],
    "children": [30, 35, 20, 7, 3, 2, 1.5, 1, .5, .3, .2, .1, .1, .05, .05, 0, 0, 0, 0, 0],
    "young": [0, 0, 8, 30, 25, 15, 8, 5, 3, 2, 1.5, 1, .8, .5, .3, .2, .1, .05, 0, 0],
    "violencia": [10, 8, 9, 12, 15, 13, 10, 8, 5, 3, 2, 1.5, 1, .8, .5, .4, .3, .2, .1, 0],
    "under5": [1] + [0] * 19,
    "newborn": [1] + [0] * 19,
    "fertile": [0, 0, 2, 15, 25, 25, 18, 10, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "older_women": [0, 0, 0, 0, 1, 3, 6, 9, 11, 12, 12, 11, 10, 8, 6, 4, 3, 2, 1, 0],
}

# fmt: on
# code, name, weight, age profile, female share, P(hospitalised), P(death), fever mean (°C)
EVENTS: tuple[tuple[int, str, float, str, float, float, float, float], ...] = (
    (345, "ESI - IRAG (vigilancia centinela)", 18, "ira", 0.50, 0.55, 0.030, 38.4),
    (348, "IRAG inusitado", 3, "ira", 0.50, 0.90, 0.080, 38.6),
    (210, "Dengue", 9, "adults", 0.50, 0.15, 0.002, 38.8),
    (220, "Dengue grave", 0.5, "adults", 0.50, 1.0, 0.050, 39.0),
    (813, "Tuberculosis", 5, "tb", 0.35, 0.30, 0.040, 37.6),
    (831, "Varicela individual", 10, "children", 0.50, 0.02, 0.0, 37.9),
    (365, "Intoxicaciones por sustancias químicas", 6, "young", 0.50, 0.40, 0.010, 0.0),
    (875, "Violencia de género e intrafamiliar", 14, "violencia", 0.78, 0.08, 0.002, 0.0),
    (356, "Intento de suicidio", 6, "young", 0.65, 0.45, 0.005, 0.0),
    (
        300,
        "Agresiones por animales potencialmente transmisores de rabia",
        9,
        "general",
        0.50,
        0.01,
        0.0,
        0.0,
    ),
    (113, "Desnutrición aguda en menores de 5 años", 3, "under5", 0.48, 0.12, 0.003, 0.0),
    (110, "Bajo peso al nacer", 2, "newborn", 0.55, 0.60, 0.010, 0.0),
    (549, "Morbilidad materna extrema", 3, "fertile", 1.0, 1.0, 0.010, 0.0),
    (620, "Parotiditis", 3, "young", 0.45, 0.01, 0.0, 37.8),
    (850, "VIH/SIDA/Mortalidad por SIDA", 3, "adults", 0.20, 0.10, 0.020, 0.0),
    (740, "Sífilis gestacional", 1.5, "fertile", 1.0, 0.05, 0.0, 0.0),
    (155, "Cáncer de mama y cuello uterino", 2, "older_women", 1.0, 0.30, 0.020, 0.0),
    (342, "Enfermedades huérfanas - raras", 1.5, "general", 0.50, 0.30, 0.010, 0.0),
)
EVENT_NAMES = tuple(e[1] for e in EVENTS)

_SUBRED_UNITS = {
    "Norte": (
        "Subred Integrada de Servicios de Salud Norte E.S.E. - USS Simón Bolívar",
        "Subred Norte - USS Engativá",
        "Subred Norte - USS Suba",
        "Subred Norte - USS Chapinero",
    ),
    "Centro Oriente": (
        "Subred Integrada de Servicios de Salud Centro Oriente E.S.E. - USS Santa Clara",
        "Subred Centro Oriente - USS San Blas",
        "Subred Centro Oriente - USS La Victoria",
        "Subred Centro Oriente - USS Jorge Eliécer Gaitán",
    ),
    "Sur": (
        "Subred Integrada de Servicios de Salud Sur E.S.E. - USS Tunal",
        "Subred Sur - USS Meissen",
        "Subred Sur - USS Usme",
        "Subred Sur - USS Vista Hermosa",
    ),
    "Sur Occidente": (
        "Subred Integrada de Servicios de Salud Sur Occidente E.S.E. - USS Kennedy",
        "Subred Sur Occidente - USS Bosa",
        "Subred Sur Occidente - USS Fontibón",
        "Subred Sur Occidente - USS Pablo VI Bosa",
    ),
}
_SUBRED_OF = [
    "Norte",
    "Norte",
    "Centro Oriente",
    "Centro Oriente",
    "Sur",
    "Sur",
    "Sur Occidente",
    "Sur Occidente",
    "Sur Occidente",
    "Norte",
    "Norte",
    "Norte",
    "Norte",
    "Centro Oriente",
    "Centro Oriente",
    "Sur Occidente",
    "Centro Oriente",
    "Centro Oriente",
    "Sur",
    "Sur",
]
_PRIVATE_UPGD = (
    "Hospital Universitario San Ignacio",
    "Fundación Santa Fe de Bogotá",
    "Fundación Cardioinfantil - LaCardio",
    "Clínica Colsanitas Reina Sofía",
    "Clínica del Country",
    "Hospital Militar Central",
    "Hospital de San José",
    "Clínica Universitaria Colombia",
    "Méderi - Hospital Universitario Mayor",
    "IPS Compensar Calle 94",
    "Virrey Solís IPS Kennedy",
    "Clínica Infantil Santa María del Lago",
    "Clínica Juan N. Corpas",
)
_EPS_CONTRIBUTIVO = (
    "EPS Sanitas",
    "Compensar EPS",
    "Famisanar EPS",
    "Nueva EPS",
    "Salud Total EPS-S",
    "EPS Sura",
    "Aliansalud EPS",
    "Coosalud EPS-S",
)
_EPS_CONTRIB_P = (20, 22, 14, 14, 12, 10, 4, 4)
_EPS_SUBSIDIADO = (
    "Capital Salud EPS-S",
    "Nueva EPS",
    "Famisanar EPS",
    "Salud Total EPS-S",
    "Mutual Ser EPS-S",
)
_EPS_SUBSID_P = (65, 12, 10, 8, 5)
_EPS_ESPECIAL = ("Fuerzas Militares", "Policía Nacional", "Magisterio - FOMAG", "Ecopetrol")
REGIMENES = ("Contributivo", "Subsidiado", "Especial", "Excepción", "No asegurado")


def size(rows: int) -> int:
    return rows


def _epi_week(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Epidemiological week (Sunday-Saturday, INS/MMWR rule) and its year: the ISO week of
    the following day."""
    uniq, inverse = np.unique(days, return_inverse=True)
    weeks, years = [], []
    for d in uniq.tolist():
        iso = (d + dt.timedelta(days=1)).isocalendar()
        weeks.append(iso.week)
        years.append(iso.year)
    inverse = inverse.reshape(-1)
    return np.array(weeks)[inverse], np.array(years)[inverse]


def _day_weights() -> np.ndarray:
    """Fewer notifications on weekends, two respiratory peaks (April-May, October-November)."""
    days = np.arange(np.datetime64(START), np.datetime64(END) + 1)
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    w = np.where(weekday == 6, 0.35, np.where(weekday == 5, 0.7, 1.0))
    doy = (days - days.astype("datetime64[Y]")).astype(np.int64)
    w = w * (1 + 0.25 * np.cos(2 * np.pi * (doy - 130) / 182.5))
    return w / w.sum()


def _weights_kg(age_years: np.ndarray, female: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    base = np.interp(
        age_years, [0, 1, 2, 5, 10, 15, 18, 30, 60, 90], [3.3, 9.5, 12, 18, 32, 52, 60, 68, 70, 62]
    )
    adult_sex = np.where(age_years >= 15, np.where(female, 0.88, 1.08), 1.0)
    return base * adult_sex * rng.lognormal(0, 0.13, size=len(age_years))


def _chunk(
    ctx: Context, rng: np.random.Generator, offset: int, n: int, day_p: np.ndarray
) -> list[np.ndarray]:
    ev = pick_index(rng, n, [e[2] for e in EVENTS])
    code = np.array([e[0] for e in EVENTS])[ev]
    profile = np.array([e[3] for e in EVENTS], dtype=object)[ev]
    f_share = np.array([e[4] for e in EVENTS])[ev]
    female = rng.random(n) < f_share

    notif = np.datetime64(START) + pick_index(rng, n, day_p).astype("timedelta64[D]")
    age_y = np.zeros(n, dtype=np.int64)
    for name, bands in _PROFILES.items():
        mask = profile == name
        if mask.any():
            age_y[mask] = ages(rng, int(mask.sum()), bands)
    born = birth_dates(rng, age_y, notif)
    newborn = profile == "newborn"
    born[newborn] = notif[newborn] - rng.integers(0, 8, int(newborn.sum())).astype("timedelta64[D]")
    under1 = profile == "under5"
    born[under1] = notif[under1] - rng.integers(20, 5 * 365, int(under1.sum())).astype(
        "timedelta64[D]"
    )
    age_days = (notif - born).astype(np.int64)
    years = completed_years(born, notif)
    unit = np.where(age_days < 30, "Días", np.where(years < 1, "Meses", "Años")).astype(object)
    edad_num = np.where(age_days < 30, age_days, np.where(years < 1, age_days // 30, years))
    edad = to_str(edad_num)

    loc = localidad_index(rng, n)
    week, epi_year = _epi_week(notif)
    fmt_long = rng.random(n) < 0.1
    fecha_notif = np.where(
        fmt_long, format_dates(notif, "dd/mm/yyyy"), format_dates(notif, "d/mm/yy")
    ).astype(object)
    onset = notif - rng.integers(0, 11, n).astype("timedelta64[D]")
    fecha_onset = format_dates(onset, "d/mm/yy")

    who = names(rng, ctx.pools, female)
    full = who.full()
    nombre = np.array([v.upper() for v in full.tolist()], dtype=object)
    title_case = rng.random(n) < 0.15
    nombre[title_case] = full[title_case]
    by, _, _ = ymd(born)
    tipo_doc = doc_types_by_age(rng, years)
    numero = document_numbers(rng, tipo_doc, by, female)
    numero = dotted(numero, (tipo_doc == "CC") & (rng.random(n) < 0.25))

    estrato1 = ESTRATO_SHARE[loc, 0]
    p_subs = 0.12 + 0.45 * estrato1
    u = rng.random(n)
    regimen_idx = np.select(
        [u < p_subs, u < p_subs + 0.02, u < p_subs + 0.04, u < p_subs + 0.07],
        [1, 2, 3, 4],
        default=0,
    )
    regimen = np.array(REGIMENES, dtype=object)[regimen_idx]
    eps = np.where(
        regimen_idx == 1,
        pick(rng, _EPS_SUBSIDIADO, n, _EPS_SUBSID_P),
        np.where(
            regimen_idx >= 2,
            pick(rng, _EPS_ESPECIAL, n),
            pick(rng, _EPS_CONTRIBUTIVO, n, _EPS_CONTRIB_P),
        ),
    ).astype(object)
    eps[regimen_idx == 4] = ""

    public = rng.random(n) < 0.55
    unit_pick = rng.integers(0, 4, n)
    subred = [
        _SUBRED_UNITS[_SUBRED_OF[i]][j]
        for i, j in zip(loc.tolist(), unit_pick.tolist(), strict=True)
    ]
    upgd = np.where(public, np.array(subred, dtype=object), pick(rng, _PRIVATE_UPGD, n)).astype(
        object
    )

    age_float = age_days / 365.25
    peso = _weights_kg(age_float, female, rng)
    low_bw = code == 110
    peso[low_bw] = rng.uniform(1.2, 2.49, int(low_bw.sum()))
    fever = np.array([e[7] for e in EVENTS])[ev]
    temp = np.where(fever > 0, rng.normal(fever, 0.5), rng.normal(36.6, 0.3))
    hosp = rng.random(n) < np.array([e[5] for e in EVENTS])[ev]
    death_p = np.array([e[6] for e in EVENTS])[ev] * np.where(age_y >= 70, 3.0, 1.0)
    dead = rng.random(n) < death_p
    cond = np.where(dead, "Muerto", "Vivo").astype(object)
    cond[rng.random(n) < 0.01] = "No sabe"

    upz_pool = [LOCALIDADES[i].upz for i in range(len(LOCALIDADES))]
    upz_pick = rng.integers(0, 1 << 20, n)
    upz = np.array(
        [
            upz_pool[i][j % len(upz_pool[i])]
            for i, j in zip(loc.tolist(), upz_pick.tolist(), strict=True)
        ],
        dtype=object,
    )

    cols: list[np.ndarray] = [
        to_str(offset + 100_001 + np.arange(n)),
        fecha_notif,
        to_str(week),
        to_str(epi_year),
        to_str(code),
        np.array(EVENT_NAMES, dtype=object)[ev],
        fecha_onset,
        nombre,
        tipo_doc,
        numero,
        format_dates(born, "dd/mm/yyyy"),
        edad,
        unit,
        np.where(female, "F", "M").astype(object),
        phones(rng, n, landline_rate=0.12),
        grid_addresses(rng, loc),
        dirt.localidades(rng, loc, "code_name", rate=0.03),
        upz,
        regimen,
        eps,
        upgd,
        decimal_comma(peso, 1),
        render_unique(np.round(temp, 1), lambda v: f"{v:.1f}".replace(".", ",")),
        np.where(hosp, "Sí", "No").astype(object),
        cond,
    ]
    _dirty(rng, cols)
    return cols


def _dirty(rng: np.random.Generator, cols: list[np.ndarray]) -> None:
    ix = {name: i for i, name in enumerate(HEADER)}
    dirt.blanks(rng, cols[ix["Teléfono"]], 0.05)
    dirt.blanks(rng, cols[ix["Dirección de residencia"]], 0.02)
    dirt.blanks(rng, cols[ix["UPZ"]], 0.08)
    dirt.blanks(rng, cols[ix["Fecha inicio síntomas"]], 0.04)
    dirt.blanks(rng, cols[ix["Peso (kg)"]], 0.10)
    dirt.blanks(rng, cols[ix["Temperatura (°C)"]], 0.15)
    dirt.blanks(rng, cols[ix["Sexo"]], 0.002)
    dirt.inject(rng, cols[ix["Edad"]], ["n/a", "treinta", "N.A.", "cuarenta y dos"], 0.0005)
    dirt.inject(
        rng, cols[ix["Fecha de notificación"]], ["31/02/24", "30/02/2025", "15/13/24"], 0.0003
    )
    dirt.inject(rng, cols[ix["Peso (kg)"]], ["12,5,3", "65..2", "sesenta"], 0.0003)
    dirt.mixed_case(rng, cols[ix["Dirección de residencia"]], 0.02)
    dirt.stray_spaces(rng, cols[ix["Nombre del paciente"]], 0.01)
    dirt.stray_spaces(rng, cols[ix["Número de documento"]], 0.003)
    dirt.duplicate_rows(rng, cols, 0.002)


def write(ctx: Context, rows: int) -> list[GeneratedFile]:
    rng = ctx.rng(DATASET_ID)
    rel = f"{DATASET_ID}/{DATASET_ID}.csv"
    day_p = _day_weights()
    with CsvWriter(
        ctx.out_dir / rel, HEADER, encoding="latin-1", delimiter=";", lineterminator="\r\n"
    ) as out:
        for offset, n in chunks(rows):
            out.write(_chunk(ctx, rng, offset, n, day_p))
    return [GeneratedFile(DATASET_ID, rel, out.rows)]


DATASET = DatasetDef(DATASET_ID, SECTOR, size, write)
