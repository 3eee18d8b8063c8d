"""CKAN's answer shapes: the envelope, the error types and their HTTP statuses.

Every Action API answer is ``{"help": <url>, "success": true, "result": ...}``; an error is
``{"help": ..., "success": false, "error": {"__type": ..., "message": ...}}`` with the status
CKAN uses for its type. ``ckanapi`` turns ``__type`` back into its exceptions (``NotFound``,
``ValidationError``, ``SearchQueryError``, ``NotAuthorized``), so the names must be CKAN's.
Messages are Spanish: people read them.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson
from starlette.responses import Response

from ada.sql import plain_value


class JsonResponse(Response):
    """JSON through orjson: several times faster than the standard library on catalog records.
    Values orjson does not know (DuckDB's decimals, intervals, bytes) are written as
    :mod:`ada.sql` does."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=plain_value)


class RowsResponse(JsonResponse):
    """For table rows, whose maps may have keys that are not text (twice as slow: only
    ``datastore_search`` needs it)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=plain_value, option=orjson.OPT_NON_STR_KEYS)


class ActionError(Exception):
    """An action that cannot answer; subclasses carry CKAN's type and status."""

    status: ClassVar[int] = 500
    kind: ClassVar[str] = "Internal Server Error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict[str, Any]:
        return {"__type": self.kind, "message": self.message, **self.fields}


class NotFound(ActionError):
    status = 404
    kind = "Not Found Error"


class ValidationFailed(ActionError):
    status = 409
    kind = "Validation Error"


class SearchQueryFailed(ActionError):
    status = 400
    kind = "Search Query Error"


class NotAuthorized(ActionError):
    status = 403
    kind = "Authorization Error"


class BadRequest(ActionError):
    status = 400
    kind = "Bad request"


def help_url(root: str, action: str) -> str:
    return f"{root}/api/3/action/help_show?name={action}"


def success(root: str, action: str, result: Any, *, rows: bool = False) -> JsonResponse:
    body = {"help": help_url(root, action), "success": True, "result": result}
    return RowsResponse(body) if rows else JsonResponse(body)


def failure(root: str, action: str, error: ActionError) -> JsonResponse:
    return JsonResponse(
        {"help": help_url(root, action), "success": False, "error": error.body()},
        status_code=error.status,
    )
