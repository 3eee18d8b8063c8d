"""The landing area: publishers drop files into ``landing/<dataset id>/`` (folder or bucket).

Partitioned datasets use one sub-folder per day: ``landing/<dataset id>/<YYYY-MM-DD>/``.
Each landed file is one delivery; the raw zone skips files it has already received.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from functools import partial

from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec, LandingSource
from ingestion.sources.base import DeliveredFile, Delivery
from lake.storage import ObjectInfo, ObjectStore, store_for


def landing_prefix(spec: DatasetSpec, partition: str | None = None) -> str:
    return f"{spec.id}/{partition}/" if partition else f"{spec.id}/"


def landed_files(
    store: ObjectStore, spec: DatasetSpec, partition: str | None = None
) -> list[ObjectInfo]:
    """Files waiting in the dataset's landing folder that match the source's pattern."""
    source = spec.source
    pattern = source.pattern if isinstance(source, LandingSource) else "*"
    prefix = landing_prefix(spec, partition)
    found = []
    for obj in store.list(prefix):
        relative = obj.key[len(prefix) :]
        if "/" in relative and not spec.is_partitioned:
            continue
        if fnmatch.fnmatch(relative.rsplit("/", 1)[-1], pattern):
            found.append(obj)
    return found


def partition_of(spec: DatasetSpec, key: str) -> str | None:
    """The partition a landing key belongs to (``<id>/<YYYY-MM-DD>/file``), if any."""
    parts = key.split("/")
    if spec.is_partitioned and len(parts) >= 3:
        return parts[1]
    return None


def _open(store: ObjectStore, key: str):
    return store.open_input(key)


def fetch_landing(
    spec: DatasetSpec, settings: Settings, partition: str | None
) -> Iterator[Delivery]:
    store = store_for(settings, Zone.LANDING)
    for obj in landed_files(store, spec, partition):
        name = obj.key.rsplit("/", 1)[-1]
        origin = f"landing/{obj.key}"
        yield Delivery(
            origin=origin,
            files=[DeliveredFile(name, partial(_open, store, obj.key), origin, obj.size)],
            landing_keys=[f"{obj.key}@{obj.etag}"],
        )
