"""Faults during a real run of ``ada run`` (a separate process), then recovery: the S3 server
stopped, Postgres restarted, the process killed with SIGKILL while a release is written, the
disk full under ADA_HOME. Each failing run must end with one clear line (no traceback), leave
nothing half-visible, and the re-run must converge to what a clean run gives: the same rows,
no duplicates, every raw file, one complete release that ``current.json`` points at.

Every server here is private to its test (see ``tests/fixtures/faults.py``), so these tests
run in the parallel suite.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
from pathlib import Path

import pytest

from ada.settings import Settings, Zone, load_settings
from catalog.publication import layout
from catalog.publication.releases import (
    _read_pointer,
    current_release,
    get_release,
    list_releases,
    release_file,
)
from catalog.registry import load_registry
from catalog.specs import DatasetSpec
from lake import tables
from lake.raw import list_versions
from lake.storage import ensure_buckets, store_for
from tests.fixtures.faults import (
    DATASET,
    SECTOR,
    PrivatePostgres,
    StoppableS3,
    delivery,
    run_ada,
    start_ada,
    wait_for,
    write_spec,
)

pytestmark = pytest.mark.slow
SELECT = f"key:*/{SECTOR}/{DATASET}"
ROWS = 2000


@pytest.fixture
def env(ada_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This test's installation: its ADA_HOME, the one small dataset, a pseudonym key; the
    variables are also set here so the test reads what the process wrote."""
    monkeypatch.setenv("ADA_DATASETS_DIR", str(write_spec(tmp_path / "datasets")))
    monkeypatch.setenv("ADA_PSEUDONYM_KEY", "clave-de-prueba-de-fallas-0123456789")
    return dict(os.environ)


def _spec(settings: Settings) -> DatasetSpec:
    return next(s for s in load_registry(settings.datasets_dir).specs if s.id == DATASET)


def _deliver(settings: Settings, name: str, data: bytes) -> None:
    ensure_buckets(settings, [Zone.LANDING])
    store_for(settings, Zone.LANDING).put_bytes(f"{DATASET}/{name}", data)


def _staging_rows(settings: Settings) -> tuple[int, int]:
    con = tables.connect(settings, [Zone.STAGING], read_only=True)
    try:
        row = con.execute(
            f"SELECT count(*), count(DISTINCT id) FROM staging.{SECTOR}.{DATASET}"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0]), int(row[1])


def _no_partial_release(settings: Settings, spec: DatasetSpec) -> None:
    """Every version folder in the open zone has its commit marker; no temporary file."""
    store = store_for(settings, Zone.OPEN)
    keys = [o.key for o in store.list(layout.dataset_prefix(spec))]
    versions = {v for k in keys if (v := layout.version_of(spec, k)) is not None}
    folders = {number for number, _ in versions}
    committed = {number for number, name in versions if name == layout.MANIFEST}
    assert folders == committed, f"incomplete release folders left: {sorted(folders - committed)}"
    if settings.s3 is None:
        leftovers = [p for p in settings.lake_dir.rglob(".tmp-*")]
        assert not leftovers, leftovers


def assert_converged(settings: Settings, deliveries: dict[str, bytes], rows: int) -> None:
    """What a clean run gives: the newest delivery's rows once each, every delivery's bytes in
    raw, one complete current release per delivery with those rows, nothing partial."""
    spec = _spec(settings)
    assert _staging_rows(settings) == (rows, rows)
    raw = store_for(settings, Zone.RAW)
    versions = list_versions(raw, DATASET)
    assert len(versions) == len(deliveries)
    for version in versions:
        for file in version.files:
            data = raw.get_bytes(version.key(file.name))
            assert hashlib.sha256(data).hexdigest() == file.sha256
            assert data == deliveries[file.name]
    releases = list_releases(settings, spec)
    assert [r.version for r in releases] == list(range(len(deliveries), 0, -1))
    current = current_release(settings, spec)
    assert current is not None and current.version == len(deliveries) and current.rows == rows
    assert _read_pointer(store_for(settings, Zone.OPEN), spec) == current.version
    open_zone = store_for(settings, Zone.OPEN)
    for file in current.files:
        assert hashlib.sha256(open_zone.get_bytes(file.key)).hexdigest() == file.sha256
    _no_partial_release(settings, spec)


