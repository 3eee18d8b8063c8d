"""The web portal through FastAPI's TestClient: every route, Spanish 404s, the English toggle,
escaping of hostile text, security headers, the territory's numbers and the message catalog.

The catalog served is a real one: the ``siniestros_viales_sdm`` record built by the catalog
refresh from its spec, two releases in the open zone and its reports, a curated table behind
its preview, plus synthetic records (one of them hostile) and the indicator tables of the
territory pages, written to the curated zone as SQLMesh would leave them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from ada.settings import Settings, Zone, load_settings
from catalog.portal import charts
from catalog.portal.i18n import po_path
from catalog.portal.listing import SearchRequest, quoted
from catalog.portal.territory import Territory, read_territory
from catalog.records import Package
from catalog.registry import load_registry
from catalog.search import SearchIndex
from catalog.service.app import create_app
from catalog.service.config import ServiceConfig
from catalog.store import CatalogStore, refresh_catalog
from expectations.assessment import report_key as quality_key
from lake import reports
from lake.tables import connect
from privacy.report import report_key as privacy_key
from tests.fixtures.packages import synthetic_package, synthetic_packages
from tests.fixtures.releases import release_manifest, write_release
from tests.fixtures.service import publish_siniestros, siniestros_rows

REAL = "siniestros_viales_sdm"
ROOT = "http://testserver"
HOSTILE = "analisis_hostil"
SCRIPT = "<script>alert('xss')</script>"
#: Values that exist only inside reports' fields the portal must never show.
SECRET_EVIDENCE = "EVIDENCIA-SECRETA-3001234567"
SECRET_OBSERVED = "OBSERVADO-SECRETO-1020345678"
PORTAL_DIR = Path(__file__).resolve().parents[1] / "catalog" / "portal"
HTML = {"accept": "text/html"}


# ------------------------------------------------------------------------------ the catalog


def _settings(home: Path) -> Settings:
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("ADA_") and n != "ADA_REALDATA"]:
            patch.delenv(name)
        patch.setenv("ADA_HOME", str(home))
        return load_settings()


def _quality_report() -> dict[str, Any]:
    criteria = [
        {
            "criterio": "completitud",
            "puntaje": 9.5,
            "como_se_calcula": "10 × celdas",
            "detalle": "5% vacías",
        },
        {"criterio": "actualidad", "puntaje": 6.0, "como_se_calcula": "edad", "detalle": "40 días"},
        {"criterio": "relevancia", "puntaje": None, "como_se_calcula": "n/a", "detalle": ""},
    ]
    failed = {
        "rule": {"description": "la hora está entre 0 y 23"},
        "success": False,
        "unexpected": 3,
        "observed": SECRET_OBSERVED,
        "examples": [SECRET_OBSERVED],
    }
    return {
        "generated_at": "2025-06-01T09:00:00+00:00",
        "puntaje": 8.4,
        "sello": "plata",
        "filas_entregadas": 60,
        "filas_en_cuarentena": 2,
        "criterios": criteria,
        "metadatos": {"criterios": {"licencia abierta": True, "documentación": False}},
        "reglas": [failed],
        "tendencia": [
            {"generated_at": "2025-05-01T09:00:00+00:00", "puntaje": 7.1, "sello": "bronce"},
            {"generated_at": "2025-06-01T09:00:00+00:00", "puntaje": 8.4, "sello": "plata"},
        ],
    }


def _privacy_report() -> dict[str, Any]:
    def column(name: str, operator: str, role: str | None) -> dict[str, Any]:
        return {"columna": name, "rol": role, "operador": operator, "evidencia": SECRET_EVIDENCE}

    return {
        "generated_at": "2025-06-01T09:05:00+00:00",
        "published": True,
        "columns": [
            column("nombre_conductor", "drop", "direct"),
            column("placa", "pseudonym", "direct"),
            column("direccion", "generalize → grid 10", "quasi"),
            column("telefono", "mask (visibles 2)", "direct"),
            column("clase", "keep", None),
        ],
        "k_required": 5,
        "k_achieved": 7,
        "l_required": 2,
        "l_achieved": 3,
        "rows_in": 62,
        "rows_suppressed": 2,
        "rows_out": 60,
        "gate": {
            "quasi_identifiers": ["localidad", "gravedad"],
            "sensitive": ["clase"],
            "final_levels": {"localidad": "sin generalizar", "gravedad": "valores retenidos (*)"},
            "steps": ["Se suprimieron 2 filas de combinaciones raras (3.23%)."],
        },
    }


def _earlier_release(settings: Settings, spec: Any) -> Any:
    """``v1`` of the dataset, with its own bytes, so ``v2`` (the current one) has an ancestor
    whose size and hash come from its manifest."""
    contents = {"CSV": b"codigo_accidente\nA00000\n"}
    manifest = release_manifest(
        spec,
        "v1",
        "2025-05-01T10:00:00+00:00",
        contents=contents,
        rows=1,
        columns=["codigo_accidente"],
        source_table=f"curated.conformado.{spec.id}",
    )
    write_release(settings, spec, manifest, contents)
    return manifest, contents


LOCALIDADES = [
    ("01", "Usaquén", 570000),
    ("02", "Chapinero", 170000),
    ("03", "Santa Fe", 105000),
    ("04", "San Cristóbal", 400000),
    ("05", "Usme", 380000),
    ("06", "Tunjuelito", 190000),
    ("07", "Bosa", 800000),
    ("08", "Kennedy", 1040000),
    ("09", "Fontibón", 420000),
    ("10", "Engativá", 830000),
    ("11", "Suba", 1280000),
    ("12", "Barrios Unidos", 180000),
    ("13", "Teusaquillo", 215000),
    ("14", "Los Mártires", 85000),
    ("15", "Antonio Nariño", 85000),
    ("16", "Puente Aranda", 250000),
    ("17", "La Candelaria", 20000),
    ("18", "Rafael Uribe Uribe", 380000),
    ("19", "Ciudad Bolívar", 620000),
    ("20", "Sumapaz", 4000),
]
PERIODS = ["2025-01", "2025-02", "2025-03"]


def _notifications(code: str, period: str) -> int | None:
    """Events per localidad and month; Sumapaz has none reported in March (null: the source
    does not cover it), so February is the latest complete month."""
    if code == "20" and period == "2025-03":
        return None
    return int(code) * 3 + PERIODS.index(period)


def write_indicators(settings: Settings) -> None:
    """``dim.localidad``, ``indicadores.definiciones`` and ``indicadores.localidad_periodo``
    in the curated zone: three months of two indicators, the second only where there is a
    station (three localidades)."""
    con = connect(settings, [Zone.CURATED])
    try:
        for schema in ("dim", "indicadores"):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS curated.{schema}")
        con.execute(
            "CREATE OR REPLACE TABLE curated.dim.localidad (codigo VARCHAR, nombre VARCHAR, "
            "area VARCHAR, es_localidad BOOLEAN, poblacion BIGINT, num_upz BIGINT)"
        )
        con.executemany(
            "INSERT INTO curated.dim.localidad VALUES (?, ?, ?, true, ?, 3)",
            [(c, n, "rural" if c == "20" else "urbana", p) for c, n, p in LOCALIDADES],
        )
        con.execute(
            "INSERT INTO curated.dim.localidad "
            "VALUES ('99', 'No identificada', NULL, false, NULL, 0)"
        )
        con.execute(
            "CREATE OR REPLACE TABLE curated.indicadores.definiciones (codigo VARCHAR, "
            "nombre VARCHAR, dimension VARCHAR, unidad VARCHAR, formula VARCHAR, "
            "fuente VARCHAR, modelo VARCHAR, nota VARCHAR)"
        )
        con.executemany(
            "INSERT INTO curated.indicadores.definiciones VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    "notificaciones_salud_100k",
                    "Notificaciones en salud por 100.000 habitantes",
                    "Calidad de Vida",
                    "notificaciones por 100.000 habitantes",
                    "notificaciones / población × 100.000",
                    "notificaciones_salud, siniestros_viales_sdm",
                    "indicadores.localidad_periodo",
                    "Nulo fuera de la cobertura.",
                ),
                (
                    "pm25_promedio",
                    "PM2,5 promedio",
                    "Medio Ambiente",
                    "µg/m3",
                    "promedio de las mediciones horarias",
                    "calidad_aire_rmcab",
                    "indicadores.localidad_periodo",
                    "",
                ),
                (
                    "peticiones_tema_1000",
                    "Peticiones por tema",
                    "Gobernanza",
                    "por 1.000",
                    "otra tabla",
                    "pqrs_peticiones",
                    "indicadores.peticiones_tema",
                    "",
                ),
            ],
        )
        con.execute(
            "CREATE OR REPLACE TABLE curated.indicadores.localidad_periodo ("
            "codigo_localidad VARCHAR, localidad VARCHAR, periodo VARCHAR, poblacion BIGINT, "
            "notificaciones_salud BIGINT, notificaciones_salud_100k DOUBLE, "
            "pm25_promedio DOUBLE, pm25_mediciones BIGINT)"
        )
        rows = []
        for code, name, population in LOCALIDADES:
            for period in PERIODS:
                events = _notifications(code, period)
                rate = None if events is None else events / population * 100_000
                station = code in ("01", "08", "19")
                rows.append(
                    (
                        code,
                        name,
                        period,
                        population,
                        events,
                        rate,
                        10.0 + int(code) if station else None,
                        100 * int(code) if station else None,
                    )
                )
        con.executemany(
            "INSERT INTO curated.indicadores.localidad_periodo VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    finally:
        con.close()


def _renamed(index: int, name: str, title: str) -> Package:
    package = synthetic_package(index, ROOT)
    package["name"] = name
    package["title"] = title
    return package


def _hostile() -> Package:
    package = _renamed(90_003, HOSTILE, f"{SCRIPT} Análisis <b>hostil</b>")
    package["notes"] = 'Descripción <img src=x onerror="alert(1)"> con "comillas" & ampersand.'
    package["tags"][0]["name"] = package["tags"][0]["display_name"] = '"><script>alert(2)</script>'
    return package


@dataclass
class Portal:
    settings: Settings
    client: TestClient
    packages: list[Package]
    current: dict[str, bytes]
    earlier: dict[str, bytes]

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers={**HTML, **kwargs.pop("headers", {})}, **kwargs)

    def soup(self, path: str, status: int = 200) -> BeautifulSoup:
        answer = self.get(path)
        assert answer.status_code == status, (path, answer.status_code)
        return BeautifulSoup(answer.text, "html.parser")

    def index(self) -> SearchIndex:
        return SearchIndex.build(self.packages)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    settings = _settings(tmp_path_factory.mktemp("portal") / "ada-home")
    spec = load_registry(settings.datasets_dir).get(REAL)
    assert spec is not None
    _, earlier = _earlier_release(settings, spec)
    _, current = publish_siniestros(settings, spec, siniestros_rows(), version="v2")
    reports.write_report(settings, quality_key(spec), _quality_report(), "r1")
    reports.write_report(settings, privacy_key(spec), _privacy_report(), "r1")
    write_indicators(settings)
    refresh_catalog(settings, ROOT)
    store = CatalogStore.open(settings)
    try:
        real = store.snapshot()[1]
        extra = [
            _renamed(90_001, "accidente_transito_kennedy", "Accidente de tránsito en Kennedy"),
            _hostile(),
        ]
        packages = [*real, *synthetic_packages(45, ROOT), *extra]
        releases = {REAL: [store.release(REAL, "v2"), store.release(REAL, "v1")]}
        store.write_catalog(packages, {k: [r for r in v if r] for k, v in releases.items()})
    finally:
        store.close()
    app = create_app(settings, ServiceConfig(public_url=ROOT, poll_seconds=60))
    with TestClient(app) as client:
        yield Portal(settings, client, packages, current, earlier)


def _text(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


# ----------------------------------------------------------------------------------- routes

PAGES = [
    "/",
    "/dataset",
    "/dataset?q=siniestros",
    f"/dataset/{REAL}",
    "/organization",
    "/organization/secretaria-distrital-de-movilidad",
    "/group",
    "/group/movilidad",
    "/dimension",
    "/dimension/habitat",
    "/territorio",
    "/territorio/20",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_spanish_with_one_h1_and_a_skip_link(
    portal: Portal, path: str
) -> None:
    answer = portal.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["content-language"] == "es"
    soup = BeautifulSoup(answer.text, "html.parser")
    assert soup.html is not None and soup.html["lang"] == "es"
    assert len(soup.find_all("h1")) == 1
    skip = soup.find("a", class_="skip-link")
    assert skip is not None and skip["href"] == "#contenido" and soup.find(id="contenido")
    assert soup.find("script") is None
    for control in soup.find_all(["input", "select"]):
        if control.get("type") != "hidden":
            assert soup.find("label", attrs={"for": control["id"]}), control


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/dataset/no_existe", "No encontramos el conjunto de datos «no_existe»."),
        ("/organization/no-existe", "No encontramos la entidad «no-existe»."),
        ("/group/no-existe", "No encontramos el sector «no-existe»."),
        ("/dimension/no-existe", "No encontramos la dimensión «no-existe»."),
        ("/territorio/42", "No encontramos la localidad «42»."),
        ("/no/hay/tal/pagina", "No encontramos la página que busca."),
        ("/static/no-existe.css", "No encontramos el archivo «no-existe.css»."),
    ],
)
def test_not_found_is_a_spanish_page(portal: Portal, path: str, message: str) -> None:
    soup = portal.soup(path, status=404)
    assert soup.html is not None and soup.html["lang"] == "es"
    assert "Página no encontrada" in soup.h1.get_text()
    assert message in _text(soup)


def test_pages_answer_head_for_link_checkers(portal: Portal) -> None:
    answer = portal.client.head(f"/dataset/{REAL}")
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["content-type"] == "text/html; charset=utf-8"


def test_the_api_keeps_answering_json(portal: Portal) -> None:
    api = portal.client.get("/api/3/action/package_show", params={"id": "no_existe"})
    assert api.status_code == 404 and api.json()["success"] is False
    plain = portal.client.get("/no/hay/tal/pagina")  # no Accept: text/html
    assert plain.status_code == 404 and plain.headers["content-type"] == "application/json"
    turtle = portal.client.get(f"/dataset/{REAL}.ttl")
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")


# ---------------------------------------------------------------------------------- results


def _result_names(soup: BeautifulSoup) -> list[str]:
    return [a["href"].removeprefix("/dataset/") for a in soup.select("article.card h3 a")]


def test_spanish_search_finds_plurals_and_accents(portal: Portal) -> None:
    soup = portal.soup("/dataset?q=accidentes")
    assert "accidente_transito_kennedy" in _result_names(soup)
    expected = portal.index().search(q="accidentes").count
    assert soup.find(id="results-title").get_text(" ", strip=True).startswith(f"{expected} ")


def test_facets_count_filter_combine_and_are_removable(portal: Portal) -> None:
    soup = portal.soup("/dataset")
    titles = [h.get_text(strip=True) for h in soup.select(".facet h3")]
    assert titles[:3] == ["Sector", "Entidad", "Dimensión MinTIC"]
    assert {"Etiqueta", "Formato", "Licencia", "Frecuencia", "Nivel de calidad"} <= set(titles)
    movilidad = soup.select_one('.facet a[href="/dataset?groups=movilidad"]')
    index = portal.index()
    expected = index.search(fq='groups:"movilidad"').count
    assert f"({expected}" in movilidad.get_text()

    both = portal.soup("/dataset?groups=movilidad&res_format=CSV")
    count = index.search(fq='groups:"movilidad" res_format:"CSV"').count
    assert both.find(id="results-title").get_text(" ", strip=True).startswith(f"{count} ")
    assert 0 < count <= expected
    chips = {a.get_text(" ", strip=True): a["href"] for a in both.select(".active-filters a.chip")}
    assert chips["Quitar filtro Formato: CSV ✕"] == "/dataset?groups=movilidad"
    assert chips["Quitar filtro Sector: Movilidad ✕"] == "/dataset?res_format=CSV"
    assert both.select_one(".active-filters a:not(.chip)")["href"] == "/dataset"


def test_a_filter_value_cannot_inject_search_syntax(portal: Portal) -> None:
    assert quoted('a" OR name:*') == '"a\\" OR name:*"'
    soup = portal.soup('/dataset?organization=x" OR name:*')
    assert soup.find(id="results-title").get_text(" ", strip=True).startswith("0 ")


def test_sorting_and_paging(portal: Portal) -> None:
    by_name = portal.soup("/dataset?sort=title_string+asc")
    expected = [p["name"] for p in portal.index().search(sort="title_string asc", rows=20).results]
    assert _result_names(by_name) == expected
    selected = by_name.select_one("#sort option[selected]")
    assert selected["value"] == "title_string asc" and selected.get_text() == "Nombre (A-Z)"
    assert [o.get_text() for o in by_name.select("#sort option")] == [
        "Relevancia",
        "Actualizados recientemente",
        "Nombre (A-Z)",
        "Mejor calidad",
        "Más descargados",
    ]
    second = portal.soup("/dataset?sort=title_string+asc&page=2")
    page_two = [
        p["name"] for p in portal.index().search(sort="title_string asc", rows=20, start=20).results
    ]
    assert _result_names(second) == page_two
    assert (
        second.select_one('.pagination a[rel="prev"]')["href"] == "/dataset?sort=title_string+asc"
    )
    current = second.select_one('.pagination a[aria-current="page"]')
    assert current.get_text(" ", strip=True) == "Página 2"
    unknown = portal.soup("/dataset?sort=hackeo+desc&page=abc")
    assert (
        unknown.select_one("#sort option[selected]")["value"]
        == "score desc, metadata_modified desc"
    )


def test_an_empty_search_suggests_searches_that_find_something(portal: Portal) -> None:
    soup = portal.soup("/dataset?q=siniestros+zzzqqq")
    text = _text(soup)
    assert "No encontramos conjuntos de datos con esa búsqueda." in text
    suggestion = soup.select_one('.notice a[href="/dataset?q=siniestros"]')
    assert suggestion is not None and suggestion.get_text() == "«siniestros»"
    filtered = portal.soup("/dataset?q=siniestros&groups=mujer")
    assert filtered.select_one('.notice a[href="/dataset?q=siniestros"]').get_text() == (
        "«siniestros» sin filtros"
    )


def test_a_query_that_cannot_be_parsed_says_why(portal: Portal) -> None:
    soup = portal.soup('/dataset?q="calidad+del', status=400)
    alert = soup.find(attrs={"role": "alert"})
    assert "No pudimos entender la búsqueda." in alert.get_text()
    assert "Comillas sin cerrar" in alert.get_text()


# ----------------------------------------------------------------------------- dataset page


def test_dataset_page_metadata_and_dictionary(portal: Portal) -> None:
    soup = portal.soup(f"/dataset/{REAL}")
    package = next(p for p in portal.packages if p["name"] == REAL)
    assert soup.h1.get_text(strip=True) == package["title"]
    rows = {
        tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True)
        for tr in soup.select("#ficha table tr")
    }
    assert rows["Entidad"] == package["organization"]["title"]
    assert rows["Sector"] == "Movilidad"
    assert rows["Dimensión MinTIC"] == package["dimension"]
    assert rows["Licencia"] == package["license_title"]
    assert rows["Frecuencia de actualización"] == package["frequency"]
    assert rows["Cobertura espacial"] == package["spatial_text"]
    assert rows["Versión"] == "v2"
    assert {
        "Cobertura temporal",
        "Publicado por primera vez",
        "Última actualización",
        "Contacto",
    } <= set(rows)
    dictionary = [th.get_text(strip=True) for th in soup.select("#diccionario tbody th")]
    assert dictionary == [c["name"] for c in package["columns"]]


def _preview_cells(soup: BeautifulSoup) -> list[list[str]]:
    return [
        [td.get_text() for td in tr.find_all("td")] for tr in soup.select("table.preview tbody tr")
    ]


def _api_rows(portal: Portal, offset: int) -> list[list[str]]:
    package = next(p for p in portal.packages if p["name"] == REAL)
    resource = next(r for r in package["resources"] if r["datastore_active"])
    answer = portal.client.get(
        "/api/3/action/datastore_search",
        params={"resource_id": resource["id"], "limit": 20, "offset": offset},
    ).json()["result"]
    names = [f["id"] for f in answer["fields"]]

    def cell(value: Any) -> str:  # JSON's spelling of a value is the page's
        return "" if value is None else str(value)

    return [[cell(record[n]) for n in names] for record in answer["records"]]


def test_preview_pages_through_the_same_rows_as_the_api(portal: Portal) -> None:
    first = portal.soup(f"/dataset/{REAL}")
    header = [th.get_text() for th in first.select("table.preview thead th")]
    assert "_ada_raw_version" not in header and header[0] == "codigo_accidente"
    assert _preview_cells(first) == _api_rows(portal, 0)
    assert "Filas 1 a 20 de 60" in first.select_one("table.preview caption").get_text()
    following = first.select_one('#vista-previa a[rel="next"]')["href"]
    assert following == "?pagina=2#vista-previa"
    second = portal.soup(f"/dataset/{REAL}?pagina=2")
    assert _preview_cells(second) == _api_rows(portal, 20)
    beyond = portal.soup(f"/dataset/{REAL}?pagina=999")  # an old link: the last page
    assert _preview_cells(beyond) == _api_rows(portal, 40)


def test_quality_section_in_plain_spanish_with_an_accessible_trend(portal: Portal) -> None:
    soup = portal.soup(f"/dataset/{REAL}")
    section = soup.find(id="calidad")
    text = _text(section)
    assert "Sello de calidad: Plata · 8,4/10" in text
    criteria = {tr.th.get_text(strip=True): tr for tr in section.select("table tbody tr")}
    assert {"Completitud", "Actualidad", "relevancia"} <= set(criteria)
    assert "Qué parte de las celdas tiene un valor" in criteria["Completitud"].get_text()
    assert "no se mide" in criteria["relevancia"].get_text()
    svg = section.find("svg")
    assert svg["role"] == "img"
    labelled = svg["aria-labelledby"].split()
    assert [svg.find(id=i).name for i in labelled] == ["title", "desc"]
    assert len(svg.select("circle")) == 2
    trend = [tr.find_all(["th", "td"]) for tr in section.select("details table tbody tr")]
    assert [[c.get_text(strip=True) for c in row][1:] for row in trend] == [
        ["7,1", "Bronce"],
        ["8,4", "Plata"],
    ]
    assert "la hora está entre 0 y 23 (3 filas)" in text
    assert "Documentación: no" in text and "Licencia abierta: sí" in text


def test_privacy_section_explains_without_any_value(portal: Portal) -> None:
    answer = portal.get(f"/dataset/{REAL}")
    soup = BeautifulSoup(answer.text, "html.parser")
    text = _text(soup.find(id="privacidad"))
    assert "Columnas eliminadas (no se publican) nombre_conductor" in text
    assert "Columnas seudonimizadas placa" in text
    assert "direccion : ubicación reducida a una cuadrícula (10)" in text
    assert "telefono : caracteres ocultos salvo los últimos (2)" in text
    assert "k-anonimato: k = 7 (se exige al menos 5)." in text
    assert "l-diversidad: l = 3." in text
    assert "Se retiraron 2 de 62 filas" in text
    assert "Qué significa para usted" in text
    for secret in (SECRET_EVIDENCE, SECRET_OBSERVED):
        assert secret not in answer.text


def test_lineage_is_a_flow_from_source_to_files(portal: Portal) -> None:
    soup = portal.soup(f"/dataset/{REAL}")
    steps = [h.get_text(strip=True) for h in soup.select("#linaje ol.flow > li h3")]
    assert steps[0] == "Fuente" and steps[-1] == "Publicación"
    assert "Protección de datos personales" in steps
    assert f"{REAL}.csv" in soup.select("#linaje ol.flow > li")[-1].get_text()


def test_downloads_current_first_with_sizes_hashes_and_working_links(portal: Portal) -> None:
    soup = portal.soup(f"/dataset/{REAL}")
    releases = soup.select("#descargas .release")
    assert [r.h3.get_text(strip=True) for r in releases] == [
        "Versión vigente: v2",
        "Versión anterior: v1",
    ]
    for release, contents in zip(releases, (portal.current, portal.earlier), strict=True):
        row = next(tr for tr in release.select("tbody tr") if tr.th.get_text(strip=True) == "CSV")
        digest = row.select_one("code.hash").get_text()
        assert digest == hashlib.sha256(contents["CSV"]).hexdigest()
        link = row.find("a")["href"].removeprefix(ROOT)
        download = portal.client.get(link)
        assert download.status_code == 200 and download.content == contents["CSV"]
    assert "24 B" in releases[1].get_text()  # v1's size, from its manifest


def test_api_snippets_use_the_records_own_addresses(portal: Portal) -> None:
    soup = portal.soup(f"/dataset/{REAL}")
    package = next(p for p in portal.packages if p["name"] == REAL)
    resource = next(r for r in package["resources"] if r["datastore_active"])
    parquet = next(r for r in package["resources"] if r["format"] == "Parquet")
    code = "\n".join(c.get_text() for c in soup.select("#api pre code"))
    assert f'curl "{ROOT}/api/3/action/package_show?id={REAL}"' in code
    assert f"resource_id={resource['id']}" in code
    assert f'ckanapi.RemoteCKAN("{ROOT}")' in code
    assert f"read_parquet('{parquet['url']}')" in code
    assert f'pd.read_parquet("{parquet["url"]}")' in code


# ------------------------------------------------------------------------------------ i18n


def test_english_toggle_sets_a_cookie_and_keeps_published_text(portal: Portal) -> None:
    client = TestClient(portal.client.app)  # its own cookie jar
    with client:
        english = client.get(f"/dataset/{REAL}?lang=en", headers=HTML)
        assert "ada_lang=en" in english.headers["set-cookie"]
        assert (
            "HttpOnly" in english.headers["set-cookie"]
            and "SameSite=lax" in english.headers["set-cookie"]
        )
        soup = BeautifulSoup(english.text, "html.parser")
        assert soup.html["lang"] == "en" and english.headers["content-language"] == "en"
        assert [a.get_text() for a in soup.select(".main-nav a")][:3] == [
            "Home",
            "Datasets",
            "Entities",
        ]
        assert soup.find(id="privacidad-title").get_text() == "Privacy"
        assert "Quality seal: Silver" in _text(soup.find(id="calidad"))
        rows = {tr.th.get_text(strip=True): tr.td for tr in soup.select("#ficha table tr")}
        assert rows["Update frequency"].get_text(strip=True) == "monthly"  # a vocabulary word
        assert rows["Entity"].get("lang") == "es"  # a published name keeps its language
        title = soup.h1
        assert title["lang"] == "es"  # published text stays Spanish, and says so
        package = next(p for p in portal.packages if p["name"] == REAL)
        assert title.get_text(strip=True) == package["title"]
        switch = soup.select_one("a.lang-switch")
        assert switch.get_text() == "Español" and switch["lang"] == "es"
        assert switch["href"] == f"/dataset/{REAL}?lang=es"

        remembered = client.get("/dataset", headers=HTML)  # the cookie, no parameter
        assert BeautifulSoup(remembered.text, "html.parser").html["lang"] == "en"
        assert "Filter results" in remembered.text
        missing = client.get("/dataset/no_existe", headers=HTML)
        assert missing.status_code == 404 and "We could not find the dataset" in missing.text

        back = client.get("/?lang=es", headers=HTML)
        assert "ada_lang=es" in back.headers["set-cookie"]
        assert BeautifulSoup(back.text, "html.parser").html["lang"] == "es"
        hostile = client.get("/?lang=%3Cscript%3E", headers=HTML)
        assert "set-cookie" not in hostile.headers
        assert BeautifulSoup(hostile.text, "html.parser").html["lang"] == "es"


def _template_messages() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"templates/**.html": {"trimmed": "true"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for _, _, message, _, _ in extract_from_dir(
        str(PORTAL_DIR), method_map, options, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_message_has_an_english_translation() -> None:
    with po_path("en").open("rb") as source:
        catalog = read_po(source, locale="en")
    translated = {(m.id if isinstance(m.id, str) else tuple(m.id)): m for m in catalog if m.id}
    used = _template_messages()
    assert len(used) > 250
    missing = sorted(str(m) for m in used if m not in translated)
    assert missing == [], f"messages without an entry in portal.po: {missing}"
    empty = [
        str(key)
        for key in used
        if not all(
            translated[key].string
            if isinstance(translated[key].string, tuple)
            else [translated[key].string]
        )
        or "fuzzy" in translated[key].flags
    ]
    assert empty == [], f"messages without an English translation: {empty}"
    unused = sorted(str(key) for key in translated if key not in used)
    assert unused == [], f"portal.po holds messages no template uses: {unused}"
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert problems == []  # placeholders of msgid and msgstr agree


def test_templates_and_translation_file_agree_on_placeholders(portal: Portal) -> None:
    """Every English page renders: a placeholder missing from a translation would raise."""
    client = TestClient(portal.client.app)
    with client:
        for path in [*PAGES, "/dataset?q=zzzqqq+siniestros", "/dataset/no_existe"]:
            separator = "&" if "?" in path else "?"
            answer = client.get(f"{path}{separator}lang=en", headers=HTML)
            assert answer.status_code in (200, 404), path
            assert BeautifulSoup(answer.text, "html.parser").html["lang"] == "en"


# ---------------------------------------------------------------------------------- safety


def test_hostile_text_in_records_and_queries_is_escaped(portal: Portal) -> None:
    page = portal.get(f"/dataset/{HOSTILE}")
    assert page.status_code == 200
    assert "<script>" not in page.text and "<img" not in page.text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page.text
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.h1.get_text(strip=True) == f"{SCRIPT} Análisis <b>hostil</b>"
    assert soup.find("b") is None

    listing = portal.get(f"/dataset?q={SCRIPT}&tags=%22%3E%3Cscript%3Ealert(2)%3C/script%3E")
    assert "<script>" not in listing.text
    soup = BeautifulSoup(listing.text, "html.parser")
    assert soup.select_one("#q")["value"] == SCRIPT  # reflected, as an attribute value only
    assert soup.find("script") is None
    found = portal.get("/dataset?q=hostil")
    assert "<script>" not in found.text and "&lt;script&gt;" in found.text


def test_security_headers_on_pages_and_cache_headers_on_static_files(portal: Portal) -> None:
    for path in ("/", f"/dataset/{REAL}", "/territorio", "/dataset/no_existe"):
        answer = portal.get(path)
        csp = answer.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "script-src" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert answer.headers["cache-control"] == "no-cache"
    soup = portal.soup("/")
    stylesheet = soup.find("link", rel="stylesheet")["href"]
    assert re.fullmatch(r"/static/portal\.css\?v=[0-9a-f]{16}", stylesheet)
    css = portal.client.get(stylesheet)
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.headers["x-content-type-options"] == "nosniff"
    again = portal.client.get(stylesheet, headers={"if-none-match": css.headers["etag"]})
    assert again.status_code == 304 and not again.content


# ------------------------------------------------------------------------------- territory


def test_territory_defaults_to_the_latest_complete_month(portal: Portal) -> None:
    soup = portal.soup("/territorio")
    assert soup.select_one("#periodo option[selected]")["value"] == "2025-02"
    assert soup.select_one("#indicador option[selected]")["value"] == "notificaciones_salud_100k"
    options = [o["value"] for o in soup.select("#indicador option")]
    assert options == ["notificaciones_salud_100k", "pm25_promedio"]  # not another model's
    rows = soup.select("table.ranking tbody tr")
    assert len(rows) == 20
    names = [r.th.a.get_text() for r in rows]
    expected = sorted(
        LOCALIDADES, key=lambda loc: -(_notifications(loc[0], "2025-02") or 0) / loc[2]
    )
    assert names == [name for _, name, _ in expected]
    sumapaz = next(r for r in rows if "Sumapaz" in r.get_text())
    assert "rural" in sumapaz.get_text() and "rural" in sumapaz["class"]
    svg = soup.select_one("figure svg.chart")
    assert svg["role"] == "img" and len(svg.select("rect.bar")) == 20
    assert "Sumapaz (rural)" in [t.get_text() for t in svg.select("text.bar-label")]
    events = sum(_notifications(c, "2025-02") or 0 for c, _, _ in LOCALIDADES)
    people = sum(p for _, _, p in LOCALIDADES)
    district = f"{events / people * 100_000:.1f}".replace(".", ",")
    assert f"Bogotá (distrito): {district}" in _text(soup.select_one(".district"))
    assert "No hay mapa" in _text(soup)


def test_territory_period_and_indicator_chosen_by_the_reader(portal: Portal) -> None:
    soup = portal.soup("/territorio?indicador=notificaciones_salud_100k&periodo=2025-03")
    rows = soup.select("table.ranking tbody tr")
    assert rows[-1].th.a.get_text() == "Sumapaz" and "sin dato" in rows[-1].get_text()
    assert "19 de 20 localidades tienen dato" in _text(soup)
    pm25 = portal.soup("/territorio?indicador=pm25_promedio")
    assert pm25.select_one("#periodo option[selected]")["value"] == "2025-03"
    ranked = [r.th.a.get_text() for r in pm25.select("table.ranking tbody tr")][:3]
    assert ranked == ["Ciudad Bolívar", "Kennedy", "Usaquén"]
    weighted = (29 * 1900 + 18 * 800 + 11 * 100) / (1900 + 800 + 100)
    assert f"{weighted:.1f}".replace(".", ",") in _text(pm25.select_one(".district"))
    hostile = portal.soup("/territorio?indicador=%3Cscript%3E&periodo=1999-01")
    assert hostile.select_one("#periodo option[selected]")["value"] == "2025-02"


def test_a_localidad_page_shows_its_series_against_the_district(portal: Portal) -> None:
    soup = portal.soup("/territorio/20?indicador=notificaciones_salud_100k")
    assert soup.h1.get_text(strip=True) == "Localidad 20 · Sumapaz"
    assert "La única localidad rural de Bogotá" in _text(soup)
    svg = soup.select_one("#serie-title").find_next("svg")
    assert svg["role"] == "img" and len(svg.select("g.series")) == 2
    legend = [li.get_text(strip=True) for li in soup.select(".legend li")]
    assert legend == ["Sumapaz", "Bogotá (distrito)"]
    table = soup.select_one("#serie-table").find_parent("table")
    cells = [
        [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        for tr in table.select("tbody tr")
    ]
    assert [row[0] for row in cells] == ["marzo de 2025", "febrero de 2025", "enero de 2025"]
    assert cells[0][1] == "sin dato"
    summary = {
        tr.th.a.get_text(strip=True): tr for tr in soup.select("#summary-title ~ div tbody tr")
    }
    cells = [
        td.get_text(" ", strip=True)
        for td in summary["Notificaciones en salud por 100.000 habitantes"].find_all("td")
    ]
    assert cells[0] == "1.525" and cells[2] == "1 de 20"  # 61 events among 4,000 people
    pm25 = [td.get_text(" ", strip=True) for td in summary["PM2,5 promedio"].find_all("td")]
    assert pm25[0] == "sin dato" and pm25[2] == "–"
    station = portal.soup("/territorio/20?indicador=pm25_promedio")
    assert "Sumapaz no tiene datos de este indicador en ningún mes" in _text(station)


def test_territory_reads_the_mart_as_written(portal: Portal) -> None:
    con = connect(portal.settings, [Zone.CURATED], read_only=True)
    try:
        territory: Territory = read_territory(con)
    finally:
        con.close()
    assert [loc.code for loc in territory.localidades] == [f"{i:02d}" for i in range(1, 21)]
    assert territory.periods == tuple(PERIODS)
    assert territory.default_period() == "2025-02"
    assert territory.places("2025-03", "pm25_promedio")[0][2] == 1
    ties = territory.places("2025-01", "pm25_promedio")
    assert [p for _, v, p in ties if v is None] == [None] * 17


def test_territory_unavailable_without_the_mart(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "empty-home")
    with TestClient(
        create_app(settings, ServiceConfig(public_url=ROOT, poll_seconds=60))
    ) as client:
        page = client.get("/territorio", headers=HTML)
        assert page.status_code == 503 and "no están disponibles" in page.text
        home = client.get("/", headers=HTML)
        assert home.status_code == 200 and "Todavía no hay conjuntos publicados." in home.text
        dimension = client.get("/dimension/personas", headers=HTML)
        assert dimension.status_code == 200
        assert "Los indicadores por localidad no están disponibles" in dimension.text


# ---------------------------------------------------------------------------------- pieces


def test_nice_ticks_cover_the_values_with_round_steps() -> None:
    assert charts.nice_ticks(0, 3.8, 4) == [0, 1, 2, 3, 4]
    assert charts.nice_ticks(0, 1234, 4) == [0, 500, 1000, 1500]
    assert charts.nice_ticks(0, 0.07, 4) == [0, 0.02, 0.04, 0.06, 0.08]


def test_bar_widths_are_proportional_and_missing_values_draw_no_bar() -> None:
    chart = charts.bar_chart(
        [charts.BarItem("a", 4.0), charts.BarItem("b", 2.0), charts.BarItem("c", None)],
        fmt=str,
        missing="sin dato",
    )
    a, b, c = chart.bars
    assert a.width == pytest.approx(2 * b.width) and a.width == pytest.approx(chart.plot_width)
    assert c.width == 0 and c.text == "sin dato"
    assert chart.height == chart.top + 3 * chart.row_height + 28


def test_a_missing_value_breaks_the_line() -> None:
    chart = charts.line_chart(
        ["e", "f", "m", "a", "y"], [("x", [1.0, 2.0, None, 3.0, 4.0])], fmt=str
    )
    (series,) = chart.series
    assert len(series.segments) == 2 and len(series.points) == 4
    assert [t.anchor for t in chart.x_labels] == ["start", "middle", "middle", "middle", "end"]


def test_search_request_urls_keep_every_parameter_but_the_page() -> None:
    from starlette.datastructures import QueryParams

    request = SearchRequest.parse(
        "/dataset", QueryParams("q=aire&groups=ambiente&tags=pm2&sort=downloads+desc&page=3")
    )
    assert request.page == 3 and request.filters == (("groups", "ambiente"), ("tags", "pm2"))
    assert request.removing("tags", "pm2") == "/dataset?q=aire&groups=ambiente&sort=downloads+desc"
    assert request.url(page=2).endswith("&page=2")
    assert request.fq() == 'groups:"ambiente" tags:"pm2"'
