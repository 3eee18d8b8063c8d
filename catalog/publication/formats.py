"""The files of a release, written by DuckDB from the Arrow table of the rows to publish.

Every format is one ``COPY`` over an in-memory DuckDB table, so a million rows never go through
a Python loop: DuckDB sorts, projects and serialises in C++ on every core.

- **CSV**: UTF-8, comma, header, ``\\n`` line ends; an empty field is a missing value and an
  empty text is ``""``. Text cells are made safe for spreadsheets (OWASP's CSV injection rule):
  a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  ``'`` so Excel or LibreOffice show it instead of running it as a formula. Only text columns
  are touched: a negative number in a numeric column is written as the number it is.
- **Parquet**: zstd, the column types of the table.
- **JSON**: one array of objects (``[{"columna": valor, ...}, ...]``), the shape Socrata's
  ``.json`` endpoints and CKAN's ``datastore_search`` ``records`` have, so their clients (and
  ``pandas.read_json``, ``jq``, a browser's ``fetch().json()``) read it as is; JSON Lines is
  better for streaming, but those clients do not read it. Values keep their JSON types; nothing
  is neutralised (JSON is not opened by spreadsheets).
- **GeoJSON** (RFC 7946), when the table has numeric coordinates (``latitud``/``longitud``,
  ``lat``/``lon`` or ``latitude``/``longitude``): a FeatureCollection of Points
  ``[longitud, latitud]`` (WGS84), the other columns as properties. Rows without a plausible
  point (a missing or non-finite coordinate, or one outside Colombia's extent, which is also
  what swapped coordinates look like) are left out and counted.

Rows are sorted by the primary key (or by every column when there is none), so the same data
always gives the same bytes: that is what lets a re-run recognise an unchanged release.
Timestamps are ISO 8601 with a ``T`` (``Z`` when they carry a time zone) and non-finite numbers
are empty in CSV, JSON and GeoJSON, which have no spelling for them that every reader accepts.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from catalog.publication.dictionary import table_schema_type
from catalog.publication.model import CSV, GEOJSON, JSON, PARQUET, GeoJsonSummary

#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Column pairs that hold a point, in order of preference (latitude, longitude).
COORDINATE_COLUMNS = (("latitud", "longitud"), ("lat", "lon"), ("latitude", "longitude"))
#: Colombia's extent, San Andrés, Providencia and the northern cays included: district data can
#: point outside Bogotá, but a point outside the country is an error (often swapped columns).
LATITUDE_BOUNDS = (-4.3, 16.2)
LONGITUDE_BOUNDS = (-82.0, -66.8)

MIMETYPES = {
    CSV: "text/csv",
    PARQUET: "application/vnd.apache.parquet",
    JSON: "application/json",
    GEOJSON: "application/geo+json",
}
EXTENSIONS = {CSV: "csv", PARQUET: "parquet", JSON: "json", GEOJSON: "geojson"}

_RELEASE = "release_rows"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class LocalFile:
    """A release file written to the local work folder, before it is uploaded."""

    format: str
    name: str
    path: Path
    bytes: int
    sha256: str
    mimetype: str


@dataclass(frozen=True)
class WrittenFormats:
    files: list[LocalFile]
    primary_key: list[str]  # the declared key, if the rows honour it; else empty
    geojson: GeoJsonSummary | None


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_text(data_type: pa.DataType) -> bool:
    """Columns published as Table Schema strings: text, and anything without a better type."""
    return table_schema_type(data_type) == "string"


def _is_number(data_type: pa.DataType) -> bool:
    return table_schema_type(data_type) in ("integer", "number")


def _portable(name: str, data_type: pa.DataType) -> str:
    """A column as CSV and JSON carry it: ISO timestamps, no NaN or infinity."""
    column = quote(name)
    if pa.types.is_dictionary(data_type):
        data_type = data_type.value_type
    if pa.types.is_timestamp(data_type):
        if data_type.tz is None:
            return f"replace(CAST({column} AS VARCHAR), ' ', 'T')"
        return f"replace(CAST(timezone('UTC', {column}) AS VARCHAR), ' ', 'T') || 'Z'"
    if pa.types.is_floating(data_type):
        return f"CASE WHEN isfinite({column}) THEN {column} END"
    return column


def _spreadsheet_safe(name: str, data_type: pa.DataType) -> str:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading quote; nested
    values become JSON text; everything else is :func:`_portable`."""
    column = quote(name)
    if table_schema_type(data_type) in ("array", "object"):
        return f"CAST(to_json({column}) AS VARCHAR)"
    if not _is_text(data_type):
        return _portable(name, data_type)
    text = f"CAST({column} AS VARCHAR)"
    triggers = ", ".join(sql_text(c) for c in FORMULA_TRIGGERS)
    return f"CASE WHEN left({text}, 1) IN ({triggers}) THEN '''' || {text} ELSE {text} END"


