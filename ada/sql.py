"""Read-only SQL over the lake's curated (and open) tables, for analysts: ``ada sql``.

An analyst's SQL is someone else's SQL, so it runs in a sandbox with three layers:

1. **The statement.** DuckDB's own parser must find exactly one read statement: ``SELECT`` (which
   covers ``FROM ...``, ``WITH``, ``VALUES``, ``PIVOT ... IN (...)``, ``SHOW``, ``DESCRIBE``,
   ``SUMMARIZE`` and read pragmas such as ``PRAGMA table_info``) or ``EXPLAIN [ANALYZE]`` of
   one. Its syntax tree (``json_serialize_sql``) is then walked: table functions must be on an
   allow-list (no ``read_csv``, ``sqlite_scan``, ``postgres_query``, ``query()`` ...), tables
   must not be files, and the ``landing``, ``raw`` and ``staging`` zones (personal data) are
   refused by name.
2. **The catalogs.** Only ``curated`` and ``open`` are ever attached, ``READ_ONLY``, in a session
   that checks extension signatures.
3. **The session.** Before the query runs, ``allowed_directories`` is set to the attached zones'
   data folders (or S3 prefixes), then ``enable_external_access = false`` and
   ``lock_configuration = true``. ``enable_external_access = false`` alone is not enough:
   it also stops DuckLake from reading the zone's own Parquet files, so the data folders are
   allowed first. Files elsewhere, ``COPY ... TO``, ``ATTACH`` of a DuckDB file,
   ``INSTALL``/``LOAD`` and changing any setting then fail inside DuckDB even if layer 1 missed
   something.

What layer 3 does not stop (DuckDB 1.5.5): the SQLite extension opens files with SQLite's own
I/O, so ``sqlite_scan('any.sqlite', ...)`` and ``ATTACH 'sqlite:...'`` ignore
``enable_external_access``, and ``ATTACH 'ducklake:sqlite:.../staging.sqlite'`` even reads that
catalog's Parquet files outside ``allowed_directories``. Layer 1 is what refuses those (``ATTACH``
is not a read statement; ``sqlite_*``/``postgres_*`` functions are not allowed). The boundary
that does not depend on parsing SQL is the operating system's: analysts' accounts should not be
able to read ``$ADA_HOME/metadata/staging.sqlite`` nor the staging data (per-zone credentials in
production).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import pyarrow as pa

from ada.settings import Settings, Zone
from lake.storage import store_for
from lake.tables import LakeError, connect

#: The zones an analyst may query; everything upstream may hold personal data.
ANALYST_ZONES = (Zone.CURATED, Zone.OPEN)
PRIVATE_ZONES = frozenset(z.value for z in Zone if z not in ANALYST_ZONES)

#: Table functions that only read the session's catalogs or compute values.
ALLOWED_TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "generate_series",
        "unnest",
        "repeat",
        "repeat_row",
        "json_each",
        "json_tree",
        "summary",
        "pg_timezone_names",
        "icu_calendar_names",
        "duckdb_columns",
        "duckdb_constraints",
        "duckdb_databases",
        "duckdb_dependencies",
        "duckdb_extensions",
        "duckdb_functions",
        "duckdb_indexes",
        "duckdb_keywords",
        "duckdb_schemas",
        "duckdb_sequences",
        "duckdb_settings",
        "duckdb_tables",
        "duckdb_types",
        "duckdb_views",
        "pragma_table_info",
        "pragma_show",
        "pragma_version",
        "pragma_platform",
        "pragma_database_size",
        "pragma_collations",
        # DuckLake's readers (snapshots, time travel, change feed); its writers are not here.
        "ducklake_snapshots",
        "ducklake_current_snapshot",
        "ducklake_last_committed_snapshot",
        "ducklake_table_info",
        "ducklake_table_changes",
        "ducklake_table_insertions",
        "ducklake_table_deletions",
        "ducklake_list_files",
        "ducklake_options",
        "ducklake_settings",
        # The same readers called on a catalog: curated.snapshots(), curated.table_changes(...).
        "snapshots",
        "current_snapshot",
        "last_committed_snapshot",
        "table_info",
        "table_changes",
        "table_insertions",
        "table_deletions",
        "options",
        "settings",
    }
)
#: Refused wherever they appear: they reach outside the session (the SQLite and Postgres
#: scanners ignore ``enable_external_access``) or run SQL hidden in a string.
_REFUSED_FUNCTION_PREFIXES = ("sqlite_", "postgres_", "pg_clear_cache", "read_postgres")
_REFUSED_FUNCTIONS = frozenset({"json_execute_serialized_sql", "query", "query_table"})
_TABLE_HINT = 'vea las tablas disponibles con: ada sql "SHOW ALL TABLES"'
_BATCH_ROWS = 10_000
_EXPLAIN = re.compile(
    r"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*EXPLAIN\s+(?:ANALY[SZ]E\s+)?(?:\([^()]*\)\s*)?(?P<inner>.*)$",
    re.IGNORECASE | re.DOTALL,
)


class SqlError(ValueError):
    """The query is not allowed or failed; the message is one line in Spanish."""


@dataclass(frozen=True)
class CheckedQuery:
    """One read statement that passed the checks, and the analyst zones it names."""

    sql: str
    zones: frozenset[Zone]


# ------------------------------------------------------------------------------------ checking


def _parser() -> duckdb.DuckDBPyConnection:
    """A bare session used only to parse (nothing attached, nothing loaded)."""
    return duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )


def _keyword(statement: Any) -> str:
    words = re.findall(
        r"[A-Za-z_]+", re.sub(r"/\*.*?\*/|--[^\n]*", " ", statement.query, flags=re.S)
    )
    return words[0].upper() if words else statement.type.name


def _one_statement(parser: duckdb.DuckDBPyConnection, sql: str) -> Any:
    try:
        statements = parser.extract_statements(sql)
    except duckdb.Error as err:
        raise SqlError(f"la consulta no es SQL válido: {_one_line(err)}") from None
    if not statements:
        raise SqlError("la consulta está vacía")
    if any(not s.query.strip() for s in statements):
        # PIVOT without an IN list first creates an enum type: two statements under the hood.
        raise SqlError(
            "PIVOT sin lista de valores no está permitido: indíquelos, p. ej. "
            "PIVOT curated.salud.covid19_casos_osb ON sexo IN ('F', 'M') USING count(*)"
        )
    if len(statements) > 1:
        raise SqlError(f"solo se permite una sentencia por consulta (hay {len(statements)})")
    return statements[0]


def _refuse_non_read(statement: Any) -> None:
    if statement.type != duckdb.StatementType.SELECT:
        raise SqlError(
            f"solo se permiten consultas de lectura (SELECT); {_keyword(statement)} no está "
            "permitido"
        )


def check_query(sql: str) -> CheckedQuery:
    """Accept exactly one read statement that touches only the lake's curated or open tables."""
    parser = _parser()
    try:
        statement = _one_statement(parser, sql)
        select = statement
        if statement.type == duckdb.StatementType.EXPLAIN:
            match = _EXPLAIN.match(statement.query)
            if match is None:
                raise SqlError("no se reconoce la forma de este EXPLAIN; use EXPLAIN SELECT ...")
            select = _one_statement(parser, match["inner"])
        _refuse_non_read(select)
        row = parser.execute("SELECT json_serialize_sql($q)", {"q": select.query}).fetchone()
    finally:
        parser.close()
    tree = json.loads(row[0]) if row else {"error": True}
    if tree.get("error"):
        raise SqlError(
            f"no se pudo analizar la consulta: {tree.get('error_message', 'error desconocido')}"
        )
    zones: set[Zone] = set()
    _walk(tree["statements"], zones)
    run = sql if statement.type == duckdb.StatementType.EXPLAIN else statement.query
    return CheckedQuery(run, frozenset(zones))


