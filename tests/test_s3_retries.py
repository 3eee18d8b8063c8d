"""Transient S3 errors are retried with backoff, a bounded number of times; permanent ones fail
at the first answer with a clear message. Against the real S3 server (weed mini), through a
proxy that answers 503 SlowDown a given number of times before forwarding."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from minio.error import S3Error
from pydantic import SecretStr

from ada.settings import ConfigError, S3Settings, Settings, Zone, load_settings
from lake import tables
from lake.faults import explain, explain_exception
from lake.storage import S3Store
from tests.fixtures.faults import flaky_proxy, random_bucket
from tests.fixtures.s3 import S3Server
from tests.helpers import REPO

pytestmark = pytest.mark.s3


def _s3(endpoint: str, server: S3Server, bucket: str, **changes: object) -> S3Settings:
    fields: dict[str, object] = {
        "endpoint": endpoint,
        "access_key": SecretStr(server.access_key),
        "secret_key": SecretStr(server.secret_key),
        "bucket": bucket,
        "retries": 4,
        "retry_backoff": 0.05,
    }
    fields.update(changes)
    return S3Settings(**fields)  # type: ignore[arg-type]


def _settings(s3: S3Settings, home: Path) -> Settings:
    return Settings(home=home, datasets_dir=home, s3=s3, database_url=None)


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    name = random_bucket()
    s3_server.client().make_bucket(name)
    return name


@pytest.mark.parametrize("mode", ["slowdown", "reset"])
def test_transient_failures_are_retried_until_the_write_and_reads_succeed(
    s3_server: S3Server, bucket: str, mode: str
) -> None:
    """503 SlowDown answers, and connections dropped without an answer (reset)."""
    data = b"id;valor\n1;2\n"
    with flaky_proxy(s3_server.endpoint, failures=3, mode=mode) as proxy:
        store = S3Store(Zone.RAW, _s3(proxy.endpoint, s3_server, bucket))
        store.put_bytes("d/entrega.csv", data)
        assert proxy.refused == 3 and proxy.forwarded == 1
    stored = s3_server.client().get_object(bucket, "raw/d/entrega.csv")
    assert stored.read() == data

    # pyarrow's S3 filesystem (streamed reads of raw files) retries the same way.
    with flaky_proxy(s3_server.endpoint, failures=2, mode=mode) as proxy:
        store = S3Store(Zone.RAW, _s3(proxy.endpoint, s3_server, bucket))
        with store.open_input("d/entrega.csv") as stream:
            assert stream.read() == data
        assert proxy.refused == 2


def test_duckdb_reads_through_slowdown_answers(
    s3_server: S3Server, bucket: str, tmp_path: Path
) -> None:
    """DuckDB's httpfs (table reads, DuckLake data files) is given the same retry bound."""
    sink = io.BytesIO()
    pq.write_table(pa.table({"id": [1, 2, 3]}), sink)
    s3_server.client().put_object(
        bucket, "staging/t.parquet", io.BytesIO(sink.getvalue()), len(sink.getvalue())
    )
    with flaky_proxy(s3_server.endpoint, failures=2) as proxy:
        settings = _settings(_s3(proxy.endpoint, s3_server, bucket), tmp_path)
        con = tables.connect(settings, zones=[])
        try:
            assert con.execute("SELECT current_setting('http_retries')").fetchone() == (4,)
            total = con.execute(f"SELECT sum(id) FROM 's3://{bucket}/staging/t.parquet'")
            assert total.fetchone() == (6,)
        finally:
            con.close()
        assert proxy.refused == 2


def test_retries_are_bounded_and_the_failure_says_what_to_do(
    s3_server: S3Server, bucket: str, tmp_path: Path
) -> None:
    with flaky_proxy(s3_server.endpoint, failures=1000) as proxy:
        s3 = _s3(proxy.endpoint, s3_server, bucket, retries=2)
        with pytest.raises(Exception) as raised:
            S3Store(Zone.RAW, s3).put_bytes("d/x.csv", b"x")
        assert proxy.refused == 3  # the first attempt and two retries, then it stops
    fault = explain_exception(raised.value, _settings(s3, tmp_path))
    assert fault is not None and fault.kind == "s3"
    assert "no respondió tras 3 intentos" in fault.message
    assert "vuelva a ejecutar" in fault.message


