"""``registro_empresas``: business registrations in Bogotá (mercantile registry, RUES-like).

Parquet, as the Secretaría Distrital de Desarrollo Económico receives it from the chamber of
commerce's data exchange: upper-case column names, almost everything typed as text (dates
``YYYYMMDD``, assets with a decimal comma) except the employee count. NITs carry a valid DIAN
check digit; a persona natural's NIT is their cédula.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from samples import dirt
from samples.base import Context, DatasetDef, GeneratedFile, chunks
from samples.pools import (
    addresses,
    ages,
    birth_dates,
    decimal_comma,
    document_numbers,
    format_dates,
    format_nit,
    localidad_index,
    names,
    phones,
    pick,
    pick_index,
    ymd,
)
from samples.reference import strip_accents
from samples.writers import ParquetWriter

DATASET_ID = "registro_empresas"
SECTOR = "desarrollo_economico"
CUTOFF = dt.date(2025, 5, 31)

SCHEMA = pa.schema(
    [
        ("MATRICULA", pa.string()),
        ("NIT", pa.string()),
        ("RAZON_SOCIAL", pa.string()),
        ("ORGANIZACION_JURIDICA", pa.string()),
        ("CIIU", pa.string()),
        ("ACTIVIDAD_ECONOMICA", pa.string()),
        ("FECHA_MATRICULA", pa.string()),
        ("FECHA_RENOVACION", pa.string()),
        ("ULTIMO_ANO_RENOVADO", pa.int32()),
        ("ESTADO_MATRICULA", pa.string()),
        ("TAMANO_EMPRESA", pa.string()),
        ("LOCALIDAD", pa.string()),
        ("DIRECCION_COMERCIAL", pa.string()),
        ("TELEFONO_COMERCIAL", pa.string()),
        ("CORREO_COMERCIAL", pa.string()),
        ("REPRESENTANTE_LEGAL", pa.string()),
        ("NUM_ID_REPRESENTANTE", pa.string()),
        ("ACTIVOS_TOTALES", pa.string()),
        ("EMPLEADOS", pa.int32()),
    ]
)

CIIU: tuple[tuple[str, str, float], ...] = (
    (
        "4711",
        "Comercio al por menor en establecimientos no especializados con surtido compuesto "
        "principalmente por alimentos, bebidas o tabaco",
        14,
    ),
    ("5611", "Expendio a la mesa de comidas preparadas", 9),
    (
        "4771",
        "Comercio al por menor de prendas de vestir y sus accesorios (incluye artículos de "
        "piel) en establecimientos especializados",
        6,
    ),
    ("9602", "Peluquería y otros tratamientos de belleza", 5),
    (
        "4530",
        "Comercio de partes, piezas (autopartes) y accesorios (lujos) para vehículos automotores",
        3,
    ),
    ("4923", "Transporte de carga por carretera", 3),
    (
        "6201",
        "Actividades de desarrollo de sistemas informáticos (planificación, análisis, "
        "diseño, programación, pruebas)",
        5,
    ),
    ("7020", "Actividades de consultoría de gestión", 6),
    ("6810", "Actividades inmobiliarias realizadas con bienes propios o arrendados", 4),
    ("4111", "Construcción de edificios residenciales", 3),
    ("1410", "Confección de prendas de vestir, excepto prendas de piel", 4),
    ("1811", "Actividades de impresión", 1.5),
    ("4631", "Comercio al por mayor de productos alimenticios", 2),
    ("6910", "Actividades jurídicas", 3),
    (
        "6920",
        "Actividades de contabilidad, teneduría de libros, auditoría financiera y asesoría "
        "tributaria",
        3,
    ),
    ("8299", "Otras actividades de servicio de apoyo a las empresas n.c.p.", 3),
    (
        "4752",
        "Comercio al por menor de artículos de ferretería, pinturas y productos de vidrio "
        "en establecimientos especializados",
        3,
    ),
    (
        "4773",
        "Comercio al por menor de productos farmacéuticos y medicinales, cosméticos y "
        "artículos de tocador en establecimientos especializados",
        3,
    ),
    ("8621", "Actividades de la práctica médica, sin internación", 2),
    ("7310", "Publicidad", 2),
    ("5511", "Alojamiento en hoteles", 1),
    ("4520", "Mantenimiento y reparación de vehículos automotores", 3),
    ("1081", "Elaboración de productos de panadería", 2.5),
    ("4321", "Instalaciones eléctricas", 1.5),
    ("5613", "Expendio de comidas preparadas en cafeterías", 3),
)
ORGANIZACIONES = (
    "Persona natural",
    "Sociedad por acciones simplificada",
    "Sociedad limitada",
    "Sociedad anónima",
    "Empresa unipersonal",
    "Sociedad en comandita simple",
)
_ORG_P = (55, 38, 3, 2, 1, 1)
_SUFFIX = ("", ("S.A.S.", "S.A.S", "SAS"), ("LTDA", "LTDA."), ("S.A.",), ("E.U.",), ("S. EN C.",))
TAMANOS = ("Microempresa", "Pequeña", "Mediana", "Grande")
ESTADOS = ("ACTIVA", "CANCELADA", "EN LIQUIDACION")
_WORD1 = (
    "INVERSIONES",
    "SOLUCIONES",
    "TECNOLOGIA",
    "CONSTRUCTORA",
    "GRUPO",
    "COMERCIALIZADORA",
    "SERVICIOS",
    "INGENIERIA",
    "LOGISTICA",
    "CONSULTORES",
    "ALIMENTOS",
    "CONFECCIONES",
    "TRANSPORTES",
    "INMOBILIARIA",
    "DISTRIBUIDORA",
    "IMPORTACIONES",
)
_WORD2 = (
    "ANDINA",
    "DEL NORTE",
    "CAPITAL",
    "INTEGRALES",
    "GLOBAL",
    "COLOMBIA",
    "BOGOTA",
    "ESTRATEGICAS",
    "DIGITAL",
    "EXPRESS",
    "PREMIUM",
    "DEL SUR",
    "SANTAFE",
    "SABANA",
    "MONSERRATE",
    "EL DORADO",
)


def size(rows: int) -> int:
    return max(1, rows // 4)


def _nit_base(rng: np.random.Generator, year: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Companies' NITs grow with time: 860… (old Bogotá firms), 800…, 830…, 900…, 901…."""
    lo = np.select(
        [year < 1990, year < 1997, year < 2007, year < 2016],
        [860_000_000, 800_000_000, 830_000_000, 900_000_000],
        901_000_000,
    )
    span = np.select(
        [year < 1990, year < 1997, year < 2007, year < 2016],
        [999_000, 299_000, 999_000, 999_000],
        899_000,
    )
    jitter = rng.integers(0, 2000, len(year))
    return (lo + frac * span + jitter).astype(np.int64)


