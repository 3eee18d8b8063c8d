"""Pools of realistic Colombian values, and vectorised samplers over them.

Faker (``es_CO``) is slow per call, so it only fills small pools once per seed (given names,
surnames, e-mail domains); rows are then drawn with numpy by index, which is what lets the
generator reach millions of rows. Everything that follows a Colombian convention lives here:
cédula ranges by birth year, TI/RC/PEP/PPT numbers, ``3XX`` mobiles and ``601`` landlines,
Bogotá grid addresses, e-mails built from the person's own name.

All functions take a ``numpy.random.Generator`` and return object arrays of ``str`` (or numeric
arrays) so callers can keep composing them column-wise.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from faker import Faker

from samples.reference import LOCALIDADES, POPULATION_SHARE, SUMAPAZ, VEREDAS, strip_accents

Obj = np.ndarray  # an object array of str; kept as an alias for readability

# ---------------------------------------------------------------------------------------------
# Randomness


def rng_for(seed: int, key: str) -> np.random.Generator:
    """An independent generator per (seed, dataset): ``--only`` yields the same bytes as a full
    run, and adding a dataset never shifts the others. crc32 is stable across processes, unlike
    ``hash()``."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(key.encode())]))


def pick(
    rng: np.random.Generator, values: Sequence[str], n: int, p: Sequence[float] | None = None
) -> Obj:
    """``n`` values drawn from ``values`` (with optional weights) as an object array."""
    pool = np.asarray(values, dtype=object)
    if p is not None:
        weights = np.asarray(p, dtype=float)
        return pool[rng.choice(len(pool), size=n, p=weights / weights.sum())]
    return pool[rng.integers(0, len(pool), size=n)]


def pick_index(rng: np.random.Generator, n: int, p: Sequence[float] | np.ndarray) -> np.ndarray:
    weights = np.asarray(p, dtype=float)
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def localidad_index(rng: np.random.Generator, n: int) -> np.ndarray:
    """Localidad of residence, weighted by population (Kennedy and Suba lead, Sumapaz is tiny)."""
    return pick_index(rng, n, POPULATION_SHARE)


# ---------------------------------------------------------------------------------------------
# Faker-backed pools


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Pools:
    """Name pools drawn from Faker once per seed; duplicates are kept on purpose so that common
    names (María, José, Rodríguez) stay common."""

    female: Obj
    male: Obj
    surnames: Obj
    female_ascii: Obj  # lower-case, no accents, no spaces: the e-mail spelling
    male_ascii: Obj
    surnames_ascii: Obj
    email_domains: Obj


def _ascii_slug(values: Obj) -> Obj:
    return np.array(
        [strip_accents(v).lower().replace(" ", "").replace("'", "") for v in values], dtype=object
    )


@lru_cache(maxsize=8)
def build_pools(seed: int) -> Pools:
    """Fill the pools with Faker ``es_CO``; only latin-1 safe values, because the health file is
    written in ISO-8859-1."""
    fake = Faker("es_CO")
    fake.seed_instance(seed)
    female = [v for v in (fake.first_name_female() for _ in range(1500)) if _latin1(v)]
    male = [v for v in (fake.first_name_male() for _ in range(1500)) if _latin1(v)]
    surnames = [v for v in (fake.last_name() for _ in range(3000)) if _latin1(v)]
    female_arr = np.array(female, dtype=object)
    male_arr = np.array(male, dtype=object)
    surnames_arr = np.array(surnames, dtype=object)
    domains = (
        ["gmail.com"] * 11
        + ["hotmail.com"] * 4
        + ["outlook.com"] * 2
        + [
            "yahoo.es",
            "yahoo.com",
            "une.net.co",
            "etb.net.co",
            "live.com",
            fake.free_email_domain(),
        ]
    )
    return Pools(
        female=female_arr,
        male=male_arr,
        surnames=surnames_arr,
        female_ascii=_ascii_slug(female_arr),
        male_ascii=_ascii_slug(male_arr),
        surnames_ascii=_ascii_slug(surnames_arr),
        email_domains=np.array(domains, dtype=object),
    )


# ---------------------------------------------------------------------------------------------
# People


