"""The issue's "Done when", on the native stack (``ada stack up`` in a temporary folder): the
daemon fires a schedule and the landing sensor, the datasets are published in the open bucket
and found through the catalog API, all on Postgres and S3 with the per-role keys; then Postgres
and the S3 server restart and the next delivery is published too. The same stack shows that
the object store and the database enforce the roles, and that no secret reaches a log.

Slow (minutes): one real run per dataset through every step (raw → staging → curated → SQLMesh
→ open → catalog) in Dagster's run processes. Deadlines only stop a hung stack from hanging the
suite; nothing here asserts how long anything takes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ada.stack.layout import StackConfig
from tests.fixtures.postgres import ADMIN_URL, _admin_connection
from tests.helpers import REPO

# It restarts the machine's Postgres: `make test` runs it alone, after the parallel suite.
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.s3, pytest.mark.exclusive]

#: Run by its schedule only: a real file (source ``file``), which the landing sensor ignores.
SCHEDULED = ("salud", "covid19_casos_osb")
#: Delivered into the landing bucket as a publisher would, picked up by the landing sensor.
LANDED = ("desarrollo_economico", "registro_empresas")
SCHEDULE = f"ingest_{SCHEDULED[1]}_schedule"
#: Deadlines, not expectations: a run takes minutes on a busy two-core machine.
RUN_DEADLINE = 1500.0
SHORT_DEADLINE = 180.0


# --- the stack under test ---------------------------------------------------------------------


@dataclass
class Run:
    run_id: str
    job: str
    status: str
    tags: dict[str, str]


@dataclass
class StackUnderTest:
    root: Path
    config: StackConfig
    env: dict[str, str]
    up_output: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    def ada(
        self, *args: str, role: str | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **(self.role_env(role) if role else {})}
        return subprocess.run(
            [sys.executable, "-m", "ada", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def role_env(self, role: str) -> dict[str, str]:
        """What `ada stack env ROLE` prints, as a dict (it prints file names, not secrets)."""
        result = subprocess.run(
            [sys.executable, "-m", "ada", "stack", "env", role, "--dir", str(self.root)],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        pairs = (line.removeprefix("export ").split("=", 1) for line in result.stdout.splitlines())
        return {name: value.strip("'") for name, value in pairs}

    def secret(self, name: str) -> str:
        return (self.root / "secrets" / name).read_text().strip()

    def client(self, role: str) -> Any:
        from minio import Minio

        return Minio(
            f"{self.config.host}:{self.config.s3_port}",
            access_key=self.secret(f"s3-{role}-access-key"),
            secret_key=self.secret(f"s3-{role}-secret-key"),
            secure=False,
        )

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        from ada.stack.dagster import graphql

        return graphql(self.config.ui_url, query, variables)

    def runs(self) -> list[Run]:
        data = self.graphql(
            "{ runsOrError(limit: 100) { ... on Runs { results {"
            " runId jobName status tags { key value } } } } }"
        )
        return [
            Run(r["runId"], r["jobName"], r["status"], {t["key"]: t["value"] for t in r["tags"]})
            for r in data["runsOrError"]["results"]
        ]

    def log_tail(self, part: str, lines: int = 40) -> str:
        text = (self.root / "logs" / f"{part}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _clean_env() -> dict[str, str]:
    """The test's shell: none of the developer's ADA/AWS settings, a schedule that can fire
    within a minute (the daemon still decides when), a wide terminal for readable output."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ADA_", "AWS_", "DAGSTER_")) or k == "ADA_REALDATA"
    }
    env["ADA_SCHEDULE_CRON"] = "* * * * *"
    env["COLUMNS"] = "200"
    return env


