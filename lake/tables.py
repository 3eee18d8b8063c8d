"""The lake's tables: one DuckLake catalog per table zone (staging, curated, open).

DuckLake keeps table metadata (schemas, snapshots, file lists) in SQLite files under
``$ADA_HOME/metadata`` by default, or in Postgres (one schema per zone) when
``ADA_DATABASE_URL`` is set; data files are Parquet in the zone's folder or bucket. Snapshots
give time travel, and every write is a transaction, so readers never see half a load.

DuckDB extensions come from pinned PyPI wheels and are installed from those files into a private
extension directory: nothing downloads at run time.
"""

from __future__ import annotations

import fcntl
import importlib.util
import random
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from ada.settings import TABLE_ZONES, Settings, Zone
from lake.storage import store_for

#: Installed once per Python environment (copied from the wheels), shared by every ADA_HOME.
EXTENSION_DIR = Path(sys.prefix) / "share" / "ada" / "duckdb-extensions"
_LOADED_NAME = {"sqlite": "sqlite_scanner", "postgres": "postgres_scanner"}


class LakeError(RuntimeError):
    """A table catalog cannot be opened; the message never carries credentials."""


def extension_file(name: str) -> Path:
    """The ``.duckdb_extension`` file shipped by the ``duckdb-extension-<name>`` wheel."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"the DuckDB extension wheel 'duckdb-extension-{name}' is not installed; "
            "run 'make install'"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    return next(root.glob(f"extensions/v{duckdb.__version__}/*.duckdb_extension"))


def _install_extensions(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> None:
    """Install (copy from the wheels, once per environment) and load the extensions.

    Installing is done under a file lock: processes starting together (Dagster's executor,
    parallel tests) must not load a file another one is still copying.
    """
    wanted = list(names)
    EXTENSION_DIR.mkdir(parents=True, exist_ok=True)
    with (EXTENSION_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        installed = {
            row[0]
            for row in con.execute(
                "SELECT extension_name FROM duckdb_extensions() WHERE installed"
            ).fetchall()
        }
        for name in wanted:
            if _LOADED_NAME.get(name, name) not in installed:
                con.execute(f"INSTALL '{extension_file(name)}'")
    for name in wanted:
        con.execute(f"LOAD {_LOADED_NAME.get(name, name)}")


def ensure_extensions(settings: Settings) -> Path:
    """Install this configuration's extensions into :data:`EXTENSION_DIR` (once per
    environment) and return the folder, for DuckDB sessions opened by other tools (SQLMesh)
    that load them from there with autoloading, offline."""
    con = duckdb.connect(
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "extension_directory": str(EXTENSION_DIR),
            "allow_unsigned_extensions": True,
        }
    )
    try:
        _install_extensions(con, needed_extensions(settings))
    finally:
        con.close()
    return EXTENSION_DIR


def needed_extensions(settings: Settings) -> list[str]:
    """Only what this configuration uses: each extension costs ~0.3 s to load."""
    names = ["ducklake", "postgres" if settings.database_url is not None else "sqlite"]
    if settings.s3 is not None:
        names.append("httpfs")
    return names


def _configure_s3(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    s3 = settings.s3
    if s3 is None:
        return
    con.execute(
        """CREATE OR REPLACE SECRET ada_s3 (
            TYPE s3, KEY_ID $key, SECRET $secret, ENDPOINT $endpoint, REGION $region,
            URL_STYLE 'path', USE_SSL $ssl)""",
        {
            "key": s3.access_key.get_secret_value(),
            "secret": s3.secret_key.get_secret_value(),
            "endpoint": s3.host,
            "region": s3.region,
            "ssl": s3.secure,
        },
    )
    # httpfs retries transient I/O errors on its own; give it the same bound and first wait
    # as the minio SDK and pyarrow (``ADA_S3_RETRIES``, ``ADA_S3_RETRY_BACKOFF``), doubling.
    con.execute(f"SET http_retries = {int(s3.retries)}")
    con.execute(f"SET http_retry_wait_ms = {int(s3.retry_backoff * 1000)}")
    con.execute("SET http_retry_backoff = 2")


def metadata_target(settings: Settings, zone: Zone) -> tuple[str, str]:
    """The DuckLake metadata connection string for ``zone`` and extra ATTACH options."""
    if settings.database_url is not None:
        url = settings.database_url.get_secret_value().replace("postgres://", "postgresql://", 1)
        return f"ducklake:postgres:{url}", f", METADATA_SCHEMA 'ducklake_{zone.value}'"
    settings.metadata_dir.mkdir(parents=True, exist_ok=True)
    return f"ducklake:sqlite:{settings.metadata_dir / f'{zone.value}.sqlite'}", ""


def connect(
    settings: Settings,
    zones: Iterable[Zone] = TABLE_ZONES,
    *,
    read_only: bool = False,
    threads: int | None = None,
    memory_limit: str | None = None,
    verify_extension_signatures: bool = False,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session with the zones' DuckLake catalogs attached by zone name.

    Tables are addressed as ``<zone>.<sector>.<dataset id>``, e.g. ``staging.salud.covid19``.

    The pipeline runs only its own SQL and loads only the extensions pinned in the lock file,
    so it skips DuckDB's signature check (0.25 s per connection). A session that runs SQL
    written by someone else (an analyst) must pass ``verify_extension_signatures=True``.
    """
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "extension_directory": str(EXTENSION_DIR),
        "allow_unsigned_extensions": not verify_extension_signatures,
    }
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(config=config)
    try:
        con.execute("SET enable_progress_bar = false")
        _install_extensions(con, needed_extensions(settings))
        _configure_s3(con, settings)
        for zone in zones:
            retry_when_busy(attach_zone, con, settings, zone, read_only)
    except Exception:
        con.close()
        raise
    return con


