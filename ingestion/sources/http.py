"""Files served over HTTP(S), and the HTTP plumbing shared by the API connectors.

``fetch_url`` streams one file: the GET is sent (and retried) before the delivery is handed
over, so that the file name can come from ``Content-Disposition`` and a dead URL fails early;
the body is then read in chunks by the raw zone, never held in memory.

Secrets: header values (and the URL) may use ``${VAR}`` / ``${VAR:-default}`` so that tokens
live in the environment, not in specs. Origins and error messages are built from the URL
*template* (before ``${VAR}`` expansion), with credentials and secret-looking query values
masked, and every expanded value is scrubbed from error text as a last line of defence.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import httpx

from ada.settings import Settings
from catalog.specs import DatasetSpec, UrlSource
from ingestion.sources.base import DeliveredFile, Delivery, SourceError
from ingestion.sources.jsonscan import JsonScanError, Skim, skim_json

log = logging.getLogger(__name__)

#: Attempts per request (the first one included) for 5xx, 429 and connection failures.
TRIES = 3
#: First pause between attempts, doubled after each failure (tests shrink it).
BACKOFF_SECONDS = 1.0
#: Longest pause honoured from a server's ``Retry-After`` header.
MAX_RETRY_AFTER = 30.0
TIMEOUT = httpx.Timeout(60.0, connect=15.0)
USER_AGENT = "ADA-Bogota/0.1 (plataforma de datos abiertos; +https://datosabiertos.bogota.gov.co)"
CHUNK = 1 << 20
#: How much of an error response is read to explain the error.
ERROR_BODY_LIMIT = 64 * 1024

_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")
_SECRET_PARAM = re.compile(
    r"token|key|secret|passw|pwd|signature|^sig$|auth|credential|session|^x-amz-", re.I
)


# --------------------------------------------------------------------------------------------
# Templates and redaction


def expand_env(template: str, spec: DatasetSpec, where: str) -> tuple[str, list[str]]:
    """Expand ``${VAR}`` / ``${VAR:-default}``; returns the text and the values substituted."""
    used: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        value = os.environ.get(match["name"]) or match["default"]
        if value is None:
            raise SourceError(
                f"{spec.key}: {where} uses ${{{match['name']}}}, which is not set in the "
                "environment and has no default; set it (or use ${VAR:-default})"
            )
        used.append(value)
        return value

    return _VAR.sub(substitute, template), used


def with_partition(template: str, partition: str | None, spec: DatasetSpec, where: str) -> str:
    """Replace ``{partition}``; an error if the template needs a partition and none is given."""
    if "{partition}" not in template:
        return template
    if partition is None:
        raise SourceError(
            f"{spec.key}: {where} uses {{partition}} but no partition was given; declare "
            "'partitioning' in the spec and materialize one partition"
        )
    return template.replace("{partition}", partition)


def credential_header(
    spec: DatasetSpec, env_name: str | None, header: str, otherwise: str
) -> tuple[dict[str, str], list[str]]:
    """The header carrying a token read from ``env_name``, and the token (to scrub it from
    every message). An unset variable is a warning, not an error: ``otherwise`` says what
    happens then."""
    if not env_name:
        return {}, []
    value = os.environ.get(env_name, "").strip()
    if value:
        return {header: value}, [value]
    log.warning("%s: %s is not set; %s", spec.key, env_name, otherwise)
    return {}, []


def redact_url(url: str) -> str:
    """The URL without user info, fragment or secret-looking query values (for logs/origins)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parse_qsl(parts.query, keep_blank_values=True)
    text = parts.query
    if any(_SECRET_PARAM.search(k) for k, _ in query):
        masked = [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in query]
        text = urlencode(masked, safe="$:*,/'()<>=!@{}", quote_via=quote)
    return urlunsplit((parts.scheme, netloc, parts.path, text, ""))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value (of four characters or more) masked."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def error_message(document: Any) -> str | None:
    """The message of a Socrata or CKAN error body, if ``document`` is one."""
    if not isinstance(document, dict):
        return None
    if document.get("success") is False:  # CKAN envelope
        error = document.get("error")
        if isinstance(error, dict):
            kind = error.get("__type") or "Error"
            message = error.get("message")
            if not message:  # validation errors: {"__type": ..., "field": ["problem"]}
                message = "; ".join(
                    f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                    for k, v in error.items()
                    if k != "__type"
                )
            return f"{kind}: {message}" if message else str(kind)
        return str(error or "the API answered success=false")
    if document.get("error") is True or ("code" in document and "message" in document):
        code = document.get("code")
        message = document.get("message") or "error"
        return f"{message} ({code})" if code else str(message)
    return None


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# Requests with retries and clear errors


