"""The catalog store's database: SQLite in ``$ADA_HOME/metadata`` or the ``catalog`` schema of
``ADA_DATABASE_URL``, behind one SQLAlchemy engine so that the same code runs on both.

SQLite is tuned for one writer (the catalog refresh, download counters) and many readers (every
service worker): WAL lets readers go on while a refresh writes, and a write transaction starts
with ``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout instead of failing on a
lock upgrade half-way. Postgres needs nothing special: writers queue on the row lock of the
catalog's version (see :mod:`catalog.store.store`).
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event

from ada.settings import Settings

#: The Postgres schema that holds the catalog's tables (SQLite has no schemas: unqualified).
SCHEMA = "catalog"
#: Execution option that marks a transaction as a writer (``BEGIN IMMEDIATE`` on SQLite).
WRITE = "ada_catalog_write"
#: How long a writer waits for another one on SQLite before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def catalog_engine(settings: Settings) -> sa.Engine:
    """The engine of the catalog store for ``settings`` (Postgres when ``ADA_DATABASE_URL`` is
    set, else ``$ADA_HOME/metadata/catalog.sqlite``)."""
    if settings.database_url is not None:
        return _postgres_engine(settings.database_url.get_secret_value())
    settings.metadata_dir.mkdir(parents=True, exist_ok=True)
    return _sqlite_engine(f"sqlite:///{settings.metadata_dir / 'catalog.sqlite'}")


def _postgres_engine(url: str) -> sa.Engine:
    """psycopg 3 (a direct dependency), a small pool per process: a service worker holds at
    most a few connections, whatever its number of threads waiting on them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    engine = sa.create_engine(
        url,
        pool_size=4,
        max_overflow=8,
        pool_pre_ping=True,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )
    return engine


def _sqlite_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event (below) emit BEGIN itself: pysqlite's own implicit
        # transactions would start too late for DDL and could not be made IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        writer = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine.execution_options(schema_translate_map={SCHEMA: None})


def is_postgres(engine: sa.Engine | sa.Connection) -> bool:
    return engine.dialect.name == "postgresql"
