"""Secrets come from the environment or from files it names (``<NAME>_FILE``), and never show up
in messages: each secret read from a file, the refusals, and redaction."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ada.instance import prepare_dagster_home
from ada.settings import ConfigError, load_settings, secret_from_env

DB_URL = "postgresql://ada:pa%24s-w0rd-XYZ@127.0.0.1:5432/ada"


def _secret_file(tmp_path: Path, name: str, value: str) -> Path:
    path = tmp_path / name
    path.write_text(value + "\n", encoding="utf-8")  # as `echo` and Kubernetes write them
    path.chmod(0o600)
    return path


@pytest.fixture
def s3_files(ada_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADA_S3_ENDPOINT", "http://127.0.0.1:9")
    for name, value in {
        "ADA_S3_ACCESS_KEY": "PIPELINEACCESS",
        "ADA_S3_SECRET_KEY": "pipeline-secret-value",
        "ADA_S3_INGEST_ACCESS_KEY": "INGESTACCESS",
        "ADA_S3_INGEST_SECRET_KEY": "ingest-secret-value",
        "ADA_DATABASE_URL": DB_URL,
        "ADA_PSEUDONYM_KEY": "a-pseudonym-key-of-32-characters",
    }.items():
        monkeypatch.setenv(f"{name}_FILE", str(_secret_file(tmp_path, name.lower(), value)))


def test_every_secret_can_come_from_a_file(s3_files: None) -> None:
    from privacy.structured.operators import pseudonym_key

    settings = load_settings()
    assert settings.s3 is not None and settings.database_url is not None
    assert settings.s3.access_key.get_secret_value() == "PIPELINEACCESS"
    assert settings.s3.secret_key.get_secret_value() == "pipeline-secret-value"
    assert settings.database_url.get_secret_value() == DB_URL
    assert pseudonym_key(settings) == b"a-pseudonym-key-of-32-characters"
    assert "secret-value" not in repr(settings)


def test_ingestion_steps_act_with_the_ingestion_keys(s3_files: None) -> None:
    settings = load_settings()
    ingestion = settings.for_ingestion()
    assert ingestion.s3 is not None
    assert ingestion.s3.access_key.get_secret_value() == "INGESTACCESS"
    assert ingestion.s3.secret_key.get_secret_value() == "ingest-secret-value"
    assert ingestion.s3.zone_buckets == settings.s3.zone_buckets  # type: ignore[union-attr]


def test_without_ingestion_keys_every_step_uses_the_default_keys(
    ada_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADA_S3_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("ADA_S3_ACCESS_KEY", "ONLYKEY")
    monkeypatch.setenv("ADA_S3_SECRET_KEY", "only-secret")
    settings = load_settings()
    assert settings.for_ingestion() == settings


def test_half_an_ingestion_key_pair_is_refused(
    ada_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADA_S3_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("ADA_S3_ACCESS_KEY", "ONLYKEY")
    monkeypatch.setenv("ADA_S3_SECRET_KEY", "only-secret")
    monkeypatch.setenv("ADA_S3_INGEST_ACCESS_KEY", "INGEST")
    with pytest.raises(ConfigError, match="ADA_S3_INGEST_SECRET_KEY is not"):
        load_settings()


def test_variable_and_file_both_set_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADA_PSEUDONYM_KEY", "value-in-the-environment")
    monkeypatch.setenv("ADA_PSEUDONYM_KEY_FILE", str(_secret_file(tmp_path, "k", "in-a-file")))
    with pytest.raises(ConfigError, match="both set") as refused:
        secret_from_env("ADA_PSEUDONYM_KEY")
    assert "value-in-the-environment" not in str(refused.value)
    assert "in-a-file" not in str(refused.value)


def test_an_unreadable_or_empty_file_is_named_not_read_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("ADA_DATABASE_URL_FILE", str(missing))
    with pytest.raises(ConfigError, match=r"ADA_DATABASE_URL_FILE names .*nowhere"):
        load_settings()
    monkeypatch.setenv("ADA_DATABASE_URL_FILE", str(_secret_file(tmp_path, "empty", "")))
    with pytest.raises(ConfigError, match="empty"):
        load_settings()


def test_redact_removes_the_url_its_password_and_the_keys(s3_files: None) -> None:
    settings = load_settings()
    message = (
        f"connection to {DB_URL} failed; password=pa$s-w0rd-XYZ; "
        "key ingest-secret-value and pipeline-secret-value"
    )
    redacted = settings.redact(message)
    assert redacted == ("connection to ADA_DATABASE_URL failed; password=***; key *** and ***")


def test_dagster_gets_the_database_url_read_from_a_file(
    s3_files: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dagster.yaml names ADA_DATABASE_URL: ada puts the file's value there for Dagster (and the
    processes it starts), and drops the _FILE variable so that the two never disagree."""
    monkeypatch.setenv("ADA_DATABASE_URL", "")  # so that monkeypatch removes what ada sets
    home = prepare_dagster_home(load_settings())
    assert os.environ["ADA_DATABASE_URL"] == DB_URL
    assert "ADA_DATABASE_URL_FILE" not in os.environ
    assert DB_URL not in (home / "dagster.yaml").read_text()
    assert load_settings().database_url.get_secret_value() == DB_URL  # type: ignore[union-attr]