def _wait(what: str, check: Callable[[], Any], deadline: float, context: Callable[[], str]) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``context()`` at the deadline."""
    until = time.monotonic() + deadline
    last_error = ""
    while time.monotonic() < until:
        try:
            found = check()
        except Exception as err:  # a part briefly unreachable (a restart) is retried
            last_error = f"{type(err).__name__}: {err}"
            found = None
        if found:
            return found
        time.sleep(2)
    pytest.fail(f"{what}: not reached before the deadline. {last_error}\n{context()}")


def _processes_of(root: Path) -> list[int]:
    """Every process started for the stack in ``root`` (they carry its marker)."""
    marker = f"ADA_STACK_DIR={root}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _drop_database(database: str) -> None:
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{database}_analyst"')
        admin.execute(f'DROP ROLE IF EXISTS "{database}"')


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackUnderTest]:
    with _admin_connection():  # finds (or starts) the local PostgreSQL, or fails saying so
        pass
    root = tmp_path_factory.mktemp("stack").resolve()
    database = f"ada_stack_{uuid.uuid4().hex[:8]}"
    env = {**_clean_env(), "ADA_STACK_POSTGRES_ADMIN_URL": ADMIN_URL}
    started = time.monotonic()
    up = subprocess.run(
        [sys.executable, "-m", "ada", "stack", "up", "--dir", str(root), "--ui-port", "0",
         "--catalog-port", "0", "--s3-port", "0", "--database", database],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    try:
        assert up.returncode == 0, f"ada stack up failed:\n{up.stdout}\n{up.stderr}"
        config = StackConfig.load(root / "stack.json")
        handle = StackUnderTest(root, config, env, up.stdout + up.stderr)
        handle.notes["up_seconds"] = time.monotonic() - started
        yield handle
    finally:
        subprocess.run(
            [sys.executable, "-m", "ada", "stack", "down", "--dir", str(root)],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        _drop_database(database)
        shutil.rmtree(root, ignore_errors=True)


# --- helpers over the stack -------------------------------------------------------------------


def _deliver(stack: StackUnderTest, seed: int) -> None:
    """The real sample generator writes the landed dataset's file into the landing bucket, with
    the ingestion role's keys (a publisher's delivery)."""
    result = stack.ada(
        "samples", "--only", LANDED[1], "--rows", "300", "--seed", str(seed), role="ingestion"
    )
    assert result.returncode == 0, result.stderr


_SELECTOR = {
    "repositoryLocationName": "ada",
    "repositoryName": "__repository__",
    "scheduleName": SCHEDULE,
}


def _start_schedule(stack: StackUnderTest) -> None:
    """Turn the schedule on, as an operator does in the UI (Automation)."""
    assert _schedule_status(stack, "startSchedule") == "RUNNING"


def _schedule_status(stack: StackUnderTest, mutation: str | None = None) -> str:
    if mutation is None:
        query = (
            "query($s: ScheduleSelector!) { scheduleOrError(scheduleSelector: $s) {"
            " ... on Schedule { scheduleState { status } } } }"
        )
        return str(
            stack.graphql(query, {"s": _SELECTOR})["scheduleOrError"]["scheduleState"]["status"]
        )
    query = (
        f"mutation($s: ScheduleSelector!) {{ {mutation}(scheduleSelector: $s) {{"
        " ... on ScheduleStateResult { scheduleState { status } } } }"
    )
    return str(stack.graphql(query, {"s": _SELECTOR})[mutation]["scheduleState"]["status"])


def _stop_schedule(stack: StackUnderTest, keep: Run) -> None:
    """Back to its default (stopped) and any run it fired after ``keep`` ended: one scheduled
    run is the point, not one a minute.

    Stopping right after a tick can be undone by the scheduler writing back the state of the
    tick it is finishing (it read it as running), so the stop is repeated until the schedule
    is still stopped after the next tick time has passed."""
    until = time.monotonic() + SHORT_DEADLINE * 2
    while time.monotonic() < until:
        assert _schedule_status(stack, "resetSchedule") == "STOPPED"
        next_tick = (int(time.time()) // 60 + 1) * 60
        time.sleep(max(0.0, next_tick - time.time()) + 35)  # the scheduler wakes every 30 s
        if _schedule_status(stack) == "STOPPED":
            break
    else:
        pytest.fail(f"{SCHEDULE} keeps running after being stopped\n{stack.log_tail('daemon')}")
    for run in stack.runs():
        extra = run.tags.get("dagster/schedule_name") == SCHEDULE and run.run_id != keep.run_id
        if extra and run.status in ("QUEUED", "NOT_STARTED", "STARTING", "STARTED"):
            stack.graphql(
                "mutation($id: String!) { terminateRun(runId: $id) { __typename } }",
                {"id": run.run_id},
            )


def _new_run(stack: StackUnderTest, known: set[str], matches: Callable[[Run], bool]) -> Run:
    return _wait(
        "a run is requested",
        lambda: next((r for r in stack.runs() if r.run_id not in known and matches(r)), None),
        SHORT_DEADLINE + 120,
        lambda: stack.log_tail("daemon"),
    )


def _finished(stack: StackUnderTest, run: Run) -> Run:
    done = _wait(
        f"run {run.run_id} ({run.job}) finishes",
        lambda: next(
            (
                r
                for r in stack.runs()
                if r.run_id == run.run_id and r.status in ("SUCCESS", "FAILURE", "CANCELED")
            ),
            None,
        ),
        RUN_DEADLINE,
        lambda: stack.log_tail("code-server"),
    )
    assert done.status == "SUCCESS", f"{done.job}: {done.status}\n{stack.log_tail('code-server')}"
    return done


def _current_release(stack: StackUnderTest, sector: str, dataset: str) -> dict[str, Any]:
    """The open bucket's pointer to the dataset's latest release, read as the public reads it:
    an unsigned GET."""
    url = (
        f"{stack.config.s3_endpoint}/{stack.config.buckets['open']}"
        f"/downloads/{sector}/{dataset}/current.json"
    )
    with urllib.request.urlopen(url, timeout=10) as response:
        pointer: dict[str, Any] = json.loads(response.read())
    return pointer


def _searchable(stack: StackUnderTest, dataset: str, version: str) -> dict[str, Any]:
    """The dataset as ckanapi finds it through the catalog service's package_search (the
    service follows the store the run's catalog step wrote), at ``version``."""
    from ckanapi import RemoteCKAN

    seen: list[str] = []

    def found() -> dict[str, Any] | None:
        with RemoteCKAN(stack.config.catalog_url) as ckan:
            result = ckan.action.package_search(fq=f"name:{dataset}", rows=1)
        packages = result["results"]
        seen.append(packages[0].get("version") if packages else "not found")
        return dict(packages[0]) if packages and packages[0].get("version") == version else None

    package: dict[str, Any] = _wait(
        f"{dataset} {version} is found through package_search",
        found,
        SHORT_DEADLINE,
        lambda: f"last answers: {seen[-3:]}\n{stack.log_tail('catalog')}",
    )
    return package