def _razon_social(
    rng: np.random.Generator,
    org: np.ndarray,
    s1: np.ndarray,
    s2: np.ndarray,
    person_name: np.ndarray,
) -> np.ndarray:
    n = len(org)
    style = rng.integers(0, 4, n).tolist()
    w1 = pick(rng, _WORD1, n).tolist()
    w2 = pick(rng, _WORD2, n).tolist()
    suf_pick = rng.integers(0, 3, n).tolist()
    out = []
    for o, st, a, b, x, y, p, sp in zip(
        org.tolist(),
        style,
        w1,
        w2,
        s1.tolist(),
        s2.tolist(),
        person_name.tolist(),
        suf_pick,
        strict=True,
    ):
        if o == 0:
            out.append(p)
            continue
        x, y = strip_accents(x).upper(), strip_accents(y).upper()
        base = (f"{a} {x} {y}", f"{x} & ASOCIADOS", f"{a} {b}", f"{a} {x} {b}")[st]
        suffixes = _SUFFIX[o]
        out.append(f"{base} {suffixes[sp % len(suffixes)]}")
    return np.array(out, dtype=object)


def _emails(rng: np.random.Generator, razon: np.ndarray, personal: np.ndarray) -> np.ndarray:
    n = len(razon)
    box = pick(rng, ["contacto", "gerencia", "info", "ventas", "administracion"], n).tolist()
    tld = pick(rng, [".com.co", ".com", ".co"], n, [60, 30, 10]).tolist()
    out = []
    for r, bx, t, pers, free in zip(
        razon.tolist(), box, tld, personal.tolist(), (rng.random(n) < 0.45).tolist(), strict=True
    ):
        if free:
            out.append(pers)
            continue
        words = [
            w
            for w in strip_accents(r).lower().replace("&", " ").split()
            if w
            not in {
                "s.a.s.",
                "s.a.s",
                "sas",
                "ltda",
                "ltda.",
                "s.a.",
                "e.u.",
                "s.",
                "en",
                "c.",
                "de",
                "del",
                "el",
            }
        ]
        slug = "".join(words[:2]) or "empresa"
        out.append(f"{bx}@{slug}{t}")
    return np.array(out, dtype=object)


