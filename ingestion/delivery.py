"""Source to raw: fetch what a dataset's source delivers and keep it, immutable, in the raw zone."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field

from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec
from ingestion.limits import max_file_bytes, too_large_message
from ingestion.sources import Delivery, connector_for
from ingestion.sources.base import SourceError
from lake.raw import RawTooLarge, RawVersion, Receipt, list_versions, receive, version_order
from lake.storage import ObjectStore, store_for


class DeliveryRefused(SourceError):
    """Some deliveries broke a size limit: they were not copied (they stay at their source);
    the message names each file, its size, the limit and what to do."""


@dataclass
class DeliveryResult:
    """What one raw materialization received: new versions and re-deliveries of known bytes."""

    new: list[RawVersion] = field(default_factory=list)
    unchanged: list[RawVersion] = field(default_factory=list)
    skipped_landing: int = 0
    #: Every complete version of the dataset (or partition) afterwards, oldest first.
    versions: list[RawVersion] = field(default_factory=list)
    #: One message per refused delivery (too large), for the publisher.
    refused: list[str] = field(default_factory=list)

    @property
    def latest(self) -> RawVersion | None:
        versions = self.new + self.unchanged
        return max(versions, key=lambda v: v.version) if versions else None


def store_delivery(
    raw: ObjectStore,
    spec: DatasetSpec,
    delivery: Delivery,
    partition: str | None = None,
    existing: list[RawVersion] | None = None,
    max_bytes: int | None = None,
) -> Receipt:
    """Stream one delivery's files into the raw zone as a version (see :func:`lake.raw.receive`)."""
    with ExitStack() as stack:
        files = [(f.name, stack.enter_context(f.open())) for f in delivery.files]
        return receive(
            raw,
            dataset_id=spec.id,
            spec_version=spec.spec_version,
            source=delivery.origin,
            files=files,
            partition=partition,
            landing_keys=delivery.landing_keys,
            existing=existing,
            max_bytes=max_bytes,
        )


def _oversized(delivery: Delivery, limit: int) -> list[str]:
    """Messages for the files whose announced size is over the limit (checked before copying,
    so a 2 GB file costs no disk and no time)."""
    return [
        too_large_message(f.name, f.size, limit)
        for f in delivery.files
        if f.size is not None and f.size > limit
    ]


def receive_deliveries(
    settings: Settings, spec: DatasetSpec, partition: str | None = None
) -> DeliveryResult:
    """Fetch the source and store each delivery as a raw version (identical bytes are not kept
    twice). Landing files already received (same key and etag) are not even read again.

    A delivery over the size limit is refused and the others are still received; the refusals
    are raised together at the end (:class:`DeliveryRefused`), so the asset fails with them.
    """
    raw = store_for(settings, Zone.RAW)
    limit = max_file_bytes()
    existing = list_versions(raw, spec.id, partition)
    seen_landing = {key for version in existing for key in version.landing_keys}
    result = DeliveryResult()
    for delivery in connector_for(spec)(spec, settings, partition):
        if delivery.landing_keys and set(delivery.landing_keys) <= seen_landing:
            result.skipped_landing += 1
            continue
        refusals = _oversized(delivery, limit)
        if refusals:
            result.refused += refusals
            continue
        try:
            receipt = store_delivery(raw, spec, delivery, partition, existing, limit)
        except RawTooLarge as err:
            result.refused.append(too_large_message(err.name, None, err.limit))
            continue
        (result.new if receipt.is_new else result.unchanged).append(receipt.version)
        if receipt.is_new:
            existing.append(receipt.version)
    result.versions = sorted(existing, key=version_order)
    if result.refused:
        raise DeliveryRefused(f"{spec.key}: entrega rechazada: " + " | ".join(result.refused))
    return result