@dataclass(frozen=True)
class Names:
    """Names as pool indices, so that the same person renders consistently in several columns
    (full name, upper-case name, e-mail)."""

    pools: Pools
    female: np.ndarray  # bool
    given1: np.ndarray
    given2: np.ndarray  # -1: no second given name
    surname1: np.ndarray
    surname2: np.ndarray

    def _given(self, idx: np.ndarray, ascii_: bool = False) -> Obj:
        fem = self.pools.female_ascii if ascii_ else self.pools.female
        mal = self.pools.male_ascii if ascii_ else self.pools.male
        safe = np.maximum(idx, 0)
        out = np.where(self.female, fem[safe % len(fem)], mal[safe % len(mal)])
        return out.astype(object)

    def first_names(self) -> Obj:
        """``María Fernanda`` (both given names)."""
        g2 = self._given(self.given2)
        g2 = np.where(self.given2 >= 0, " " + g2, "")
        return (self._given(self.given1) + g2).astype(object)

    def given(self) -> tuple[Obj, Obj]:
        """(first given name, second given name or '')."""
        g2 = np.where(self.given2 >= 0, self._given(self.given2), "").astype(object)
        return self._given(self.given1), g2

    def surnames(self) -> tuple[Obj, Obj]:
        s = self.pools.surnames
        return s[self.surname1], s[self.surname2]

    def full(self) -> Obj:
        """``María Fernanda Rodríguez Gómez``."""
        s1, s2 = self.surnames()
        return (self.first_names() + " " + s1 + " " + s2).astype(object)

    def full_upper(self) -> Obj:
        return np.array([v.upper() for v in self.full()], dtype=object)

    def emails(self, rng: np.random.Generator) -> Obj:
        """E-mails people actually use: built from their own name, with digits and a free
        domain (``mariaf.rodriguez87@gmail.com``)."""
        n = len(self.given1)
        g = self._given(self.given1, ascii_=True)
        s = self.pools.surnames_ascii[self.surname1]
        s2 = self.pools.surnames_ascii[self.surname2]
        style = rng.integers(0, 6, size=n)
        num = rng.integers(1, 99, size=n)
        year = rng.integers(60, 100, size=n)
        dom = self.pools.email_domains[rng.integers(0, len(self.pools.email_domains), size=n)]
        out = []
        for st, gi, si, s2i, nu, yy, d in zip(style, g, s, s2, num, year, dom, strict=True):
            if st == 0:
                local = f"{gi}.{si}{nu}"
            elif st == 1:
                local = f"{gi}{si}"
            elif st == 2:
                local = f"{gi[0]}{si}{s2i[0]}{nu}"
            elif st == 3:
                local = f"{gi}_{si}{yy}"
            elif st == 4:
                local = f"{gi}.{si}.{s2i}"
            else:
                local = f"{si}{gi[:3]}{yy}"
            out.append(f"{local}@{d}")
        return np.array(out, dtype=object)


def names(rng: np.random.Generator, pools: Pools, female: np.ndarray) -> Names:
    """Two given names for ~70% of people, always two surnames (the Colombian norm)."""
    n = len(female)
    given1 = rng.integers(0, 1 << 30, size=n)
    given2 = np.where(rng.random(n) < 0.7, rng.integers(0, 1 << 30, size=n), -1)
    surname1 = rng.integers(0, len(pools.surnames), size=n)
    surname2 = rng.integers(0, len(pools.surnames), size=n)
    return Names(pools, female.astype(bool), given1, given2, surname1, surname2)


#: Bogotá's age pyramid in 5-year bands 0-4 … 95-99 (rounded shares).
# fmt: off
AGE_BANDS_GENERAL = np.array([
    5.5, 6.0, 6.5, 7.0, 8.5, 9.0, 8.5, 8.0, 7.0, 6.5, 6.0, 5.5, 4.5, 3.5, 2.7, 1.8, 1.1, 0.6,
    0.25, 0.05,
])
# fmt: on


def ages(
    rng: np.random.Generator,
    n: int,
    bands: np.ndarray | Sequence[float] = AGE_BANDS_GENERAL,
) -> np.ndarray:
    """Ages in completed years drawn from 5-year band weights (uniform inside a band)."""
    w = np.asarray(bands, dtype=float)
    band = rng.choice(len(w), size=n, p=w / w.sum())
    return band * 5 + rng.integers(0, 5, size=n)


