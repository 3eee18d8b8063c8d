"""The CKAN Action API: ``/api/3/action/<name>`` and ``/api/action/<name>``, GET and POST.

Each action is declared once (:class:`Action`: its parameters, what it returns, what it does)
and registered four times, GET and POST under both prefixes, so that the OpenAPI document
describes every way a CKAN client calls it. Answers are CKAN's envelope (see
:mod:`catalog.service.ckan`); nothing here ever redirects. The few writing actions there are
(:mod:`catalog.service.write_actions`) take POST and a token; CKAN's others (``package_create``
and the like) answer 403: datasets enter the catalog through their specs and the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from catalog.packages import LICENSES
from catalog.records import Group, Package, Resource, Tag
from catalog.search import SearchQueryError
from catalog.search.fields import KEYWORD_FIELDS
from catalog.service import datastore, schemas
from catalog.service.ckan import (
    ActionError,
    BadRequest,
    NotAuthorized,
    NotFound,
    SearchQueryFailed,
    ValidationFailed,
    failure,
    success,
)
from catalog.service.errors import validation_failure
from catalog.service.live import CatalogView
from catalog.service.params import (
    ActionParams,
    DatastoreRequest,
    DatastoreSearchBody,
    DatastoreSearchQuery,
    GroupListParams,
    HelpShowParams,
    NoParams,
    OrganizationShowParams,
    PackageListParams,
    PackageSearchParams,
    PackageShowParams,
    ResourceShowParams,
    TagListParams,
    body_values,
    query_parameters,
    query_values,
    request_body,
)
from catalog.service.state import Service, service_of

PREFIXES = ("/api/3/action", "/api/action")
#: The CKAN API level this service speaks (``status_show``'s ``ckan_version``).
CKAN_API_VERSION = "2.10.0"
_WRITE_ACTION = re.compile(
    r"(_create|_update|_patch|_delete|_purge|_upsert|_revise|_reorder|_invite|_follow|"
    r"_unfollow|_run_triggers|_clear)$|^(follow|unfollow)_"
)


@dataclass(frozen=True)
class Action:
    """One CKAN action: ``run(service, argument)`` returns the envelope's ``result``."""

    name: str
    run: Callable[[Service, Any], Any]
    params: type[ActionParams]
    result: Any
    summary: str
    description: str
    errors: tuple[type[ActionError], ...] = (ValidationFailed,)
    #: POST body model when it differs from the GET query model.
    body: type[ActionParams] | None = None
    #: Turns the validated parameters into ``run``'s argument.
    prepare: Callable[[Any], Any] = lambda params: params
    #: Runs in the thread pool (I/O or long CPU) instead of on the event loop.
    blocking: bool = False
    #: Its answers are kept in the worker's response cache (see ``cache.py``).
    cached: bool = False


# ------------------------------------------------------------------------------------ actions


def package_search(service: Service, params: PackageSearchParams) -> dict[str, Any]:
    unknown = [name for name in params.facet_field if name not in KEYWORD_FIELDS]
    if unknown:  # refused even with facet=false, as the index refuses them otherwise
        raise SearchQueryFailed(
            f"Consulta de búsqueda no válida: no hay facetas para «{', '.join(unknown)}»."
        )
    try:
        result = service.live.index.search(
            q=params.q or "",
            fq=params.fq or "",
            facet_fields=params.facet_field if params.facet else (),
            facet_limit=params.facet_limit,
            sort=params.sort or None,
            rows=params.rows,
            start=params.start,
        )
    except SearchQueryError as err:
        raise SearchQueryFailed(f"Consulta de búsqueda no válida: {err}") from None
    return result.to_ckan()


def package_show(service: Service, params: PackageShowParams) -> Package:
    found = service.live.view.package(params.id)
    if found is None:
        raise NotFound(f"No se encontró el conjunto de datos «{params.id}».")
    return found


def package_list(service: Service, params: PackageListParams) -> list[str]:
    names = service.live.view.cached("package_list", lambda: sorted(service.live.view.packages))
    end = None if params.limit is None else params.offset + params.limit
    return names[params.offset : end]


def resource_show(service: Service, params: ResourceShowParams) -> Resource:
    found = service.live.view.resource(params.id)
    if found is None:
        raise NotFound(f"No se encontró el recurso «{params.id}».")
    return found[1]


def _counts(service: Service, view: CatalogView, field: str) -> dict[str, int]:
    """Datasets per organization or group: one facet over the whole catalog, per version."""

    def count() -> dict[str, int]:
        result = service.live.index.search(rows=0, facet_fields=[field], facet_limit=-1)
        return {item.name: item.count for item in result.facets[field]}

    return view.cached(("counts", field), count)


def _ordered(items: list[dict[str, Any]], params: GroupListParams) -> list[dict[str, Any]]:
    words = params.sort.split()
    key, descending = words[0], len(words) > 1 and words[1] == "desc"
    items = sorted(items, key=lambda item: item["name"])
    items.sort(key=lambda item: item[key] if key != "title" else item["title"].lower())
    if descending:
        items.reverse()
    end = None if params.limit is None else params.offset + params.limit
    return items[params.offset : end]


def _listing(
    items: list[dict[str, Any]], params: GroupListParams
) -> list[str] | list[dict[str, Any]]:
    page = _ordered(items, params)
    if not params.all_fields:
        return [item["name"] for item in page]
    if not params.include_dataset_count:
        return [{k: v for k, v in item.items() if k != "package_count"} for item in page]
    return page


def organization_list(
    service: Service, params: GroupListParams
) -> list[str] | list[dict[str, Any]]:
    view = service.live.view
    counts = _counts(service, view, "organization")
    items = [
        {
            **org,
            "display_name": org["title"],
            "image_display_url": org["image_url"],
            "package_count": counts.get(name, 0),
        }
        for name, org in view.organizations.items()
    ]
    return _listing(items, params)


def organization_show(service: Service, params: OrganizationShowParams) -> dict[str, Any]:
    view = service.live.view
    org = view.organization(params.id)
    if org is None:
        raise NotFound(f"No se encontró la organización «{params.id}».")
    counts = _counts(service, view, "organization")
    shown: dict[str, Any] = {
        **org,
        "display_name": org["title"],
        "image_display_url": org["image_url"],
        "package_count": counts.get(org["name"], 0),
    }
    if params.include_datasets:
        found = service.live.index.search(
            fq=f'organization:"{org["name"]}"', rows=1000, sort="name asc"
        )
        shown["packages"] = found.results
    return shown


def _groups(view: CatalogView) -> dict[str, Group]:
    def collect() -> dict[str, Group]:
        groups: dict[str, Group] = {}
        for package in view.packages.values():
            for group in package["groups"]:
                groups.setdefault(group["name"], group)
        return groups

    return view.cached("groups", collect)


def group_list(service: Service, params: GroupListParams) -> list[str] | list[dict[str, Any]]:
    view = service.live.view
    counts = _counts(service, view, "groups")
    items = [
        {**group, "package_count": counts.get(name, 0)} for name, group in _groups(view).items()
    ]
    return _listing(items, params)


def _tags(view: CatalogView) -> list[Tag]:
    def collect() -> list[Tag]:
        tags: dict[str, Tag] = {}
        for package in view.packages.values():
            for tag in package["tags"]:
                tags.setdefault(tag["name"], tag)
        return [tags[name] for name in sorted(tags)]

    return view.cached("tags", collect)


def tag_list(service: Service, params: TagListParams) -> list[str] | list[Tag]:
    from catalog.service.datastore import fold

    tags = _tags(service.live.view)
    if params.query:
        wanted = fold(params.query)
        tags = [tag for tag in tags if wanted in fold(tag["name"])]
    return tags if params.all_fields else [tag["name"] for tag in tags]


def license_list(service: Service, params: NoParams) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "title": item.title,
            "url": item.url,
            "status": "active",
            "maintainer": "",
            "family": "",
            "od_conformance": "approved" if item.is_open else "not reviewed",
            "osd_conformance": "not reviewed",
            "is_generic": False,
            "is_okd_compliant": item.is_open,
            "is_osi_compliant": False,
            "domain_content": True,
            "domain_data": True,
            "domain_software": False,
        }
        for item in LICENSES.values()
    ]


def status_show(service: Service, params: NoParams) -> dict[str, Any]:
    view = service.live.view
    return {
        "site_title": service.config.title,
        "site_description": service.config.description,
        "site_url": service.root,
        "ckan_version": CKAN_API_VERSION,
        "locale_default": "es",
        "extensions": ["datastore", "dcat"],
        "catalog_version": view.version,
        "datasets": len(view.packages),
    }


def datastore_search(service: Service, request: DatastoreRequest) -> dict[str, Any]:
    found = service.live.view.resource(request.resource_id)
    if found is None:
        raise NotFound(f"No se encontró el recurso «{request.resource_id}».")
    package, resource = found
    if not resource["datastore_active"]:
        raise NotFound(
            f"El recurso «{request.resource_id}» no tiene datos consultables; use el recurso "
            "marcado con datastore_active."
        )
    manifest = service.store.release(package["name"], resource["release"])
    if manifest is None:
        raise NotFound(f"No se encontró la publicación del recurso «{request.resource_id}».")
    table = datastore.TableRef.parse(manifest["source_table"])
    with service.datastore.cursor() as cursor:
        return datastore.search(cursor, table, request, f"{PREFIXES[0]}/datastore_search")


def help_show(service: Service, params: HelpShowParams) -> str:
    from catalog.service.write_actions import WRITE_ACTIONS_BY_NAME

    action = ACTIONS_BY_NAME.get(params.name) or WRITE_ACTIONS_BY_NAME.get(params.name)
    if action is None:
        raise NotFound(f"No existe la acción «{params.name}».")
    return f"{action.summary}\n\n{action.description}"


_NOT_FOUND = (ValidationFailed, NotFound)

ACTIONS: tuple[Action, ...] = (
    Action(
        "package_search",
        package_search,
        PackageSearchParams,
        schemas.PackageSearchResult,
        "Buscar conjuntos de datos",
        "Búsqueda en español (sin tildes ni mayúsculas, con plurales), filtros fq, facetas, "
        "orden y paginación, como CKAN/Solr. Solo conjuntos públicos y activos.",
        errors=(ValidationFailed, SearchQueryFailed),
        cached=True,
    ),
    Action(
        "package_show",
        package_show,
        PackageShowParams,
        Package,
        "Ver un conjunto de datos",
        "El registro completo: recursos de la publicación vigente, publicaciones anteriores, "
        "calidad, privacidad, linaje y diccionario de datos.",
        errors=_NOT_FOUND,
    ),
    Action(
        "package_list",
        package_list,
        PackageListParams,
        list[str],
        "Listar los nombres de los conjuntos",
        "Nombres de todos los conjuntos publicados, en orden alfabético.",
    ),
    Action(
        "resource_show",
        resource_show,
        ResourceShowParams,
        Resource,
        "Ver un recurso",
        "Un archivo de la publicación vigente, con su URL de descarga.",
        errors=_NOT_FOUND,
    ),
    Action(
        "organization_list",
        organization_list,
        GroupListParams,
        schemas.ORGANIZATION_LIST,
        "Listar las entidades publicadoras",
        "Las entidades del Distrito con conjuntos publicados (organizaciones de CKAN).",
    ),
    Action(
        "organization_show",
        organization_show,
        OrganizationShowParams,
        schemas.OrganizationDetail,
        "Ver una entidad publicadora",
        "Una entidad por nombre o identificador, con el número de conjuntos y, si se pide, "
        "los conjuntos.",
        errors=_NOT_FOUND,
    ),
    Action(
        "group_list",
        group_list,
        GroupListParams,
        schemas.GROUP_LIST,
        "Listar los sectores",
        "Los sectores administrativos del Distrito con conjuntos publicados (grupos de CKAN).",
    ),
    Action(
        "tag_list",
        tag_list,
        TagListParams,
        schemas.TAG_LIST,
        "Listar las etiquetas",
        "Las etiquetas de los conjuntos publicados, en orden alfabético.",
    ),
    Action(
        "license_list",
        license_list,
        NoParams,
        list[schemas.LicenseItem],
        "Listar las licencias",
        "Las licencias que pueden tener los conjuntos.",
    ),
    Action(
        "status_show",
        status_show,
        NoParams,
        schemas.StatusResult,
        "Estado del servicio",
        "Título, URL, nivel de API CKAN, versión del catálogo y número de conjuntos.",
    ),
    Action(
        "datastore_search",
        datastore_search,
        DatastoreSearchQuery,
        schemas.DatastoreResult,
        "Consultar los datos de un recurso",
        "Filas de la tabla detrás del recurso (solo lectura): filtros por columna, búsqueda "
        "de texto, columnas, orden y paginación, como el datastore de CKAN.",
        errors=(ValidationFailed, NotFound),
        body=DatastoreSearchBody,
        prepare=lambda params: params.request(),
        blocking=True,
    ),
    Action(
        "help_show",
        help_show,
        HelpShowParams,
        str,
        "Ayuda de una acción",
        "La descripción de una acción de esta API.",
        errors=_NOT_FOUND,
    ),
)
ACTIONS_BY_NAME = {action.name: action for action in ACTIONS}


# ------------------------------------------------------------------------------------ routing


async def _answer(request: Request, action: Action, params: Any) -> Response:
    service = service_of(request)
    if action.cached and service.cache.enabled:
        return await _cached_answer(service, action, params)
    return await _compute(service, action, params)


async def _cached_answer(service: Service, action: Action, params: BaseModel) -> Response:
    """The cached body if this version already answered these parameters, else compute and
    keep it. The version is read before computing: an answer computed while the catalog
    changes is kept under the version it may already be older than, never a newer one."""
    version = service.live.view.version
    key = (action.name, params.model_dump_json())
    body = service.cache.get(version, key)
    if body is not None:
        return Response(body, media_type="application/json")
    response = await _compute(service, action, params)
    if response.status_code == 200:
        service.cache.put(version, key, bytes(response.body))
    return response


async def _compute(service: Service, action: Action, params: Any) -> Response:
    try:
        argument = action.prepare(params)
        if action.blocking:
            result = await run_in_threadpool(action.run, service, argument)
        else:
            result = action.run(service, argument)
    except ActionError as err:
        return failure(service.root, action.name, err)
    except PydanticValidationError as err:
        return validation_failure(service.root, action.name, err.errors())
    return success(service.root, action.name, result, rows=action.name == "datastore_search")


def _get_endpoint(action: Action) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        values = query_values(request.query_params.multi_items(), action.params)
        return await _validated(request, action, action.params, values)

    return endpoint


def _post_endpoint(action: Action) -> Callable[..., Any]:
    model = action.body or action.params

    async def endpoint(request: Request) -> Response:
        try:
            values = body_values(await request.body())
        except ActionError as err:
            return failure(service_of(request).root, action.name, err)
        return await _validated(request, action, model, values)

    return endpoint


async def _validated(
    request: Request, action: Action, model: type[ActionParams], values: dict[str, Any]
) -> Response:
    try:
        params = model.model_validate(values)
    except PydanticValidationError as err:
        return validation_failure(service_of(request).root, action.name, err.errors())
    return await _answer(request, action, params)


def _responses(action: Action) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {
        200: {"model": schemas.success_model(action.name, action.result), "description": "OK"},
    }
    errors: tuple[type[ActionError], ...] = (*action.errors, BadRequest)  # BadRequest: bad JSON
    for error in errors:
        known = documented.get(error.status)
        kind = f"{known['description']}, {error.kind}" if known else error.kind
        documented[error.status] = {"model": schemas.ErrorResponse, "description": kind}
    return documented


def action_router(actions: Iterable[Action] = ACTIONS) -> APIRouter:
    """Every action, GET and POST, at both prefixes; then the catch-all for the rest."""
    router = APIRouter()
    for action in actions:
        responses = _responses(action)
        for prefix in PREFIXES:
            suffix = "" if prefix == PREFIXES[0] else "_unversioned"
            tags: list[str | Enum] = [
                "CKAN Action API" if not suffix else "CKAN Action API (sin versión)"
            ]
            documented: dict[str, dict[str, Any]] = {
                "GET": {"parameters": query_parameters(action.params)},
                "POST": {"requestBody": request_body(action.body or action.params)},
            }
            for method, endpoint in (("GET", _get_endpoint), ("POST", _post_endpoint)):
                router.add_api_route(
                    f"{prefix}/{action.name}",
                    endpoint(action),
                    methods=[method],
                    openapi_extra=documented[method],
                    operation_id=f"{action.name}{suffix}_{method.lower()}",
                    summary=action.summary,
                    description=action.description,
                    responses=responses,
                    response_model=None,
                    tags=tags,
                )
    for prefix in PREFIXES:
        router.add_api_route(
            f"{prefix}/{{name}}",
            _unknown_action,
            methods=["GET", "POST"],
            include_in_schema=False,
        )
    return router


async def _unknown_action(request: Request, name: str) -> Response:
    root = service_of(request).root
    shown = quote(name, safe="")
    if _WRITE_ACTION.search(name):
        error: ActionError = NotAuthorized(
            f"La acción «{shown}» no está disponible: el catálogo se escribe con package_patch, "
            "ada_dataset_republish y ada_release_withdraw, con un token de API."
        )
    else:
        error = BadRequest(f"Acción desconocida: «{shown}».")
    return failure(root, shown, error)
