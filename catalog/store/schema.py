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

The write side (schema version 2, see ``docs/api.md``):

- ``api_tokens``: who may change the catalog: a name, a role (``admin`` or ``editor``) and the
  SHA-256 of the token, never the token (:mod:`catalog.store.access`).
- ``audit_log``: every change and every refused attempt, with its before and after
  (:mod:`catalog.store.audit`).
- ``package_overrides``: catalog metadata edited through the API, applied by the refresh over
  the record built from the spec (:mod:`catalog.store.editing`).
- ``republish_requests``: republications asked for through the API, waiting for the Dagster
  sensor that launches them (:mod:`catalog.store.editing`).

The schema is created on startup by :func:`migrate`, under a lock so that service workers
starting together do not race. Each entry of :data:`MIGRATIONS` takes the schema one version
up; the store records how far it has gone and refuses a database written by newer code. Step 1
creates the tables of version 1 exactly as the first release made them (so that it can be
replayed); step 2 only adds the write side's tables, which is all Alembic would have done.
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


# ------------------------------------------------------------------- version 2: the write side

#: Time columns hold UTC ISO 8601 text (``2025-06-01T10:00:00.000000+00:00``), as
#: ``catalog_state.changed_at`` does: the same on both backends, and it sorts by time.
_STAMP = sa.String(40)
#: An auto-incremented key: BIGSERIAL on Postgres, SQLite's rowid (only INTEGER aliases it).
_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", _STAMP, nullable=False),
    sa.Column("last_used_at", _STAMP, nullable=True),
    sa.Column("revoked_at", _STAMP, nullable=True),
)
# One active token per name (a revoked one keeps its row, so the name can be issued again).
sa.Index(
    "api_tokens_active_name",
    api_tokens.c.name,
    unique=True,
    sqlite_where=api_tokens.c.revoked_at.is_(None),
    postgresql_where=api_tokens.c.revoked_at.is_(None),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("at", _STAMP, nullable=False),
    sa.Column("request_id", sa.String(64), nullable=False),
    sa.Column("token_name", sa.String(100), nullable=True, index=True),
    sa.Column("role", sa.String(20), nullable=True),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.String(200), nullable=True, index=True),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("before", sa.JSON, nullable=True),
    sa.Column("after", sa.JSON, nullable=True),
)

package_overrides = sa.Table(
    "package_overrides",
    metadata,
    sa.Column("package_name", sa.String(100), primary_key=True),
    sa.Column("fields", sa.JSON, nullable=False),
    sa.Column("updated_at", _STAMP, nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
)

republish_requests = sa.Table(
    "republish_requests",
    metadata,
    sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("package_name", sa.String(100), nullable=False),
    sa.Column("partition_key", sa.String(20), nullable=True),
    sa.Column("requested_at", _STAMP, nullable=False),
    sa.Column("requested_by", sa.String(100), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("run_key", sa.String(64), nullable=True),
    sa.Column("handled_at", _STAMP, nullable=True),
    sa.Column("message", sa.Text, nullable=True),
)

#: The tables of each schema version, in creation order.
VERSION_1_TABLES = (catalog_state, packages, organizations, releases, downloads)
VERSION_2_TABLES = (api_tokens, audit_log, package_overrides, republish_requests)


def _create_tables(connection: sa.Connection) -> None:
    """Version 1: the read side, as the first release created it."""
    metadata.create_all(connection, tables=list(VERSION_1_TABLES))
    connection.execute(sa.insert(catalog_state).values(id=1, schema_version=0, version=0))


def _add_write_side(connection: sa.Connection) -> None:
    """Version 2: tokens, audit log, metadata overrides and republish requests (new tables
    only: the rows of version 1 are untouched)."""
    metadata.create_all(connection, tables=list(VERSION_2_TABLES))


#: Step ``i`` takes the schema from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[Callable[[sa.Connection], None], ...] = (_create_tables, _add_write_side)
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
