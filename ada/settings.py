"""Platform-wide configuration, read from environment variables with embedded defaults.

Every setting has a default that keeps the whole platform inside ``ADA_HOME`` (a local folder),
so a fresh clone runs without any service. Setting ``ADA_S3_*`` moves the lake to S3 (MinIO in
production) and ``ADA_DATABASE_URL`` moves metadata to Postgres. Secrets are held as
``SecretStr`` so that they never show up in a ``repr``, a log line or the Dagster UI, and each
secret may instead be read from a file named by ``<NAME>_FILE`` (Docker and Kubernetes mount
secrets as files; a value in a file stays out of ``ps``, shell history and process listings).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlparse

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
    """Where the lake lives on S3: one bucket with a prefix per zone, or a bucket per zone.

    ``access_key``/``secret_key`` are the process's default credentials. The object store
    decides what they may do (see ``lake/access.py``): the pipeline's keys cannot write the raw
    zone, so the steps that receive deliveries act with the ingestion role's keys
    (``ingest_access_key``/``ingest_secret_key``) when the deployment gives them.
    """

    endpoint: str
    access_key: SecretStr
    secret_key: SecretStr
    bucket: str
    zone_buckets: dict[Zone, str] = field(default_factory=dict)
    region: str = "us-east-1"
    #: Where people's browsers reach the same server (presigned download URLs), when the
    #: platform reaches it at an internal address such as ``http://minio:9000``.
    public_endpoint: str | None = None
    ingest_access_key: SecretStr | None = None
    ingest_secret_key: SecretStr | None = None
    #: Attempts after the first for a transient failure (5xx, SlowDown, connection refused or
    #: reset, timeout), with exponential backoff and jitter; ``ADA_S3_RETRIES``.
    retries: int = 5
    #: The first wait between attempts in seconds, doubled at each one; ``ADA_S3_RETRY_BACKOFF``.
    retry_backoff: float = 0.5

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

    def _secrets_and_names(self) -> list[tuple[str, str]]:
        """Each secret these settings hold with what stands for it in a message: the database
        URL before its password, longest first, so a URL is named, not half-masked."""
        found: list[tuple[str, str]] = []
        if self.database_url is not None:
            url = self.database_url.get_secret_value()
            found += [(url, "ADA_DATABASE_URL")]
            found += [(url.replace("postgres://", "postgresql://", 1), "ADA_DATABASE_URL")]
            password = urlparse(url).password
            if password:
                found += [(password, "***"), (unquote(password), "***")]
        if self.s3 is not None:
            for key in (self.s3.secret_key, self.s3.ingest_secret_key):
                if key is not None:
                    found.append((key.get_secret_value(), "***"))
        return sorted({p for p in found if p[0]}, key=lambda pair: len(pair[0]), reverse=True)

    def redact(self, text: str) -> str:
        """``text`` without any secret of these settings (the database URL becomes its
        variable's name, a password or key ``***``), for messages built from a library's own,
        which may quote a connection string."""
        for value, name in self._secrets_and_names():
            text = text.replace(value, name)
        return text

    def for_ingestion(self) -> Settings:
        """These settings as the ingestion role acts: the same lake, with the ingestion keys
        as default credentials when configured (else unchanged). Used by the steps that read
        the landing zone and write the raw zone: the landing sensor, the raw assets,
        ``ada samples`` and ``ada ingest``."""
        s3 = self.s3
        if s3 is None or s3.ingest_access_key is None or s3.ingest_secret_key is None:
            return self
        ingestion = replace(s3, access_key=s3.ingest_access_key, secret_key=s3.ingest_secret_key)
        return replace(self, s3=ingestion)


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def secret_from_env(name: str) -> str | None:
    """The secret ``name``: the variable itself, or the content of the file that ``<name>_FILE``
    names (trailing newline stripped). Both set is refused rather than guessed; errors name
    the variable and the file, never the content."""
    value = _env(name)
    path = _env(f"{name}_FILE")
    if path is None:
        return value
    if value is not None:
        raise ConfigError(f"{name} and {name}_FILE are both set; set only one of them.")
    try:
        content = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except OSError as err:
        raise ConfigError(
            f"{name}_FILE names {path}, which cannot be read ({err.strerror or err})."
        ) from None
    if not content:
        raise ConfigError(f"{name}_FILE names {path}, which is empty.")
    return content


def _is_set(name: str) -> bool:
    return _env(name) is not None or _env(f"{name}_FILE") is not None


def _ingestion_keys() -> tuple[SecretStr | None, SecretStr | None]:
    """The ingestion role's keys, both or neither."""
    names = ("ADA_S3_INGEST_ACCESS_KEY", "ADA_S3_INGEST_SECRET_KEY")
    given = [name for name in names if _is_set(name)]
    if not given:
        return None, None
    if len(given) == 1:
        missing = next(name for name in names if name not in given)
        raise ConfigError(f"{given[0]} is set but {missing} is not: set both or neither.")
    access, secret = (secret_from_env(name) or "" for name in names)
    return SecretStr(access), SecretStr(secret)


def _s3_from_env() -> S3Settings | None:
    endpoint = _env("ADA_S3_ENDPOINT")
    if endpoint is None:
        return None
    missing = [n for n in ("ADA_S3_ACCESS_KEY", "ADA_S3_SECRET_KEY") if not _is_set(n)]
    if missing:
        raise ConfigError(
            f"ADA_S3_ENDPOINT is set but {', '.join(missing)} is not: set the S3 credentials "
            "(or their _FILE variables) or unset ADA_S3_ENDPOINT to use the local lake."
        )
    zone_buckets = {
        zone: bucket
        for zone in Zone
        if (bucket := _env(f"ADA_S3_BUCKET_{zone.value.upper()}")) is not None
    }
    bucket = _env("ADA_S3_BUCKET") or "ada"
    ingest_access, ingest_secret = _ingestion_keys()
    return S3Settings(
        endpoint=endpoint,
        access_key=SecretStr(secret_from_env("ADA_S3_ACCESS_KEY") or ""),
        secret_key=SecretStr(secret_from_env("ADA_S3_SECRET_KEY") or ""),
        bucket=bucket,
        zone_buckets=zone_buckets,
        region=_env("ADA_S3_REGION") or "us-east-1",
        public_endpoint=_env("ADA_S3_PUBLIC_ENDPOINT"),
        ingest_access_key=ingest_access,
        ingest_secret_key=ingest_secret,
        retries=_number_from_env("ADA_S3_RETRIES", 5, int, maximum=20),
        retry_backoff=_number_from_env("ADA_S3_RETRY_BACKOFF", 0.5, float, maximum=30),
    )


N = TypeVar("N", int, float)


def _number_from_env(name: str, default: N, kind: type[N], *, maximum: N) -> N:
    """A non-negative number setting; anything else is refused with the variable's name."""
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = kind(-1)
    if not 0 <= value <= maximum:
        raise ConfigError(f"{name} debe ser un número entre 0 y {maximum} (se recibió '{raw}').")
    return value


def _database_url_from_env() -> SecretStr | None:
    url = secret_from_env("ADA_DATABASE_URL")
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
