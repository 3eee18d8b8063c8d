"""The catalog service's configuration: environment variables with embedded defaults.

``ADA_PUBLIC_URL`` is the address people and harvesters reach the service at; every absolute
link the service writes (resource URLs in the records, DCAT URIs, the feeds' self links, the
``help`` of each API answer) starts with it. ``ada serve`` sets it to ``http://<host>:<port>``
when it is not set; behind a proxy set it to the public address. The catalog refresh must use
the same value, since the records it stores carry their download links.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from catalog.catalog_info import CatalogInfo
from catalog.service.limits import DEFAULT_MAX_BODY_BYTES
from catalog.service.throttle import DEFAULT_PER_MINUTE

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080"
#: How often each worker asks the store whether the catalog changed (seconds).
DEFAULT_POLL_SECONDS = 2.0
#: How long a presigned download URL stays valid (seconds).
DEFAULT_DOWNLOAD_URL_SECONDS = 300
#: Memory for rendered search answers, per worker process (see ``cache.py``).
DEFAULT_CACHE_MB = 64.0


class ServiceConfigError(ValueError):
    """A service setting cannot work; the message names the variable."""


@dataclass(frozen=True)
class ServiceConfig:
    """What the service needs besides the platform's :class:`~ada.settings.Settings`."""

    public_url: str = DEFAULT_PUBLIC_URL
    poll_seconds: float = DEFAULT_POLL_SECONDS
    download_url_seconds: int = DEFAULT_DOWNLOAD_URL_SECONDS
    cache_mb: float = DEFAULT_CACHE_MB
    #: Requests per minute per client address, per worker (0: no limit; see ``throttle.py``).
    rate_limit_per_minute: int = DEFAULT_PER_MINUTE
    #: Largest request body accepted (0: no limit; see ``limits.py``).
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    title: str = "Datos Abiertos Bogotá"
    description: str = (
        "Catálogo de datos abiertos del Distrito Capital, publicado por la Agencia Analítica "
        "de Datos de Bogotá: conjuntos de datos de las entidades distritales, tratados para "
        "proteger los datos personales y evaluados en calidad."
    )
    publisher_name: str = "Agencia Analítica de Datos"
    publisher_url: str = "https://agenciaanaliticadatos.gov.co"
    publisher_email: str = "datos@ada.gov.co"
    metadata_license_url: str = "https://creativecommons.org/licenses/by/4.0/"

    @property
    def root(self) -> str:
        return self.public_url.rstrip("/")

    def catalog_info(self, issued: dt.datetime) -> CatalogInfo:
        """What the DCAT-AP, data.json and Atom serializers say about the catalog itself."""
        return CatalogInfo(
            title=self.title,
            description=self.description,
            publisher_name=self.publisher_name,
            publisher_url=self.publisher_url,
            publisher_email=self.publisher_email,
            homepage=f"{self.root}/",
            base_url=self.root,
            license_url=self.metadata_license_url,
            issued=issued,
        )


def _number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ServiceConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ServiceConfigError(f"{name} must be at least {minimum:g}, got {raw!r}")
    return value


def public_url_from_env(default: str = DEFAULT_PUBLIC_URL) -> str:
    url = (os.environ.get("ADA_PUBLIC_URL", "").strip() or default).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ServiceConfigError(f"ADA_PUBLIC_URL must start with http:// or https://, got {url!r}")
    return url


def load_service_config() -> ServiceConfig:
    """Read the environment now (each worker process does, at start)."""
    return ServiceConfig(
        public_url=public_url_from_env(),
        poll_seconds=_number("ADA_CATALOG_POLL_SECONDS", DEFAULT_POLL_SECONDS, 0.05),
        download_url_seconds=int(
            _number("ADA_DOWNLOAD_URL_SECONDS", DEFAULT_DOWNLOAD_URL_SECONDS, 1)
        ),
        cache_mb=_number("ADA_CATALOG_CACHE_MB", DEFAULT_CACHE_MB, 0),
        rate_limit_per_minute=int(_number("ADA_RATE_LIMIT_PER_MINUTE", DEFAULT_PER_MINUTE, 0)),
        max_body_bytes=int(_number("ADA_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 0)),
    )
