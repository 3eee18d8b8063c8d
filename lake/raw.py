"""The raw zone: the bytes exactly as received, immutable, one folder per delivery version.

Layout (keys inside the raw zone)::

    <dataset id>/[partition=<YYYY-MM-DD>/]v=<received_at>/<file name>
    <dataset id>/[partition=<YYYY-MM-DD>/]v=<received_at>/_manifest.json

The manifest (source, sha256, size, received_at, spec version) is written last and marks the
version as complete. A re-delivery with different bytes is a new version; identical bytes are
recognised by their sha256 and not stored twice, which keeps re-runs idempotent. Nothing here
ever overwrites or deletes a complete version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import BinaryIO

from lake.storage import ObjectStore

MANIFEST = "_manifest.json"


@dataclass(frozen=True)
class RawFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class RawVersion:
    """One complete delivery of a dataset (or of one of its partitions)."""

    dataset_id: str
    version: str
    received_at: str
    spec_version: int
    source: str
    sha256: str
    files: tuple[RawFile, ...]
    partition: str | None = None
    landing_keys: tuple[str, ...] = field(default_factory=tuple)

    @property
    def prefix(self) -> str:
        return f"{dataset_prefix(self.dataset_id, self.partition)}v={self.version}/"

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RawVersion:
        data = json.loads(text)
        data["files"] = tuple(RawFile(**f) for f in data["files"])
        data["landing_keys"] = tuple(data.get("landing_keys", ()))
        return cls(**data)


def dataset_prefix(dataset_id: str, partition: str | None = None) -> str:
    return f"{dataset_id}/partition={partition}/" if partition else f"{dataset_id}/"


def version_sha256(files: list[RawFile] | tuple[RawFile, ...]) -> str:
    """A delivery's identity: the hash of its files' names and hashes, order-independent."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.name):
        digest.update(f"{f.name}\0{f.sha256}\n".encode())
    return digest.hexdigest()


def list_versions(
    store: ObjectStore, dataset_id: str, partition: str | None = None
) -> list[RawVersion]:
    """Complete versions, oldest first. Without ``partition``, those of every partition."""
    prefix = dataset_prefix(dataset_id, partition)
    versions = [
        RawVersion.from_json(store.get_bytes(obj.key).decode("utf-8"))
        for obj in store.list(prefix)
        if obj.key.endswith(f"/{MANIFEST}")
    ]
    return sorted(versions, key=version_order)


def version_order(version: RawVersion) -> tuple[str, str]:
    """Partition, then arrival: version ids are UTC timestamps, so they sort in time."""
    return (version.partition or "", version.version)


def _new_version_id(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


class RawTooLarge(ValueError):
    """A file grew past the size limit while it was being copied (its size was not known
    beforehand, e.g. an HTTP download without Content-Length); nothing of it is kept."""

    def __init__(self, name: str, limit: int) -> None:
        super().__init__(name)
        self.name = name
        self.limit = limit


@dataclass
class Receipt:
    version: RawVersion
    is_new: bool


def receive(
    store: ObjectStore,
    *,
    dataset_id: str,
    spec_version: int,
    source: str,
    files: list[tuple[str, BinaryIO]],
    partition: str | None = None,
    landing_keys: list[str] | None = None,
    existing: list[RawVersion] | None = None,
    max_bytes: int | None = None,
) -> Receipt:
    """Store one delivery as a new immutable version unless identical bytes are already there.

    Files are streamed (hashing while writing), so a large delivery never sits in memory; a
    file longer than ``max_bytes`` stops the copy (:class:`RawTooLarge`) and leaves nothing.
    """
    now = dt.datetime.now(dt.UTC)
    version_id = _new_version_id(now)
    prefix = f"{dataset_prefix(dataset_id, partition)}v={version_id}/"
    written: list[RawFile] = []
    try:
        for name, stream in files:
            key = f"{prefix}{name}"
            counter = _CountingReader(stream, name, max_bytes)
            sha = store.put_stream(key, counter, immutable=True)  # type: ignore[arg-type]
            written.append(RawFile(name, sha, counter.count))
    except BaseException:
        store.delete(prefix)
        raise
    sha = version_sha256(written)
    previous = existing if existing is not None else list_versions(store, dataset_id, partition)
    for version in previous:
        if version.sha256 == sha:
            store.delete(prefix)
            return Receipt(version, is_new=False)
    version = RawVersion(
        dataset_id=dataset_id,
        version=version_id,
        received_at=now.isoformat(timespec="seconds"),
        spec_version=spec_version,
        source=source,
        sha256=sha,
        files=tuple(written),
        partition=partition,
        landing_keys=tuple(landing_keys or ()),
    )
    store.put_bytes(version.key(MANIFEST), version.to_json().encode("utf-8"), immutable=True)
    return Receipt(version, is_new=True)


class _CountingReader:
    """Pass-through reader that counts the bytes it hands over (the file's size)."""

    def __init__(self, stream: BinaryIO, name: str = "", limit: int | None = None) -> None:
        self._stream = stream
        self._name = name
        self._limit = limit
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.count += len(chunk)
        if self._limit is not None and self.count > self._limit:
            raise RawTooLarge(self._name, self._limit)
        return chunk
