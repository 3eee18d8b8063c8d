"""The native stack's pieces that need no running service: its keys, the S3 identities and the
Dagster instance it writes, the schedule override, and the command's refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ada.settings import Zone
from ada.stack.dagster import instance_yaml, workspace_yaml
from ada.stack.keys import KeyRing
from ada.stack.layout import StackPaths
from lake.access import KEYED_ROLES, Role, seaweedfs_identities
from tests.helpers import REPO

BUCKETS = {zone: f"ada-{zone.value}" for zone in Zone}


def test_keys_are_random_0600_files_and_rotation_replaces_both(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "secrets")
    first = ring.ensure()
    assert set(first) == set(KEYED_ROLES)
    assert len({k.secret_key for k in first.values()}) == len(KEYED_ROLES)
    assert (tmp_path / "secrets").stat().st_mode & 0o777 == 0o700
    for role in KEYED_ROLES:
        for path in (ring.access_file(role), ring.secret_file(role)):
            assert path.stat().st_mode & 0o777 == 0o600
    assert ring.ensure() == first  # created once
    rotated = ring.rotate(Role.CATALOG)
    assert rotated.access_key != first[Role.CATALOG].access_key
    assert rotated.secret_key != first[Role.CATALOG].secret_key
    assert ring.keys(Role.CATALOG) == rotated
    assert ring.keys(Role.ANALYST) == first[Role.ANALYST]
    assert first[Role.ADMIN].secret_key not in repr(first)


def test_identities_give_each_role_its_buckets_and_anonymous_the_open_one(
    tmp_path: Path,
) -> None:
    keys = KeyRing(tmp_path).ensure()
    identities = {i["name"]: i for i in seaweedfs_identities(keys, BUCKETS)["identities"]}
    assert identities["ada-analyst"]["actions"] == [
        "List:ada-curated",
        "Read:ada-curated",
        "List:ada-open",
        "Read:ada-open",
    ]
    assert identities["anonymous"] == {"name": "anonymous", "actions": ["Read:ada-open"]}
    assert "credentials" not in identities["anonymous"]
    assert (
        identities["ada-pipeline"]["credentials"][0]["accessKey"] == keys[Role.PIPELINE].access_key
    )
    assert not any(
        "ada-raw" in a and a.startswith("Write") for a in identities["ada-pipeline"]["actions"]
    )


def test_identities_need_a_bucket_per_zone(tmp_path: Path) -> None:
    keys = KeyRing(tmp_path).ensure()
    shared = dict.fromkeys(Zone, "ada")
    with pytest.raises(ValueError, match="bucket of its own"):
        seaweedfs_identities(keys, shared)


def test_the_stack_runs_the_production_instance_with_its_own_compute_logs(tmp_path: Path) -> None:
    production = yaml.safe_load((REPO / "infra" / "dagster.yaml").read_text())
    paths = StackPaths(tmp_path)
    stack = yaml.safe_load(instance_yaml(paths))
    assert (
        stack["storage"]
        == production["storage"]
        == {"postgres": {"postgres_url": {"env": "ADA_DATABASE_URL"}}}
    )
    assert stack["run_coordinator"] == production["run_coordinator"]
    assert stack["compute_logs"]["config"]["base_dir"] == str(paths.compute_logs)
    workspace = yaml.safe_load(workspace_yaml("127.0.0.1", 4266))
    assert workspace["load_from"] == [
        {"grpc_server": {"host": "127.0.0.1", "port": 4266, "location_name": "ada"}}
    ]


def test_schedule_cron_override(monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog.registry import load_registry
    from orchestration.defs.datasets import build_ingest_job
    from orchestration.defs.schedules import build_schedule

    specs = load_registry(REPO / "catalog" / "datasets")
    monthly = specs.get("registro_empresas")
    daily_partitions = specs.get("calidad_aire_rmcab")
    assert monthly is not None and daily_partitions is not None
    as_declared = build_schedule(monthly, build_ingest_job(monthly))
    assert as_declared is not None and as_declared.cron_schedule == "0 6 1 * *"
    monkeypatch.setenv("ADA_SCHEDULE_CRON", "*/5 * * * *")
    overridden = build_schedule(monthly, build_ingest_job(monthly))
    assert overridden is not None and overridden.cron_schedule == "*/5 * * * *"
    partitioned = build_schedule(daily_partitions, build_ingest_job(daily_partitions))
    assert partitioned is not None  # the partition of the day that ended, at 01:30, as before
    assert (partitioned.hour_of_day, partitioned.minute_of_hour) == (1, 30)  # type: ignore[attr-defined]


def _ada(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ada", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_commands_on_a_folder_without_a_stack_say_so_in_one_line(
    ada_home: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    for command in (["status"], ["down"], ["env", "analyst"]):
        result = _ada("stack", *command, "--dir", str(tmp_path / "nada"), env=env)
        assert result.returncode == 1
        assert "no hay una pila" in result.stderr and "Traceback" not in result.stderr


def test_env_refuses_the_public_and_unknown_roles(ada_home: Path, tmp_path: Path) -> None:
    from ada.stack.control import Stack
    from ada.stack.layout import StackConfig
    from ada.stack.processes import StackError

    config = StackConfig(
        host="127.0.0.1",
        ui_port=1,
        catalog_port=2,
        code_server_port=3,
        s3_ports={"s3.port": 4},
        database="ada",
        postgres_host="127.0.0.1",
        postgres_port=5432,
        buckets={zone.value: bucket for zone, bucket in BUCKETS.items()},
    )
    stack = Stack(StackPaths(tmp_path), config)
    analyst = stack.role_env(Role.ANALYST)
    assert analyst["ADA_S3_ACCESS_KEY_FILE"].endswith("s3-analyst-access-key")
    assert analyst["ADA_DATABASE_URL_FILE"].endswith("database-url-analyst")
    assert "ADA_S3_INGEST_ACCESS_KEY_FILE" not in analyst
    pipeline = stack.role_env(Role.PIPELINE)
    assert pipeline["ADA_S3_INGEST_SECRET_KEY_FILE"].endswith("s3-ingestion-secret-key")
    with pytest.raises(StackError):
        stack.role_env(Role.PUBLIC)
    config.save(tmp_path / "stack.json")
    result = _ada("stack", "env", "nadie", "--dir", str(tmp_path), env=dict(os.environ))
    assert result.returncode == 2 and "rol desconocido" in result.stderr
    assert json.loads((tmp_path / "stack.json").read_text())["database"] == "ada"
