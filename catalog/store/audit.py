"""The audit log: every change to the catalog and every refused attempt to make one.

A row says who (the token's name and role; none when no valid token came), what (the action
and its target dataset), when (UTC), how it ended (``ok``, ``refused``, ``invalid``,
``not_found``, ``error``, with the HTTP status and the message the client got), the request id
the client also got (``X-Request-ID``), and for a change the changed fields before and after,
as JSON. A token is never written here: not the valid ones, not the ones refused.

A change and its row are written in one transaction where the change lives in the store (an
edit, a republish request), so there is no change without its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from catalog.store import schema
from catalog.store.access import utc_now
from catalog.store.store import CatalogStore

Outcome = Literal["ok", "refused", "invalid", "not_found", "error"]
#: A target as long as the column takes (a refused request may name anything).
_TARGET_LENGTH = 200


@dataclass(frozen=True)
class AuditEntry:
    request_id: str
    action: str
    outcome: Outcome
    status: int
    token_name: str | None = None
    role: str | None = None
    target: str | None = None
    message: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def record(connection: sa.Connection, entry: AuditEntry) -> int:
    """Write ``entry`` inside the caller's transaction; its id."""
    target = entry.target[:_TARGET_LENGTH] if entry.target else entry.target
    inserted = connection.execute(
        sa.insert(schema.audit_log)
        .values(
            at=utc_now(),
            request_id=entry.request_id,
            token_name=entry.token_name,
            role=entry.role,
            action=entry.action,
            target=target,
            outcome=entry.outcome,
            status=entry.status,
            message=entry.message,
            before=entry.before,
            after=entry.after,
        )
        .returning(schema.audit_log.c.id)
    )
    return int(inserted.scalar_one())


def write_entry(store: CatalogStore, entry: AuditEntry) -> int:
    """Write ``entry`` in its own transaction (a refusal, or a change outside the store)."""
    with store.writer.begin() as connection:
        return record(connection, entry)


@dataclass(frozen=True)
class AuditQuery:
    """Filters and page of :func:`list_entries` (every filter is an exact match)."""

    limit: int = 100
    offset: int = 0
    target: str | None = None
    action: str | None = None
    token_name: str | None = None
    outcome: str | None = None


def list_entries(store: CatalogStore, query: AuditQuery) -> tuple[int, list[dict[str, Any]]]:
    """How many rows match, and one page of them, newest first."""
    table = schema.audit_log
    conditions = [
        column == value
        for column, value in (
            (table.c.target, query.target),
            (table.c.action, query.action),
            (table.c.token_name, query.token_name),
            (table.c.outcome, query.outcome),
        )
        if value
    ]
    with store.engine.connect() as connection:
        count = connection.execute(
            sa.select(sa.func.count()).select_from(table).where(*conditions)
        ).scalar_one()
        rows = connection.execute(
            sa.select(table)
            .where(*conditions)
            .order_by(table.c.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        ).mappings()
        return int(count), [_shown(row) for row in rows]


def _shown(row: sa.RowMapping) -> dict[str, Any]:
    """A row as the API answers it (CKAN's ``user`` for the token's name)."""
    return {
        "id": int(row["id"]),
        "timestamp": row["at"],
        "request_id": row["request_id"],
        "user": row["token_name"],
        "role": row["role"],
        "action": row["action"],
        "target": row["target"],
        "outcome": row["outcome"],
        "status": int(row["status"]),
        "message": row["message"],
        "before": row["before"],
        "after": row["after"],
    }
