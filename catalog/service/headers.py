"""Security headers on every answer of the service, not only on the portal's pages.

The portal's pages and the API's documentation page set their own Content-Security-Policy
(:mod:`catalog.portal.web`, :mod:`catalog.service.apidocs`); everything else (JSON answers,
metadata documents, downloads, errors, 413 and 429) gets the strictest one, since none of it is
meant to run in a browser: ``default-src 'none'`` means an API answer opened in a tab, or a
downloaded file served inline, can load and run nothing. Headers a route already set are kept.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: For answers that are data, not pages: nothing may load, nothing may frame them.
DATA_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
DEFAULT_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", DATA_CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)


class SecurityHeaders:
    """ASGI middleware: adds each of :data:`DEFAULT_HEADERS` the answer does not have."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in DEFAULT_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def with_security_headers(response: Response) -> Response:
    """``response`` with each of :data:`DEFAULT_HEADERS` it lacks. For the answer to an
    unexpected exception: Starlette sends that one from its outermost error middleware, past
    :class:`SecurityHeaders`, so the handler must add them itself."""
    for name, value in DEFAULT_HEADERS:
        response.headers.setdefault(name.decode(), value.decode())
    return response
