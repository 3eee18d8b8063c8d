"""The CKAN Action API's writing actions: POST only, a token with the right role, and an audit
row for every attempt.

Each writing action is declared once (:class:`WriteAction`: its parameters, the roles that may
call it, what it does) and registered as a POST route under both prefixes; a GET on it answers
405 with ``Allow: POST`` in CKAN's envelope (a change must never ride on a link a crawler or a
prefetcher may follow). A request goes: token and role (:mod:`catalog.service.auth`, 403
otherwise), then its JSON body and parameters (409), then the action (404 for an unknown
dataset or release). Whatever the outcome, one row goes to the audit log
(:mod:`catalog.store.audit`) with the request id that the answer also carries in
``X-Request-ID``; the actions themselves are in :mod:`catalog.service.write_actions`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson
from fastapi import APIRouter, Request
from pydantic import ValidationError as PydanticValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from catalog.service import schemas
from catalog.service.auth import (
    REQUEST_ID_HEADER,
    Refused,
    caller_of,
    presented_token,
    request_id,
)
from catalog.service.ckan import (
    ActionError,
    BadRequest,
    JsonResponse,
    NotAuthorized,
    failure,
    success,
)
from catalog.service.errors import InternalError, validation_error
from catalog.service.params import ActionParams, body_values, request_body
from catalog.service.state import Service, service_of
from catalog.store.access import Caller, Role
from catalog.store.audit import AuditEntry, Outcome, write_entry

log = logging.getLogger("ada.catalog")

PREFIXES = ("/api/3/action", "/api/action")
#: The OpenAPI security scheme of the writing actions (``components.securitySchemes``).
SECURITY_SCHEME = "ckanToken"
SECURITY_SCHEMES = {
    SECURITY_SCHEME: {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Token de API (ada token create), como en CKAN: la cabecera "
        "Authorization con el token (también se acepta X-CKAN-API-Key).",
    }
}


class MethodNotAllowed(ActionError):
    """GET on a writing action (CKAN's type for a request it cannot take, HTTP's status)."""

    status = 405
    kind = "Bad request"


@dataclass(frozen=True)
class Attempt:
    """One authorized call of a writing action: who, which request."""

    service: Service
    caller: Caller
    request_id: str
    action: str

    def entry(
        self,
        target: str | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """The audit row of this call's change."""
        return AuditEntry(
            request_id=self.request_id,
            action=self.action,
            outcome="ok",
            status=200,
            token_name=self.caller.name,
            role=self.caller.role,
            target=target,
            before=before,
            after=after,
        )


@dataclass(frozen=True)
class Change:
    """What an action did: its answer, and what its audit row says."""

    result: Any
    target: str | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    #: The action wrote its audit row itself, in the transaction of the change.
    audited: bool = False


@dataclass(frozen=True)
class WriteAction:
    name: str
    run: Callable[[Attempt, Any], Change]
    params: type[ActionParams]
    roles: frozenset[Role]
    result: Any
    summary: str
    description: str
    errors: tuple[type[ActionError], ...] = ()
    #: Successful calls are audited (a read such as the audit log's listing is not; its
    #: refusals are).
    audit_success: bool = True


# ------------------------------------------------------------------------------ performing


def perform(
    service: Service,
    action: WriteAction,
    headers: Mapping[str, str],
    body: bytes,
    request: str,
) -> JsonResponse:
    """Authorize, validate and run one call (blocking: the thread pool runs it); every
    outcome is audited, and none is logged with the token or the body."""
    caller: Caller | None = None
    try:
        caller = caller_of(service.store, presented_token(headers), action.roles)
        params = _params(action, body)
        attempt = Attempt(service, caller, request, action.name)
        change = action.run(attempt, params)
    except Refused as err:
        _audit_failure(service, action, request, err.caller, _claimed_target(body), err)
        return failure(service.root, action.name, err)
    except ActionError as err:
        _audit_failure(service, action, request, caller, _claimed_target(body), err)
        return failure(service.root, action.name, err)
    except Exception:
        error = InternalError("Error interno del servicio.")
        _audit_failure(service, action, request, caller, _claimed_target(body), error)
        raise
    if action.audit_success and not change.audited:
        write_entry(service.store, attempt.entry(change.target, change.before, change.after))
    return success(service.root, action.name, change.result)


