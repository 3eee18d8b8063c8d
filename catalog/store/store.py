"""The catalog store: what the service serves, written by the catalog refresh.

The store is the catalog's source of truth; each service worker keeps the catalog in memory
(its search index) and follows the store through :meth:`CatalogStore.changes_since`: every
write that changes something increments the catalog ``version`` once and stamps the rows it
wrote with it, so a worker that last saw ``v`` reads only the rows stamped after ``v``.

Why that is safe with several writers: a write first locks the version row (``SELECT ... FOR
UPDATE`` on Postgres, ``BEGIN IMMEDIATE`` on SQLite), so writers run one after the other and
commit their versions in increasing order; a version becomes visible only together with its
rows. Readers read the version *before* the rows, so at worst they see rows newer than the
version they note, and apply them again next time (applying a package is idempotent).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ada.settings import Settings
from catalog.packages import ReleaseManifest
from catalog.records import Organization, Package
from catalog.store import schema
from catalog.store.engine import WRITE, catalog_engine, is_postgres
from catalog.store.schema import StoreError, migrate

#: Bogotá's calendar for the daily download counters (Colombia has no daylight saving time).
BOGOTA = dt.timezone(dt.timedelta(hours=-5), "America/Bogota")


def digest(value: Any) -> str:
    """A stable fingerprint of a JSON value (keys sorted), to write only what changed."""
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass(frozen=True)
class CatalogChanges:
    """What changed after a version: packages to add or replace, names to take out."""

    version: int
    upserted: list[Package] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.upserted or self.removed)


@dataclass(frozen=True)
class WriteResult:
    """The outcome of :meth:`CatalogStore.write_catalog`."""

    version: int
    written: int
    removed: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


class CatalogStore:
    """The catalog in SQLite or Postgres (see :mod:`catalog.store.schema`)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(**{WRITE: True})

    @classmethod
    def open(cls, settings: Settings) -> CatalogStore:
        """The store of this installation, its tables created or upgraded first."""
        engine = catalog_engine(settings)
        try:
            migrate(engine)
        except sa.exc.SQLAlchemyError as err:
            engine.dispose()
            raise StoreError(f"cannot open the catalog store: {_describe(err, settings)}") from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def writer(self) -> sa.Engine:
        """The engine for write transactions (``BEGIN IMMEDIATE`` on SQLite: writers queue
        instead of failing half-way); the write side's modules write through it too."""
        return self._writer

    # ------------------------------------------------------------------------------ reading

    def version(self) -> int:
        """The catalog version: one indexed read of one row, cheap enough to poll."""
        with self.engine.connect() as connection:
            return _version(connection)

    def snapshot(self) -> tuple[int, list[Package]]:
        """The version and every package in the catalog (the version is read first)."""
        with self.engine.connect() as connection:
            version = _version(connection)
            rows = connection.execute(
                sa.select(schema.packages.c.data)
                .where(schema.packages.c.deleted.is_(False))
                .order_by(schema.packages.c.name)
            )
            return version, [cast(Package, row.data) for row in rows]

    def changes_since(self, version: int) -> CatalogChanges:
        """Packages written and removed after ``version``."""
        with self.engine.connect() as connection:
            now = _version(connection)
            if now == version:
                return CatalogChanges(now)
            rows = connection.execute(
                sa.select(
                    schema.packages.c.name, schema.packages.c.data, schema.packages.c.deleted
                ).where(schema.packages.c.version > version)
            ).all()
        return CatalogChanges(
            now,
            upserted=[cast(Package, row.data) for row in rows if not row.deleted],
            removed=[row.name for row in rows if row.deleted],
        )

    def package(self, name: str) -> Package | None:
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(schema.packages.c.data).where(
                    schema.packages.c.name == name, schema.packages.c.deleted.is_(False)
                )
            ).scalar_one_or_none()
        return cast(Package, found) if found is not None else None

    def organizations(self) -> list[Organization]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(schema.organizations.c.data).order_by(schema.organizations.c.name)
            )
            return [cast(Organization, row.data) for row in rows]

    def release(self, name: str, version: str) -> ReleaseManifest | None:
        """One release manifest of a dataset in the catalog, or ``None``."""
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(schema.releases.c.data).where(
                    schema.releases.c.package_name == name, schema.releases.c.version == version
                )
            ).scalar_one_or_none()
        return cast(ReleaseManifest, found) if found is not None else None

    def download_totals(self) -> dict[str, int]:
        """Downloads per dataset, every release, file and day."""
        table = schema.downloads
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(table.c.package_name, sa.func.sum(table.c.count)).group_by(
                    table.c.package_name
                )
            )
            return {name: int(total) for name, total in rows}

    def download_counts(self, name: str) -> list[dict[str, Any]]:
        """A dataset's counters, one per release, file and day (oldest first)."""
        table = schema.downloads
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(table.c.version, table.c.file_name, table.c.day, table.c.count)
                .where(table.c.package_name == name)
                .order_by(table.c.day, table.c.version, table.c.file_name)
            )
            return [
                {"version": v, "file": f, "day": d.isoformat(), "count": int(c)}
                for v, f, d, c in rows
            ]

    # ------------------------------------------------------------------------------ writing

    def write_catalog(
        self,
        packages: Sequence[Package],
        releases: Mapping[str, Sequence[ReleaseManifest]] | None = None,
    ) -> WriteResult:
        """Make the catalog exactly ``packages`` (with their ``releases`` by dataset name).

        Rows whose content did not change are not written; datasets no longer given are
        taken out (tombstoned); the organizations follow the packages. The version moves once,
        and only if something changed, so calling this again with the same catalog is a read.
        """
        return self.write_built(lambda _connection: packages, releases)

    def write_built(
        self,
        build: Callable[[sa.Connection], Sequence[Package]],
        releases: Mapping[str, Sequence[ReleaseManifest]] | None = None,
    ) -> WriteResult:
        """:meth:`write_catalog` with the packages built by ``build`` once the version is
        locked, from what it reads through the connection (the refresh reads the metadata
        overrides there): a refresh that started before an edit was saved and writes after it
        cannot put the unedited record back, since the edit's own refresh queues behind it."""
        releases = releases or {}
        with self.writer.begin() as connection:
            current = _lock_version(connection)
            packages = build(connection)
            plan = _plan(connection, packages, releases)
            if not plan.changes_anything:
                return WriteResult(current, 0, 0, len(packages))
            version = current + 1
            _apply(connection, plan, version)
            connection.execute(
                sa.update(schema.catalog_state).values(
                    version=version, changed_at=dt.datetime.now(dt.UTC).isoformat()
                )
            )
        return WriteResult(
            version, len(plan.packages), len(plan.removed), len(packages) - len(plan.packages)
        )

    def record_download(self, name: str, version: str, file_name: str, day: dt.date) -> None:
        """Count one download (not a catalog change: the version does not move)."""
        table = schema.downloads
        insert = _insert(self.engine, table).values(
            package_name=name, version=version, file_name=file_name, day=day, count=1
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[table.c.package_name, table.c.version, table.c.file_name, table.c.day],
            set_={"count": table.c.count + 1},
        )
        with self.writer.begin() as connection:
            connection.execute(upsert)