def _zone_named(node: dict[str, Any]) -> str | None:
    """The zone a table reference or function call names: ``zone.sector.t`` or ``zone.t``."""
    catalog = node.get("catalog_name", node.get("catalog")) or ""
    schema = node.get("schema_name", node.get("schema")) or ""
    return catalog or schema or None


def _check_zone(name: str | None, zones: set[Zone]) -> None:
    if name is None:
        return
    if name.lower() in PRIVATE_ZONES:
        raise SqlError(
            f"la zona {name.lower()} no se puede consultar con ada sql (puede contener datos "
            "personales); solo curated y open"
        )
    if name.lower() in {z.value for z in ANALYST_ZONES}:
        zones.add(Zone(name.lower()))


def _check_function(node: dict[str, Any], zones: set[Zone], *, table: bool) -> None:
    name = str(node.get("function_name", "")).lower()
    _check_zone(_zone_named(node), zones)
    refused = name in _REFUSED_FUNCTIONS or name.startswith(_REFUSED_FUNCTION_PREFIXES)
    if table and not refused:
        refused = name not in ALLOWED_TABLE_FUNCTIONS
    if not refused and name.startswith("ducklake_"):
        refused = name not in ALLOWED_TABLE_FUNCTIONS
    if refused:
        if name.startswith(("read_", "parquet_", "sqlite_", "postgres_", "glob", "sniff")):
            why = "lee archivos o bases de datos fuera del lago"
        elif name.startswith("ducklake_") or _zone_named(node):
            why = "modifica o mantiene el catálogo"
        else:
            why = "no está entre las funciones de solo lectura permitidas"
        raise SqlError(
            f"la función {name}() no está permitida en ada sql ({why}); consulte las tablas "
            "del lago, p. ej. curated.<sector>.<conjunto>"
        )


