"""The catalog service as a CKAN client sees it: a real ``ada serve`` process (two workers)
over a store holding a real dataset (its curated table, release and reports) and synthetic
ones, driven with ``ckanapi`` (POST and GET) and raw HTTP."""

from __future__ import annotations

import copy
import http.client
import json
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckanapi
import httpx
import jsonschema
import pytest
import rdflib

from ada.settings import Settings, load_settings
from catalog.records import Package
from catalog.registry import load_registry
from catalog.search import SearchIndex
from catalog.store import CatalogStore, refresh_catalog
from expectations.assessment import report_key as quality_key
from lake import reports
from tests.fixtures.packages import synthetic_package, synthetic_packages
from tests.fixtures.releases import release_manifest, write_release
from tests.fixtures.service import (
    ServiceProcess,
    isolated_env,
    publish_siniestros,
    settings_of,
    siniestros_rows,
)

REAL = "siniestros_viales_sdm"
#: A synthetic dataset: in the catalog, but with no release in the store.
SYNTHETIC = synthetic_package(6)["name"]
ROWS = siniestros_rows()
FACETS = ["organization", "groups", "tags", "res_format", "license_id"]


def _renamed(index: int, name: str, title: str) -> Package:
    package = synthetic_package(index)
    package["name"] = name
    package["title"] = title
    return package


@dataclass
class Catalog:
    """The module's installation: its settings, the served records and the service."""

    settings: Settings
    env: dict[str, str]
    packages: list[Package]
    service: ServiceProcess
    manifest: dict[str, Any]
    contents: dict[str, bytes]

    @property
    def url(self) -> str:
        return self.service.url

    def package(self, name: str) -> Package:
        return next(p for p in self.packages if p["name"] == name)

    @property
    def datastore_id(self) -> str:
        return next(r["id"] for r in self.package(REAL)["resources"] if r["datastore_active"])

    def store(self) -> CatalogStore:
        return CatalogStore.open(self.settings)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    env = isolated_env(tmp_path_factory.mktemp("service") / "ada-home")
    settings = settings_of(env)
    spec = load_registry(settings.datasets_dir).get(REAL)
    manifest, contents = publish_siniestros(settings, spec, ROWS)
    quality = {"generated_at": "2025-06-01T09:00:00+00:00", "puntaje": 8.4, "sello": "plata"}
    reports.write_report(settings, quality_key(spec), quality, "r1")
    with ServiceProcess(env, workers=2) as service:
        refresh_catalog(settings, service.url)
        store = CatalogStore.open(settings)
        try:
            real = store.snapshot()[1]
            extra = [
                _renamed(90_001, "accidente_transito_kennedy", "Accidente de tránsito en Kennedy"),
                _renamed(90_002, "movilidad_bogota", "Movilidad Bogotá"),
            ]
            packages = [*real, *synthetic_packages(300), *extra]
            store.write_catalog(packages, {REAL: [manifest]})
            version = store.version()
        finally:
            store.close()
        _wait_for(lambda: _status(service.url)["catalog_version"] == version, repeat=6)
        yield Catalog(settings, env, packages, service, dict(manifest), contents)


def _status(url: str) -> dict[str, Any]:
    result: dict[str, Any] = httpx.get(f"{url}/api/3/action/status_show").json()["result"]
    return result


def _wait_for(condition: Callable[[], bool], repeat: int = 1, seconds: float = 60) -> None:
    """Until ``condition`` holds ``repeat`` times in a row (requests reach either worker)."""
    deadline = time.monotonic() + seconds
    streak = 0
    while time.monotonic() < deadline:
        streak = streak + 1 if condition() else 0
        if streak >= repeat:
            return
        time.sleep(0.1)
    raise AssertionError("the service did not reach the expected state")


def _clients(url: str) -> list[ckanapi.RemoteCKAN]:
    return [ckanapi.RemoteCKAN(url), ckanapi.RemoteCKAN(url, get_only=True)]


# ------------------------------------------------------------------------------ package_search