def _select(schema: pa.Schema, *, csv: bool = False) -> str:
    render = _spreadsheet_safe if csv else _portable
    items = [f"{render(f.name, f.type)} AS {quote(f.name)}" for f in schema]
    return f"SELECT {', '.join(items)} FROM {_RELEASE}"


def key_is_unique(con: duckdb.DuckDBPyConnection, source: str, key: list[str]) -> bool:
    """Whether ``key`` identifies every row: no duplicate and no missing value."""
    columns = ", ".join(quote(c) for c in key)
    missing = " OR ".join(f"{quote(c)} IS NULL" for c in key)
    row = con.execute(
        f"SELECT (SELECT count(*) FROM {source}), "
        f"(SELECT count(*) FROM (SELECT DISTINCT {columns} FROM {source})), "
        f"(SELECT count(*) FROM {source} WHERE {missing})"
    ).fetchone()
    assert row is not None
    rows, distinct, with_missing = row
    return bool(rows == distinct and with_missing == 0)


@contextmanager
def sorted_rows(
    table: pa.Table, declared_key: list[str]
) -> Iterator[tuple[duckdb.DuckDBPyConnection, list[str]]]:
    """An in-memory DuckDB holding the rows in their publication order, and the primary key
    the rows honour (the declared one, or none)."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = true")  # the files rely on it
        con.register("arrow_rows", table)
        known = set(table.column_names)
        key = declared_key if declared_key and set(declared_key) <= known else []
        if key and not key_is_unique(con, "arrow_rows", key):
            key = []
        order = ", ".join(quote(c) for c in key or table.column_names)
        # Sorted once, here: the table keeps this order (insertion order is preserved), so
        # every file is a scan of it instead of a sort of a million rows per format.
        con.execute(f"CREATE TABLE {_RELEASE} AS SELECT * FROM arrow_rows ORDER BY {order}")
        con.unregister("arrow_rows")
        yield con, key
    finally:
        con.close()


def _local_file(fmt: str, path: Path) -> LocalFile:
    return LocalFile(
        format=fmt,
        name=path.name,
        path=path,
        bytes=path.stat().st_size,
        sha256=sha256_of(path),
        mimetype=MIMETYPES[fmt],
    )


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path, options: str) -> None:
    """Every COPY scans the release table, stored in publication order, and says
    PRESERVE_ORDER, so the parallel writers keep that order (DuckDB 1.5.5's CSV writer was seen
    to interleave row groups when only a window function numbered the rows: 1M rows, not
    1,000). The session keeps DuckDB's default ``preserve_insertion_order``."""
    con.execute(f"COPY ({query}) TO {sql_text(str(path))} ({options}, PRESERVE_ORDER true)")


def write_csv(con: duckdb.DuckDBPyConnection, schema: pa.Schema, path: Path) -> LocalFile:
    options = "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"'"
    _copy(con, _select(schema, csv=True), path, options)
    return _local_file(CSV, path)


def write_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> LocalFile:
    query = f"SELECT * FROM {_RELEASE}"
    _copy(con, query, path, "FORMAT parquet, COMPRESSION zstd")
    return _local_file(PARQUET, path)


