"""The catalog store's tables and their versioned creation.

Tables (schema ``catalog`` on Postgres, unqualified on SQLite):

- ``catalog_state``: one row, the store's ``schema_version`` and the catalog ``version``, a
  counter that every write that changes the catalog increments. A service worker that last saw
  version ``v`` asks for the packages written after ``v`` and updates its search index with
  just those (see :class:`~catalog.store.store.CatalogStore.changes_since`).
- ``packages``: one row per dataset name: the catalog record as JSON, its digest (so a refresh
  writes only what changed), the version that last wrote it, and a ``deleted`` mark: a dataset
  taken out of the catalog stays as a tombstone, which is how workers learn to remove it.
- ``organizations``: the publishing entities of the datasets in the catalog.
- ``releases``: the release manifests of the datasets in the catalog (download routing and
  ``datastore_search`` read them).
- ``downloads``: download counters per dataset, release, file and day (Bogotá's calendar).

The schema is created on startup by :func:`migrate`, under a lock so that service workers
starting together do not race. Each entry of :data:`MIGRATIONS` takes the schema one version
up; the store records how far it has gone and refuses a database written by newer code. One
step does not need Alembic (installed with Dagster); the first change to these tables should
add a step that alters them, and make step 1 create the tables as they are today.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from catalog.store.engine import SCHEMA, is_postgres

metadata = sa.MetaData(schema=SCHEMA)

catalog_state = sa.Table(
    "catalog_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("changed_at", sa.String(40), nullable=True),
)

packages = sa.Table(
    "packages",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("organization", sa.String(200), nullable=True),
    sa.Column("data", sa.JSON, nullable=True),
    sa.Column("digest", sa.String(64), nullable=True),
    sa.Column("modified", sa.String(40), nullable=True),
    sa.Column("version", sa.BigInteger, nullable=False, index=True),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
)

organizations = sa.Table(
    "organizations",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("id", sa.String(36), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
)

releases = sa.Table(
    "releases",
    metadata,
    sa.Column("package_name", sa.String(100), primary_key=True),
    sa.Column("version", sa.String(20), primary_key=True),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
)

downloads = sa.Table(
    "downloads",
    metadata,
    sa.Column("package_name", sa.String(100), primary_key=True),
    sa.Column("version", sa.String(20), primary_key=True),
    sa.Column("file_name", sa.String(255), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)


def _create_tables(connection: sa.Connection) -> None:
    metadata.create_all(connection)
    connection.execute(sa.insert(catalog_state).values(id=1, schema_version=0, version=0))


#: Step ``i`` takes the schema from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[Callable[[sa.Connection], None], ...] = (_create_tables,)
SCHEMA_VERSION = len(MIGRATIONS)
#: Postgres advisory lock key held while migrating ("ADA-CATA").
_MIGRATION_LOCK = 0x4144_4143_4154_41


class StoreError(RuntimeError):
    """The catalog store cannot be used; the message never carries credentials."""


def _schema_version(connection: sa.Connection) -> int:
    if not sa.inspect(connection).has_table(catalog_state.name, schema=_schema(connection)):
        return 0
    found = connection.execute(sa.select(catalog_state.c.schema_version)).scalar_one_or_none()
    return int(found or 0)


def _schema(connection: sa.Connection) -> str | None:
    return SCHEMA if is_postgres(connection) else None


def migrate(engine: sa.Engine) -> int:
    """Create or upgrade the store's tables; returns the schema version.

    One transaction (DDL is transactional on both backends) under a lock: an advisory lock on
    Postgres, ``BEGIN IMMEDIATE`` on SQLite (see :mod:`catalog.store.engine`).
    """
    from catalog.store.engine import WRITE

    with engine.execution_options(**{WRITE: True}).begin() as connection:
        if is_postgres(connection):
            # The lock first: two CREATE SCHEMA IF NOT EXISTS at once can still collide.
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        current = _schema_version(connection)
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the catalog store has schema version {current}, newer than this code's "
                f"{SCHEMA_VERSION}: upgrade ADA before serving this catalog"
            )
        for step in MIGRATIONS[current:]:
            step(connection)
        if current < SCHEMA_VERSION:
            connection.execute(sa.update(catalog_state).values(schema_version=SCHEMA_VERSION))
    return SCHEMA_VERSION