@pytest.mark.parametrize("get_only", [False, True], ids=["post", "get"])
@pytest.mark.parametrize(
    ("q", "fq", "sort"),
    [
        ("", "", None),
        ("siniestros", "", None),
        ("salud", "res_format:CSV", "metadata_modified desc"),
        ("calidad del aire", "-license_id:ODbL-1.0", "name asc"),
        ("", "groups:movilidad", "title_string asc"),
        ("*:*", 'organization:"secretaria-distrital-de-salud"', "downloads desc"),
    ],
)
def test_package_search_answers_like_the_search_index(
    catalog: Catalog, get_only: bool, q: str, fq: str, sort: str | None
) -> None:
    client = ckanapi.RemoteCKAN(catalog.url, get_only=get_only)
    expected = SearchIndex.build(catalog.packages).search(
        q=q, fq=fq, facet_fields=FACETS, facet_limit=5, sort=sort, rows=7, start=3
    )
    params: dict[str, Any] = {"q": q, "fq": fq, "facet.field": FACETS, "facet.limit": 5}
    params.update(rows=7, start=3)
    if sort:
        params["sort"] = sort
    result = client.call_action("package_search", params)
    assert result["count"] == expected.count
    assert [p["name"] for p in result["results"]] == [p["name"] for p in expected.results]
    assert result["facets"] == expected.to_ckan()["facets"]
    assert result["search_facets"] == expected.to_ckan()["search_facets"]


@pytest.mark.parametrize("client_index", [0, 1], ids=["post", "get"])
def test_ckanapi_keyword_style_and_spanish_search(catalog: Catalog, client_index: int) -> None:
    client = _clients(catalog.url)[client_index]
    found = client.action.package_search(q="accidentes", facet_field=["groups"], rows=5)
    assert found["results"][0]["title"] == "Accidente de tránsito en Kennedy"
    assert "groups" in found["search_facets"]
    found = client.action.package_search(q="movilidad bogota", rows=3)
    assert found["results"][0]["title"] == "Movilidad Bogotá"
    found = client.action.package_search(q="siniestros viales", fq="groups:movilidad", rows=50)
    assert REAL in [p["name"] for p in found["results"]]


def test_facet_field_as_a_json_string_or_repeated(catalog: Catalog) -> None:
    url = f"{catalog.url}/api/3/action/package_search"
    as_json = httpx.get(url, params={"facet.field": '["groups","res_format"]', "rows": 0})
    repeated = httpx.get(url, params=[("facet.field", "groups"), ("facet.field", "res_format")])
    assert as_json.json()["result"]["facets"] == repeated.json()["result"]["facets"]
    assert set(as_json.json()["result"]["facets"]) == {"groups", "res_format"}


def test_pages_concatenate_to_the_whole_result(catalog: Catalog) -> None:
    client = ckanapi.RemoteCKAN(catalog.url)
    whole = client.action.package_search(q="salud", rows=1000, sort="name asc")
    pages: list[str] = []
    for start in range(0, whole["count"], 9):
        page = client.action.package_search(q="salud", rows=9, start=start, sort="name asc")
        pages += [p["name"] for p in page["results"]]
    assert pages == [p["name"] for p in whole["results"]] and len(pages) == whole["count"] > 9


# ------------------------------------------------------------------------- the other actions


