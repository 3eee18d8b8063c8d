"""Rate limiting per client: a token bucket per client address, in each worker's memory.

Why a bucket per address and not per token: the service is open data, read anonymously; a
client that floods it (a runaway script, a crawler without a delay) must not slow everyone
else down, and its address is the only thing every request has. Checking a write token before
throttling would put a store lookup in front of the very requests the limit protects against,
and writers make few calls, so tokens get no exemption.

Each address may make ``per_minute`` requests in a burst and then ``per_minute / 60`` per
second (a bucket of ``per_minute`` tokens refilled continuously). A refused request gets 429
with ``Retry-After`` (whole seconds until one token is back): CKAN's envelope under ``/api/``,
a short Spanish page for a browser, a JSON ``detail`` otherwise.

The address is the ASGI ``client``: uvicorn replaces it with the first ``X-Forwarded-For``
address when the connection comes from a trusted proxy (``FORWARDED_ALLOW_IPS``, 127.0.0.1 by
default), so behind a proxy each reader is counted, not the proxy. Buckets live per worker:
with ``--workers N`` a client's connections are spread across workers, so it may reach up to
N times the limit. The number of buckets kept is bounded (least recently seen dropped first).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Requests per minute per client address (also the burst), unless ADA_RATE_LIMIT_PER_MINUTE.
DEFAULT_PER_MINUTE = 1200
#: Buckets kept per worker: one per recently seen address (about 100 bytes each).
MAX_CLIENTS = 100_000

_PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Demasiadas solicitudes</title></head>
<body><main><h1>Demasiadas solicitudes</h1>
<p>Recibimos demasiadas solicitudes desde su conexión en poco tiempo. Espere {seconds} segundos
y vuelva a intentarlo.</p>
<p>Si necesita muchos datos, descargue los archivos completos de cada conjunto o use la API
con pausas entre llamadas.</p></main></body></html>
"""


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets by key; :meth:`take` says how long to wait (0: go ahead)."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket; the seconds until one is back if it is empty."""
        now = self.clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        self._buckets[key] = bucket  # most recently seen last
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)


def _wants_page(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return b"text/html" in value
    return False


def _refusal(scope: Scope, seconds: int) -> tuple[bytes, bytes]:
    """The 429's body and content type for this request."""
    path: str = scope.get("path", "")
    message = (
        "Demasiadas solicitudes desde su dirección: espere "
        f"{seconds} s y vuelva a intentarlo (límite por cliente)."
    )
    action = action_of_path(path)
    if action is not None:
        from catalog.service.ckan import help_url

        body = {
            "help": help_url(service_root(scope), action),
            "success": False,
            "error": {"__type": "Rate Limit Error", "message": message},
        }
        return orjson.dumps(body), b"application/json"
    if _wants_page(scope):
        return _PAGE.format(seconds=seconds).encode(), b"text/html; charset=utf-8"
    return orjson.dumps({"detail": message}), b"application/json"


def action_of_path(path: str) -> str | None:
    """The CKAN action a path names (URL-quoted, as the answers name it), or ``None``."""
    for prefix in ("/api/3/action/", "/api/action/"):
        if path.startswith(prefix):
            return quote(path[len(prefix) :].strip("/") or "help_show", safe="")
    return None


def service_root(scope: Scope) -> str:
    app = scope.get("app")
    service = getattr(getattr(app, "state", None), "service", None)
    return str(service.root) if service is not None else ""


class RateLimit:
    """ASGI middleware: every HTTP request spends a token of its client's bucket."""

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app = app
        self.limiter = RateLimiter(per_minute) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limiter is None:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.limiter.take(client[0] if client else "")
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        seconds = max(1, math.ceil(wait))
        body, kind = _refusal(scope, seconds)
        start: Message = {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(seconds).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})
