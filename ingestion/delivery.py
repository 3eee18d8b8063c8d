"""Source to raw: fetch what a dataset's source delivers and keep it, immutable, in the raw zone."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field

from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec
from ingestion.sources import Delivery, connector_for
from lake.raw import RawVersion, Receipt, list_versions, receive, version_order
from lake.storage import ObjectStore, store_for


@dataclass
class DeliveryResult:
    """What one raw materialization received: new versions and re-deliveries of known bytes."""

    new: list[RawVersion] = field(default_factory=list)
    unchanged: list[RawVersion] = field(default_factory=list)
    skipped_landing: int = 0
    #: Every complete version of the dataset (or partition) afterwards, oldest first.
    versions: list[RawVersion] = field(default_factory=list)

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
        )


def receive_deliveries(
    settings: Settings, spec: DatasetSpec, partition: str | None = None
) -> DeliveryResult:
    """Fetch the source and store each delivery as a raw version (identical bytes are not kept
    twice). Landing files already received (same key and etag) are not even read again."""
    raw = store_for(settings, Zone.RAW)
    existing = list_versions(raw, spec.id, partition)
    seen_landing = {key for version in existing for key in version.landing_keys}
    result = DeliveryResult()
    for delivery in connector_for(spec)(spec, settings, partition):
        if delivery.landing_keys and set(delivery.landing_keys) <= seen_landing:
            result.skipped_landing += 1
            continue
        receipt = store_delivery(raw, spec, delivery, partition, existing)
        (result.new if receipt.is_new else result.unchanged).append(receipt.version)
        if receipt.is_new:
            existing.append(receipt.version)
    result.versions = sorted(existing, key=version_order)
    return result