def _first_release_file_written(settings: Settings, version: int) -> bool:
    """Whether the run has begun writing release ``version`` (a file there, no marker yet)."""
    spec = _spec(settings)
    try:
        keys = [o.key for o in store_for(settings, Zone.OPEN).list(layout.dataset_prefix(spec))]
    except Exception:
        return False
    return any(
        (found := layout.version_of(spec, key)) is not None and found[0] == version for key in keys
    )


def _clear_failure(output: str) -> None:
    assert "Traceback" not in output, output
    assert "✗" in output, output


# ----------------------------------------------------------------------------------------- S3


@pytest.mark.s3
def test_s3_server_stopped_mid_run_then_the_rerun_converges(
    env: dict[str, str],
    private_s3: StoppableS3,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    server = private_s3.server
    s3_env = {
        "ADA_S3_ENDPOINT": server.endpoint,
        "ADA_S3_ACCESS_KEY": server.access_key,
        "ADA_S3_SECRET_KEY": server.secret_key,
        "ADA_S3_RETRIES": "2",
        "ADA_S3_RETRY_BACKOFF": "0.2",
    }
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    ensure_buckets(settings)
    data = delivery(ROWS)
    _deliver(settings, "entrega.csv", data)

    slow = {**env, **s3_env, "ADA_TEST_SLOW_PUBLICATION": "3"}
    run = start_ada("run", "--select", SELECT, env=slow, log=tmp_path / "run1.log")
    wait_for(lambda: _first_release_file_written(settings, 1), "the release to start")
    private_s3.stop()  # mid-publication: files written, marker not yet
    code, output = run.wait()
    assert code == 1
    _clear_failure(output)
    assert f"el servidor S3 ({server.endpoint}) no respondió tras 3 intentos" in output

    private_s3.start_again()
    spec = _spec(settings)
    assert current_release(settings, spec) is None  # the half release is not visible
    assert get_release(settings, spec, 1) is None
    assert release_file(settings, spec, 1, f"{DATASET}.csv") is None
    assert len(list_versions(store_for(settings, Zone.RAW), DATASET)) == 1

    code, output = run_ada("run", "--select", SELECT, env={**env, **s3_env}, log=tmp_path / "r2")
    assert code == 0, output
    assert_converged(settings, {"entrega.csv": data}, ROWS)


# ----------------------------------------------------------------------------------- Postgres


@pytest.mark.postgres
def test_postgres_restarted_mid_run_then_the_rerun_converges(
    env: dict[str, str],
    private_postgres: PrivatePostgres,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Dagster's storage and the DuckLake catalogs live in the private cluster, restarted
    (every connection terminated) while the run publishes. The run either rides through it
    or fails with the database's one line; either way the re-run converges."""
    monkeypatch.setenv("ADA_DATABASE_URL", private_postgres.url)
    settings = load_settings()
    data = delivery(ROWS)
    _deliver(settings, "entrega.csv", data)
    database_env = {**env, "ADA_DATABASE_URL": private_postgres.url}

    slow = {**database_env, "ADA_TEST_SLOW_PUBLICATION": "3"}
    run = start_ada("run", "--select", SELECT, env=slow, log=tmp_path / "run1.log")
    wait_for(lambda: _first_release_file_written(settings, 1), "the release to start")
    private_postgres.restart()
    assert run.process.poll() is None  # the restart happened inside the run
    code, output = run.wait()
    assert "Traceback" not in output, output
    if code != 0:
        assert "la base de datos de metadatos (ADA_DATABASE_URL)" in output, output
    assert private_postgres.url not in output

    code, output = run_ada("run", "--select", SELECT, env=database_env, log=tmp_path / "r2")
    assert code == 0, output
    assert_converged(settings, {"entrega.csv": data}, ROWS)


@pytest.mark.postgres
def test_postgres_down_mid_run_fails_clearly_then_the_rerun_converges(
    env: dict[str, str],
    private_postgres: PrivatePostgres,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Postgres stops once the delivery is in raw and stays down until the run has ended:
    the staging load (DuckLake on Postgres) and Dagster's own records cannot be written. The
    run must end with the database's one line, and the re-run converge."""
    monkeypatch.setenv("ADA_DATABASE_URL", private_postgres.url)
    settings = load_settings()
    data = delivery(ROWS)
    _deliver(settings, "entrega.csv", data)
    database_env = {**env, "ADA_DATABASE_URL": private_postgres.url}

    run = start_ada("run", "--select", SELECT, env=database_env, log=tmp_path / "run1.log")
    raw = store_for(settings, Zone.RAW)
    wait_for(lambda: bool(list_versions(raw, DATASET)), "the delivery to reach raw")
    private_postgres.stop()
    code, output = run.wait()
    assert code == 1, output
    assert "Traceback" not in output, output
    assert "la base de datos de metadatos (ADA_DATABASE_URL)" in output, output
    assert private_postgres.url not in output
    # Dagster's own retry chatter (with the SQL it was writing) stays out of the terminal.
    assert "INSERT INTO" not in output and "Retrying" not in output, output
    assert current_release(settings, _spec(settings)) is None

    private_postgres.start()
    code, output = run_ada("run", "--select", SELECT, env=database_env, log=tmp_path / "r2")
    assert code == 0, output
    assert_converged(settings, {"entrega.csv": data}, ROWS)


# ------------------------------------------------------------------------- killed mid-release


def test_killed_while_writing_a_release_leaves_the_previous_one_current(
    env: dict[str, str], tmp_path: Path
) -> None:
    settings = load_settings()
    first = delivery(ROWS)
    _deliver(settings, "entrega.csv", first)
    code, output = run_ada("run", "--select", SELECT, env=env, log=tmp_path / "run1.log")
    assert code == 0, output
    spec = _spec(settings)

    second = delivery(ROWS + 500)
    _deliver(settings, "entrega_2.csv", second)
    slow = {**env, "ADA_TEST_SLOW_PUBLICATION": "5"}
    run = start_ada("run", "--select", SELECT, env=slow, log=tmp_path / "run2.log")
    wait_for(lambda: _first_release_file_written(settings, 2), "release v2 to start")
    run.kill()

    # v2 is half written and invisible; v1 stays the current, complete release.
    v2 = settings.local_zone_dir(Zone.OPEN) / layout.version_prefix(spec, 2)
    assert v2.is_dir() and not (v2 / layout.MANIFEST).exists()
    current = current_release(settings, spec)
    assert current is not None and current.version == 1 and current.rows == ROWS
    assert [r.version for r in list_releases(settings, spec)] == [1]
    assert get_release(settings, spec, 2) is None
    assert release_file(settings, spec, 2, f"{DATASET}.csv") is None

    code, output = run_ada("run", "--select", SELECT, env=env, log=tmp_path / "run3.log")
    assert code == 0, output
    assert_converged(settings, {"entrega.csv": first, "entrega_2.csv": second}, ROWS + 500)


# ---------------------------------------------------------------------------------- full disk

#: The largest file the failing run may write: the delivery is bigger, Dagster's and DuckLake's
#: own files are smaller.
FILE_LIMIT = 1 << 20


def _file_size_limit() -> None:
    """In the child, before ``ada`` starts: writes past FILE_LIMIT fail with EFBIG, as they
    would with ENOSPC on a full disk (SIGXFSZ ignored, else the kernel kills the process).
    Needs no root, mount or loop device, so it works on any Linux CI."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))


def test_full_disk_fails_clearly_and_the_rerun_after_freeing_space_converges(
    env: dict[str, str], tmp_path: Path
) -> None:
    settings = load_settings()
    rows = 100_000
    data = delivery(rows)
    assert len(data) > 1.5 * FILE_LIMIT
    _deliver(settings, "entrega.csv", data)

    run = start_ada(
        "run", "--select", SELECT, env=env, log=tmp_path / "run1.log", preexec=_file_size_limit
    )
    code, output = run.wait()
    assert code == 1, output
    _clear_failure(output)
    assert "no queda espacio en disco al escribir" in output, output
    assert f"libere espacio en {settings.home}" in " ".join(output.split()), output
    # Nothing half-written: no raw version, no partial file, nothing published.
    assert list_versions(store_for(settings, Zone.RAW), DATASET) == []
    assert not list(settings.lake_dir.rglob(".tmp-*"))
    assert current_release(settings, _spec(settings)) is None

    code, output = run_ada("run", "--select", SELECT, env=env, log=tmp_path / "run2.log")
    assert code == 0, output
    assert_converged(settings, {"entrega.csv": data}, rows)