def _chunk(ctx: Context, rng: np.random.Generator, offset: int, n: int) -> list[np.ndarray]:
    org = pick_index(rng, n, _ORG_P)
    # Registrations are recent-heavy: most businesses in the registry are young.
    age_years = np.minimum(rng.exponential(7.0, n), 55)
    reg = np.datetime64(CUTOFF) - np.floor(age_years * 365.25).astype("timedelta64[D]")
    reg_year, _, _ = ymd(reg)
    org = np.where((org == 4) & (reg_year >= 2009), 1, org)  # E.U. disappeared in 2008
    frac = (reg - reg.astype("datetime64[Y]")).astype(np.int64) / 366
    nit_base = _nit_base(rng, reg_year, frac)

    female = rng.random(n) < 0.45
    rep = names(rng, ctx.pools, female)
    rep_age = np.maximum(
        ages(rng, n, [0, 0, 0, 0, 5, 10, 12, 12, 12, 11, 10, 9, 7, 5, 3, 2, 1, 0.5, 0, 0]),
        18 + age_years.astype(np.int64),
    )
    born = birth_dates(rng, rep_age, np.full(n, np.datetime64(CUTOFF)))
    by, _, _ = ymd(born)
    cedula = document_numbers(rng, np.full(n, "CC", dtype=object), by, female)
    natural = org == 0
    nit_base = np.where(natural, cedula.astype(np.int64), nit_base)
    nit = format_nit(nit_base, rng.random(n) < 0.9)

    rep_name = rep.full_upper()
    s1, s2 = rep.surnames()
    razon = _razon_social(rng, org, s1, s2, rep_name)
    size_class = np.where(
        natural, pick_index(rng, n, [97, 2.7, 0.3, 0]), pick_index(rng, n, [75, 17, 6, 2])
    )
    act_mu = np.array([17.0, 20.2, 22.5, 25.0])[size_class]
    activos = rng.lognormal(act_mu, 0.8)
    emp_lo = np.array([1, 11, 51, 201])[size_class]
    emp_hi = np.array([10, 50, 200, 3000])[size_class]
    empleados = (emp_lo + np.floor(rng.random(n) ** 2 * (emp_hi - emp_lo + 1))).astype(np.int64)

    estado_idx = pick_index(rng, n, [82, 15, 3])
    renewed = np.where(
        estado_idx == 0,
        np.where(rng.random(n) < 0.85, 2025, 2024),
        np.maximum(reg_year, 2025 - rng.integers(1, 8, n)),
    )
    renewed = np.maximum(renewed, reg_year)
    renov_day = (renewed - 1970).astype("datetime64[Y]").astype("datetime64[D]") + (
        1 + rng.integers(0, 88, n)
    ).astype("timedelta64[D]")
    renov_day = np.maximum(renov_day, reg)

    ciiu = pick_index(rng, n, [c[2] for c in CIIU])
    loc = localidad_index(rng, n)
    mat = 100_000 + (offset + np.arange(n)) * 5 + rng.integers(0, 5, n)
    cols: list[np.ndarray] = [
        np.array([f"{m:08d}" for m in mat.tolist()], dtype=object),
        nit,
        razon,
        np.array(ORGANIZACIONES, dtype=object)[org],
        np.array([c[0] for c in CIIU], dtype=object)[ciiu],
        np.array([c[1] for c in CIIU], dtype=object)[ciiu],
        format_dates(reg, "yyyymmdd"),
        format_dates(renov_day, "yyyymmdd"),
        renewed.astype(np.int32),
        np.array(ESTADOS, dtype=object)[estado_idx],
        np.array(TAMANOS, dtype=object)[size_class],
        dirt.localidades(rng, loc, "upper_ascii", rate=0.03),
        addresses(rng, loc),
        phones(rng, n, landline_rate=0.35),
        _emails(rng, razon, rep.emails(rng)),
        rep_name,
        cedula,
        decimal_comma(activos, 2),
        empleados.astype(object),
    ]
    ix = {name: i for i, name in enumerate(SCHEMA.names)}
    dirt.blanks(rng, cols[ix["CORREO_COMERCIAL"]], 0.06, value=None)
    dirt.blanks(rng, cols[ix["TELEFONO_COMERCIAL"]], 0.03, value=None)
    dirt.blanks(rng, cols[ix["EMPLEADOS"]], 0.05, value=None)
    dirt.blanks(rng, cols[ix["LOCALIDAD"]], 0.01, value=None)
    dirt.inject(rng, cols[ix["ACTIVOS_TOTALES"]], ["12,5,3", "N.D."], 0.0005)
    dirt.inject(rng, cols[ix["FECHA_MATRICULA"]], ["20240231", "2019-13-01"], 0.0005)
    dirt.mixed_case(rng, cols[ix["RAZON_SOCIAL"]], 0.02)
    dirt.stray_spaces(rng, cols[ix["RAZON_SOCIAL"]], 0.01)
    dirt.duplicate_rows(rng, cols, 0.002)
    return cols


def write(ctx: Context, rows: int) -> list[GeneratedFile]:
    rng = ctx.rng(DATASET_ID)
    rel = f"{DATASET_ID}/{DATASET_ID}.parquet"
    with ParquetWriter(ctx.out_dir / rel, SCHEMA) as out:
        for offset, n in chunks(rows):
            out.write(_chunk(ctx, rng, offset, n))
    return [GeneratedFile(DATASET_ID, rel, out.rows)]


DATASET = DatasetDef(DATASET_ID, SECTOR, size, write)
