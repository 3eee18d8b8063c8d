"""The writing actions: edit a dataset's catalog metadata, ask for its republication, withdraw
one of its releases, and read the audit log (see ``docs/api.md``).

- ``package_patch`` (editor, admin): stores an override of the record's editable fields,
  which every catalog refresh applies over the record built from the spec;
- ``ada_dataset_republish`` (editor, admin): records a republish request, which the Dagster
  sensor turns into a run of the dataset's ingest job;
- ``ada_release_withdraw`` (admin): ``catalog.publication.withdraw_release``, then the refresh;
- ``ada_audit_log_list`` (admin): the audit log, newest first.

Edits and withdrawals refresh the catalog in the request (and this worker follows at once;
the others within ``ADA_CATALOG_POLL_SECONDS``), so the answer already shows the change.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator
from typing_extensions import TypedDict

from catalog.packages import EDITABLE_FIELDS, EditError, edited_spec, record_field
from catalog.records import Package
from catalog.registry import load_registry
from catalog.service.ckan import NotFound, ValidationFailed
from catalog.service.params import ActionParams, Natural, Offset
from catalog.service.state import Service
from catalog.service.writes import Attempt, Change, WriteAction
from catalog.specs import DatasetSpec
from catalog.store import refresh_catalog, today_in_bogota
from catalog.store.access import Role
from catalog.store.audit import AuditQuery, list_entries, record
from catalog.store.editing import request_republish, save_override

EDITORS: frozenset[Role] = frozenset({"editor", "admin"})
ADMINS: frozenset[Role] = frozenset({"admin"})
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_WEB_ADDRESS = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
MAX_TAGS = 50
AUDIT_MAX_LIMIT = 1000
_SHOWN_ID = 100  # characters of a client's id repeated in a message


# ------------------------------------------------------------------------------- parameters


class PackagePatchParams(ActionParams):
    """Only the fields given change; ``null`` gives a field back to the spec."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)

    id: str = Field(min_length=1, description="Nombre o identificador (UUID) del conjunto.")
    title: str | None = Field(None, min_length=3, max_length=200, description="Título.")
    notes: str | None = Field(
        None, min_length=10, max_length=20_000, description="Descripción (Markdown no)."
    )
    url: str | None = Field(
        None, max_length=500, description="Documentación: URL http(s), o vacío para quitarla."
    )
    maintainer: str | None = Field(
        None, min_length=2, max_length=200, description="Contacto: nombre o dependencia."
    )
    maintainer_email: str | None = Field(
        None, max_length=254, pattern=_EMAIL, description="Contacto: correo electrónico."
    )
    tags: list[str] | None = Field(
        None,
        description='Etiquetas: lista de textos o de objetos {"name": ...} como en CKAN.',
        examples=[["movilidad", "seguridad vial"]],
    )

    @model_validator(mode="before")
    @classmethod
    def _only_editable(cls, values: Any) -> Any:
        """A field the API cannot edit is refused, not ignored: a silent no-op would let an
        editor believe the catalog changed."""
        if isinstance(values, dict):
            fixed = sorted(key for key in values if key != "id" and key not in EDITABLE_FIELDS)
            if fixed:
                message = "No se edita por la API: lo define la ficha del conjunto (spec)."
                raise ValidationFailed(
                    f"Campos que no se pueden editar: {', '.join(fixed)}. Editables: "
                    f"{', '.join(EDITABLE_FIELDS)}.",
                    {key: [message] for key in fixed},
                )
        return values

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            raise ValueError("Debe ser una lista de etiquetas.")
        names: list[str] = []
        for item in value:
            name = item.get("name") if isinstance(item, dict) else item
            if not isinstance(name, str):
                raise ValueError("Cada etiqueta debe ser un texto.")
            names.append(_tag(name, names))
        if len(names) > MAX_TAGS:
            raise ValueError(f"Como máximo {MAX_TAGS} etiquetas.")
        return names

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not _WEB_ADDRESS.match(value):
            raise ValueError("Debe ser una dirección http:// o https://, o vacía para quitarla.")
        return value

    def changes(self) -> dict[str, Any]:
        """The editable fields this call sends (``None``: back to the spec's value)."""
        given = self.model_fields_set
        return {name: getattr(self, name) for name in EDITABLE_FIELDS if name in given}


def _tag(raw: str, taken: list[str]) -> str:
    name = " ".join(raw.split())
    if not 2 <= len(name) <= 100 or not name.isprintable():
        raise ValueError("Cada etiqueta debe tener entre 2 y 100 caracteres imprimibles.")
    if name.casefold() in {tag.casefold() for tag in taken}:
        raise ValueError(f"La etiqueta «{name}» está repetida.")
    return name