@pytest.mark.parametrize("client_index", [0, 1], ids=["post", "get"])
def test_show_and_list_actions(catalog: Catalog, client_index: int) -> None:
    client = _clients(catalog.url)[client_index]
    real = catalog.package(REAL)
    assert client.action.package_show(id=REAL) == real
    assert client.action.package_show(id=real["id"])["name"] == REAL
    resource = client.action.resource_show(id=catalog.datastore_id)
    assert resource["url"] == f"{catalog.url}/dataset/{REAL}/download/v1/{REAL}.csv"
    assert client.action.package_list() == sorted(p["name"] for p in catalog.packages)
    assert client.action.package_list(limit=5, offset=2) == client.action.package_list()[2:7]

    organizations = client.action.organization_list(all_fields=True, sort="name asc")
    counts: dict[str, int] = {}
    for package in catalog.packages:
        name = package["organization"]["name"]
        counts[name] = counts.get(name, 0) + 1
    assert {o["name"]: o["package_count"] for o in organizations} == counts
    assert client.action.organization_list(sort="name asc") == sorted(counts)
    movilidad = client.action.organization_show(
        id="secretaria-distrital-de-movilidad", include_datasets=True
    )
    assert movilidad["package_count"] == len(movilidad["packages"])
    assert REAL in [p["name"] for p in movilidad["packages"]]

    groups = client.action.group_list(all_fields=True, sort="package_count desc")
    assert [g["package_count"] for g in groups] == sorted(
        [g["package_count"] for g in groups], reverse=True
    )
    assert sum(g["package_count"] for g in groups) == len(catalog.packages)
    tags = client.action.tag_list()
    assert tags == sorted({t["name"] for p in catalog.packages for t in p["tags"]})
    assert client.action.tag_list(query="SALUD") == [t for t in tags if "salud" in t.lower()]
    assert {lic["id"] for lic in client.action.license_list()} >= {"CC-BY-4.0", "ODbL-1.0"}
    status = client.action.status_show()
    assert status["datasets"] == len(catalog.packages) and status["site_url"] == catalog.url


