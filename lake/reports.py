"""JSON reports kept per dataset in the curated zone: the latest, and a copy per run.

The privacy report (``_privacy/``) and the quality report (``_quality/``) are stored the same
way so the catalog reads both alike: ``<prefix>/<sector>/<id>[/<partition>].json`` holds the
latest, ``<that key without .json>/history/<run>.json`` every run.
"""

from __future__ import annotations

import json
from typing import Any

from ada.settings import Settings, Zone


def report_key(prefix: str, sector: str, dataset_id: str, partition: str | None = None) -> str:
    suffix = f"/{partition}" if partition else ""
    return f"{prefix}/{sector}/{dataset_id}{suffix}.json"


def write_report(
    settings: Settings, key: str, report: dict[str, Any], run: str, *, also: tuple[str, ...] = ()
) -> str:
    """Write ``report`` as the latest at ``key`` (and at each key in ``also``) with a dated copy
    under ``history/<run>.json``; returns the latest's URI."""
    from lake.storage import store_for

    store = store_for(settings, Zone.CURATED)
    data = json.dumps(report, ensure_ascii=False, indent=2, default=str).encode()
    store.put_bytes(key.removesuffix(".json") + f"/history/{run}.json", data)
    for latest in (key, *also):
        store.put_bytes(latest, data)
    return store.uri(key)


def read_report(settings: Settings, key: str) -> dict[str, Any] | None:
    """The latest report at ``key``, or ``None`` before the first run."""
    from lake.storage import store_for

    store = store_for(settings, Zone.CURATED)
    if not store.exists(key):
        return None
    loaded: dict[str, Any] = json.loads(store.get_bytes(key))
    return loaded
