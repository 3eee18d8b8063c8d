"""Platform-wide configuration, read from environment variables with embedded defaults.

Every setting has a default that keeps the whole platform inside ``ADA_HOME`` (a local folder),
so a fresh clone runs without any service. Setting ``ADA_S3_*`` moves the lake to S3 (MinIO in
production) and ``ADA_DATABASE_URL`` moves metadata to Postgres. Secrets are held as
``SecretStr`` so that they never show up in a ``repr``, a log line or the Dagster UI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlparse

from pydantic import SecretStr

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Zone(StrEnum):
    """The lake's zones, in the order data flows through them."""

    LANDING = "landing"
    RAW = "raw"
    STAGING = "staging"
    CURATED = "curated"
    OPEN = "open"


TABLE_ZONES = (Zone.STAGING, Zone.CURATED, Zone.OPEN)


def _netloc(endpoint: str) -> str:
    parsed = urlparse(endpoint if "://" in endpoint else f"http://{endpoint}")
    return parsed.netloc


@dataclass(frozen=True)
class S3Settings:
    """Where the lake lives on S3: one bucket with a prefix per zone, or a bucket per zone."""

    endpoint: str
    access_key: SecretStr
    secret_key: SecretStr
    bucket: str
    zone_buckets: dict[Zone, str] = field(default_factory=dict)
    region: str = "us-east-1"
    #: Where people's browsers reach the same server (presigned download URLs), when the
    #: platform reaches it at an internal address such as ``http://minio:9000``.
    public_endpoint: str | None = None

    @property
    def secure(self) -> bool:
        return self.endpoint.startswith("https://")

    @property
    def host(self) -> str:
        """``host:port`` without the scheme, as the minio SDK and DuckDB want it."""
        return _netloc(self.endpoint)

    @property
    def public_host(self) -> str:
        """``host:port`` of the public endpoint (the internal one when none is set)."""
        return _netloc(self.public_endpoint) if self.public_endpoint else self.host

    @property
    def public_secure(self) -> bool:
        endpoint = self.public_endpoint or self.endpoint
        return endpoint.startswith("https://")

    def location(self, zone: Zone) -> tuple[str, str]:
        """The bucket and key prefix that hold ``zone``."""
        if zone in self.zone_buckets:
            return self.zone_buckets[zone], ""
        return self.bucket, f"{zone.value}/"


@dataclass(frozen=True)
class Settings:
    """Resolved configuration of one ADA installation."""

    home: Path
    datasets_dir: Path
    s3: S3Settings | None
    database_url: SecretStr | None
    suites_dir: Path = PROJECT_ROOT / "expectations" / "suites"

    @property
    def backend(self) -> str:
        """A short, secret-free description of where data and metadata live."""
        lake = f"s3 ({self.s3.host})" if self.s3 else f"local ({self.home / 'lake'})"
        meta = "postgres" if self.database_url else "sqlite"
        return f"lake: {lake}; metadata: {meta}"

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def metadata_dir(self) -> Path:
        return self.home / "metadata"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def local_zone_dir(self, zone: Zone) -> Path:
        return self.lake_dir / zone.value


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _s3_from_env() -> S3Settings | None:
    endpoint = _env("ADA_S3_ENDPOINT")
    if endpoint is None:
        return None
    missing = [n for n in ("ADA_S3_ACCESS_KEY", "ADA_S3_SECRET_KEY") if _env(n) is None]
    if missing:
        raise ConfigError(
            f"ADA_S3_ENDPOINT is set but {', '.join(missing)} is not: set the S3 credentials "
            "or unset ADA_S3_ENDPOINT to use the local lake."
        )
    zone_buckets = {
        zone: bucket
        for zone in Zone
        if (bucket := _env(f"ADA_S3_BUCKET_{zone.value.upper()}")) is not None
    }
    bucket = _env("ADA_S3_BUCKET") or "ada"
    return S3Settings(
        endpoint=endpoint,
        access_key=SecretStr(_env("ADA_S3_ACCESS_KEY") or ""),
        secret_key=SecretStr(_env("ADA_S3_SECRET_KEY") or ""),
        bucket=bucket,
        zone_buckets=zone_buckets,
        region=_env("ADA_S3_REGION") or "us-east-1",
        public_endpoint=_env("ADA_S3_PUBLIC_ENDPOINT"),
    )


def _database_url_from_env() -> SecretStr | None:
    url = _env("ADA_DATABASE_URL")
    if url is None:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            "ADA_DATABASE_URL must be a postgresql:// URL "
            f"(got a URL with scheme '{urlparse(url).scheme}')."
        )
    return SecretStr(url)


class ConfigError(ValueError):
    """The environment describes an installation that cannot work."""


def load_settings() -> Settings:
    """Read the environment now; cheap enough to call wherever settings are needed."""
    home = Path(_env("ADA_HOME") or ".ada").expanduser().resolve()
    datasets_dir = Path(_env("ADA_DATASETS_DIR") or PROJECT_ROOT / "catalog" / "datasets")
    suites_dir = Path(_env("ADA_SUITES_DIR") or PROJECT_ROOT / "expectations" / "suites")
    return Settings(
        home=home,
        datasets_dir=datasets_dir.expanduser().resolve(),
        suites_dir=suites_dir.expanduser().resolve(),
        s3=_s3_from_env(),
        database_url=_database_url_from_env(),
    )