def _walk(node: Any, zones: set[Zone]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, zones)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type") if isinstance(node.get("type"), str) else None
    if kind == "TABLE_FUNCTION":
        _check_function(node["function"], zones, table=True)
    elif node.get("class") in {"FUNCTION", "WINDOW"} and "function_name" in node:
        _check_function(node, zones, table=False)
    elif kind in {"BASE_TABLE", "SHOW_REF"}:
        table = str(node.get("table_name") or "")
        if kind == "BASE_TABLE" and re.search(r"[/\\]|://|\.\w+$", table):
            raise SqlError(
                f"no se permite leer archivos ('{table}'); consulte las tablas del lago, "
                "p. ej. curated.<sector>.<conjunto>"
            )
        _check_zone(_zone_named(node), zones)
    for value in node.values():
        if isinstance(value, dict | list):
            _walk(value, zones)


# ------------------------------------------------------------------------------------- session


def _one_line(err: BaseException, settings: Settings | None = None) -> str:
    """DuckDB's message without the ``LINE 1: ... ^`` pointer, secrets masked, on one line."""
    lines = []
    for line in str(err).splitlines():
        if line.startswith("LINE "):
            break
        if line.strip():
            lines.append(line.strip())
    message = " ".join(lines) or type(err).__name__
    return settings.redact(message) if settings is not None else message


def analyst_zones(names: Iterable[str | Zone]) -> tuple[Zone, ...]:
    """The zones to attach, by name; anything but curated and open is refused."""
    chosen: dict[Zone, None] = {}
    for name in names:
        value = str(name.value if isinstance(name, Zone) else name).strip().lower()
        _check_zone(value, set())
        if value not in {z.value for z in ANALYST_ZONES}:
            raise SqlError(f"zona '{value}' desconocida; use curated u open")
        chosen[Zone(value)] = None
    if not chosen:
        raise SqlError("indique al menos una zona: curated u open")
    return tuple(chosen)