@pytest.fixture(scope="module")
def published(stack: StackUnderTest) -> dict[str, Run]:
    """The daemon fires the schedule (started through GraphQL, with a cron that comes due
    within a minute) and the landing sensor (a sample file dropped into the landing bucket);
    both runs go from source to the catalog."""
    known = {r.run_id for r in stack.runs()}
    _start_schedule(stack)
    _deliver(stack, seed=42)
    scheduled = _new_run(stack, known, lambda r: r.tags.get("dagster/schedule_name") == SCHEDULE)
    _stop_schedule(stack, keep=scheduled)
    sensed = _new_run(
        stack,
        known,
        lambda r: (
            r.job == f"ingest_{LANDED[1]}" and r.tags.get("dagster/sensor_name") == "landing_sensor"
        ),
    )
    return {"schedule": _finished(stack, scheduled), "sensor": _finished(stack, sensed)}


# --- the tests, in the order a reader would check the stack ------------------------------------


def test_up_starts_every_part_prints_the_addresses_and_keeps_secrets_in_0600_files(
    stack: StackUnderTest,
) -> None:
    status = stack.ada("stack", "status", "--dir", str(stack.root))
    assert status.returncode == 0, status.stdout + status.stderr
    for part in ("s3", "postgres", "code-server", "webserver", "daemon", "catalog"):
        line = next(x for x in status.stdout.splitlines() if f" {part} " in x)
        assert "responde" in line
    assert stack.config.ui_url in stack.up_output
    assert stack.config.catalog_url in stack.up_output
    secrets_dir = stack.root / "secrets"
    assert secrets_dir.stat().st_mode & 0o777 == 0o700
    for secret in secrets_dir.iterdir():
        assert secret.stat().st_mode & 0o777 == 0o600, secret
        assert secret.read_text().strip() not in stack.up_output
    assert "secret" not in (stack.root / "stack.json").read_text().lower()
    again = stack.ada("stack", "up", "--dir", str(stack.root))  # idempotent: nothing restarts
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("ya en marcha") == 5


