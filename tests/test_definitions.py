"""The Dagster definitions generated from the specs: what the UI shows must be all there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from catalog.registry import load_registry
from orchestration.definitions import build_definitions
from tests.helpers import REPO


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions()


@pytest.fixture(scope="module")
def specs():  # type: ignore[no-untyped-def]
    return load_registry(REPO / "catalog" / "datasets").active


def test_dagster_definitions_validate_passes(tmp_path: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "ADA_HOME": str(tmp_path / "ada")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "definitions",
            "validate",
            "-m",
            "orchestration.definitions",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_every_spec_has_raw_and_staging_assets_with_metadata(defs, specs) -> None:  # type: ignore[no-untyped-def]
    graph = defs.resolve_asset_graph()
    for spec in specs:
        raw = graph.get(dg.AssetKey(["raw", spec.sector.value, spec.id]))
        staging = graph.get(dg.AssetKey(["staging", spec.sector.value, spec.id]))
        assert raw.key in staging.parent_keys
        for node in (raw, staging):
            assert node.owners, node.key
            assert node.kinds, node.key
            assert node.group_name == spec.sector.value
            assert node.tags["dimension"]
        schema = staging.metadata["dagster/column_schema"]
        assert [c.name for c in schema.columns] == [c.name for c in spec.schema_.columns]
        assert (staging.partitions_def is not None) == spec.is_partitioned


def test_partitioned_datasets_use_daily_partitions_in_bogota(defs, specs) -> None:  # type: ignore[no-untyped-def]
    graph = defs.resolve_asset_graph()
    partitioned = [s for s in specs if s.is_partitioned]
    assert partitioned, "at least one sample dataset must be periodic and partitioned"
    for spec in partitioned:
        partitions = graph.get(dg.AssetKey(["staging", spec.sector.value, spec.id])).partitions_def
        assert isinstance(partitions, dg.DailyPartitionsDefinition)
        assert partitions.timezone == "America/Bogota"
        assert partitions.start.date() == spec.partitioning.start


def test_schedules_follow_update_frequency(defs, specs) -> None:  # type: ignore[no-untyped-def]
    schedules = {s.name: s for s in defs.schedules or []}
    for spec in specs:
        name = f"ingest_{spec.id}_schedule"
        if spec.update_frequency.value == "eventual" and not spec.is_partitioned:
            assert name not in schedules
            continue
        assert name in schedules
        assert defs.resolve_schedule_def(name).execution_timezone == "America/Bogota"
    daily = next(s for s in specs if s.update_frequency.value == "diaria" and not s.is_partitioned)
    assert schedules[f"ingest_{daily.id}_schedule"].cron_schedule == "0 6 * * *"


def test_landing_sensor_watches_landing_datasets(defs) -> None:  # type: ignore[no-untyped-def]
    sensor = next(s for s in defs.sensors or [] if s.name == "landing_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    targets = {t.job_name for t in sensor.targets}
    assert "ingest_notificaciones_salud" in targets


def test_definitions_load_without_heavy_libraries() -> None:
    code = (
        "import sys; import orchestration.definitions as d; "
        "heavy = [m for m in ('great_expectations', 'spacy', 'duckdb', 'pyarrow.csv', 'faker') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_every_staging_asset_carries_its_quality_checks(defs, specs) -> None:  # type: ignore[no-untyped-def]
    graph = defs.resolve_asset_graph()
    for spec in specs:
        key = dg.AssetKey(["staging", spec.sector.value, spec.id])
        keys = graph.get_check_keys_for_assets({key})
        checks = {k.name: graph.get_check_spec(k) for k in keys}
        assert set(checks) == {"contrato", "cuarentena", "reglas"}, key
        assert checks["contrato"].blocking and checks["cuarentena"].blocking
        assert not checks["reglas"].blocking