def birth_dates(rng: np.random.Generator, ages_years: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Birth dates consistent with ``ages_years`` completed years on the dates ``on``."""
    extra = rng.integers(0, 365, size=len(ages_years))
    days = np.floor(ages_years * 365.25).astype(np.int64) + extra
    return on.astype("datetime64[D]") - days.astype("timedelta64[D]")


def completed_years(born: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Age in completed years between two datetime64[D] arrays (calendar-exact)."""
    by, bm, bd = ymd(born)
    oy, om, od = ymd(on)
    before = (om < bm) | ((om == bm) & (od < bd))
    return oy - by - before.astype(np.int64)


def doc_types_by_age(
    rng: np.random.Generator, age_years: np.ndarray, migrant_rate: float = 0.04
) -> Obj:
    """RC under 7, TI 7-17, CC from 18; a share of Venezuelan migrants with PPT/PEP/CE/PA and
    a few children without document (MS) or adults without one (AS)."""
    n = len(age_years)
    out = np.where(age_years < 7, "RC", np.where(age_years < 18, "TI", "CC")).astype(object)
    migrant = rng.random(n) < migrant_rate
    mig_type = pick(rng, ["PPT", "PPT", "PPT", "PEP", "CE", "PA"], n)
    out[migrant] = mig_type[migrant]
    undocumented = rng.random(n) < 0.003
    out[undocumented] = np.where(age_years[undocumented] < 18, "MS", "AS")
    return out


def document_numbers(
    rng: np.random.Generator, doc_type: Obj, birth_year: np.ndarray, female: np.ndarray
) -> Obj:
    """Plain-digit document numbers that look like the real series.

    Cédulas issued before 2004 are 7-8 digits in sex-specific Bogotá series (men 19.xxx.xxx,
    79.xxx.xxx, 80.xxx.xxx; women 41.xxx.xxx, 51.xxx.xxx, 52.xxx.xxx); people born from 1985
    on carry the 10-digit NUIP series 1.0xx.xxx.xxx. TI/RC are NUIP too.
    """
    n = len(doc_type)
    u = rng.random(n)
    by = birth_year
    male_old = np.where(u < 0.5, 17_000_000 + u * 2 * 3_000_000, 79_000_000 + (u - 0.5) * 2e6)
    fem_old = np.where(u < 0.5, 41_000_000 + u * 2 * 1_000_000, 51_000_000 + (u - 0.5) * 2e6)
    male_mid = 79_300_000 + u * 1_700_000
    fem_mid = 51_500_000 + u * 1_700_000
    nuip = 1_000_000_000 + np.clip(by - 1985, 0, 60) * 900_000 + u * 2_500_000
    other_dept = rng.random(n) < 0.12
    nuip = np.where(other_dept, nuip + 100_000_000 + u * 20_000_000, nuip)
    cc = np.select(
        [by < 1966, by < 1985],
        [np.where(female, fem_old, male_old), np.where(female, fem_mid, male_mid)],
        default=nuip,
    ).astype(np.int64)
    ti = (1_000_000_000 + np.clip(by - 1995, 0, 40) * 1_400_000 + u * 3_000_000).astype(np.int64)
    ce = rng.integers(100_000, 9_999_999, size=n)
    ppt = rng.integers(1_000_000, 6_999_999, size=n)
    pep = rng.integers(10**14, 10**15 - 1, size=n, dtype=np.int64)
    numbers = np.select(
        [
            doc_type == "CC",
            np.isin(doc_type, ["TI", "RC", "MS"]),
            doc_type == "CE",
            doc_type == "PPT",
            doc_type == "PEP",
        ],
        [cc, ti, ce, ppt, pep],
        default=rng.integers(10_000_000, 99_999_999, size=n),
    )
    out = to_str(numbers)
    passport = doc_type == "PA"
    if passport.any():
        letters = pick(rng, ["V", "A", "B", "C", "P"], int(passport.sum()))
        out[passport] = letters + out[passport]
    return out


def dotted(values: Obj, mask: np.ndarray | None = None) -> Obj:
    """``1020345678`` → ``1.020.345.678`` (where ``mask`` is true; digits only)."""
    out = values.copy()
    idx = np.arange(len(values)) if mask is None else np.flatnonzero(mask)
    for i in idx:
        v = values[i]
        if v.isdigit():
            out[i] = f"{int(v):,}".replace(",", ".")
    return out


# fmt: off
_MOBILE_PREFIXES = np.array([
    300, 301, 302, 304, 305, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 322,
    323, 324, 350, 351,
])
# fmt: on


_DIGITS3 = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
_DIGITS4 = np.array([f"{i:04d}" for i in range(10000)], dtype=object)
_NUMS = np.array([str(i) for i in range(10000)], dtype=object)


def to_str(values: np.ndarray) -> Obj:
    """Integers to an object array of ``str`` (twice as fast as ``astype(str)``; small
    non-negative integers come from a lookup table, faster still)."""
    if len(values) and values.dtype.kind in "iu" and values.min() >= 0 and values.max() < 10_000:
        return _NUMS[values]
    return np.array(list(map(str, values.tolist())), dtype=object)


def phones(rng: np.random.Generator, n: int, landline_rate: float = 0.1) -> Obj:
    """Mobiles ``3XX XXX XXXX`` in the formats people type them, and ``601`` landlines.

    Built by concatenating object arrays (one C loop per piece) rather than formatting row by
    row: phones and addresses are the hot spots of a million-row run."""
    pref = _NUMS[_MOBILE_PREFIXES[rng.integers(0, len(_MOBILE_PREFIXES), size=n)]]
    a = _DIGITS3[rng.integers(200, 999, size=n)]
    b = _DIGITS4[rng.integers(0, 9999, size=n)]
    style = pick_index(rng, n, [60, 20, 5, 5, 100 * landline_rate * 0.7, 100 * landline_rate * 0.3])
    lead = np.array(["", "", "+57 ", "", "601 ", ""], dtype=object)[style]
    sep1 = np.array(["", " ", " ", "-", "", ""], dtype=object)[style]
    sep2 = np.array(["", " ", " ", "-", " ", ""], dtype=object)[style]
    pref = np.where(style >= 4, "", pref)
    return (lead + pref + sep1 + a + sep2 + b).astype(object)


# ---------------------------------------------------------------------------------------------
# Addresses in the Bogotá grid

_CALLE_TYPES = (
    ("Calle", "CL", "Cll", "CALLE"),
    ("Diagonal", "DG", "Dg.", "DIAGONAL"),
    ("Avenida Calle", "AC", "Av. Calle", "AVENIDA CALLE"),
)
_CARRERA_TYPES = (
    ("Carrera", "KR", "Cra.", "CARRERA"),
    ("Transversal", "TV", "Tv.", "TRANSVERSAL"),
    ("Avenida Carrera", "AK", "Av. Cra.", "AVENIDA CARRERA"),
)
_LETTERS = ("", "A", "B", "C", "D", "F", "H", " Bis", "A Bis", "B Bis")
_LETTER_P = (70, 9, 6, 3, 1, 1, 1, 5, 3, 1)
_PLACA = ("# ", "No. ", "N° ", "", "#")
_PLACA_P = (60, 20, 5, 10, 5)
_COMPLEMENT_P = (55, 15, 8, 8, 6, 4, 4)


@dataclass(frozen=True)
class _Grid:
    main_is_calle: np.ndarray
    main_type: np.ndarray
    calle: np.ndarray
    carrera: np.ndarray
    letter1_idx: np.ndarray
    letter1: Obj
    letter2: Obj
    meters: np.ndarray
    sur: np.ndarray
    este: np.ndarray


def _grid(rng: np.random.Generator, loc: np.ndarray) -> _Grid:
    n = len(loc)
    c_lo = np.array([x.calles[0] for x in LOCALIDADES])[loc]
    c_hi = np.array([x.calles[1] for x in LOCALIDADES])[loc]
    k_lo = np.array([x.carreras[0] for x in LOCALIDADES])[loc]
    k_hi = np.array([x.carreras[1] for x in LOCALIDADES])[loc]
    sur_p = np.array([x.sur for x in LOCALIDADES])[loc]
    este_p = np.array([x.este for x in LOCALIDADES])[loc]
    return _Grid(
        main_is_calle=rng.random(n) < 0.5,
        main_type=pick_index(rng, n, [80, 12, 8]),
        calle=(c_lo + np.floor(rng.random(n) * (c_hi - c_lo + 1))).astype(np.int64),
        carrera=(k_lo + np.floor(rng.random(n) * (k_hi - k_lo + 1))).astype(np.int64),
        letter1_idx=(l1 := pick_index(rng, n, _LETTER_P)),
        letter1=np.asarray(_LETTERS, dtype=object)[l1],
        letter2=pick(rng, _LETTERS, n, _LETTER_P),
        meters=rng.integers(2, 96, size=n),
        sur=rng.random(n) < sur_p,
        este=rng.random(n) < este_p,
    )


_LETTERS_SPACED = tuple(f" {x.strip()}" if x else "" for x in _LETTERS)
_COMPLEMENTS = ("", " Apto ", " Int ", " Torre ", " Casa ", " Piso ", " Local ")


def addresses(rng: np.random.Generator, loc: np.ndarray) -> Obj:
    """Home addresses: ``Calle 45 # 12-30``, ``Cra. 7 No. 32-16 Int 3 Apto 502``,
    ``AK 68 # 13-50``, ``Diagonal 2 Bis Sur # 10-15``; veredas in rural Sumapaz.

    Vectorised: every piece is an object array and the address is their concatenation."""
    n = len(loc)
    g = _grid(rng, loc)
    style = pick_index(rng, n, [45, 25, 22, 8])
    placa = pick(rng, _PLACA, n, _PLACA_P)
    compl = pick_index(rng, n, _COMPLEMENT_P)
    k1 = rng.integers(1, 12, size=n)
    apt = rng.integers(1, 22, size=n) * 100 + rng.integers(1, 5, size=n)
    spaced = rng.random(n) < 0.4
    vereda = pick(rng, VEREDAS, n)

    is_calle = g.main_is_calle
    via = np.where(
        is_calle,
        np.array(_CALLE_TYPES, dtype=object)[g.main_type, style],
        np.array(_CARRERA_TYPES, dtype=object)[g.main_type, style],
    )
    num = np.where(is_calle, g.calle, g.carrera)
    cross = np.where(is_calle, g.carrera, g.calle)
    l1 = np.where(spaced, np.asarray(_LETTERS_SPACED, dtype=object)[g.letter1_idx], g.letter1)
    abbrev = style == 1
    sur_w = np.where(abbrev, " S", " Sur")
    este_w = np.where(abbrev, " E", " Este")
    main_sfx = np.where(np.where(is_calle, g.sur, g.este), np.where(is_calle, sur_w, este_w), "")
    cross_sfx = np.where(np.where(is_calle, g.este, g.sur), np.where(is_calle, este_w, sur_w), "")
    joiner = np.where(placa == "", " ", "-")
    first_num = np.select([compl == 1, compl == 4, compl == 5], [apt, k1 * 3, k1 % 5 + 2], k1)
    first = np.where(compl == 0, "", _NUMS[first_num])
    second = np.where((compl == 2) | (compl == 3), " Apto " + _NUMS[apt], "")
    text = (
        via
        + " "
        + _NUMS[num]
        + l1
        + main_sfx
        + " "
        + placa
        + _NUMS[cross]
        + g.letter2
        + joiner
        + _NUMS[g.meters]
        + cross_sfx
        + np.asarray(_COMPLEMENTS, dtype=object)[compl]
        + first
        + second
    ).astype(object)
    upper = np.flatnonzero(style == 3)
    text[upper] = [t.upper() for t in text[upper]]
    rural = np.flatnonzero(loc == SUMAPAZ)
    text[rural] = [
        f"Vereda {v}" if k % 3 else f"Km {k} Vía Usme - San Juan"
        for v, k in zip(vereda[rural].tolist(), k1[rural].tolist(), strict=True)
    ]
    return text


def intersections(rng: np.random.Generator, loc: np.ndarray) -> Obj:
    """Crash locations the way the police form writes them: ``KR 80-CL 34 S``,
    ``CL 26 -KR 33 `` (trailing spaces included), ``AK 68-AC 13``."""
    n = len(loc)
    g = _grid(rng, loc)
    sep = pick(rng, ["-", " -", "- ", " - "], n, [55, 25, 10, 10])
    trail = pick(rng, ["", " "], n, [70, 30])
    out = []
    for i in range(n):
        if loc[i] == SUMAPAZ:
            out.append(f"KM {g.meters[i] % 40 + 1} VIA USME - SAN JUAN")
            continue
        calle = f"{_CALLE_TYPES[g.main_type[i]][1]} {g.calle[i]}{g.letter1[i].upper()}"
        if g.sur[i]:
            calle += " S"
        kr = f"{_CARRERA_TYPES[g.main_type[i]][1]} {g.carrera[i]}{g.letter2[i].upper()}"
        if g.este[i]:
            kr += " E"
        first, second = (calle, kr) if g.main_is_calle[i] else (kr, calle)
        out.append(f"{first}{sep[i]}{second}{trail[i]}")
    return np.array(out, dtype=object)


# ---------------------------------------------------------------------------------------------
# Dates and numbers rendered as text


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day integer arrays of a datetime64 array."""
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months).astype(np.int64) + 1
    return year, month, day


def render_unique(values: np.ndarray, fmt: Callable[[object], str]) -> Obj:
    """Format each distinct value once: dates and rounded numbers repeat a lot, so this is what
    keeps text rendering fast for millions of rows."""
    uniq, inverse = np.unique(values, return_inverse=True)
    rendered = np.array([fmt(v) for v in uniq.tolist()], dtype=object)
    return rendered[inverse.reshape(-1)]


def format_dates(days: np.ndarray, style: str) -> Obj:
    """``d/mm/yy`` (``6/03/24``), ``dd/mm/yyyy``, ``yyyy/mm/dd``, ``yyyy-mm-dd``, ``yyyymmdd``."""
    fmts: dict[str, Callable[[dt.date], str]] = {
        "d/mm/yy": lambda x: f"{x.day}/{x.month:02d}/{x.year % 100:02d}",
        "dd/mm/yyyy": lambda x: f"{x.day:02d}/{x.month:02d}/{x.year:04d}",
        "yyyy/mm/dd": lambda x: f"{x.year:04d}/{x.month:02d}/{x.day:02d}",
        "yyyy-mm-dd": lambda x: x.isoformat(),
        "yyyymmdd": lambda x: f"{x.year:04d}{x.month:02d}{x.day:02d}",
    }
    return render_unique(days.astype("datetime64[D]"), fmts[style])  # type: ignore[arg-type]


def decimal_comma(values: np.ndarray, decimals: int = 1) -> Obj:
    """``36.5`` → ``36,5`` (Colombian decimal comma)."""
    rounded = np.round(values.astype(float), decimals)
    return render_unique(rounded, lambda v: f"{v:.{decimals}f}".replace(".", ","))


def pesos(values: np.ndarray) -> Obj:
    """``1250000`` → ``$ 1.250.000``."""
    return render_unique(values.astype(np.int64), lambda v: "$ " + f"{v:,}".replace(",", "."))


def choose_dates(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> np.ndarray:
    """Uniform dates in [start, end] as datetime64[D]."""
    span = (end - start).days + 1
    return np.datetime64(start, "D") + rng.integers(0, span, size=n).astype("timedelta64[D]")


_PLATE_LETTERS = np.array(list("ABCDEFGHIJKLMNOPRSTUVWXYZ"), dtype=object)


def plates(rng: np.random.Generator, moto: np.ndarray) -> Obj:
    """Colombian plates: cars ``ABC123``, motorcycles ``ABC12D``."""
    n = len(moto)
    letters = _PLATE_LETTERS[rng.integers(0, len(_PLATE_LETTERS), size=(n, 4))]
    digits = rng.integers(0, 1000, size=n)
    out = []
    for (a, b, c, d), num, is_moto in zip(
        letters.tolist(), digits.tolist(), moto.tolist(), strict=True
    ):
        if is_moto:
            out.append(f"{a}{b}{c}{num % 100:02d}{d}")
        else:
            out.append(f"{a}{b}{c}{num:03d}")
    return np.array(out, dtype=object)


#: DIAN weights for the NIT check digit, applied to the digits from right to left.
NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)


def nit_check_digit(base: np.ndarray) -> np.ndarray:
    """DIAN's check digit (módulo 11) for an array of NIT bases, vectorised."""
    rest = base.astype(np.int64).copy()
    total = np.zeros(len(rest), dtype=np.int64)
    for weight in NIT_WEIGHTS:
        total += (rest % 10) * weight
        rest //= 10
    mod = total % 11
    return np.where(mod > 1, 11 - mod, mod)


def format_nit(base: np.ndarray, dots: np.ndarray) -> Obj:
    """``900.123.456-7`` (or ``900123456-7`` where ``dots`` is false)."""
    dv = nit_check_digit(base)
    return np.array(
        [
            (f"{b:,}".replace(",", ".") if d else str(b)) + f"-{v}"
            for b, v, d in zip(base.tolist(), dv.tolist(), dots.tolist(), strict=True)
        ],
        dtype=object,
    )