@pytest.mark.parametrize(
    ("access", "secret", "bucket_name", "codes"),
    [
        ("AKIANOSUCHKEY", None, None, {"InvalidAccessKeyId", "AccessDenied"}),
        (None, "not-the-secret", None, {"SignatureDoesNotMatch", "AccessDenied"}),
        # weed creates a missing bucket on PUT (MinIO does not): a read shows the missing one.
        (None, None, "ada-no-existe", {"NoSuchBucket"}),
    ],
)
def test_permanent_errors_fail_at_the_first_answer(
    s3_server: S3Server,
    bucket: str,
    tmp_path: Path,
    access: str | None,
    secret: str | None,
    bucket_name: str | None,
    codes: set[str],
) -> None:
    with flaky_proxy(s3_server.endpoint, failures=0) as proxy:
        s3 = _s3(
            proxy.endpoint,
            s3_server,
            bucket_name or bucket,
            retries=5,
            access_key=SecretStr(access or s3_server.access_key),
            secret_key=SecretStr(secret or s3_server.secret_key),
        )
        store = S3Store(Zone.RAW, s3)
        with pytest.raises(S3Error) as raised:
            if bucket_name:
                store.get_bytes("d/x.csv")
            else:
                store.put_bytes("d/x.csv", b"x")
        assert proxy.forwarded == 1  # not retried
    assert raised.value.code in codes
    fault = explain_exception(raised.value, _settings(s3, tmp_path))
    assert fault is not None and fault.kind == "s3-permanente"
    assert "no se reintenta" in fault.message
    assert "not-the-secret" not in fault.message


def test_wrong_keys_end_ada_with_one_clear_line(
    s3_server: S3Server, ada_home: Path, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "ADA_S3_ENDPOINT": s3_server.endpoint,
        "ADA_S3_ACCESS_KEY": "AKIANOSUCHKEY",
        "ADA_S3_SECRET_KEY": "wrong-secret-value",
        "ADA_S3_BUCKET": random_bucket(),
        "ADA_PSEUDONYM_KEY": "k" * 32,
    }
    done = subprocess.run(
        [sys.executable, "-m", "ada", "samples", "--rows", "10", "--only", "x"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "no se reintenta" in done.stderr
    assert "ADA_S3_ACCESS_KEY" in done.stderr
    assert "wrong-secret-value" not in done.stderr


def test_retry_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, ada_home: Path
) -> None:
    monkeypatch.setenv("ADA_S3_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("ADA_S3_ACCESS_KEY", "a")
    monkeypatch.setenv("ADA_S3_SECRET_KEY", "b")
    s3 = load_settings().s3
    assert s3 is not None and (s3.retries, s3.retry_backoff) == (5, 0.5)
    monkeypatch.setenv("ADA_S3_RETRIES", "2")
    monkeypatch.setenv("ADA_S3_RETRY_BACKOFF", "0.1")
    s3 = load_settings().s3
    assert s3 is not None and (s3.retries, s3.retry_backoff) == (2, 0.1)
    monkeypatch.setenv("ADA_S3_RETRIES", "muchos")
    with pytest.raises(ConfigError, match="ADA_S3_RETRIES"):
        load_settings()


@pytest.mark.parametrize(
    ("cls_name", "message", "kind"),
    [
        ("OSError", "[Errno 28] No space left on device: '/h/lake/raw/x.csv'", "disco"),
        ("OSError", "[Errno 27] File too large", "disco"),
        ("IOException", 'IO Error: Could not write file "/h/lake/a.parquet": disk full', "disco"),
        ("OperationalError", "database or disk is full", "disco"),
        ("MaxRetryError", "HTTPConnectionPool(host='127.0.0.1', port=1): Max retries", "s3"),
        ("OSError", "When reading information for key 'x': AWS Error NETWORK_CONNECTION", "s3"),
        (
            "IOException",
            "Could not establish connection error for HTTP HEAD to 'http://127.0.0.1:1/a'",
            "s3",
        ),
        ("MaxRetryError", "HTTPSConnectionPool(host='datos.gov.co', port=443): Max retries", None),
        ("OperationalError", "server closed the connection unexpectedly", "postgres"),
        ("AdminShutdown", "terminating connection due to administrator command", "postgres"),
        ("ValueError", "columna desconocida", None),
    ],
)
def test_the_words_of_each_library_map_to_one_fault(
    cls_name: str, message: str, kind: str | None, tmp_path: Path
) -> None:
    s3 = S3Settings("http://127.0.0.1:1", SecretStr("a"), SecretStr("b"), "ada")
    settings = Settings(tmp_path, tmp_path, s3, SecretStr("postgresql://u:p@127.0.0.1:5/d"))
    fault = explain(message, settings, cls_name)
    assert (fault.kind if fault else None) == kind
    if kind == "disco":
        assert fault is not None and f"libere espacio en {tmp_path}" in fault.message
    if message.endswith("x.csv'"):
        assert fault is not None and "/h/lake/raw/x.csv" in fault.message