def attach_zone(
    con: duckdb.DuckDBPyConnection, settings: Settings, zone: Zone, read_only: bool = False
) -> None:
    target, options = metadata_target(settings, zone)
    data_path = store_for(settings, zone).uri("")
    if settings.s3 is None:
        Path(data_path).mkdir(parents=True, exist_ok=True)
    mode = ", READ_ONLY" if read_only else ""
    try:
        con.execute(
            f"ATTACH IF NOT EXISTS '{target}' AS {zone.value} "
            f"(DATA_PATH '{data_path}'{options}{mode})"
        )
        if not read_only:
            _set_compression(con, zone)
    except duckdb.Error as err:
        message = settings.redact(str(err))
        raise LakeError(f"cannot open the {zone.value} table catalog: {message}") from None


#: Staging is rewritten often and read by the pipeline: fast snappy. Zones people download
#: from keep DuckLake's default, the smaller zstd.
ZONE_COMPRESSION = {Zone.STAGING: "snappy", Zone.CURATED: "zstd", Zone.OPEN: "zstd"}


def _set_compression(con: duckdb.DuckDBPyConnection, zone: Zone) -> None:
    wanted = ZONE_COMPRESSION.get(zone)
    current = con.execute(
        f"SELECT value FROM {zone.value}.options() WHERE option_name = 'parquet_compression'"
    ).fetchone()
    if wanted and (current is None or current[0] != wanted):
        con.execute(f"CALL {zone.value}.set_option('parquet_compression', '{wanted}')")


#: What another process writing the same catalog at the same moment can cause: SQLite metadata
#: is locked while it is written, and DuckLake reports conflicting snapshots.
_BUSY = ("database is locked", "conflict", "busy")

T = TypeVar("T")


def retry_when_busy(action: Callable[..., T], *args: Any, attempts: int = 8) -> T:
    """Run ``action``, retrying with jittered backoff while the catalog is busy."""
    for attempt in range(attempts):
        try:
            return action(*args)
        except (duckdb.Error, LakeError) as err:
            if attempt == attempts - 1 or not any(w in str(err).lower() for w in _BUSY):
                raise
            time.sleep(min(0.05 * 2**attempt, 2.0) * (1 + random.random()))
    raise AssertionError("unreachable")


def table_exists(con: duckdb.DuckDBPyConnection, zone: Zone, schema: str, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ?",
        [zone.value, schema, table],
    ).fetchone()
    return bool(row and row[0])
