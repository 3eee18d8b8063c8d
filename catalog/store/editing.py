"""What the write API leaves in the store for others to act on.

**Metadata overrides.** An edit of a dataset's catalog metadata (``package_patch``) is stored
as an override, per dataset: the record fields it sets (``title``, ``notes``...). The catalog
refresh builds each record from the spec and applies the override over it
(:func:`catalog.packages.edited_spec`), so the edit survives every later refresh, and the spec
stays the source of everything else (the data contract: columns, types, rules, privacy). A
field set to ``None`` is dropped from the override: the spec's value shows again.

**Republish requests.** ``ada_dataset_republish`` records a request; the Dagster sensor
(``orchestration/defs/sensors.py``) reads the pending ones, launches the dataset's ingest job
and marks them launched (or rejected, saying why).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from catalog.store import schema
from catalog.store.access import utc_now
from catalog.store.store import CatalogStore

RequestStatus = Literal["pending", "launched", "rejected"]


@dataclass(frozen=True)
class Override:
    fields: dict[str, Any]
    updated_at: str
    updated_by: str


def overrides(store: CatalogStore) -> dict[str, Override]:
    """Every dataset's override, by dataset name."""
    with store.engine.connect() as connection:
        return read_overrides(connection)


def read_overrides(connection: sa.Connection) -> dict[str, Override]:
    """:func:`overrides` inside the caller's transaction (the refresh's, under its lock)."""
    rows = connection.execute(sa.select(schema.package_overrides))
    return {
        row.package_name: Override(dict(row.fields), row.updated_at, row.updated_by) for row in rows
    }


def save_override(
    connection: sa.Connection, name: str, changes: Mapping[str, Any], by: str
) -> dict[str, Any]:
    """Merge ``changes`` into ``name``'s override inside the caller's transaction (``None``
    drops a field); the fields overridden afterwards."""
    table = schema.package_overrides
    stored = connection.execute(
        sa.select(table.c.fields).where(table.c.package_name == name)
    ).scalar_one_or_none()
    fields = dict(stored or {})
    for key, value in changes.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    connection.execute(sa.delete(table).where(table.c.package_name == name))
    if fields:
        connection.execute(
            sa.insert(table).values(
                package_name=name, fields=fields, updated_at=utc_now(), updated_by=by
            )
        )
    return fields


@dataclass(frozen=True)
class RepublishRequest:
    id: int
    package_name: str
    partition_key: str | None
    requested_at: str
    requested_by: str
    status: RequestStatus
    run_key: str | None = None
    handled_at: str | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dataset": self.package_name,
            "partition": self.partition_key,
            "requested_at": self.requested_at,
            "requested_by": self.requested_by,
            "status": self.status,
            "run_key": self.run_key,
            "handled_at": self.handled_at,
            "message": self.message,
        }


def _request(row: sa.Row[Any]) -> RepublishRequest:
    return RepublishRequest(
        id=int(row.id),
        package_name=row.package_name,
        partition_key=row.partition_key,
        requested_at=row.requested_at,
        requested_by=row.requested_by,
        status=row.status,
        run_key=row.run_key,
        handled_at=row.handled_at,
        message=row.message,
    )


def request_republish(
    connection: sa.Connection, name: str, partition: str | None, by: str
) -> tuple[RepublishRequest, bool]:
    """A pending request for ``name`` (and ``partition``) inside the caller's transaction:
    the one already waiting, or a new one; and whether it is new. Asking twice before the
    sensor runs launches one run, not two."""
    table = schema.republish_requests
    same_partition = (
        table.c.partition_key.is_(None) if partition is None else table.c.partition_key == partition
    )
    waiting = connection.execute(
        sa.select(table)
        .where(table.c.package_name == name, same_partition, table.c.status == "pending")
        .order_by(table.c.id)
    ).first()
    if waiting is not None:
        return _request(waiting), False
    created = connection.execute(
        sa.insert(table)
        .values(
            package_name=name,
            partition_key=partition,
            requested_at=utc_now(),
            requested_by=by,
            status="pending",
        )
        .returning(*table.c)
    ).one()
    return _request(created), True


def pending_requests(store: CatalogStore) -> list[RepublishRequest]:
    """The requests no sensor has handled yet, oldest first."""
    table = schema.republish_requests
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(table).where(table.c.status == "pending").order_by(table.c.id)
        )
        return [_request(row) for row in rows]


def get_request(store: CatalogStore, request_id: int) -> RepublishRequest | None:
    table = schema.republish_requests
    with store.engine.connect() as connection:
        row = connection.execute(sa.select(table).where(table.c.id == request_id)).first()
        return _request(row) if row is not None else None


def mark_requests(
    store: CatalogStore,
    ids: Iterable[int],
    status: RequestStatus,
    *,
    run_key: str | None = None,
    message: str | None = None,
) -> None:
    """Close pending requests (a request already closed stays as it was)."""
    table = schema.republish_requests
    wanted = list(ids)
    if not wanted:
        return
    with store.writer.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.id.in_(wanted), table.c.status == "pending")
            .values(status=status, run_key=run_key, message=message, handled_at=utc_now())
        )