class RepublishParams(ActionParams):
    id: str = Field(min_length=1, description="Nombre o identificador (UUID) del conjunto.")
    partition: str | None = Field(
        None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="Partición (AAAA-MM-DD): obligatoria para los conjuntos que se publican "
        "por día, no admitida para los demás.",
    )


class WithdrawParams(ActionParams):
    id: str = Field(min_length=1, description="Nombre o identificador (UUID) del conjunto.")
    version: str = Field(
        pattern=r"^v?[1-9][0-9]{0,8}$", description="La publicación: v3 o 3.", examples=["v3"]
    )
    reason: str = Field(
        min_length=10,
        max_length=500,
        description="Motivo, público (queda junto a la publicación): nunca datos personales.",
    )

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @property
    def label(self) -> str:
        return f"v{self.version.removeprefix('v')}"


class AuditLogParams(ActionParams):
    limit: Natural = Field(100, description=f"Filas (máximo {AUDIT_MAX_LIMIT}).")
    offset: Offset = Field(0, description="Filas que se saltan.")
    id: str | None = Field(None, description="Solo las de este conjunto (su nombre).")
    action: str | None = Field(None, description="Solo las de esta acción.")
    user: str | None = Field(None, description="Solo las de este token (su nombre).")
    outcome: Literal["ok", "refused", "invalid", "not_found", "error"] | None = Field(
        None, description="Solo las de este resultado."
    )


# ---------------------------------------------------------------------------------- results


class RepublishResult(TypedDict):
    id: int
    dataset: str
    partition: str | None
    requested_at: str
    requested_by: str
    status: str
    run_key: str | None
    handled_at: str | None
    message: str | None
    already_pending: bool


class WithdrawResult(TypedDict):
    dataset: str
    withdrawn: str
    version: str | None
    releases: list[str]


class AuditRow(TypedDict):
    id: int
    timestamp: str
    request_id: str
    user: str | None
    role: str | None
    action: str
    target: str | None
    outcome: str
    status: int
    message: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditLogResult(TypedDict):
    count: int
    results: list[AuditRow]


# ------------------------------------------------------------------------------------ helpers


def _dataset(service: Service, ident: str) -> Package:
    """The record as the store holds it now (a worker's view may be a poll behind)."""
    name = service.live.view.names_by_id.get(ident, ident)
    found = service.store.package(name)
    if found is None:
        raise NotFound(f"No se encontró el conjunto de datos «{ident[:_SHOWN_ID]}».")
    return found


def _spec(service: Service, name: str) -> DatasetSpec:
    try:
        spec = load_registry(service.settings.datasets_dir).get(name)
    except KeyError:
        spec = None
    if spec is None or spec.status != "active":
        raise NotFound(f"El conjunto «{name}» no tiene una ficha activa.")
    return spec


def _refresh(service: Service) -> None:
    """Rebuild the catalog and let this worker see it at once."""
    refresh_catalog(service.settings, service.root, store=service.store)
    service.live.sync()


def _record_value(package: Package, field: str) -> Any:
    if field == "tags":
        return [tag["name"] for tag in package["tags"]]
    return package[field]  # type: ignore[literal-required]


# ------------------------------------------------------------------------------------ actions


def package_patch(attempt: Attempt, params: PackagePatchParams) -> Change:
    service = attempt.service
    package = _dataset(service, params.id)
    name = package["name"]
    spec = _spec(service, name)
    changes = params.changes()
    if not changes:
        raise ValidationFailed(
            f"No hay nada que cambiar: envíe al menos uno de {', '.join(EDITABLE_FIELDS)}.",
            {"body": ["Falta un campo editable."]},
        )
    with service.store.writer.begin() as connection:
        fields = save_override(connection, name, changes, attempt.caller.name)
        try:
            edited = edited_spec(spec, fields)
        except EditError as err:  # the transaction is rolled back: nothing is kept
            raise ValidationFailed(
                f"Parámetros no válidos: {', '.join(err.fields)}.", err.fields
            ) from None
        before = {field: _record_value(package, field) for field in changes}
        after = {field: record_field(edited, field) for field in changes}
        record(connection, attempt.entry(name, before, after))
    _refresh(service)
    return Change(service.store.package(name), name, before, after, audited=True)


