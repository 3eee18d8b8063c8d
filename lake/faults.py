"""Faults of the platform's services and disk, recognised and said in one line an operator can
act on.

A run that meets a stopped S3 server, a restarted Postgres, a full disk or a key the object
store refuses fails the same way wherever it happens (raw, staging, DuckLake, publication,
Dagster's own storage), but each library words it differently: urllib3, pyarrow (the AWS SDK),
DuckDB's httpfs and postgres extensions, psycopg, SQLite and the OS. This module maps those
words to one Spanish message per fault, naming what to check and that running again is safe
(raw, tables and releases are written so that a re-run converges). It works on text (the class
name and message of an exception), because Dagster hands the runner serialised errors, not the
exceptions themselves. Messages never include values, keys or the database URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ada.settings import Settings

RERUN = "la ejecución se puede repetir sin duplicar datos"

#: The OS, SQLite and DuckDB saying the disk (or the process's file-size limit) is full.
_DISK_FULL = (
    "no space left on device",
    "file too large",
    "errno 28",
    "errno 27",
    "database or disk is full",
    "disk full",
)
#: S3 access the object store refuses for good: retrying cannot help.
_S3_PERMANENT = {
    "InvalidAccessKeyId": "la clave de acceso S3 no existe en el servidor",
    "SignatureDoesNotMatch": "la clave secreta S3 no corresponde a la clave de acceso",
    "AccessDenied": "el servidor S3 negó el acceso con estas credenciales",
    "NoSuchBucket": "el bucket no existe en el servidor S3",
}
#: Postgres (psycopg, SQLAlchemy, DuckDB's postgres extension) losing or not getting its server.
_POSTGRES_DOWN = (
    "server closed the connection",
    "terminating connection due to administrator command",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "connection to server at",
    "could not connect to server",
    "unable to connect to postgres",
    "postgres",
    "ssl syscall error",
    "consuming input failed",
)
#: HTTP clients (urllib3, the AWS SDK, httpfs) giving up on the S3 server.
_S3_DOWN = (
    "max retries exceeded",
    "httpconnectionpool",
    "httpsconnectionpool",
    "connection refused",
    "connection reset",
    "remotedisconnected",
    "protocolerror",
    "read timed out",
    "timed out",
    "aws error",
    "curlcode",
    "could not establish connection",
    "http get error",
    "http head error",
    "http put error",
    "too many 50",
    "slowdown",
    "serviceunavailable",
)


@dataclass(frozen=True)
class Fault:
    """A recognised fault: its kind and the one line for people."""

    kind: str  # "disco", "s3", "s3-permanente", "postgres"
    message: str


def _path_in(message: str) -> str | None:
    """The file an OS error names (``[Errno 28] No space left on device: '/x'``), if any."""
    found = re.search(r":\s*'([^']+)'", message) or re.search(r'file\s+"([^"]+)"', message)
    return found.group(1) if found else None


def _disk_full(message: str, settings: Settings) -> Fault:
    path = _path_in(message)
    where = f" al escribir {path}" if path else ""
    return Fault(
        "disco",
        f"no queda espacio en disco{where}: libere espacio en {settings.home} (o en el disco "
        "que lo contiene, o amplíelo) y vuelva a ejecutar; lo que no alcanzó a escribirse se "
        f"descartó y {RERUN}",
    )


def _s3_permanent(code: str, settings: Settings) -> Fault:
    host = settings.s3.host if settings.s3 else "S3"
    hint = (
        "revise ADA_S3_BUCKET / ADA_S3_BUCKET_<ZONA> o créelo (ada stack up lo hace)"
        if code == "NoSuchBucket"
        else "revise ADA_S3_ACCESS_KEY / ADA_S3_SECRET_KEY (o sus _FILE) y los permisos del rol"
    )
    return Fault(
        "s3-permanente",
        f"{_S3_PERMANENT[code]} ({host}, {code}); no se reintenta: {hint}",
    )


def _s3_down(settings: Settings) -> Fault:
    host = settings.s3.host if settings.s3 else "S3"
    retries = settings.s3.retries if settings.s3 else 0
    return Fault(
        "s3",
        f"el servidor S3 ({host}) no respondió tras {retries + 1} intentos: compruebe que esté "
        f"en marcha (ada stack status) y vuelva a ejecutar; no se publicó nada a medias y {RERUN}",
    )


def _postgres_down() -> Fault:
    return Fault(
        "postgres",
        "la base de datos de metadatos (ADA_DATABASE_URL) no respondió o se reinició durante la "
        f"ejecución: compruebe que PostgreSQL esté en marcha y vuelva a ejecutar; {RERUN}",
    )


def explain(message: str, settings: Settings, cls_name: str = "") -> Fault | None:
    """The fault that an error's class name and message describe, or ``None`` for any other
    error (which the caller reports as it is)."""
    text = f"{cls_name}: {message}".lower()
    if any(words in text for words in _DISK_FULL):
        return _disk_full(message, settings)
    for code in _S3_PERMANENT:
        if code.lower() in text and (settings.s3 is not None or "s3error" in text):
            return _s3_permanent(code, settings)
    if _postgres_words(text, settings):
        return _postgres_down()
    if _s3_words(text, settings):
        return _s3_down(settings)
    return None


def _s3_words(text: str, settings: Settings) -> bool:
    """Whether the text is the S3 server failing, not another HTTP server (a source portal):
    the words of a network failure, and the S3 server's address or an S3-only client's words."""
    if settings.s3 is None:
        return False
    if not (any(words in text for words in _S3_DOWN) or "maxretryerror" in text):
        return False
    host, _, port = settings.s3.host.lower().rpartition(":")
    addressed = settings.s3.host.lower() in text or (f"'{host}'" in text and port in text)
    return addressed or any(w in text for w in ("aws error", "s3://", "s3error", "slowdown"))


def _postgres_words(text: str, settings: Settings) -> bool:
    """Whether the text is Postgres failing (and not the S3 server, whose host may appear in
    a "connection refused" too)."""
    if settings.database_url is None:
        return False
    if settings.s3 is not None and settings.s3.host.lower() in text:
        return False
    return any(words in text for words in _POSTGRES_DOWN) or "operationalerror" in text


def causes(error: BaseException) -> Iterator[BaseException]:
    """The error and the ones it was raised from or while handling, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def explain_exception(error: BaseException, settings: Settings) -> Fault | None:
    """:func:`explain` over an exception and its causes (the first that is recognised)."""
    for cause in causes(error):
        fault = explain(str(cause), settings, type(cause).__name__)
        if fault is not None:
            return fault
    return None