# ----------------------------------------------------------------------------------- helpers


def today_in_bogota() -> dt.date:
    return dt.datetime.now(BOGOTA).date()


def _version(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(schema.catalog_state.c.version)).scalar_one())


def _lock_version(connection: sa.Connection) -> int:
    """The version, locked until the transaction ends (SQLite holds its write lock already)."""
    query = sa.select(schema.catalog_state.c.version).with_for_update()
    return int(connection.execute(query).scalar_one())


def _insert(bind: sa.Engine | sa.Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_update`` on both backends."""
    return postgresql.insert(table) if is_postgres(bind) else sqlite.insert(table)


def _upsert(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    insert = _insert(connection, table)
    keys = [column for column in table.primary_key.columns]
    updated = {c.name: insert.excluded[c.name] for c in table.columns if not c.primary_key}
    connection.execute(insert.on_conflict_do_update(index_elements=keys, set_=updated), rows)


@dataclass
class _Plan:
    """The rows one :meth:`CatalogStore.write_catalog` has to write or take out."""

    packages: list[dict[str, Any]]
    removed: list[str]
    releases: list[dict[str, Any]]
    stale_releases: list[tuple[str, str]]
    organizations: list[dict[str, Any]]
    stale_organizations: list[str]

    @property
    def changes_anything(self) -> bool:
        return any(
            (
                self.packages,
                self.removed,
                self.releases,
                self.stale_releases,
                self.organizations,
                self.stale_organizations,
            )
        )


def _plan(
    connection: sa.Connection,
    packages: Sequence[Package],
    releases: Mapping[str, Sequence[ReleaseManifest]],
) -> _Plan:
    names = [package["name"] for package in packages]
    if len(set(names)) != len(names):
        raise StoreError("two packages with the same name in one catalog write")
    table = schema.packages
    stored = {
        row.name: row.digest
        for row in connection.execute(
            sa.select(table.c.name, table.c.digest).where(table.c.deleted.is_(False))
        )
    }
    new_packages = [
        _package_row(package, fingerprint)
        for package in packages
        if stored.get(package["name"]) != (fingerprint := digest(package))
    ]
    removed = sorted(set(stored) - set(names))
    release_rows, stale_releases = _plan_releases(connection, names, releases)
    org_rows, stale_orgs = _plan_organizations(connection, _organizations_of(packages))
    return _Plan(new_packages, removed, release_rows, stale_releases, org_rows, stale_orgs)


def _package_row(package: Package, fingerprint: str) -> dict[str, Any]:
    return {
        "name": package["name"],
        "id": package["id"],
        "organization": package["organization"]["name"],
        "data": package,
        "digest": fingerprint,
        "modified": package["metadata_modified"],
        "deleted": False,
    }


def _plan_releases(
    connection: sa.Connection,
    names: Iterable[str],
    releases: Mapping[str, Sequence[ReleaseManifest]],
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    table = schema.releases
    stored = {
        (row.package_name, row.version): row.digest
        for row in connection.execute(
            sa.select(table.c.package_name, table.c.version, table.c.digest)
        )
    }
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for name in names:
        for manifest in releases.get(name, ()):
            key = (name, manifest["version"])
            wanted[key] = {
                "package_name": name,
                "version": manifest["version"],
                "data": manifest,
                "digest": digest(manifest),
            }
    rows = [row for key, row in wanted.items() if stored.get(key) != row["digest"]]
    return rows, sorted(set(stored) - set(wanted))


def _organizations_of(packages: Iterable[Package]) -> dict[str, Organization]:
    found: dict[str, Organization] = {}
    for package in packages:
        organization = package["organization"]
        found.setdefault(organization["name"], organization)
    return found


def _plan_organizations(
    connection: sa.Connection, wanted: Mapping[str, Organization]
) -> tuple[list[dict[str, Any]], list[str]]:
    table = schema.organizations
    stored = {
        row.name: row.digest for row in connection.execute(sa.select(table.c.name, table.c.digest))
    }
    rows = [
        {"name": name, "id": org["id"], "data": org, "digest": fingerprint}
        for name, org in wanted.items()
        if stored.get(name) != (fingerprint := digest(org))
    ]
    return rows, sorted(set(stored) - set(wanted))


def _apply(connection: sa.Connection, plan: _Plan, version: int) -> None:
    _upsert(connection, schema.packages, [{**row, "version": version} for row in plan.packages])
    if plan.removed:
        table = schema.packages
        connection.execute(
            sa.update(table)
            .where(table.c.name.in_(plan.removed))
            .values(deleted=True, data=None, digest=None, version=version)
        )
    _upsert(connection, schema.releases, plan.releases)
    for name, release_version in plan.stale_releases:
        table = schema.releases
        connection.execute(
            sa.delete(table).where(table.c.package_name == name, table.c.version == release_version)
        )
    _upsert(connection, schema.organizations, plan.organizations)
    if plan.stale_organizations:
        table = schema.organizations
        connection.execute(sa.delete(table).where(table.c.name.in_(plan.stale_organizations)))


def _describe(err: BaseException, settings: Settings) -> str:
    """The driver's first line, without the database URL or any other secret."""
    message = str(getattr(err, "orig", None) or err).splitlines()[0] if str(err) else repr(err)
    return settings.redact(message)