@dataclass
class Target:
    """What a request is for, so that errors say which dataset, which URL and what to do."""

    spec: DatasetSpec
    secrets: list[str] = field(default_factory=list)
    #: advice per problem: "auth", "not_found", "bad_request", "rate_limit", "url"
    hints: dict[str, str] = field(default_factory=dict)

    def error(self, url: str, problem: str) -> SourceError:
        text = f"{self.spec.key}: GET {unquote(redact_url(url))} {problem}"
        return SourceError(_one_line(scrub(text, self.secrets), 1000))

    def http_error(
        self, url: str, response: httpx.Response, detail: str, tries: int
    ) -> SourceError:
        status = response.status_code
        reason = response.reason_phrase or ""
        after = f" after {tries} tries" if tries > 1 else ""
        detail = f" ({detail})" if detail and detail != f"{status} {reason}" else ""
        if status in (401, 403):
            advice = self.hints.get("auth", "check the credentials the source's headers send")
        elif status in (404, 410):
            advice = self.hints.get("not_found", "check 'source.url' in the spec")
        elif status == 429:
            advice = self.hints.get(
                "rate_limit", "the server is limiting requests; run again later"
            )
        elif status >= 500:
            advice = "the server is failing; run again later, or ask its operator"
        else:
            advice = self.hints.get("bad_request", "check the source in the spec")
        return self.error(url, f"answered HTTP {status} {reason}{after}{detail}; {advice}")

    def transport_error(self, url: str, err: Exception, tries: int, doing: str) -> SourceError:
        after = f" after {tries} tries" if tries > 1 else ""
        return self.error(
            url,
            f"failed while {doing}{after} ({type(err).__name__}: {err or 'no detail'}); "
            "check the network and that the server is up, then run again",
        )


def _sleep_before_retry(attempt: int, response: httpx.Response | None = None) -> None:
    delay = BACKOFF_SECONDS * 2 ** (attempt - 1) * (1 + random.random() / 4)
    if response is not None:
        with contextlib.suppress(ValueError):
            asked = float(response.headers.get("retry-after", ""))
            delay = max(delay, min(asked, MAX_RETRY_AFTER))
    time.sleep(delay)


def _announce_retry(target: Target, what: str, err: Exception, attempt: int) -> None:
    """Log a transient failure (its type only: messages may quote the server) and back off."""
    log.warning("%s: %s (%s); retrying", target.spec.key, what, type(err).__name__)
    _sleep_before_retry(attempt)


def _error_detail(response: httpx.Response, secrets: list[str]) -> str:
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) >= ERROR_BODY_LIMIT:
                break
    except httpx.HTTPError:
        pass
    text = bytes(body[:ERROR_BODY_LIMIT]).decode("utf-8", "replace").strip()
    if not text:
        return ""
    try:
        message = error_message(json.loads(text))
    except ValueError:
        message = None
        if "html" in response.headers.get("content-type", "") or text.startswith("<"):
            title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
            text = title.group(1) if title else ""
    return _one_line(scrub(message or text, secrets), 200)


def get(
    client: httpx.Client,
    url: str,
    target: Target,
    params: Mapping[str, str | int] | None = None,
) -> httpx.Response:
    """GET ``url`` streamed; retry 5xx, 429 and connection failures; return a 2xx response.

    The caller reads and closes the response. Failures raise :class:`SourceError`.
    """
    for attempt in range(1, TRIES + 1):
        try:
            response = client.send(client.build_request("GET", url, params=params), stream=True)
        except httpx.UnsupportedProtocol:
            raise target.error(url, "has an unsupported scheme; use http:// or https://") from None
        except httpx.TooManyRedirects:
            raise target.error(url, "redirects in a loop; check the URL") from None
        except httpx.TransportError as err:
            if attempt < TRIES:
                _announce_retry(target, f"GET {redact_url(url)} failed", err, attempt)
                continue
            raise target.transport_error(url, err, attempt, "connecting") from None
        except httpx.InvalidURL as err:
            raise target.error(url, f"is not a valid URL ({err})") from None
        if response.is_success:
            return response
        if (response.status_code >= 500 or response.status_code == 429) and attempt < TRIES:
            log.warning(
                "%s: GET %s answered %s; retrying",
                target.spec.key,
                redact_url(url),
                response.status_code,
            )
            response.close()
            _sleep_before_retry(attempt, response)
            continue
        try:
            detail = _error_detail(response, target.secrets)
        finally:
            response.close()
        raise target.http_error(str(response.request.url), response, detail, attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def client_for(headers: Mapping[str, str]) -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, **headers},
        timeout=TIMEOUT,
        follow_redirects=True,
    )


# --------------------------------------------------------------------------------------------
# Streaming a response body


class ResponseStream(io.RawIOBase):
    """A response body as a readable binary stream; transport errors become SourceErrors."""

    def __init__(self, response: httpx.Response, target: Target, url: str) -> None:
        self._response = response
        self._chunks = response.iter_bytes(CHUNK)
        self._pending = memoryview(b"")
        self._target = target
        self._url = url
        self.received = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                chunk = next(self._chunks, None)
            except httpx.HTTPError as err:
                raise self._target.transport_error(self._url, err, 1, "downloading") from None
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        self.received += n
        return n

    def close(self) -> None:
        if not self.closed:
            self._response.close()
        super().close()