def _params(action: WriteAction, body: bytes) -> Any:
    values = body_values(body)
    try:
        return action.params.model_validate(values)
    except PydanticValidationError as err:
        raise validation_error(err.errors()) from None


def _claimed_target(body: bytes) -> str | None:
    """The ``id`` a refused or failed request named, for its audit row (best effort)."""
    try:
        values = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        return None
    claimed = values.get("id") if isinstance(values, dict) else None
    return claimed if isinstance(claimed, str) else None


def _outcome(error: ActionError) -> Outcome:
    if isinstance(error, NotAuthorized):
        return "refused"
    if error.status == 404:
        return "not_found"
    if error.status in (400, 409):
        return "invalid"
    return "error"


def _audit_failure(
    service: Service,
    action: WriteAction,
    request: str,
    caller: Caller | None,
    target: str | None,
    error: ActionError,
) -> None:
    """The refusal's or failure's audit row; a store that cannot take it is logged (by the
    exception's type only), never allowed to hide the answer."""
    entry = AuditEntry(
        request_id=request,
        action=action.name,
        outcome=_outcome(error),
        status=error.status,
        token_name=caller.name if caller else None,
        role=caller.role if caller else None,
        target=target,
        message=error.message,
    )
    try:
        write_entry(service.store, entry)
    except Exception as err:
        log.error("no se pudo escribir la auditoría de %s: %s", action.name, type(err).__name__)


# ------------------------------------------------------------------------------------ routes


def _post_endpoint(action: WriteAction) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        service = service_of(request)
        request_key = request_id(request.headers)
        body = await request.body()
        response = await run_in_threadpool(
            perform, service, action, request.headers, body, request_key
        )
        response.headers[REQUEST_ID_HEADER] = request_key
        return response

    return endpoint


def _get_endpoint(action: WriteAction) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        error = MethodNotAllowed(
            f"La acción «{action.name}» cambia el catálogo: use POST con un cuerpo JSON y su "
            "token en la cabecera Authorization."
        )
        response = failure(service_of(request).root, action.name, error)
        response.headers["Allow"] = "POST"
        return response

    return endpoint


def _responses(action: WriteAction) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {
        200: {"model": schemas.success_model(action.name, action.result), "description": "OK"},
    }
    errors: tuple[type[ActionError], ...] = (*action.errors, Refused, BadRequest)
    for error in errors:
        known = documented.get(error.status)
        kind = f"{known['description']}, {error.kind}" if known else error.kind
        documented[error.status] = {"model": schemas.ErrorResponse, "description": kind}
    return documented


def write_router(actions: Iterable[WriteAction]) -> APIRouter:
    """Each writing action as POST at both prefixes (and its GET, answering 405)."""
    router = APIRouter()
    for action in actions:
        for prefix in PREFIXES:
            suffix = "" if prefix == PREFIXES[0] else "_unversioned"
            tags: list[str | Enum] = [
                "CKAN Action API: escritura" if not suffix else "CKAN Action API (sin versión)"
            ]
            router.add_api_route(
                f"{prefix}/{action.name}",
                _post_endpoint(action),
                methods=["POST"],
                openapi_extra={
                    "requestBody": request_body(action.params, required=True),
                    "security": [{SECURITY_SCHEME: []}],
                },
                operation_id=f"{action.name}{suffix}_post",
                summary=action.summary,
                description=action.description,
                responses=_responses(action),
                response_model=None,
                tags=tags,
            )
            router.add_api_route(
                f"{prefix}/{action.name}",
                _get_endpoint(action),
                methods=["GET"],
                include_in_schema=False,
            )
    return router
