"""The web portal: server-rendered pages over the catalog service's in-memory catalog.

Citizens, journalists and other portals find, understand, trust and download the agency's
open data here: home, search results with facets, a page per dataset (metadata, data
dictionary, preview, quality, privacy, lineage, downloads, API snippets), entidades,
sectores, the six MinTIC dimensions and the indicators per localidad. Spanish first, with an
English toggle; no JavaScript needed (none is shipped). Administrators read the audit log of
the write API at ``/admin/auditoria`` (:mod:`catalog.portal.admin`). See ``docs/portal.md``.

:func:`install_portal` mounts it into the service's FastAPI app (``catalog.service.app``).
"""

from __future__ import annotations

import inspect

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from catalog.portal import admin
from catalog.portal.dataset import PreviewCache
from catalog.portal.i18n import N_
from catalog.portal.pages import Portal, render, router
from catalog.portal.rendering import Renderer
from catalog.portal.territory import TerritorySource
from catalog.portal.web import StaticFiles

__all__ = ["install_portal"]

#: The portal's words for the errors a reader may meet outside its own routes.
_ERRORS = {
    404: N_("No encontramos la página que busca."),
    405: N_("Esta dirección no acepta ese tipo de petición."),
}


def install_portal(app: FastAPI, site_title: str = "Datos Abiertos Bogotá") -> None:
    """Add the portal's routes after the API's (so ``/dataset/<name>.ttl`` stays the API's),
    and answer browsers' errors outside the API with a page instead of JSON."""
    static = StaticFiles()
    app.state.portal = Portal(
        Renderer(static, site_title), static, TerritorySource(), PreviewCache()
    )
    app.include_router(router)
    app.include_router(admin.router)
    previous = app.exception_handlers[StarletteHTTPException]

    async def page_for_browsers(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        wants_page = "text/html" in request.headers.get("accept", "")
        if wants_page and not request.url.path.startswith("/api/") and exc.status_code in _ERRORS:
            return render(
                request,
                "error.html",
                status=exc.status_code,
                status_code=exc.status_code,
                message=_ERRORS[exc.status_code],
                values={},
            )
        answer = previous(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, page_for_browsers)