def test_the_daemon_fires_a_schedule_and_the_sensor_and_both_datasets_are_published(
    stack: StackUnderTest, published: dict[str, Run]
) -> None:
    assert published["schedule"].job == f"ingest_{SCHEDULED[1]}"
    assert published["sensor"].tags["ada/trigger"] == "landing"
    for sector, dataset in (SCHEDULED, LANDED):
        assert _current_release(stack, sector, dataset)["version"] == 1
        package = _searchable(stack, dataset, "v1")
        assert {"CSV", "Parquet"} <= {r["format"] for r in package["resources"]}


def test_after_restarting_postgres_and_s3_the_next_delivery_is_published(
    stack: StackUnderTest, published: dict[str, Run]
) -> None:
    _restart_local_postgres()
    restarted = stack.ada("stack", "restart", "s3", "--dir", str(stack.root))
    assert restarted.returncode == 0, restarted.stderr
    _wait(
        "every part answers again",
        lambda: stack.ada("stack", "status", "--dir", str(stack.root)).returncode == 0,
        SHORT_DEADLINE,
        lambda: stack.ada("stack", "status", "--dir", str(stack.root)).stdout,
    )
    known = {r.run_id for r in stack.runs()}
    _deliver(stack, seed=7)  # a new delivery: different bytes, a new landing etag
    run = _new_run(
        stack,
        known,
        lambda r: r.job == f"ingest_{LANDED[1]}" and r.tags.get("ada/trigger") == "landing",
    )
    _finished(stack, run)
    assert _current_release(stack, *LANDED)["version"] == 2
    package = _searchable(stack, LANDED[1], "v2")
    assert [r["version"] for r in package["releases"]][:2] == ["v2", "v1"]