@pytest.mark.parametrize("client_index", [0, 1], ids=["post", "get"])
def test_ckanapi_raises_ckans_exceptions(catalog: Catalog, client_index: int) -> None:
    client = _clients(catalog.url)[client_index]
    with pytest.raises(ckanapi.NotFound):
        client.action.package_show(id="no_existe")
    with pytest.raises(ckanapi.NotFound):
        client.action.resource_show(id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(ckanapi.NotFound):
        client.action.organization_show(id="no-existe")
    with pytest.raises(ckanapi.ValidationError):
        client.action.package_show()
    with pytest.raises(ckanapi.ValidationError):
        client.action.package_search(rows=-1)
    with pytest.raises(ckanapi.SearchQueryError, match="Paréntesis sin cerrar"):
        client.action.package_search(q="(movilidad")
    with pytest.raises(ckanapi.SearchQueryError, match="No se puede ordenar"):
        client.action.package_search(sort="color desc")
    with pytest.raises(ckanapi.NotAuthorized):
        client.action.package_create(name="nuevo")
    with pytest.raises(ckanapi.NotAuthorized):
        client.action.datastore_upsert(resource_id=catalog.datastore_id, records=[])


@pytest.mark.parametrize("prefix", ["/api/3/action", "/api/action"])
@pytest.mark.parametrize(
    ("method", "action", "params", "status", "kind"),
    [
        ("GET", "package_show", {"id": "no_existe"}, 404, "Not Found Error"),
        ("POST", "package_show", {}, 409, "Validation Error"),
        ("GET", "package_search", {"rows": "muchas"}, 409, "Validation Error"),
        ("GET", "package_search", {"q": 'titulo:"abierto'}, 400, "Search Query Error"),
        ("POST", "package_search", {"facet.field": ["color"]}, 400, "Search Query Error"),
        ("GET", "package_search", {"facet.field": "[nada"}, 409, "Validation Error"),
        ("POST", "package_update", {"id": "x"}, 403, "Authorization Error"),
        ("GET", "accion_inventada", {}, 400, "Bad request"),
        ("GET", "datastore_search", {"resource_id": "no-existe"}, 404, "Not Found Error"),
    ],
)
def test_errors_have_ckans_envelope_type_and_status(
    catalog: Catalog,
    prefix: str,
    method: str,
    action: str,
    params: dict[str, Any],
    status: int,
    kind: str,
) -> None:
    url = f"{catalog.url}{prefix}/{action}"
    answer = httpx.get(url, params=params) if method == "GET" else httpx.post(url, json=params)
    assert answer.status_code == status
    body = answer.json()
    assert body["success"] is False and body["error"]["__type"] == kind
    assert body["error"]["message"]
    assert body["help"].startswith(f"{catalog.url}/api/3/action/help_show?name=")


def test_never_a_redirect_and_a_trailing_slash_is_the_same_action(catalog: Catalog) -> None:
    with httpx.Client(follow_redirects=False) as client:
        for path in ("/api/3/action/package_list/", "/api/action/package_list/"):
            answer = client.get(catalog.url + path)
            assert answer.status_code == 200 and answer.json()["success"] is True
        broken = client.post(
            f"{catalog.url}/api/3/action/package_search",
            content=b"{no es json",
            headers={"Content-Type": "application/json"},
        )
        assert broken.status_code == 400
        assert broken.json()["error"]["__type"] == "Bad request"


def test_a_successful_answer_is_ckans_envelope(catalog: Catalog) -> None:
    body = httpx.get(f"{catalog.url}/api/action/package_show", params={"id": REAL}).json()
    assert set(body) == {"help", "success", "result"} and body["success"] is True
    assert body["help"] == f"{catalog.url}/api/3/action/help_show?name=package_show"
    help_text = httpx.get(body["help"]).json()["result"]
    assert "conjunto" in help_text


# ---------------------------------------------------------------------------- datastore_search


def _datastore(catalog: Catalog, get_only: bool = False, **params: Any) -> dict[str, Any]:
    """``datastore_search`` through ckanapi; by GET, objects go JSON-encoded (as with CKAN:
    ``requests`` would send a dict's keys)."""
    client = ckanapi.RemoteCKAN(catalog.url, get_only=get_only)
    if get_only:
        params = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    result: dict[str, Any] = client.action.datastore_search(
        resource_id=catalog.datastore_id, **params
    )
    return result


def _column(name: str) -> int:
    from tests.fixtures.service import SINIESTROS_COLUMNS

    return list(SINIESTROS_COLUMNS).index(name)


@pytest.mark.parametrize("get_only", [False, True], ids=["post", "get"])
def test_datastore_search_filters_searches_sorts_and_pages(
    catalog: Catalog, get_only: bool
) -> None:
    everything = _datastore(catalog, get_only, limit=1000)
    assert everything["total"] == len(ROWS) == len(everything["records"])
    ids = [f["id"] for f in everything["fields"]]
    assert "_ada_raw_version" not in ids and ids[0] == "codigo_accidente"
    types = {f["id"]: f["type"] for f in everything["fields"]}
    assert types["hora"] == "int4" and types["latitud"] == "float8"
    assert types["fecha_ocurrencia"] == "date" and types["fecha_hora"] == "timestamp"
    first = everything["records"][0]
    assert first["codigo_accidente"] == "A00000" and first["fecha_ocurrencia"] == "2024-01-01"

    kennedy = _datastore(catalog, get_only, filters={"localidad": "Kennedy"}, limit=1000)
    wanted = [r for r in ROWS if r[_column("localidad")] == "Kennedy"]
    assert kennedy["total"] == len(wanted) == len(kennedy["records"])

    several = _datastore(
        catalog, get_only, filters={"codigo_localidad": ["08", "07"], "hora": 8}, limit=1000
    )
    expected = [r[0] for r in ROWS if r[_column("codigo_localidad")] in ("08", "07") and r[7] == 8]
    assert sorted(r["codigo_accidente"] for r in several["records"]) == sorted(expected)
    no_date = _datastore(catalog, get_only, filters={"fecha_ocurrencia": None})
    assert [r["codigo_accidente"] for r in no_date["records"]] == ["A00007"]

    accents = _datastore(catalog, get_only, q="engativa", limit=1000)
    assert accents["total"] == sum(1 for r in ROWS if r[_column("localidad")] == "Engativá")
    by_column = _datastore(catalog, get_only, q={"clase": "atropello"}, limit=1000)
    assert {r["clase"] for r in by_column["records"]} == {"Atropello"}

    chosen = _datastore(catalog, get_only, fields=["hora", "codigo_accidente"], limit=3)
    assert [f["id"] for f in chosen["fields"]] == ["hora", "codigo_accidente"]
    assert set(chosen["records"][0]) == {"hora", "codigo_accidente"}

    ordered = _datastore(catalog, get_only, sort="hora desc, codigo_accidente asc", limit=1000)
    keys = [(-r["hora"], r["codigo_accidente"]) for r in ordered["records"]]
    assert keys == sorted(keys)

    pages: list[str] = []
    for offset in range(0, len(ROWS), 7):
        page = _datastore(catalog, get_only, sort="fecha_ocurrencia desc", limit=7, offset=offset)
        pages += [r["codigo_accidente"] for r in page["records"]]
    whole = _datastore(catalog, get_only, sort="fecha_ocurrencia desc", limit=1000)
    assert pages == [r["codigo_accidente"] for r in whole["records"]]
    assert len(set(pages)) == len(ROWS)

    untotalled = _datastore(catalog, get_only, include_total=False, limit=2)
    assert "total" not in untotalled and len(untotalled["records"]) == 2
    assert untotalled["_links"]["next"].startswith("/api/3/action/datastore_search?")
    assert "offset=2" in untotalled["_links"]["next"]


def test_datastore_search_by_get_takes_json_in_the_query_string(catalog: Catalog) -> None:
    answer = httpx.get(
        f"{catalog.url}/api/3/action/datastore_search",
        params={
            "resource_id": catalog.datastore_id,
            "filters": json.dumps({"localidad": ["Bosa", "Usaquén"]}),
            "q": json.dumps({"gravedad": "heridos"}),
            "fields": "codigo_accidente,localidad,gravedad",
            "limit": "1000",
        },
    ).json()["result"]
    expected = [
        r[0]
        for r in ROWS
        if r[_column("localidad")] in ("Bosa", "Usaquén")
        and r[_column("gravedad")] == "CON HERIDOS"
    ]
    assert sorted(r["codigo_accidente"] for r in answer["records"]) == sorted(expected)


def test_datastore_search_limit_is_capped_and_needs_a_datastore_resource(catalog: Catalog) -> None:
    capped = _datastore(catalog, limit=100_000)
    assert capped["limit"] == 32_000 and len(capped["records"]) == len(ROWS)
    parquet = next(r["id"] for r in catalog.package(REAL)["resources"] if r["format"] == "Parquet")
    with pytest.raises(ckanapi.NotFound):
        ckanapi.RemoteCKAN(catalog.url).action.datastore_search(resource_id=parquet)
    synthetic = catalog.package(SYNTHETIC)["resources"][0]["id"]
    with pytest.raises(ckanapi.NotFound):  # its release is not in the store: nothing to query
        ckanapi.RemoteCKAN(catalog.url).action.datastore_search(resource_id=synthetic)


INJECTIONS: list[tuple[str, dict[str, Any], int, int | None]] = [
    # (what, params, status, rows when answered); rows None = refused
    ("filter key", {"filters": {'localidad" = localidad OR 1=1 --': "x"}}, 409, None),
    ("filter key", {"filters": {"localidad; DROP VIEW curated.conformado.x": "x"}}, 409, None),
    ("filter key", {"filters": {"_ada_raw_version": "raw-1"}}, 409, None),
    ("filter value", {"filters": {"localidad": "' OR '1'='1"}}, 200, 0),
    ("filter value", {"filters": {"localidad": ["Kennedy", "x') OR TRUE --"]}}, 200, 12),
    ("filter value", {"filters": {"hora": "1 OR 1=1"}}, 409, None),
    ("filter value", {"filters": {"localidad": {"$ne": "x"}}}, 409, None),
    ("filter object", {"filters": "localidad = 'Kennedy'"}, 409, None),
    ("q text", {"q": "' OR 1=1 --"}, 200, 1),
    ("q text", {"q": "50%"}, 200, 1),
    ("q text", {"q": "de_la"}, 200, 1),
    ("q text", {"q": "%"}, 200, 1),
    ("q text", {"q": "'; DROP TABLE x; --"}, 200, 0),
    ("q key", {"q": {"direccion) OR 1=1 --": "x"}}, 409, None),
    ("q key", {"q": {"localidad": ["Kennedy"]}}, 409, None),
    (
        "fields",
        {"fields": ["codigo_accidente", "localidad FROM curated.conformado.x --"]},
        409,
        None,
    ),
    ("fields", {"fields": ["*"]}, 409, None),
    ("fields", {"fields": "codigo_accidente,(SELECT 1)"}, 409, None),
    ("fields", {"fields": ["_ada_raw_version"]}, 409, None),
    ("sort", {"sort": "hora; DROP TABLE x"}, 409, None),
    ("sort", {"sort": "hora desc, (SELECT 1)"}, 409, None),
    ("sort", {"sort": "hora DESC NULLS FIRST"}, 409, None),
    ("sort", {"sort": "random()"}, 409, None),
    ("sort", {"sort": '"hora" desc'}, 200, len(ROWS)),
    ("limit", {"limit": "10; DROP TABLE x"}, 409, None),
    ("offset", {"offset": -1}, 409, None),
    ("offset", {"offset": 10**30}, 409, None),
    ("filter type", {"filters": {"fecha_ocurrencia": "ayer"}}, 409, None),
    ("filter type", {"filters": {"hora": 10**30}}, 200, 0),  # no hour is that large
    ("filter type", {"filters": {"fecha_hora": True}}, 409, None),
]


@pytest.mark.parametrize(
    ("what", "params", "status", "rows"),
    INJECTIONS,
    ids=[f"{what}-{i}" for i, (what, *_) in enumerate(INJECTIONS)],
)
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_injection_attempts_are_refused_or_matched_literally(
    catalog: Catalog,
    what: str,
    params: dict[str, Any],
    status: int,
    rows: int | None,
    method: str,
) -> None:
    url = f"{catalog.url}/api/3/action/datastore_search"
    body = {"resource_id": catalog.datastore_id, "limit": 1000, **params}
    if method == "POST":
        answer = httpx.post(url, json=body)
    else:
        query = {k: v if isinstance(v, str | int) else json.dumps(v) for k, v in body.items()}
        answer = httpx.get(url, params=query)
    assert answer.status_code == status, answer.text
    if rows is None:
        assert answer.json()["error"]["__type"] == "Validation Error"
    else:
        result = answer.json()["result"]
        assert len(result["records"]) == rows == result["total"]
        if rows == 1:
            assert result["records"][0]["codigo_accidente"] == "A00011"
    assert _datastore(catalog, limit=0)["total"] == len(ROWS)  # the table is intact


# -------------------------------------------------------------------------- metadata documents


def test_metadata_documents_with_their_content_types(catalog: Catalog) -> None:
    url = catalog.url
    turtle = httpx.get(f"{url}/catalog.ttl", timeout=120)
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    datasets = set(graph.subjects(rdflib.RDF.type, dcat.Dataset))
    assert len(datasets) == len(catalog.packages)
    assert rdflib.URIRef(f"{url}/dataset/{REAL}") in datasets

    jsonld = httpx.get(f"{url}/catalog.jsonld", timeout=120)
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)

    one = httpx.get(f"{url}/dataset/{REAL}.ttl")
    assert one.headers["content-type"].startswith("text/turtle")
    assert f"{url}/dataset/{REAL}/download/v1/{REAL}.csv" in one.text
    one_ld = httpx.get(f"{url}/dataset/{REAL}.jsonld")
    assert one_ld.headers["content-type"].startswith("application/ld+json")
    assert httpx.get(f"{url}/dataset/no_existe.ttl").status_code == 404

    pod = httpx.get(f"{url}/data.json", timeout=120)
    assert pod.headers["content-type"].startswith("application/json")
    assert len(pod.json()["dataset"]) == len(catalog.packages)
    assert pod.json()["@id"] == f"{url}/data.json"

    atom = httpx.get(f"{url}/feeds/dataset.atom")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(atom.content)
    namespace = "{http://www.w3.org/2005/Atom}"
    assert feed.find(f"{namespace}id").text == f"{url}/feeds/dataset.atom"  # type: ignore[union-attr]
    assert len(feed.findall(f"{namespace}entry")) == 50


