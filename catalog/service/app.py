"""The catalog service: a FastAPI application that speaks CKAN's Action API, serves the
catalog's metadata documents and the open data downloads.

``create_app()`` is the factory uvicorn calls in each worker (``ada serve``); it reads the
environment. Tests and the integrator can pass settings, a configuration and the
``download_url`` hook (presigned URLs on S3) instead.

Routers, by role: :mod:`~catalog.service.actions` (CKAN Action API),
:mod:`~catalog.service.metadata` (DCAT-AP, data.json, Atom),
:mod:`~catalog.service.downloads` (files), then the web portal (:mod:`catalog.portal`). How
each worker keeps its in-memory catalog in step with the store is in
:mod:`~catalog.service.live`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ada.settings import Settings, load_settings
from catalog.portal import install_portal
from catalog.service import downloads, metadata
from catalog.service.actions import action_router
from catalog.service.apidocs import docs_router
from catalog.service.config import ServiceConfig, load_service_config
from catalog.service.errors import (
    StripTrailingSlash,
    http_error_handler,
    request_validation_handler,
    unexpected_error_handler,
)
from catalog.service.headers import SecurityHeaders
from catalog.service.limits import BodyLimit
from catalog.service.live import LiveCatalog
from catalog.service.state import DownloadUrl, Service, presigned_url
from catalog.service.throttle import RateLimit
from catalog.service.write_actions import WRITE_ACTIONS
from catalog.service.writes import SECURITY_SCHEMES, write_router

log = logging.getLogger("ada.catalog")

OPENAPI_URL = "/api/openapi.json"
_API_DESCRIPTION = """\
API compatible con CKAN del catálogo de datos abiertos de Bogotá (Agencia Analítica de Datos).

Cada acción responde en `/api/3/action/<acción>` y en `/api/action/<acción>`, por GET
(parámetros en la URL; listas como JSON o repetidas) y por POST (cuerpo JSON), con el sobre de
CKAN: `{"help", "success": true, "result"}`, o `{"help", "success": false, "error":
{"__type", "message"}}` con 404 «Not Found Error», 409 «Validation Error», 400 «Search Query
Error» o 403 «Authorization Error». Nunca redirige.

Las acciones de escritura (`package_patch`, `ada_dataset_republish`, `ada_release_withdraw`,
`ada_audit_log_list`) se llaman por POST con un token de API en la cabecera `Authorization`
(`ada token create`); cada intento queda en el registro de auditoría.
"""


def _configure_logging() -> None:
    """Give the service's logger uvicorn's level and a handler: uvicorn configures only its own
    loggers, so without this the catalog's messages would be lost."""
    logger = logging.getLogger("ada.catalog")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.getLogger("uvicorn.error").getEffectiveLevel())


async def _follow_store(live: LiveCatalog, every: float) -> None:
    """Poll the store's catalog version and apply what changed, until cancelled."""
    while True:
        await asyncio.sleep(every)
        try:
            await run_in_threadpool(live.sync)
        except Exception as err:  # the store may be briefly unreachable: try again later
            log.warning("no se pudo actualizar el catálogo: %s", type(err).__name__)


def create_app(
    settings: Settings | None = None,
    config: ServiceConfig | None = None,
    *,
    download_url: DownloadUrl = presigned_url,
) -> FastAPI:
    """The service; ``settings`` and ``config`` default to the environment's."""

    chosen = config or load_service_config()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _configure_logging()
        service = await run_in_threadpool(
            Service.start, settings or load_settings(), chosen, download_url
        )
        app.state.service = service
        follower = asyncio.create_task(_follow_store(service.live, chosen.poll_seconds))
        try:
            yield
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
            cache = service.cache
            log.info("caché de respuestas: %s aciertos, %s fallos", cache.hits, cache.misses)
            service.close()

    app = FastAPI(
        title="Datos Abiertos Bogotá: API del catálogo",
        description=_API_DESCRIPTION,
        version="1.0.0",
        openapi_url=OPENAPI_URL,
        docs_url=None,  # served by apidocs.py with Swagger UI shipped in the project
        redoc_url=None,
        redirect_slashes=False,
        lifespan=lifespan,
    )
    app.include_router(write_router(WRITE_ACTIONS))  # before the API's catch-all route
    app.include_router(action_router())
    app.include_router(metadata.router)
    app.include_router(downloads.router)
    app.include_router(docs_router(OPENAPI_URL, f"{app.title}: referencia"))
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
    app.add_middleware(StripTrailingSlash)
    app.add_middleware(BodyLimit, max_bytes=chosen.max_body_bytes)
    app.add_middleware(RateLimit, per_minute=chosen.rate_limit_per_minute)
    # Open data, no cookies: any web page may read it (dashboards, notebooks). The writing
    # actions need a token in a header, which a page can only send if its user typed it in.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization", "X-CKAN-API-Key", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
    )
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, 413 and 429 included
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    # The web portal last: its /dataset/<name> must not shadow the API's /dataset/<name>.ttl.
    install_portal(app, chosen.title)
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document without its 422 answers: this API answers CKAN's 409 instead, and
    each operation documents it."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        components = document.setdefault("components", {})
        schemas = components.get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        components["securitySchemes"] = SECURITY_SCHEMES
        app.openapi_schema = document
    return app.openapi_schema
