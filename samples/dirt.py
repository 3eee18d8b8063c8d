"""The dirt real district files carry, injected at low but nonzero, deterministic rates.

The platform's parsing, normalisation and quality checks are only tested if the samples are
as messy as the files publishers actually drop: localidades spelled twenty ways, blanks,
repeated rows from double exports, ``n/a`` in a numeric column, ``31/02/24``, ``12,5,3``,
names in random case. Every injector guarantees at least ``minimum`` affected rows (when the
table is not empty) so that even a 100-row demo shows each problem once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from samples.reference import FUERA_DE_BOGOTA, LOCALIDADES, strip_accents

Obj = np.ndarray


def how_many(n: int, rate: float, minimum: int = 1) -> int:
    """Number of rows to spoil: ``rate`` of ``n``, at least ``minimum``, never more than ``n``."""
    if n <= 0:
        return 0
    return min(n, max(minimum, round(n * rate)))


def choose_rows(rng: np.random.Generator, n: int, rate: float, minimum: int = 1) -> np.ndarray:
    """Distinct row indices to spoil, sorted."""
    k = how_many(n, rate, minimum)
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(rng.choice(n, size=k, replace=False))


# ---------------------------------------------------------------------------------------------
# Localidades

LOCALIDAD_STYLES = ("code_name", "title", "upper", "upper_ascii")


def _canonical(style: str) -> list[str]:
    if style == "code_name":
        return [loc.code_name for loc in LOCALIDADES]
    if style == "title":
        return [loc.name for loc in LOCALIDADES]
    if style == "upper":
        return [loc.name.upper() for loc in LOCALIDADES]
    if style == "upper_ascii":
        return [strip_accents(loc.name).upper() for loc in LOCALIDADES]
    raise ValueError(f"unknown localidad style {style!r} (one of {LOCALIDAD_STYLES})")


def _variants(code: int, name: str) -> list[str]:
    plain = strip_accents(name)
    out = [
        f"{code:02d} - {name}",
        name,
        name.upper(),
        plain.upper(),
        plain,
        name.lower(),
        f"{code:02d}",
        str(code),
        f" {name}",
        f"{name} ",
        f"  {plain.upper()} ",
        f"{code} - {plain.upper()}",
        f"Localidad {name}",
        f"{code}. {name}",
        f"{code:02d}-{plain}",
    ]
    if code == 18:
        out += ["Rafael Uribe", "RAFAEL URIBE", "Rafael Uribe Uribe ", "R. Uribe Uribe"]
    if code == 19:
        out += ["CIUDAD BOLIVAR", "Ciudad Bolivar", "Cdad. Bolívar"]
    if code == 3:
        out += ["Santafe", "SANTAFE"]
    if code == 1:
        out += ["USAQUEN", "Usaquen"]
    return out


_VARIANTS = [_variants(loc.code, loc.name) for loc in LOCALIDADES]
_SPECIALS = (
    "Sin dato",
    "SIN DATO",
    "Fuera de Bogotá",
    "FUERA DE BOGOTA",
    "Sin información",
    "",
    *FUERA_DE_BOGOTA,
)


def localidades(rng: np.random.Generator, loc: np.ndarray, style: str, rate: float = 0.03) -> Obj:
    """Render localidad indices in the file's house ``style``; ``rate`` of rows get another
    spelling, and a fifth of those a non-localidad (``Sin dato``, ``Fuera de Bogotá``,
    ``Soacha``…), the way real exports mix them."""
    canonical = np.array(_canonical(style), dtype=object)
    out = canonical[loc]
    rows = choose_rows(rng, len(loc), rate)
    if len(rows) == 0:
        return out
    pick = rng.integers(0, 1 << 30, size=len(rows))
    special = rng.random(len(rows)) < 0.2
    special[0] = True  # always at least one 'Sin dato'-like value
    if len(rows) > 1:
        special[1] = False  # and at least one respelled localidad
    for row, p, sp in zip(rows.tolist(), pick.tolist(), special.tolist(), strict=True):
        if sp:
            out[row] = _SPECIALS[p % len(_SPECIALS)]
        else:
            variants = _VARIANTS[int(loc[row])]
            out[row] = variants[p % len(variants)]
    return out


# ---------------------------------------------------------------------------------------------
# Generic injectors (in place)


def blanks(
    rng: np.random.Generator, column: np.ndarray, rate: float, value: object = "", minimum: int = 1
) -> np.ndarray:
    """Empty cells: ``value`` is ``""`` for text files, ``None`` for JSON/Parquet."""
    rows = choose_rows(rng, len(column), rate, minimum)
    column[rows] = value
    return rows


def inject(
    rng: np.random.Generator,
    column: np.ndarray,
    bad_values: Sequence[object],
    rate: float = 0.001,
    minimum: int = 1,
) -> np.ndarray:
    """Unparseable values (``n/a``, ``treinta``, ``31/02/24``, ``12,5,3``)."""
    rows = choose_rows(rng, len(column), rate, minimum)
    if len(rows):
        pool = np.empty(len(bad_values), dtype=object)
        pool[:] = list(bad_values)
        column[rows] = pool[np.arange(len(rows)) % len(pool)]
    return rows


def mixed_case(rng: np.random.Generator, column: Obj, rate: float, minimum: int = 1) -> None:
    """Rows typed by someone else: UPPER, lower or Title case."""
    rows = choose_rows(rng, len(column), rate, minimum)
    how = rng.integers(0, 3, size=len(rows))
    for row, h in zip(rows.tolist(), how.tolist(), strict=True):
        value = column[row]
        if isinstance(value, str) and value:
            column[row] = (value.upper(), value.lower(), value.title())[h]


def stray_spaces(rng: np.random.Generator, column: Obj, rate: float, minimum: int = 1) -> None:
    """Leading/trailing spaces from copy-paste."""
    rows = choose_rows(rng, len(column), rate, minimum)
    how = rng.integers(0, 3, size=len(rows))
    for row, h in zip(rows.tolist(), how.tolist(), strict=True):
        value = column[row]
        if isinstance(value, str) and value:
            column[row] = (f" {value}", f"{value} ", f"  {value}  ")[h]


def duplicate_rows(
    rng: np.random.Generator, columns: Sequence[np.ndarray], rate: float = 0.002, minimum: int = 1
) -> np.ndarray:
    """Exact duplicates, the trace of a double export: row ``i`` copied onto row ``i + 1``
    (the row count does not change). Sources are even rows so copies never chain."""
    n = len(columns[0]) if columns else 0
    if n < 2:
        return np.zeros(0, dtype=np.int64)
    pairs = n // 2
    k = min(pairs, how_many(n, rate, minimum))
    sources = np.sort(rng.choice(pairs, size=k, replace=False)) * 2
    for col in columns:
        col[sources + 1] = col[sources]
    return sources
