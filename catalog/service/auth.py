"""Who is asking: the API token of a writing request, and the request's id.

Clients send the token as CKAN's do: the ``Authorization`` header holding the token itself
(``ckanapi`` also repeats it in ``X-CKAN-API-Key``, CKAN's older header, which is accepted
alone too); ``Authorization: Bearer <token>`` works as well. Tokens are never read from the
URL or a cookie, never logged and never put in an answer or an audit row.

Every refusal is CKAN's 403 "Authorization Error", as CKAN answers: no token, a token that is
not valid (unknown or revoked) and a role that may not do the action alike. 401 would fit the
first case by HTTP's letter, but it requires a ``WWW-Authenticate`` challenge this API has no
use for, and CKAN clients expect 403.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping

from catalog.service.ckan import NotAuthorized
from catalog.store import CatalogStore
from catalog.store.access import Caller, Role, authenticate

#: A request id given by a proxy in front (``X-Request-ID``) is kept when it looks like one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
REQUEST_ID_HEADER = "X-Request-ID"
#: Spanish names of the roles, for messages.
ROLE_NAMES: dict[str, str] = {"admin": "administrador", "editor": "editor"}


class Refused(NotAuthorized):
    """A 403 that knows who was refused (``None``: no valid token), for the audit log."""

    def __init__(self, message: str, caller: Caller | None = None) -> None:
        super().__init__(message)
        self.caller = caller


def request_id(headers: Mapping[str, str]) -> str:
    """The proxy's request id when it sent a sensible one, else a new random one."""
    given = headers.get(REQUEST_ID_HEADER.lower(), "").strip()
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def presented_token(headers: Mapping[str, str]) -> str | None:
    """The token in ``Authorization`` (raw or ``Bearer``), else in ``X-CKAN-API-Key``."""
    value = headers.get("authorization", "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        value = rest.strip()
    return value or headers.get("x-ckan-api-key", "").strip() or None


def caller_of(store: CatalogStore, token: str | None, roles: Collection[Role]) -> Caller:
    """The caller, if its token is valid and its role one of ``roles``; else :class:`Refused`."""
    if token is None:
        raise Refused(
            "Se necesita un token de API: envíelo en la cabecera Authorization "
            "(p. ej. ckanapi.RemoteCKAN(url, apikey=token))."
        )
    caller = authenticate(store, token)
    if caller is None:
        raise Refused("El token de API no es válido o fue revocado.")
    if caller.role not in roles:
        allowed = " o ".join(ROLE_NAMES[role] for role in roles)
        raise Refused(
            f"El rol {ROLE_NAMES[caller.role]} no puede hacer esta acción; se necesita el rol "
            f"{allowed}.",
            caller,
        )
    return caller
