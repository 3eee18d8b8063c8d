"""The Dagster code location: every definition is generated from the dataset specs.

Load it with ``dagster dev -m orchestration.definitions`` (what ``ada ui`` runs) or validate it
with ``dagster definitions validate -m orchestration.definitions``. Heavy libraries (GX, spaCy,
the DuckDB extensions) are imported inside the assets, never here, so the UI loads fast.
"""

from __future__ import annotations

import logging

import dagster as dg

from ada.settings import load_settings
from catalog.registry import load_registry
from orchestration.defs.catalog import build_catalog_asset
from orchestration.defs.datasets import (
    build_ingest_job,
    build_raw_asset,
    build_staging_asset,
    ingest_job_name,
)
from orchestration.defs.release import build_canary_check, build_curated_asset, build_open_asset
from orchestration.defs.resources import RESOURCES
from orchestration.defs.schedules import build_schedule
from orchestration.defs.sensors import build_landing_sensor, build_republish_sensor
from orchestration.defs.transformations import build_transformation_assets

log = logging.getLogger(__name__)


def build_definitions() -> dg.Definitions:
    registry = load_registry(load_settings().datasets_dir)
    for error in registry.errors:
        log.warning("dataset spec skipped: %s", error)
    # Drafts (e.g. written by `ada ingest`) can be run by hand; only active specs are automated.
    specs = [spec for spec in registry.specs if spec.status != "retired"]
    active = list(registry.active)
    builders = (build_raw_asset, build_staging_asset, build_curated_asset, build_open_asset)
    assets = [build(spec) for spec in specs for build in builders]
    assets += build_transformation_assets()
    assets.append(build_catalog_asset(specs))
    checks = [build_canary_check(spec) for spec in specs]
    jobs = {ingest_job_name(spec): build_ingest_job(spec) for spec in specs}
    schedules = [
        schedule
        for spec in active
        if (schedule := build_schedule(spec, jobs[ingest_job_name(spec)])) is not None
    ]
    sensors = [
        sensor
        for sensor in (build_landing_sensor(active, jobs), build_republish_sensor(active, jobs))
        if sensor is not None
    ]
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=list(jobs.values()),
        schedules=schedules,
        sensors=sensors,
        resources=RESOURCES,
    )


defs = build_definitions()