def write_json(con: duckdb.DuckDBPyConnection, schema: pa.Schema, path: Path) -> LocalFile:
    _copy(con, _select(schema), path, "FORMAT json, ARRAY true")
    return _local_file(JSON, path)


def coordinate_columns(schema: pa.Schema) -> tuple[str, str] | None:
    """The first (latitude, longitude) pair of numeric columns, if the table has one."""
    for latitude, longitude in COORDINATE_COLUMNS:
        if latitude in schema.names and longitude in schema.names:
            types = (schema.field(latitude).type, schema.field(longitude).type)
            if all(_is_number(t) for t in types):
                return latitude, longitude
    return None


def _plausible_point(latitude: str, longitude: str) -> str:
    lat, lon = (f"CAST({quote(c)} AS DOUBLE)" for c in (latitude, longitude))
    return (
        f"{lat} IS NOT NULL AND {lon} IS NOT NULL AND isfinite({lat}) AND isfinite({lon}) "
        f"AND {lat} BETWEEN {LATITUDE_BOUNDS[0]} AND {LATITUDE_BOUNDS[1]} "
        f"AND {lon} BETWEEN {LONGITUDE_BOUNDS[0]} AND {LONGITUDE_BOUNDS[1]}"
    )


def _features_query(schema: pa.Schema, latitude: str, longitude: str) -> str:
    """One GeoJSON Feature per placed row; DuckDB serialises the structs as JSON objects."""
    lat, lon = (f"CAST({quote(c)} AS DOUBLE)" for c in (latitude, longitude))
    others = [f for f in schema if f.name not in (latitude, longitude)]
    pairs = ", ".join(f"{quote(f.name)} := {_portable(f.name, f.type)}" for f in others)
    properties = f"struct_pack({pairs})" if others else "CAST(NULL AS JSON)"
    return (
        f"SELECT 'Feature' AS \"type\", "
        f"{{'type': 'Point', 'coordinates': [{lon}, {lat}]}} AS geometry, "
        f"{properties} AS properties "
        f"FROM {_RELEASE} WHERE {_plausible_point(latitude, longitude)}"
    )


def write_geojson(
    con: duckdb.DuckDBPyConnection, schema: pa.Schema, path: Path
) -> tuple[LocalFile, GeoJsonSummary] | None:
    """The FeatureCollection of the rows that have a plausible point; ``None`` when the table
    has no coordinates or no row has a usable point."""
    pair = coordinate_columns(schema)
    if pair is None:
        return None
    latitude, longitude = pair
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {_plausible_point(latitude, longitude)}) "
        f"FROM {_RELEASE}"
    ).fetchone()
    assert row is not None
    total, placed = row
    if placed == 0:
        return None
    features = path.with_name(path.name + ".features")
    _copy(con, _features_query(schema, latitude, longitude), features, "FORMAT json, ARRAY true")
    with path.open("wb") as sink, features.open("rb") as array:
        sink.write(b'{"type":"FeatureCollection","features":')
        shutil.copyfileobj(array, sink, _CHUNK)
        sink.write(b"}\n")
    features.unlink()
    return _local_file(GEOJSON, path), GeoJsonSummary(latitude, longitude, placed, total - placed)


def write_formats(
    table: pa.Table, folder: Path, name: str, declared_key: list[str]
) -> WrittenFormats:
    """Write ``<name>.csv``, ``.parquet``, ``.json`` and, with coordinates, ``.geojson``."""
    with sorted_rows(table, declared_key) as (con, key):
        files = [
            write_csv(con, table.schema, folder / f"{name}.csv"),
            write_parquet(con, folder / f"{name}.parquet"),
            write_json(con, table.schema, folder / f"{name}.json"),
        ]
        geojson = write_geojson(con, table.schema, folder / f"{name}.geojson")
    if geojson is None:
        return WrittenFormats(files, key, None)
    geo_file, summary = geojson
    return WrittenFormats([*files, geo_file], key, summary)
