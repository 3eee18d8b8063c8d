"""Errors as CKAN clients expect them, and as people can read them.

FastAPI answers a parameter it cannot read with 422 and its own body; CKAN answers 409
"Validation Error" with the messages per parameter, and ``ckanapi`` only understands the
latter. A body that is not JSON is CKAN's 400 "Bad request". Unexpected failures are logged
with the exception's type and frames, never its message nor the request's parameters (they may
hold someone's search or a filter value), and answered with a generic message.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from catalog.service.ckan import ActionError, BadRequest, JsonResponse, ValidationFailed, failure
from catalog.service.headers import with_security_headers

log = logging.getLogger("ada.catalog")

_MESSAGES = {
    "missing": "Falta este parámetro.",
    "int_parsing": "Debe ser un número entero.",
    "int_type": "Debe ser un número entero.",
    "int_from_float": "Debe ser un número entero.",
    "bool_parsing": "Debe ser true o false.",
    "bool_type": "Debe ser true o false.",
    "string_type": "Debe ser un texto.",
    "string_too_short": "No puede estar vacío.",
    "list_type": "Debe ser una lista.",
    "dict_type": "Debe ser un objeto.",
    "model_type": "El cuerpo debe ser un objeto JSON.",
    "model_attributes_type": "El cuerpo debe ser un objeto JSON.",
    "literal_error": "Valor no admitido.",
    "string_pattern_mismatch": "Formato no válido.",
}


class InternalError(ActionError):
    status = 500
    kind = "Internal Server Error"


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind == "greater_than_equal":
        return f"Debe ser mayor o igual a {context.get('ge')}."
    if kind == "less_than_equal":
        return f"Debe ser menor o igual a {context.get('le')}."
    if kind == "string_too_short" and int(context.get("min_length", 1)) > 1:
        return f"Debe tener al menos {context['min_length']} caracteres."
    if kind == "string_too_long":
        return f"Debe tener como máximo {context.get('max_length')} caracteres."
    if kind == "value_error":  # our own validators' messages are Spanish already
        return str(context.get("error") or error.get("msg", "Valor no válido."))
    return _MESSAGES.get(kind, "Valor no válido.")


def _parameter(location: Sequence[Any], where: str | None) -> str:
    """The parameter's name as the client sent it (``facet.field``), without FastAPI's
    ``query``/``body`` prefix."""
    parts = [str(p) for p in location if p not in ("query", "body", "path")]
    if where and parts[:1] == [where]:
        parts = parts[1:]
    return ".".join(parts[:1]) if parts else "body"


def validation_error(errors: Sequence[Any], where: str | None = None) -> ActionError:
    """CKAN's error for pydantic's or FastAPI's list of errors."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return BadRequest("El cuerpo de la petición no es JSON válido.")
    fields: dict[str, list[str]] = {}
    for error in errors:
        name = _parameter(error.get("loc", ()), where)
        fields.setdefault(name, []).append(_message(error))
    names = ", ".join(fields)
    return ValidationFailed(f"Parámetros no válidos: {names}.", fields)


def validation_failure(
    root: str, action: str, errors: Sequence[Any], where: str | None = None
) -> Response:
    return failure(root, action, validation_error(errors, where))


def _action_of(request: Request) -> str | None:
    path = request.url.path
    for prefix in ("/api/3/action/", "/api/action/"):
        if path.startswith(prefix):
            return path[len(prefix) :] or "help_show"
    return None


def _root(request: Request) -> str:
    service = getattr(request.app.state, "service", None)
    return service.root if service is not None else str(request.base_url).rstrip("/")


async def request_validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    action = _action_of(request)
    if action is None:  # a route outside the API (downloads, feeds): a plain 404
        return JsonResponse({"detail": "No encontrado."}, status_code=404)
    return validation_failure(_root(request), action, exc.errors())


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own errors, but a wrong method on an action names both methods in ``Allow``
    (each action is a GET route and a POST route; Starlette would name only the first)."""
    assert isinstance(exc, StarletteHTTPException)
    action = _action_of(request)
    if exc.status_code == 405 and action is not None:
        from catalog.service.write_actions import WRITE_ACTIONS_BY_NAME

        if action in WRITE_ACTIONS_BY_NAME:  # writing actions take POST only
            return JsonResponse(
                {"detail": "Método no permitido: use POST."},
                status_code=405,
                headers={"Allow": "POST"},
            )
        return JsonResponse(
            {"detail": "Método no permitido: use GET o POST."},
            status_code=405,
            headers={"Allow": "GET, POST"},
        )
    return await http_exception_handler(request, exc)


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("error interno en %s: %s\n%s", request.url.path, type(exc).__name__, frames)
    error = InternalError("Error interno del servicio; inténtelo de nuevo más tarde.")
    action = _action_of(request)
    if action is None:
        response: Response = JsonResponse({"detail": error.message}, status_code=500)
    else:
        response = failure(_root(request), action, error)
    return with_security_headers(response)


class StripTrailingSlash:
    """``/api/3/action/package_list/`` is answered as ``/api/3/action/package_list``: CKAN
    clients break on redirects, so the slash is dropped instead of redirected."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path.startswith("/api/") and len(path) > len("/api/") and path.endswith("/"):
                stripped = path.rstrip("/")
                scope = {**scope, "path": stripped, "raw_path": stripped.encode()}
        await self.app(scope, receive, send)
