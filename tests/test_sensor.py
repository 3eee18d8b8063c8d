"""The landing sensor: one run per newly landed file, none for files already received."""

from __future__ import annotations

import dagster as dg
import pytest

from ada.settings import Settings, Zone, load_settings
from ingestion.delivery import receive_deliveries
from lake.storage import store_for
from orchestration.defs.catalog import build_catalog_asset
from orchestration.defs.datasets import (
    build_ingest_job,
    build_raw_asset,
    build_staging_asset,
    ingest_job_name,
)
from orchestration.defs.release import build_curated_asset, build_open_asset
from orchestration.defs.resources import RESOURCES, LakeResource
from orchestration.defs.sensors import build_landing_sensor
from tests.helpers import make_spec

SPEC = make_spec(id="llegadas", source={"kind": "landing", "pattern": "*.csv"})
DAILY = make_spec(
    id="diario",
    source={"kind": "landing"},
    partitioning={"type": "daily", "start": "2025-06-01"},
)


def _tick(cursor: str | None = None) -> tuple[list[dg.RunRequest], str | None]:
    specs = [SPEC, DAILY]
    jobs = {ingest_job_name(s): build_ingest_job(s) for s in specs}
    sensor = build_landing_sensor(specs, jobs)
    assert sensor is not None
    builders = (build_raw_asset, build_staging_asset, build_curated_asset, build_open_asset)
    assets = [build(s) for s in specs for build in builders]
    assets.append(build_catalog_asset(specs))  # every ingest job ends with the catalog
    defs = dg.Definitions(
        assets=assets, jobs=list(jobs.values()), sensors=[sensor], resources=RESOURCES
    )
    context = dg.build_sensor_context(
        cursor=cursor,
        resources={"lake": LakeResource()},
        repository_def=defs.get_repository_def(),
    )
    result = sensor.evaluate_tick(context)
    return list(result.run_requests or []), result.cursor


@pytest.fixture(params=["folder", "bucket"])
def landing_settings(request: pytest.FixtureRequest, ada_home) -> Settings:  # type: ignore[no-untyped-def]
    if request.param == "bucket":
        request.getfixturevalue("s3_env")
    settings = load_settings()
    assert (settings.s3 is not None) == (request.param == "bucket")
    return settings


def test_new_file_triggers_one_run_and_not_twice(landing_settings: Settings) -> None:
    landing = store_for(landing_settings, Zone.LANDING)
    landing.put_bytes("llegadas/a.csv", b"id\n1\n")
    landing.put_bytes("llegadas/ignorado.txt", b"not matching the pattern")
    requests, cursor = _tick()
    assert [r.job_name for r in requests] == ["ingest_llegadas"]
    again, cursor = _tick(cursor)
    assert again == []  # already requested
    landing.put_bytes("llegadas/b.csv", b"id\n2\n")
    third, _ = _tick(cursor)
    assert [r.job_name for r in third] == ["ingest_llegadas"]


def test_files_already_in_raw_do_not_trigger(landing_settings: Settings) -> None:
    store_for(landing_settings, Zone.LANDING).put_bytes("llegadas/a.csv", b"id\n1\n")
    receive_deliveries(landing_settings, SPEC)
    requests, _ = _tick()
    assert requests == []


def test_partitioned_dataset_gets_the_day_of_its_folder(settings: Settings) -> None:
    store_for(settings, Zone.LANDING).put_bytes("diario/2025-06-03/datos.csv", b"id\n1\n")
    requests, _ = _tick()
    assert [(r.job_name, r.partition_key) for r in requests] == [("ingest_diario", "2025-06-03")]