@contextmanager
def analyst_session(
    settings: Settings, zones: Iterable[Zone] = (Zone.CURATED,)
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A locked-down DuckDB session with ``zones`` (curated and/or open) attached read-only."""
    chosen = analyst_zones(zones)
    if settings.database_url is None:
        for zone in chosen:
            if not (settings.metadata_dir / f"{zone.value}.sqlite").exists():
                raise SqlError(
                    f"la zona {zone.value} todavía no tiene tablas en {settings.home}; "
                    "ejecute primero: ada run"
                )
    try:
        con = connect(settings, chosen, read_only=True, verify_extension_signatures=True)
    except (LakeError, duckdb.Error) as err:
        raise SqlError(f"no se pudo abrir el catálogo: {_one_line(err, settings)}") from None
    try:
        # Load the catalogs' table lists first: right after ATTACH, SHOW ALL TABLES sometimes
        # comes back empty on a multi-threaded session (duckdb/ducklake#1280, DuckDB 1.5.5).
        con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()
        data_dirs = [store_for(settings, zone).uri("") for zone in chosen]
        con.execute("SET allowed_directories = $dirs", {"dirs": data_dirs})
        con.execute("SET enable_external_access = false")
        con.execute("SET python_enable_replacements = false")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        con.close()


# ------------------------------------------------------------------------------------- queries


def _describe(err: BaseException, settings: Settings) -> str:
    message = _one_line(err, settings)
    if isinstance(err, duckdb.CatalogException) or (
        isinstance(err, duckdb.BinderException) and "does not exist" in message
    ):
        return f"{message}; {_TABLE_HINT}"
    if isinstance(err, duckdb.PermissionException):
        return f"{message}; ada sql solo lee las tablas del lago"
    return message


@dataclass
class QueryResult:
    """A running query: its schema, and its record batches as they are produced."""

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]


@contextmanager
def open_query(
    settings: Settings,
    sql: str,
    *,
    zones: Iterable[Zone] = (Zone.CURATED,),
    limit: int | None = None,
) -> Iterator[QueryResult]:
    """Check and start ``sql``; the batches stream in bounded memory (at most ``limit`` rows)."""
    if limit is not None and limit < 0:
        raise SqlError("el límite de filas no puede ser negativo")
    checked = check_query(sql)
    chosen = analyst_zones(zones)
    missing = sorted(z.value for z in checked.zones - set(chosen))
    if missing:
        raise SqlError(
            f"la zona {', '.join(missing)} no está abierta en esta consulta; "
            f"agréguela con --zone {missing[0]}"
        )
    with analyst_session(settings, chosen) as con:
        try:
            reader = con.execute(checked.sql).to_arrow_reader(_BATCH_ROWS)
        except duckdb.Error as err:
            raise SqlError(_describe(err, settings)) from None

        def batches() -> Iterator[pa.RecordBatch]:
            left = limit
            try:
                if left == 0:
                    return
                for batch in reader:
                    if left is not None:
                        batch = batch.slice(0, left)
                        left -= batch.num_rows
                    yield batch
                    if left == 0:
                        return  # stop reading: DuckDB stops producing
            except (duckdb.Error, pa.ArrowException) as err:
                raise SqlError(_describe(err, settings)) from None

        yield QueryResult(reader.schema, batches())


def run_query(
    settings: Settings,
    sql: str,
    *,
    zones: Iterable[Zone] = (Zone.CURATED,),
    limit: int | None = None,
) -> pa.Table:
    """Run one read-only query over the lake's curated (or open) tables; at most ``limit`` rows.

    Raises :class:`SqlError` with a one-line Spanish message when the query is not a single
    read statement, names a zone other than curated/open, reads files or fails in DuckDB.
    """
    with open_query(settings, sql, zones=zones, limit=limit) as result:
        return pa.Table.from_batches(list(result.batches), schema=result.schema)


def preview_query(
    settings: Settings, sql: str, *, zones: Iterable[Zone] = (Zone.CURATED,), rows: int = 50
) -> tuple[pa.Table, int]:
    """The first ``rows`` rows and the total row count (the rest is counted, not kept)."""
    kept: list[pa.RecordBatch] = []
    total = 0
    with open_query(settings, sql, zones=zones) as result:
        for batch in result.batches:
            if total < rows:
                kept.append(batch.slice(0, rows - total))
            total += batch.num_rows
        return pa.Table.from_batches(kept, schema=result.schema), total


# -------------------------------------------------------------------------------------- output

#: ``ada sql --format``: a rich table on a terminal, or a file format to pipe or keep.
FORMATS = ("table", "csv", "parquet", "json")
#: SQL MAPs become objects, not lists of key/value pairs (``to_pylist(**MAPS_AS_DICTS)``).
MAPS_AS_DICTS: dict[str, Any] = {"maps_as_pydicts": "lossy"}


def plain_value(value: Any) -> Any:
    """A JSON-ready value: exact integers stay integers, dates are ISO 8601, bytes are hex."""
    if isinstance(value, pa.MonthDayNano):  # an SQL INTERVAL, as ISO 8601
        return f"P{value.months}M{value.days}DT{value.nanoseconds / 1e9:g}S"
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _csv_writable(type_: pa.DataType) -> bool:
    return (
        pa.types.is_boolean(type_)
        or pa.types.is_integer(type_)
        or pa.types.is_floating(type_)
        or pa.types.is_decimal(type_)
        or pa.types.is_string(type_)
        or pa.types.is_large_string(type_)
        or pa.types.is_date(type_)
        or pa.types.is_timestamp(type_)
        or pa.types.is_time(type_)
        or pa.types.is_null(type_)
    )


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    """Lists, structs, intervals, blobs...: written as JSON text, which CSV cannot hold natively."""
    return pa.schema(
        [f if _csv_writable(f.type) else pa.field(f.name, pa.string()) for f in schema]
    )


def as_text(value: Any) -> str | None:
    """One cell as text: nested values (lists, structs, maps) as JSON; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, pa.MonthDayNano | bytes):
        return str(plain_value(value))
    if isinstance(value, dict | list | tuple):
        return json.dumps(plain_value(value), ensure_ascii=False)
    return str(value)