def _partition(spec: DatasetSpec, partition: str | None) -> str | None:
    if spec.partitioning is None:
        if partition:
            raise ValidationFailed(
                f"«{spec.id}» no se publica por partición: no envíe partition.",
                {"partition": ["No aplica a este conjunto."]},
            )
        return None
    if not partition:
        raise ValidationFailed(
            f"«{spec.id}» se publica por día: indique la partición (partition=AAAA-MM-DD).",
            {"partition": ["Falta este parámetro."]},
        )
    first, last = spec.partitioning.start, today_in_bogota()
    try:
        day = dt.date.fromisoformat(partition)
    except ValueError:
        day = None
    if day is None or not first <= day <= last:
        raise ValidationFailed(
            f"La partición debe ser una fecha entre {first} y {last}.",
            {"partition": [f"Debe estar entre {first} y {last}."]},
        )
    return partition


def dataset_republish(attempt: Attempt, params: RepublishParams) -> Change:
    service = attempt.service
    name = _dataset(service, params.id)["name"]
    partition = _partition(_spec(service, name), params.partition)
    with service.store.writer.begin() as connection:
        request, created = request_republish(connection, name, partition, attempt.caller.name)
        after = {"request": request.id, "partition": partition, "new_request": created}
        record(connection, attempt.entry(name, None, after))
    result = {**request.as_dict(), "already_pending": not created}
    return Change(result, name, None, after, audited=True)


def release_withdraw(attempt: Attempt, params: WithdrawParams) -> Change:
    from catalog.publication import PublicationError, withdraw_release

    service = attempt.service
    package = _dataset(service, params.id)
    name, label = package["name"], params.label
    versions = [release["version"] for release in package["releases"]]
    if label not in versions:
        raise NotFound(f"El conjunto «{name}» no tiene una publicación {label} vigente.")
    spec = _spec(service, name)
    try:
        withdraw_release(service.settings, spec, label, params.reason)
    except PublicationError:
        raise NotFound(f"El conjunto «{name}» no tiene una publicación {label}.") from None
    _refresh(service)
    now = service.store.package(name)
    remaining = [release["version"] for release in now["releases"]] if now else []
    result: WithdrawResult = {
        "dataset": name,
        "withdrawn": label,
        "version": now["version"] if now else None,
        "releases": remaining,
    }
    before = {"version": package["version"], "releases": versions}
    after = {"version": result["version"], "releases": remaining, "reason": params.reason}
    return Change(result, name, before, after)


def audit_log_list(attempt: Attempt, params: AuditLogParams) -> Change:
    query = AuditQuery(
        limit=min(params.limit, AUDIT_MAX_LIMIT),
        offset=params.offset,
        target=params.id,
        action=params.action,
        token_name=params.user,
        outcome=params.outcome,
    )
    count, rows = list_entries(attempt.service.store, query)
    return Change({"count": count, "results": rows}, params.id)


_EDIT_ERRORS = (ValidationFailed, NotFound)

WRITE_ACTIONS: tuple[WriteAction, ...] = (
    WriteAction(
        "package_patch",
        package_patch,
        PackagePatchParams,
        EDITORS,
        Package,
        "Editar los metadatos de un conjunto",
        "Cambia solo los campos enviados (title, notes, url, maintainer, maintainer_email, "
        "tags); null devuelve un campo al valor de la ficha. La edición se guarda aparte y se "
        "aplica en cada actualización del catálogo; la ficha sigue definiendo el contrato de "
        "datos. Rol editor o administrador.",
        errors=_EDIT_ERRORS,
    ),
    WriteAction(
        "ada_dataset_republish",
        dataset_republish,
        RepublishParams,
        EDITORS,
        RepublishResult,
        "Pedir la republicación de un conjunto",
        "Registra una solicitud; el sensor de Dagster lanza la ingesta del conjunto (fuente → "
        "publicación → catálogo). Una solicitud pendiente del mismo conjunto no se duplica. "
        "Rol editor o administrador.",
        errors=_EDIT_ERRORS,
    ),
    WriteAction(
        "ada_release_withdraw",
        release_withdraw,
        WithdrawParams,
        ADMINS,
        WithdrawResult,
        "Retirar una publicación",
        "Retira una versión publicada (borra sus archivos, conserva su número) y actualiza el "
        "catálogo: la versión deja de aparecer y de descargarse. Rol administrador.",
        errors=_EDIT_ERRORS,
    ),
    WriteAction(
        "ada_audit_log_list",
        audit_log_list,
        AuditLogParams,
        ADMINS,
        AuditLogResult,
        "Consultar el registro de auditoría",
        "Cada cambio y cada intento rechazado: quién, qué, cuándo (UTC), resultado, antes y "
        "después; el más reciente primero. Rol administrador.",
        errors=(ValidationFailed,),
        audit_success=False,
    ),
)
WRITE_ACTIONS_BY_NAME = {action.name: action for action in WRITE_ACTIONS}
