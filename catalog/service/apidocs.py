"""``/api/docs``: the interactive API reference (Swagger UI) on the service's OpenAPI document.

Swagger UI ships with the project (``static/swagger-ui/``, see its SOURCE.txt) instead of
coming from a CDN: the page works offline and on a closed network, and the Content-Security-
Policy can allow scripts from this origin only. The start-up script is a file too, so no
inline script is allowed; Swagger UI sets inline styles, which the policy permits for styles.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException
from starlette.responses import HTMLResponse, Response

ASSETS = Path(__file__).parent / "static" / "swagger-ui"
_SERVED = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "init.js": "text/javascript; charset=utf-8",
}
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def docs_router(openapi_url: str, title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/api/docs")
    def docs() -> HTMLResponse:
        return HTMLResponse(_page(openapi_url, title), headers=_HEADERS)

    @router.get("/api/docs/assets/{name}")
    def asset(name: str) -> Response:
        if name not in _SERVED:  # a fixed list: no path from the request reaches the disk
            raise HTTPException(404, "No se encontró el archivo.")
        return Response(
            _read(name),
            media_type=_SERVED[name],
            headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )

    return router


@cache
def _read(name: str) -> bytes:
    return (ASSETS / name).read_bytes()


def _page(openapi_url: str, title: str) -> str:
    return f"""<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body data-openapi="{html.escape(openapi_url)}">
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script>
</body>
</html>
"""
