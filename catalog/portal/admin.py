"""The administrators' page: the audit log of the catalog's write API (``/admin/auditoria``).

The administrator types their API token into a form that is POSTed; the page is rendered on
the server with the rows the token may see, and the token goes nowhere else: not into the
page (the field is always empty), a URL, a cookie or a log. Each request asks for it again,
which is the price of keeping no session; the browser is told not to store the page
(``Cache-Control: no-store``) nor to offer the token for autocompletion. A refused token is
written to the audit log like a refused API call (action ``ada_audit_log_list``).

Same language handling and security headers as every portal page (no script; forms may post
only to the portal itself).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from catalog.portal.i18n import N_
from catalog.portal.pages import render
from catalog.service.auth import Refused, caller_of, request_id
from catalog.service.state import Service, service_of
from catalog.service.write_actions import ADMINS, WRITE_ACTIONS_BY_NAME
from catalog.store.audit import AuditEntry, AuditQuery, list_entries, write_entry

router = APIRouter(include_in_schema=False)

PATH = "/admin/auditoria"
PAGE_SIZE = 50
#: A form with a token and a few filters is far smaller; anything larger is not ours.
MAX_FORM_BYTES = 16 * 1024
ACTION = "ada_audit_log_list"

#: What each action and outcome is called on the page (translated in the template).
ACTION_LABELS: dict[str, str] = {
    "package_patch": N_("Edición de metadatos"),
    "ada_dataset_republish": N_("Solicitud de republicación"),
    "ada_release_withdraw": N_("Retiro de una publicación"),
    "ada_audit_log_list": N_("Consulta de la auditoría"),
}
OUTCOME_LABELS: dict[str, str] = {
    "ok": N_("hecho"),
    "refused": N_("rechazado: sin permiso"),
    "invalid": N_("rechazado: datos no válidos"),
    "not_found": N_("rechazado: no existe"),
    "error": N_("error del servicio"),
}


@dataclass(frozen=True)
class AuditForm:
    """The form as posted: the token and the filters (the token is never rendered)."""

    token: str
    dataset: str
    action: str
    user: str
    outcome: str
    page: int

    @classmethod
    def parse(cls, body: bytes) -> AuditForm:
        values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)

        def one(name: str) -> str:
            return (values.get(name) or [""])[-1].strip()

        page = one("pagina")
        return cls(
            token=one("token"),
            dataset=one("conjunto"),
            action=one("accion") if one("accion") in ACTION_LABELS else "",
            user=one("usuario"),
            outcome=one("resultado") if one("resultado") in OUTCOME_LABELS else "",
            page=int(page) if page.isdigit() and 0 < int(page) < 1_000_000 else 1,
        )

    def query(self) -> AuditQuery:
        return AuditQuery(
            limit=PAGE_SIZE,
            offset=(self.page - 1) * PAGE_SIZE,
            target=self.dataset or None,
            action=self.action or None,
            token_name=self.user or None,
            outcome=self.outcome or None,
        )

    def filters(self) -> dict[str, Any]:
        """What the page shows back in the form: everything but the token."""
        return {
            "conjunto": self.dataset,
            "accion": self.action,
            "usuario": self.user,
            "resultado": self.outcome,
            "pagina": self.page,
        }


def _private(response: Response) -> Response:
    """The audit log is for administrators: no cache, no search engine, no referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    values: dict[str, Any] = {
        "filters": AuditForm("", "", "", "", "", 1).filters(),
        "error": None,
        "result": None,
        "action_labels": ACTION_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "path": PATH,
        **context,
    }
    return _private(render(request, "admin_audit.html", status=status, **values))


@router.api_route(PATH, methods=["GET", "HEAD"])
async def audit_form(request: Request) -> Response:
    return _page(request)


@router.post(PATH)
async def audit_page(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return _page(request, 413, error=N_("El formulario es demasiado grande."))
    form = AuditForm.parse(body)
    service = service_of(request)
    key = request_id(request.headers)
    try:
        result = await run_in_threadpool(_read, service, form, key)
    except Refused as err:
        return _page(request, 403, filters=form.filters(), error=_refusal(form, err))
    return _page(request, filters=form.filters(), result=result)


def _refusal(form: AuditForm, err: Refused) -> str:
    if not form.token:
        return N_("Escriba su token de API de administrador.")
    if err.caller is not None:
        return N_("Ese token no tiene el rol de administrador.")
    return N_("El token no es válido o fue revocado.")


def _read(service: Service, form: AuditForm, key: str) -> dict[str, Any]:
    """The page of rows (blocking: the thread pool runs it); a refusal is audited."""
    try:
        caller_of(service.store, form.token or None, ADMINS)
    except Refused as err:
        write_entry(
            service.store,
            AuditEntry(
                request_id=key,
                action=ACTION,
                outcome="refused",
                status=403,
                token_name=err.caller.name if err.caller else None,
                role=err.caller.role if err.caller else None,
                message=f"{PATH}: {err.message}",
            ),
        )
        raise
    count, rows = list_entries(service.store, form.query())
    first = (form.page - 1) * PAGE_SIZE
    return {
        "count": count,
        "first": first + 1 if rows else 0,
        "last": first + len(rows),
        "pages": max(1, math.ceil(count / PAGE_SIZE)),
        "rows": [_row(row) for row in rows],
    }


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "when": row["timestamp"][:19].replace("T", " "),
        "known_action": row["action"] in WRITE_ACTIONS_BY_NAME,
        "changes": _changes(row["before"], row["after"]),
    }


def _changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, str, str]]:
    """Each changed field with its value before and after, as text."""
    fields = list(dict.fromkeys([*(before or {}), *(after or {})]))
    return [
        (field, _text((before or {}).get(field)), _text((after or {}).get(field)))
        for field in fields
    ]


def _text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value)
    return orjson.dumps(value).decode()
