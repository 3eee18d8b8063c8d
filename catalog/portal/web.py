"""What every portal response carries: security headers, the page cache policy, and the
static files (CSS, icon) served from memory with long cache lifetimes.

The pages run no script at all, so the Content-Security-Policy allows none (``default-src
'none'``): an injected ``<script>``, inline or not, cannot run even if escaping ever failed.
Styles come only from the portal's own stylesheet (no inline ``style`` attributes either:
charts use SVG presentation attributes). Pages may not be framed (clickjacking), MIME types
are not sniffed, and other sites are told only the portal's origin when a reader follows a
link.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
#: Pages change with the catalog and the reader's language: revalidate every time.
PAGE_CACHE = "no-cache"
#: Static files are addressed by their content hash (``?v=``), so they never change.
STATIC_CACHE = "public, max-age=31536000, immutable"

STATIC_DIR = Path(__file__).parent / "static"
_TYPES = {".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    etag: str


class StaticFiles:
    """The portal's static files, read once at start: a handful of small files."""

    def __init__(self, folder: Path = STATIC_DIR) -> None:
        self.files: dict[str, StaticFile] = {}
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                body = path.read_bytes()
                kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
                self.files[path.name] = StaticFile(
                    body,
                    kind or "application/octet-stream",
                    hashlib.sha256(body).hexdigest()[:16],
                )

    def url(self, name: str) -> str:
        """The file's address with its content hash: a new version is a new URL."""
        return f"/static/{name}?v={self.files[name].etag}"

    def response(self, request: Request, name: str) -> Response | None:
        """The file (or 304 if the reader has it); ``None`` if there is no such file."""
        found = self.files.get(name)
        if found is None:
            return None
        headers = {
            "ETag": f'"{found.etag}"',
            "Cache-Control": STATIC_CACHE,
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        return Response(found.body, media_type=found.media_type, headers=headers)
