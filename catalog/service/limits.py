"""Limits on what a request may carry: the body's size and the JSON's depth.

Every action reads its whole body into memory before decoding it, so without a limit one
client could make a worker hold gigabytes. The largest legitimate body (``package_patch`` with
20,000 characters of notes and 50 tags) is a few tens of kilobytes; the default limit is 1 MiB
(``ADA_MAX_BODY_BYTES``). A request announcing more in ``Content-Length`` is refused before a
byte is read; a chunked one is refused as soon as it passes the limit. Either way the answer is
413, in CKAN's envelope under ``/api/``.

JSON nesting is bounded too (:data:`MAX_JSON_DEPTH`): no parameter of this API nests more than
a couple of levels, and a deeply nested value would only make validation and the error
messages recurse. The decoder refuses it with a clear 400, never a ``RecursionError``.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Bytes a request body may have, unless ADA_MAX_BODY_BYTES says otherwise.
DEFAULT_MAX_BODY_BYTES = 1 << 20
#: Levels of arrays and objects a JSON value may nest (``{"a": [1]}`` is 2).
MAX_JSON_DEPTH = 32


class BodyTooLarge(Exception):
    """Raised inside the app when a streamed body passes the limit."""


class TooDeep(ValueError):
    """A JSON value nested deeper than :data:`MAX_JSON_DEPTH`."""


def json_depth_ok(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``value`` nests at most ``limit`` levels (iterative: no recursion to exhaust)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        pending.extend((child, depth + 1) for child in children)
    return True


def loads(raw: bytes | str) -> Any:
    """JSON as the service reads it: orjson, then the depth check. Raises
    ``orjson.JSONDecodeError`` for text that is not JSON and :class:`TooDeep`."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        if "depth" in str(err):  # orjson's own limit (1024 levels)
            raise TooDeep() from None
        raise
    if not json_depth_ok(value):
        raise TooDeep()
    return value


def too_deep_message() -> str:
    return f"El JSON está anidado a demasiada profundidad (máximo {MAX_JSON_DEPTH} niveles)."


def _refusal(scope: Scope, limit: int) -> bytes:
    message = f"El cuerpo de la petición es demasiado grande (máximo {limit} bytes)."
    path: str = scope.get("path", "")
    from catalog.service.throttle import action_of_path, service_root

    action = action_of_path(path)
    if action is None:
        return orjson.dumps({"detail": message})
    from catalog.service.ckan import help_url

    body = {
        "help": help_url(service_root(scope), action),
        "success": False,
        "error": {"__type": "Bad request", "message": message},
    }
    return orjson.dumps(body)


async def _send_413(scope: Scope, send: Send, limit: int) -> None:
    body = _refusal(scope, limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """ASGI middleware: 413 for a body larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _send_413(scope, send, self.max_bytes)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _send_413(scope, send, self.max_bytes)