def _restart_local_postgres() -> None:
    """Restart the machine's PostgreSQL cluster (the stack's database server)."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        pytest.fail(
            "this test restarts the local PostgreSQL cluster with pg_ctlcluster, which is not "
            "installed here",
            pytrace=False,
        )
    for version in sorted(os.listdir("/etc/postgresql")):
        result = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    with _admin_connection():  # it answers again
        pass


def _denied(attempt: Callable[[], object]) -> bool:
    from minio.error import S3Error

    try:
        result = attempt()
        if hasattr(result, "read"):
            result.read()
            result.close()
            result.release_conn()
    except S3Error as err:
        return err.code == "AccessDenied"
    return False


def _anonymous_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


def test_the_stacks_object_store_and_database_enforce_the_roles(
    stack: StackUnderTest, published: dict[str, Run]
) -> None:
    """The stack runs with the grants that tests/test_access_control.py checks one by one; here,
    on the stack's own server and data, the ones that matter after a real run."""
    import io

    import psycopg

    buckets = stack.config.buckets
    sector, dataset = LANDED
    release = f"downloads/{sector}/{dataset}/v1/{dataset}.csv"
    analyst, pipeline, ingestion = (stack.client(r) for r in ("analyst", "pipeline", "ingestion"))

    assert analyst.stat_object(buckets["open"], release).size > 0
    curated = [o.object_name for o in analyst.list_objects(buckets["curated"], recursive=True)]
    assert curated  # the analyst reads curated...
    for zone in ("raw", "staging", "landing"):  # ...and nothing before it
        assert _denied(lambda z=zone: list(analyst.list_objects(buckets[z], recursive=True)))
    assert _denied(lambda: analyst.put_object(buckets["curated"], "x", io.BytesIO(b"x"), 1))
    raw_objects = list(pipeline.list_objects(buckets["raw"], recursive=True))
    assert raw_objects  # the pipeline reads raw but cannot write it
    assert _denied(lambda: pipeline.put_object(buckets["raw"], "x", io.BytesIO(b"x"), 1))
    assert _denied(lambda: list(ingestion.list_objects(buckets["curated"], recursive=True)))
    assert _denied(lambda: ingestion.get_object(buckets["curated"], curated[0]))

    s3 = stack.config.s3_endpoint
    assert _anonymous_status(f"{s3}/{buckets['open']}/{release}") == 200
    assert _anonymous_status(f"{s3}/{buckets['curated']}/{curated[0]}") == 403

    with psycopg.connect(stack.secret("database-url-analyst"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM ducklake_curated.ducklake_table").fetchone()
        for forbidden in ("ducklake_staging.ducklake_table", "public.runs", "catalog.packages"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT count(*) FROM {forbidden}")

    # what an analyst does with those keys: SQL over the curated tables, nothing else
    rows = stack.ada(
        "sql", f"SELECT count(*) AS n FROM curated.{sector}.{dataset}", "--format", "json",
        role="analyst",
    )  # fmt: skip
    assert rows.returncode == 0, rows.stderr
    assert json.loads(rows.stdout.splitlines()[0])["n"] > 0


def _secret_values(stack: StackUnderTest) -> dict[str, str]:
    """Every secret the stack holds (keys of every role, passwords, database URLs, the
    pseudonym key); the identities file is only their collection."""
    return {
        path.name: path.read_text().strip()
        for path in (stack.root / "secrets").iterdir()
        if path.name != "s3-identities.json"
    }


def _files_to_search(stack: StackUnderTest) -> list[Path]:
    """Everything the stack wrote outside its secrets folder (its logs, Dagster's compute logs
    and local storage, the processes' ADA_HOME, even the S3 server's data), SQLMesh's logs and
    the PostgreSQL server's log: what an operator would read or paste."""
    files = [p for p in stack.root.rglob("*") if p.is_file()]
    files = [p for p in files if p.relative_to(stack.root).parts[0] != "secrets"]
    for folder in (REPO / "transformations" / "logs", Path("/var/log/postgresql")):
        if folder.is_dir():
            files += [p for p in folder.rglob("*") if p.is_file()]
    return files


def test_no_secret_in_any_log_or_in_the_database(
    stack: StackUnderTest, published: dict[str, Run]
) -> None:
    import psycopg

    secrets = _secret_values(stack)
    assert len(secrets) >= 14  # 5 roles x 2 keys, 2 passwords, 2 URLs, the pseudonym key
    files = _files_to_search(stack)
    assert any("compute_logs" in p.parts for p in files)  # the runs' own output is searched
    assert any(p.name == "catalog.log" for p in files)
    leaks = [
        (str(path), name)
        for path in files
        for name, value in secrets.items()
        if value.encode() in path.read_bytes()
    ]
    with psycopg.connect(stack.secret("database-url"), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        assert any(t == ("public", "event_logs") for t in tables)  # Dagster's event log
        for schema, table in tables:
            for (row,) in conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t'):
                leaks += [(f"{schema}.{table}", n) for n, v in secrets.items() if v in row]
    assert leaks == []


def test_down_stops_every_process_and_status_says_so(stack: StackUnderTest) -> None:
    down = stack.ada("stack", "down", "--dir", str(stack.root))
    assert down.returncode == 0, down.stderr
    assert _processes_of(stack.root) == []
    status = stack.ada("stack", "status", "--dir", str(stack.root))
    assert status.returncode == 1
    assert status.stdout.count("detenida") == 5
