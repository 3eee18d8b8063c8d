"""``calidad_aire_rmcab``: hourly air quality of the 20 RMCAB stations, one file per day.

Partitioned daily as the platform expects: ``calidad_aire_rmcab/<YYYY-MM-DD>/rmcab_<date>.csv``.
Written like the Secretaría Distrital de Ambiente's exports: UTF-8 with BOM, ``;``, decimal
comma, units inside the headers (``pm25 (µg/m3)``), ``D/M/YYYY H:MM`` timestamps, empty cells
for pollutants a station does not measure or missed, and the ``-9999`` sentinel for invalid
readings. Days start on a fixed date (never today), so the files are reproducible.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from samples import dirt
from samples.base import Context, DatasetDef, GeneratedFile
from samples.reference import RMCAB_STATIONS
from samples.writers import CsvWriter

DATASET_ID = "calidad_aire_rmcab"
SECTOR = "ambiente"
FIRST_DAY = dt.date(2025, 6, 1)  # default 7 days: 2025-06-01 … 2025-06-07
DEFAULT_DAYS = 7
MAX_DAYS = 366
SENTINEL = "-9999"
ROWS_PER_DAY = 24 * len(RMCAB_STATIONS)

POLLUTANTS = ("pm25", "pm10", "o3", "no2", "co", "so2")
HEADER = (
    "Estación",
    "Localidad",
    "Fecha y hora",
    "pm25 (µg/m3)",
    "pm10 (µg/m3)",
    "o3 (ppb)",
    "no2 (ppb)",
    "co (ppm)",
    "so2 (ppb)",
)

_HOURS = np.arange(24)
# Diurnal profiles: traffic peaks for particles/NO2/CO, a midday peak for ozone.
_RUSH = (
    1
    + 0.6 * np.exp(-((_HOURS - 7.5) ** 2) / 3)
    + 0.35 * np.exp(-((_HOURS - 19) ** 2) / 4)
    - 0.25 * np.exp(-((_HOURS - 14) ** 2) / 8)
)
_OZONE = 0.25 + 2.0 * np.exp(-((_HOURS - 13.5) ** 2) / 6)


def days_for(rows: int) -> int:
    """7 days for the 2,000-row demo, proportionally more for bigger runs (at most a year)."""
    return int(min(MAX_DAYS, max(1, round(DEFAULT_DAYS * rows / 2000))))


def size(rows: int) -> int:
    return days_for(rows) * ROWS_PER_DAY


def _fmt(values: np.ndarray, decimals: int) -> list[str]:
    return [f"{v:.{decimals}f}".replace(".", ",") for v in values.tolist()]


def _day(rng: np.random.Generator, day: dt.date, first: bool) -> list[np.ndarray]:
    stations = RMCAB_STATIONS
    s = len(stations)
    n = 24 * s
    hour = np.repeat(_HOURS, s)
    st = np.tile(np.arange(s), 24)
    base = np.array([x.pm25_base for x in stations])[st]
    weekend = day.weekday() >= 5
    day_factor = rng.lognormal(0, 0.2) * (0.8 if weekend else 1.0)
    station_day = rng.lognormal(0, 0.15, s)[st]
    noise = rng.lognormal(0, 0.25, size=(6, n))
    rush = _RUSH[hour]
    pm25 = base * rush * day_factor * station_day * noise[0]
    values = {
        "pm25": (pm25, 1),
        "pm10": (pm25 * rng.uniform(1.6, 2.2, n), 1),
        "o3": (16 * _OZONE[hour] * noise[1] * (1.1 if weekend else 1.0), 1),
        "no2": (20 * rush * (base / 18) * day_factor * noise[2], 1),
        "co": (0.6 * rush * (base / 18) * day_factor * noise[3], 2),
        "so2": (2.5 * noise[4] * station_day, 1),
    }
    stamp = [f"{day.day}/{day.month}/{day.year} {h}:00" for h in hour.tolist()]
    cols: list[np.ndarray] = [
        np.array([stations[i].name for i in st.tolist()], dtype=object),
        dirt.localidades(rng, np.array([x.localidad for x in stations])[st], "title", rate=0.01),
        np.array(stamp, dtype=object),
    ]
    for pollutant in POLLUTANTS:
        measured = np.array([pollutant in x.measures for x in stations])[st]
        vals, decimals = values[pollutant]
        text = np.array(_fmt(vals, decimals), dtype=object)
        text[~measured] = ""
        u = rng.random(n)
        text[measured & (u < 0.05)] = ""
        text[measured & (u >= 0.05) & (u < 0.06)] = SENTINEL
        cols.append(text)
    minimum = 1 if first else 0
    dirt.inject(rng, cols[4], ["12,5,3"], 0.0005, minimum=minimum)
    dirt.inject(rng, cols[2], [f"31/2/{day.year} 3:00"], 0.0002, minimum=minimum)
    dirt.duplicate_rows(rng, cols, 0.002, minimum=minimum)
    return cols


def write(ctx: Context, rows: int) -> list[GeneratedFile]:
    rng = ctx.rng(DATASET_ID)
    days = max(1, rows // ROWS_PER_DAY)
    written = []
    for i in range(days):
        day = FIRST_DAY + dt.timedelta(days=i)
        rel = f"{DATASET_ID}/{day.isoformat()}/rmcab_{day.isoformat()}.csv"
        with CsvWriter(ctx.out_dir / rel, HEADER, encoding="utf-8", delimiter=";", bom=True) as out:
            out.write(_day(rng, day, first=i == 0))
        written.append(GeneratedFile(DATASET_ID, rel, out.rows))
    return written


DATASET = DatasetDef(DATASET_ID, SECTOR, size, write)
