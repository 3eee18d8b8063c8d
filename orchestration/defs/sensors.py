"""The sensors: a file dropped into ``landing/<dataset id>/`` starts its ingestion, and a
republication asked for through the catalog API starts the dataset's job.

The landing area is a folder (embedded default) or a bucket (S3). A file counts as new when
its ``key@etag`` is neither recorded in a raw manifest (already received) nor in the sensor's
cursor (already requested), so each landed file triggers exactly one run.

Republish requests (``ada_dataset_republish``) wait in the catalog store; the republish sensor
reads the pending ones on each tick, asks for one run of ``ingest_<id>`` per request (its
``run_key`` is the request's id, so Dagster never launches one request twice) and marks the
request launched, or rejected with the reason when the dataset can no longer run.
"""

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import dagster as dg

from catalog.specs import DatasetSpec
from orchestration.defs.datasets import AssetJob, ingest_job_name
from orchestration.defs.resources import LakeResource

if TYPE_CHECKING:  # the store is imported when a sensor ticks, not when the UI loads
    from catalog.store.editing import RepublishRequest


def _pending_files(lake: LakeResource, specs: list[DatasetSpec]) -> dict[str, dict[str, list[str]]]:
    """Per dataset id, per partition ('' if none), the landed ``key@etag`` not yet in raw."""
    from ada.settings import Zone
    from ingestion.sources.landing import landed_files, partition_of
    from lake.raw import list_versions
    from lake.storage import store_for

    settings = lake.ingestion_settings()  # landing is the ingestion role's to read
    landing = store_for(settings, Zone.LANDING)
    raw = store_for(settings, Zone.RAW)
    pending: dict[str, dict[str, list[str]]] = {}
    for spec in specs:
        files = landed_files(landing, spec)
        if not files:
            continue
        received = {key for v in list_versions(raw, spec.id) for key in v.landing_keys}
        for obj in files:
            token = f"{obj.key}@{obj.etag}"
            if token not in received:
                partition = partition_of(spec, obj.key) or ""
                pending.setdefault(spec.id, {}).setdefault(partition, []).append(token)
    return pending


def build_landing_sensor(
    specs: list[DatasetSpec], jobs: dict[str, AssetJob]
) -> dg.SensorDefinition | None:
    landing_specs = [s for s in specs if s.source.kind == "landing"]
    if not landing_specs:
        return None

    @dg.sensor(
        name="landing_sensor",
        description="Inicia la ingesta cuando llega un archivo nuevo al área de landing.",
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        jobs=[jobs[ingest_job_name(s)] for s in landing_specs],
    )
    def landing_sensor(context: dg.SensorEvaluationContext, lake: LakeResource):
        requested: set[str] = set(json.loads(context.cursor)) if context.cursor else set()
        pending = _pending_files(lake, landing_specs)
        still_landed: set[str] = set()
        for dataset_id, partitions in pending.items():
            for partition, tokens in partitions.items():
                still_landed.update(tokens)
                new = sorted(set(tokens) - requested)
                if not new:
                    continue
                yield dg.RunRequest(
                    run_key=hashlib.sha256("\n".join(new).encode()).hexdigest()[:32],
                    job_name=f"ingest_{dataset_id}",
                    partition_key=partition or None,
                    tags={"ada/trigger": "landing", "ada/files": str(len(new))},
                )
                requested.update(new)
        context.update_cursor(json.dumps(sorted(requested & still_landed)))

    return landing_sensor


def _rejection(spec: DatasetSpec | None, partition: str | None) -> str | None:
    """Why a request cannot run (the API checked, but the specs may have changed since)."""
    if spec is None:
        return "el conjunto ya no tiene una ficha activa"
    if spec.is_partitioned and partition is None:
        return "el conjunto se publica por día y la solicitud no indica la partición"
    if not spec.is_partitioned and partition is not None:
        return "el conjunto ya no se publica por partición"
    return None


def _republish_run(spec: DatasetSpec, request: "RepublishRequest") -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"ada-republish-{request.id}",
        job_name=ingest_job_name(spec),
        partition_key=request.partition_key,
        tags={
            "ada/trigger": "republish",
            "ada/republish_request": str(request.id),
            "ada/requested_by": request.requested_by,
        },
    )


def build_republish_sensor(
    specs: Sequence[DatasetSpec], jobs: dict[str, AssetJob]
) -> dg.SensorDefinition | None:
    if not specs:
        return None
    by_id = {spec.id: spec for spec in specs}

    @dg.sensor(
        name="republish_sensor",
        description=(
            "Lanza la republicación que un editor pidió en la API del catálogo "
            "(ada_dataset_republish)."
        ),
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        jobs=[jobs[ingest_job_name(spec)] for spec in specs],
    )
    def republish_sensor(
        context: dg.SensorEvaluationContext, lake: LakeResource
    ) -> dg.SensorResult:
        from catalog.store import CatalogStore
        from catalog.store.editing import mark_requests, pending_requests

        store = CatalogStore.open(lake.settings())
        try:
            runs: list[dg.RunRequest] = []
            rejected: list[tuple[int, str]] = []
            for request in pending_requests(store):
                spec = by_id.get(request.package_name)
                problem = _rejection(spec, request.partition_key)
                if spec is None or problem is not None:
                    rejected.append((request.id, problem or ""))
                else:
                    runs.append(_republish_run(spec, request))
            # Marked once every decision is taken: a failure above leaves them all pending.
            for request_id, problem in rejected:
                context.log.warning(f"solicitud de republicación {request_id} rechazada: {problem}")
                mark_requests(store, [request_id], "rejected", message=problem)
            for run in runs:
                request_id = int(run.tags["ada/republish_request"])
                mark_requests(store, [request_id], "launched", run_key=run.run_key)
        finally:
            store.close()
        return dg.SensorResult(run_requests=runs)

    return republish_sensor
