"""Who may do what in which zone of the lake, as data; the object store enforces it.

The zones exist so that access can be granted per zone by the object store itself, not by ADA's
code: a leaked analyst key must not open the raw zone, whatever program holds it. Each role has
its own credentials and these grants (zone → actions):

- **ingestion** receives deliveries: reads and writes ``landing`` (publishers drop files there)
  and ``raw`` (the immutable copy). The landing sensor and the raw assets act as this role.
- **pipeline** processes them: reads ``raw``; reads and writes ``staging``, ``curated`` and
  ``open``. It can neither read ``landing`` nor write ``raw``.
- **catalog** is the catalog service (``ada serve``): reads ``curated`` (``datastore_search``,
  the quality and privacy reports) and ``open`` (releases, presigned downloads). A role of its
  own, with an analyst's grants, so that its key is rotated without touching people's keys.
- **analyst** reads ``curated`` and ``open``, nothing else, and writes nothing.
- **public** (anonymous, unsigned requests) reads objects of ``open`` only (no listing).
- **admin** creates the buckets and nothing in ADA runs with it.

:func:`seaweedfs_identities` renders the grants as SeaweedFS's S3 identities file (``weed
-s3.config``), whose per-bucket actions (``Read:<bucket>``...) the S3 server checks on every
request; ``ada stack`` runs with it. Production's MinIO gets the same grants as IAM policies
(see docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ada.settings import Zone


class Role(StrEnum):
    """A set of credentials with its grants; ``public`` has none (anonymous)."""

    ADMIN = "admin"
    INGESTION = "ingestion"
    PIPELINE = "pipeline"
    CATALOG = "catalog"
    ANALYST = "analyst"
    PUBLIC = "public"


class Action(StrEnum):
    """SeaweedFS's action names: ``Read`` is GET/HEAD of objects, ``List`` lists a bucket,
    ``Write`` puts and deletes objects (multipart uploads included)."""

    READ = "Read"
    LIST = "List"
    WRITE = "Write"


_READ = frozenset({Action.READ, Action.LIST})
_READ_WRITE = frozenset({Action.READ, Action.LIST, Action.WRITE})

#: Per role, per zone, what the role may do there; a zone not named is refused entirely.
GRANTS: Mapping[Role, Mapping[Zone, frozenset[Action]]] = {
    Role.INGESTION: {Zone.LANDING: _READ_WRITE, Zone.RAW: _READ_WRITE},
    Role.PIPELINE: {
        Zone.RAW: _READ,
        Zone.STAGING: _READ_WRITE,
        Zone.CURATED: _READ_WRITE,
        Zone.OPEN: _READ_WRITE,
    },
    Role.CATALOG: {Zone.CURATED: _READ, Zone.OPEN: _READ},
    Role.ANALYST: {Zone.CURATED: _READ, Zone.OPEN: _READ},
    Role.PUBLIC: {Zone.OPEN: frozenset({Action.READ})},
}

#: Roles that hold keys (the public has none; the admin's grants are global).
KEYED_ROLES = (Role.ADMIN, Role.INGESTION, Role.PIPELINE, Role.CATALOG, Role.ANALYST)

#: SeaweedFS's name for the identity of unsigned requests.
ANONYMOUS_IDENTITY = "anonymous"


@dataclass(frozen=True)
class RoleKeys:
    """One role's S3 credentials (``repr`` hides the secret)."""

    access_key: str
    secret_key: str

    def __repr__(self) -> str:
        return f"RoleKeys(access_key={self.access_key!r}, secret_key='**********')"


def allowed(role: Role, zone: Zone, action: Action) -> bool:
    """Whether ``role`` may do ``action`` in ``zone`` (the admin may do anything)."""
    if role is Role.ADMIN:
        return True
    return action in GRANTS.get(role, {}).get(zone, frozenset())


def zone_actions(role: Role, buckets: Mapping[Zone, str]) -> list[str]:
    """The role's grants as SeaweedFS per-bucket actions, e.g. ``Read:ada-curated``."""
    if role is Role.ADMIN:
        return ["Admin", "Read", "List", "Write", "Tagging"]
    return [
        f"{action.value}:{buckets[zone]}"
        for zone, actions in GRANTS[role].items()
        for action in sorted(actions)
    ]


def seaweedfs_identities(
    keys: Mapping[Role, RoleKeys], buckets: Mapping[Zone, str]
) -> dict[str, Any]:
    """SeaweedFS's S3 identities file for these keys and a bucket per zone.

    Every zone must have its own bucket: SeaweedFS grants actions per bucket, so zones that
    shared one could not be told apart.
    """
    missing = [zone.value for zone in Zone if zone not in buckets]
    if missing or len(set(buckets.values())) != len(Zone):
        raise ValueError(f"every zone needs a bucket of its own (missing: {missing})")
    identities: list[dict[str, Any]] = [
        {
            "name": f"ada-{role.value}",
            "credentials": [
                {"accessKey": keys[role].access_key, "secretKey": keys[role].secret_key}
            ],
            "actions": zone_actions(role, buckets),
        }
        for role in KEYED_ROLES
    ]
    identities.append({"name": ANONYMOUS_IDENTITY, "actions": zone_actions(Role.PUBLIC, buckets)})
    return {"identities": identities}
