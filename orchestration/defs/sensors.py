"""The landing sensor: a file dropped into ``landing/<dataset id>/`` starts its ingestion.

The landing area is a folder (embedded default) or a bucket (S3). A file counts as new when
its ``key@etag`` is neither recorded in a raw manifest (already received) nor in the sensor's
cursor (already requested), so each landed file triggers exactly one run.
"""

import hashlib
import json

import dagster as dg

from catalog.specs import DatasetSpec
from orchestration.defs.datasets import AssetJob, ingest_job_name
from orchestration.defs.resources import LakeResource


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