def _csv_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    columns = []
    for column, field in zip(batch.columns, schema, strict=True):
        if column.type == field.type:
            columns.append(column)
            continue
        columns.append(
            pa.array([as_text(v) for v in column.to_pylist(**MAPS_AS_DICTS)], pa.string())
        )
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def write_csv(result: QueryResult, sink: BinaryIO | Path) -> int:
    """UTF-8 CSV with a header row; returns the number of rows written."""
    import pyarrow.csv as pacsv

    schema = _csv_schema(result.schema)
    rows = 0
    target = str(sink) if isinstance(sink, Path) else pa.PythonFile(sink, mode="w")
    with pacsv.CSVWriter(target, schema) as writer:
        for batch in result.batches:
            writer.write_batch(_csv_batch(batch, schema))
            rows += batch.num_rows
    return rows


def write_json_lines(result: QueryResult, sink: BinaryIO) -> int:
    """One JSON object per row (UTF-8); returns the number of rows written."""
    rows = 0
    for batch in result.batches:
        lines = [
            json.dumps(plain_value(row), ensure_ascii=False)
            for row in batch.to_pylist(**MAPS_AS_DICTS)
        ]
        if lines:
            sink.write(("\n".join(lines) + "\n").encode("utf-8"))
        rows += batch.num_rows
    sink.flush()
    return rows


def write_parquet(result: QueryResult, path: Path) -> int:
    """A Parquet file (zstd), streamed batch by batch; returns the number of rows written."""
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetWriter(str(path), result.schema, compression="zstd") as writer:
        for batch in result.batches:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows
