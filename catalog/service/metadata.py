"""The catalog's metadata documents, from the serializers in :mod:`catalog.dcat` and
:mod:`catalog.feeds`: DCAT-AP 3 as Turtle and JSON-LD (whole catalog and per dataset), Project
Open Data ``data.json`` and the Atom feed at CKAN's path ``/feeds/dataset.atom``.

Whole-catalog documents are built once per catalog version and worker and served from memory
until the catalog changes; DCAT-AP ones are assembled from per-dataset pieces, of which only
the changed datasets' are serialized again (see ``documents.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from catalog.dcat import dataset_graph, to_jsonld, to_turtle
from catalog.feeds.atom import atom_feed
from catalog.feeds.pod import pod_catalog
from catalog.records import Package
from catalog.service.state import Service, service_of

TURTLE = "text/turtle"
JSONLD = "application/ld+json"
ATOM = "application/atom+xml"
JSON = "application/json"

router = APIRouter(tags=["Metadatos (DCAT-AP, data.json, Atom)"])


def _document(media_type: str, description: str) -> dict[int | str, dict[str, object]]:
    return {200: {"description": description, "content": {media_type: {}}}}


def _packages(service: Service) -> list[Package]:
    view = service.live.view
    return view.cached("by_name", lambda: [view.packages[n] for n in sorted(view.packages)])


def _cached(service: Service, key: str, build: Callable[[Service], str | bytes]) -> str | bytes:
    return service.live.view.cached(("document", key), lambda: build(service))


def _dataset(service: Service, name: str) -> Package:
    package = service.live.view.package(name)
    if package is None:
        raise HTTPException(404, f"No se encontró el conjunto de datos «{name}».")
    return package


@router.get(
    "/catalog.ttl",
    response_class=Response,
    responses=_document(TURTLE, "El catálogo en DCAT-AP 3 (Turtle)."),
    summary="Catálogo DCAT-AP (Turtle)",
)
def catalog_turtle(request: Request) -> Response:
    service = service_of(request)

    def build(s: Service) -> str:
        return s.documents.turtle(s.catalog_info(s.live.view), _packages(s))

    return Response(_cached(service, "ttl", build), media_type=TURTLE)


@router.get(
    "/catalog.jsonld",
    response_class=Response,
    responses=_document(JSONLD, "El catálogo en DCAT-AP 3 (JSON-LD)."),
    summary="Catálogo DCAT-AP (JSON-LD)",
)
def catalog_jsonld(request: Request) -> Response:
    service = service_of(request)

    def build(s: Service) -> str:
        return s.documents.jsonld(s.catalog_info(s.live.view), _packages(s))

    return Response(_cached(service, "jsonld", build), media_type=JSONLD)


@router.get(
    "/dataset/{name}.ttl",
    response_class=Response,
    responses={
        **_document(TURTLE, "El conjunto en DCAT-AP 3 (Turtle)."),
        404: {"description": "No existe el conjunto."},
    },
    summary="Conjunto DCAT-AP (Turtle)",
)
def dataset_turtle(request: Request, name: str) -> Response:
    service = service_of(request)
    package = _dataset(service, name)
    graph = dataset_graph(service.catalog_info(service.live.view), package)
    return Response(to_turtle(graph), media_type=TURTLE)


@router.get(
    "/dataset/{name}.jsonld",
    response_class=Response,
    responses={
        **_document(JSONLD, "El conjunto en DCAT-AP 3 (JSON-LD)."),
        404: {"description": "No existe el conjunto."},
    },
    summary="Conjunto DCAT-AP (JSON-LD)",
)
def dataset_jsonld(request: Request, name: str) -> Response:
    service = service_of(request)
    package = _dataset(service, name)
    graph = dataset_graph(service.catalog_info(service.live.view), package)
    return Response(to_jsonld(graph), media_type=JSONLD)


@router.get(
    "/data.json",
    response_class=Response,
    responses=_document(JSON, "El catálogo en Project Open Data 1.1."),
    summary="data.json (Project Open Data 1.1)",
)
def data_json(request: Request) -> Response:
    service = service_of(request)

    def build(s: Service) -> bytes:
        info = s.catalog_info(s.live.view)
        return orjson.dumps(pod_catalog(info, _packages(s), catalog_url=f"{s.root}/data.json"))

    return Response(_cached(service, "data.json", build), media_type=JSON)


@router.get(
    "/feeds/dataset.atom",
    response_class=Response,
    responses=_document(ATOM, "Conjuntos nuevos y actualizados (Atom)."),
    summary="Feed Atom de conjuntos",
)
def dataset_feed(request: Request) -> Response:
    service = service_of(request)

    def build(s: Service) -> bytes:
        info = s.catalog_info(s.live.view)
        return atom_feed(info, _packages(s), feed_url=f"{s.root}/feeds/dataset.atom")

    return Response(_cached(service, "atom", build), media_type=ATOM)