# ---------------------------------------------------------------------------------- downloads


def _raw_get(url: str, path: str) -> int:
    """A GET with the path exactly as written (no client-side normalisation of ``..``)."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_downloads_stream_listed_files_and_count_them(catalog: Catalog) -> None:
    store = catalog.store()
    try:
        before = store.download_totals().get(REAL, 0)
        answer = httpx.get(f"{catalog.url}/dataset/{REAL}/download/v1/{REAL}.csv")
        assert answer.status_code == 200
        assert answer.content == catalog.contents["CSV"]
        assert answer.headers["content-type"].startswith("text/csv")
        assert f'filename="{REAL}.csv"' in answer.headers["content-disposition"]
        assert store.download_totals()[REAL] == before + 1

        attempts = [
            f"/dataset/{REAL}/download/v1/..%2F..%2F..%2Fmetadata%2Fcatalog.sqlite",
            f"/dataset/{REAL}/download/v1/../../../../metadata/catalog.sqlite",
            f"/dataset/{REAL}/download/v1/%2e%2e/%2e%2e/current.json",
            f"/dataset/{REAL}/download/v1/_release.json",
            f"/dataset/{REAL}/download/v2/{REAL}.csv",
            f"/dataset/..%2F{REAL}/download/v1/{REAL}.csv",
            f"/dataset/{REAL}/download/..%2Fv1/{REAL}.csv",
            f"/dataset/{REAL}/download/v1//etc/passwd",
            f"/dataset/{SYNTHETIC}/download/v1/{SYNTHETIC}.csv",
        ]
        for path in attempts:
            assert _raw_get(catalog.url, path) == 404, path
        assert store.download_totals()[REAL] == before + 1
    finally:
        store.close()


def test_a_presigning_hook_redirects_and_counts(catalog: Catalog) -> None:
    factory = "tests.fixtures.service:presigning_app"
    with ServiceProcess(catalog.env, factory=factory) as presigning:
        store = catalog.store()
        try:
            before = store.download_totals().get(REAL, 0)
            answer = httpx.get(
                f"{presigning.url}/dataset/{REAL}/download/v1/{REAL}.parquet",
                follow_redirects=False,
            )
            assert answer.status_code == 302
            key = f"downloads/movilidad/{REAL}/v1/{REAL}.parquet"
            assert answer.headers["location"] == (
                f"https://descargas.example/{key}?X-Amz-Expires=300"
            )
            assert store.download_totals()[REAL] == before + 1
        finally:
            store.close()


# -------------------------------------------------------------------------------------- OpenAPI


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Validator:
    rooted = {**schema, "components": document["components"]}
    return jsonschema.Draft202012Validator(rooted)


def _documented(document: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    operation = document["paths"][path][method]
    schema: dict[str, Any] = operation["responses"][status]["content"]["application/json"]["schema"]
    return schema


def test_the_openapi_document_describes_every_action_and_its_answers(catalog: Catalog) -> None:
    document = httpx.get(f"{catalog.url}/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    actions = [
        "package_search",
        "package_show",
        "package_list",
        "resource_show",
        "organization_list",
        "organization_show",
        "group_list",
        "tag_list",
        "license_list",
        "status_show",
        "datastore_search",
    ]
    for action in actions:
        for prefix in ("/api/3/action", "/api/action"):
            assert set(document["paths"][f"{prefix}/{action}"]) == {"get", "post"}
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert all("422" not in op["responses"] for op in operations)
    search = document["paths"]["/api/3/action/package_search"]
    names = {p["name"] for p in search["get"]["parameters"]}
    assert {"q", "fq", "facet.field", "facet.limit", "rows", "start", "sort"} <= names
    assert {"200", "400", "409"} <= set(search["get"]["responses"])
    assert "/feeds/dataset.atom" in document["paths"]
    assert "/dataset/{name}/download/{version}/{file_name}" in document["paths"]

    answers = {
        ("/api/3/action/package_search", "200"): httpx.get(
            f"{catalog.url}/api/3/action/package_search",
            params={"q": "siniestros", "facet.field": '["groups","tags"]', "rows": 20},
        ),
        ("/api/3/action/package_show", "200"): httpx.get(
            f"{catalog.url}/api/3/action/package_show", params={"id": REAL}
        ),
        ("/api/3/action/organization_list", "200"): httpx.get(
            f"{catalog.url}/api/3/action/organization_list", params={"all_fields": "true"}
        ),
        ("/api/3/action/datastore_search", "200"): httpx.get(
            f"{catalog.url}/api/3/action/datastore_search",
            params={"resource_id": catalog.datastore_id, "limit": 5},
        ),
        ("/api/3/action/package_show", "404"): httpx.get(
            f"{catalog.url}/api/3/action/package_show", params={"id": "nada"}
        ),
        ("/api/3/action/package_search", "409"): httpx.get(
            f"{catalog.url}/api/3/action/package_search", params={"rows": "x"}
        ),
    }
    for (path, status), answer in answers.items():
        assert str(answer.status_code) == status
        _validator(document, _documented(document, path, "get", status)).validate(answer.json())
    broken = copy.deepcopy(answers[("/api/3/action/package_show", "200")].json())
    del broken["result"]["resources"]
    schema = _documented(document, "/api/3/action/package_show", "get", "200")
    assert not _validator(document, schema).is_valid(broken)  # the schema does check


# ------------------------------------------------------------ following the store, by refresh


def test_ada_serve_refreshes_and_every_worker_follows_the_store(tmp_path: Path) -> None:
    env = isolated_env(tmp_path / "ada-home")
    settings = settings_of(env)
    spec = load_registry(settings.datasets_dir).get("covid19_casos_osb")
    write_release(settings, spec, release_manifest(spec))
    with ServiceProcess(env, workers=2, refresh=True) as service:
        client = ckanapi.RemoteCKAN(service.url)
        assert client.action.package_list() == ["covid19_casos_osb"]
        store = CatalogStore.open(settings)
        try:
            covid = store.snapshot()[1]
            added = [*covid, *synthetic_packages(3)]
            store.write_catalog(added)
            shown = added[2]["name"]

            def visible(name: str) -> bool:
                answer = httpx.get(f"{service.url}/api/3/action/package_show", params={"id": name})
                return answer.status_code == 200

            _wait_for(lambda: visible(shown), repeat=20)
            renamed = copy.deepcopy(added[2])
            renamed["title"] = "Recolección de residuos en Sumapaz"
            store.write_catalog([*added[:2], renamed, *added[3:]])

            def found_by_title() -> bool:
                found = client.action.package_search(q="residuos sumapaz")
                return [p["name"] for p in found["results"]] == [shown]

            _wait_for(found_by_title, repeat=20)
            many = [*added, *synthetic_packages(60)[3:]]  # a large change: a rebuild
            store.write_catalog(many)
            _wait_for(lambda: client.action.package_search(rows=0)["count"] == 61, repeat=20)
            store.write_catalog(many[1:])  # covid is taken out
            _wait_for(lambda: not visible("covid19_casos_osb"), repeat=20)
        finally:
            store.close()


@pytest.mark.s3
@pytest.mark.postgres
def test_on_s3_and_postgres(s3_env: Any, postgres_env: str) -> None:
    settings = load_settings()
    spec = load_registry(settings.datasets_dir).get(REAL)
    rows = ROWS[:20]
    _manifest, contents = publish_siniestros(settings, spec, rows)
    with ServiceProcess(dict(os.environ)) as service:
        refresh_catalog(settings, service.url)
        client = ckanapi.RemoteCKAN(service.url)
        _wait_for(lambda: client.action.package_list() == [REAL], repeat=3)
        package = client.action.package_show(id=REAL)
        resource = next(r for r in package["resources"] if r["datastore_active"])
        found = client.action.datastore_search(
            resource_id=resource["id"], filters={"localidad": "Kennedy"}
        )
        assert found["total"] == sum(1 for r in rows if r[_column("localidad")] == "Kennedy")
        # On S3 the service counts the download and redirects to a presigned URL.
        answer = httpx.get(resource["url"])
        assert answer.status_code == 302 and "X-Amz-Signature" in answer.headers["location"]
        downloaded = httpx.get(answer.headers["location"])
        assert downloaded.status_code == 200 and downloaded.content == contents["CSV"]
        store = CatalogStore.open(settings)
        try:
            assert store.download_totals() == {REAL: 1}
        finally:
            store.close()