def filename_from(response: httpx.Response, url: str, fallback: str) -> str:
    """The file name from ``Content-Disposition``, else the URL path, else ``fallback``."""
    name = ""
    disposition = response.headers.get("content-disposition")
    if disposition:
        message = Message()
        message["content-disposition"] = disposition
        name = message.get_filename() or ""
    if not name:
        name = unquote(PurePosixPath(urlsplit(url).path).name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    name = re.sub(r"[\x00-\x1f]", "", name)
    return name or fallback


class Download:
    """One HTTP file: requested eagerly (to learn its name and fail early), read lazily.

    ``open()`` hands over the pending response the first time and downloads again on later
    calls; :meth:`close` releases whatever is still open.
    """

    def __init__(self, client: httpx.Client, url: str, target: Target, fallback_name: str):
        self._client = client
        self._url = url
        self._target = target
        self._pending: httpx.Response | None = get(client, url, target)
        self._streams: list[ResponseStream] = []
        self.final_url = str(self._pending.url)
        self.name = filename_from(self._pending, self.final_url, fallback_name)

    def open(self) -> BinaryIO:
        if self._client.is_closed:
            raise SourceError(
                f"{self._target.spec.key}: the download of {redact_url(self._url)} was opened "
                "after its connector finished; read a delivery's files before asking for the "
                "next delivery"
            )
        response, self._pending = self._pending, None
        if response is None:
            response = get(self._client, self._url, self._target)
        stream = ResponseStream(response, self._target, self._url)
        self._streams.append(stream)
        return io.BufferedReader(stream, CHUNK)

    def close(self) -> None:
        if self._pending is not None:
            self._pending.close()
            self._pending = None
        for stream in self._streams:
            stream.close()


def default_name(spec: DatasetSpec) -> str:
    return f"{spec.id}.{spec.format.type}"


def download(
    spec: DatasetSpec,
    url: str,
    shown_url: str,
    *,
    headers: Mapping[str, str],
    target: Target,
) -> Iterator[Delivery]:
    """Yield the single-file delivery of ``url``; ``shown_url`` is its secret-free template."""
    with client_for(headers) as client:
        file = Download(client, url, target, default_name(spec))
        origin = redact_url(shown_url)
        log.info("%s: downloading %s as %s", spec.key, origin, file.name)
        try:
            yield Delivery(origin, [DeliveredFile(file.name, file.open, origin)])
        finally:
            file.close()


def fetch_url(spec: DatasetSpec, settings: Settings, partition: str | None) -> Iterator[Delivery]:
    source = spec.source
    assert isinstance(source, UrlSource)
    template = with_partition(source.url, partition, spec, "'source.url'")
    url, secrets = expand_env(template, spec, "'source.url'")
    headers: dict[str, str] = {}
    for name, value in source.headers.items():
        headers[name], used = expand_env(value, spec, f"the header '{name}'")
        secrets += used
    target = Target(
        spec,
        secrets,
        hints={
            "auth": "check the token or headers in 'source.headers' and the environment "
            "variables they use",
            "not_found": "check 'source.url' in the spec"
            + (f" and that partition {partition} has been published" if partition else ""),
        },
    )
    yield from download(spec, url, template, headers=headers, target=target)


# --------------------------------------------------------------------------------------------
# Paged JSON APIs: each page spooled to disk while its records are counted


def spool_dir(settings: Settings) -> Path:
    """Where paged sources spool their pages: on disk under ``ADA_HOME``, not in memory."""
    path = settings.home / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_spooled(path: Path) -> BinaryIO:
    return path.open("rb")


def spool_page(
    client: httpx.Client,
    url: str,
    params: Mapping[str, str | int],
    target: Target,
    path: Path,
    records_path: tuple[str, ...],
) -> Skim:
    """Download one page to ``path`` (bytes as received) and skim it; retried as a whole."""
    for attempt in range(1, TRIES + 1):
        response = get(client, url, target, params)
        shown = str(response.request.url)
        try:
            with path.open("wb") as sink:
                tee = _Tee(response.iter_bytes(CHUNK), sink.write)
                skim = skim_json(tee.read, records_path)
                tee.drain()
            return skim
        except httpx.HTTPError as err:
            if attempt < TRIES:
                _announce_retry(target, f"page {redact_url(shown)} broke off", err, attempt)
                continue
            raise target.transport_error(shown, err, attempt, "downloading a page") from None
        except JsonScanError as err:
            raise target.error(
                shown,
                f"answered with something that is not valid JSON ({err}); check the "
                "source in the spec, or run again if the server was having trouble",
            ) from None
        finally:
            response.close()
    raise AssertionError("unreachable")  # pragma: no cover


class _Tee:
    """Reads chunks from an iterator, copying every byte to ``write`` as it is read."""

    def __init__(self, chunks: Iterator[bytes], write: Callable[[bytes], Any]) -> None:
        self._chunks = chunks
        self._write = write

    def read(self, size: int = -1) -> bytes:
        chunk = next(self._chunks, b"")
        self._write(chunk)
        return chunk

    def drain(self) -> None:
        for chunk in self._chunks:
            self._write(chunk)
