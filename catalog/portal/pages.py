"""The portal's routes: each one reads the request, asks a view module for what to show and
renders a template. Pages that only read the in-memory catalog are ``async`` (no thread
hop); the dataset page and the territory pages read DuckDB and run in the thread pool.

CKAN's paths where CKAN has them (``/dataset``, ``/dataset/<name>``, ``/organization``,
``/group``), so links and habits from Bogotá's current portal keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from catalog.portal import dataset as dataset_view
from catalog.portal import territory as territory_view
from catalog.portal.charts import BarItem, bar_chart, line_chart
from catalog.portal.formatting import Formatter, formatter
from catalog.portal.i18n import BABEL_LOCALES, N_, requested_language
from catalog.portal.labels import DIMENSIONS, dimension_slug
from catalog.portal.listing import Scope, SearchRequest, search_listing
from catalog.portal.rendering import Renderer
from catalog.portal.territory import Territory, TerritorySource, TerritoryUnavailable
from catalog.portal.web import StaticFiles
from catalog.records import Package
from catalog.service.live import CatalogView
from catalog.service.state import Service, service_of
from catalog.specs import SECTOR_NAMES, Sector

router = APIRouter(include_in_schema=False)


def page(path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A portal route for GET and HEAD (link checkers and crawlers ask HEAD first)."""
    return router.api_route(path, methods=["GET", "HEAD"])


HOME_FEATURED = 4
HOME_RECENT = 6


@dataclass
class Portal:
    """What the portal keeps per worker: templates, static files, the territory's data."""

    renderer: Renderer
    static: StaticFiles
    territory: TerritorySource
    previews: dataset_view.PreviewCache


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


def formatter_of(request: Request) -> Formatter:
    return formatter(BABEL_LOCALES[requested_language(request)[0]])


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return portal_of(request).renderer.page(request, template, context, status=status)


def not_found(request: Request, message: str, **values: str) -> Response:
    """The portal's 404: a page in the reader's language that helps them on."""
    return render(
        request, "error.html", status=404, status_code=404, message=message, values=values
    )


def _facet_counts(service: Service, view: CatalogView, field: str) -> dict[str, int]:
    def count() -> dict[str, int]:
        result = service.live.index.search(rows=0, facet_fields=[field], facet_limit=-1)
        return {item.name: item.count for item in result.facets[field]}

    counts: dict[str, int] = view.cached(("portal-counts", field), count)
    return counts


def _territory(request: Request) -> Territory | None:
    try:
        return portal_of(request).territory.get(service_of(request))
    except TerritoryUnavailable:
        return None


# ----------------------------------------------------------------------------------- home


@page("/")
async def home(request: Request) -> Response:
    service = service_of(request)
    view = service.live.view
    index = service.live.index
    groups = _facet_counts(service, view, "groups")
    dimensions = _facet_counts(service, view, "dimension")
    organizations = _facet_counts(service, view, "organization")
    return render(
        request,
        "home.html",
        counts={
            "datasets": len(view.packages),
            "organizations": len(organizations),
            "sectors": len(groups),
            "downloads": sum(p["downloads"] for p in view.packages.values()),
        },
        featured=index.search(
            sort="quality_score desc, downloads desc", rows=HOME_FEATURED
        ).results,
        recent=index.search(sort="metadata_modified desc", rows=HOME_RECENT).results,
        sectors=_sectors(groups),
        dimensions=_dimensions(dimensions),
    )


def _sectors(counts: dict[str, int]) -> list[dict[str, Any]]:
    return sorted(
        (
            {
                "name": sector.value,
                "title": SECTOR_NAMES[sector],
                "count": counts.get(sector.value, 0),
            }
            for sector in Sector
            if counts.get(sector.value)
        ),
        key=lambda item: str(item["title"]),
    )


def _dimensions(counts: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "slug": slug,
            "name": dimension.value,
            "summary": summary,
            "count": counts.get(dimension.value, 0),
        }
        for slug, (dimension, summary) in DIMENSIONS.items()
    ]


# -------------------------------------------------------------------------------- results


def _listing_page(
    request: Request, template: str, scope: Scope | None = None, **context: Any
) -> Response:
    service = service_of(request)
    search = SearchRequest.parse(request.url.path, request.query_params)
    listing = search_listing(service.live.index, search, scope=scope)
    status = 400 if listing.error else 200
    return render(request, template, status=status, listing=listing, scope=scope, **context)


@page("/dataset")
async def dataset_search(request: Request) -> Response:
    return _listing_page(request, "search.html")


# ---------------------------------------------------------------------------- dataset page


@page("/dataset/{name}")
def dataset_page(request: Request, name: str) -> Response:
    service = service_of(request)
    package = service.live.view.package(name)
    if package is None:
        return not_found(request, N_("No encontramos el conjunto de datos «%(name)s»."), name=name)
    fmt = formatter_of(request)
    page = dataset_view.preview_page(request.query_params.get("pagina"))
    return render(
        request,
        "dataset.html",
        package=package,
        metadata=dataset_view.metadata_rows(package, fmt),
        quality=dataset_view.quality_view(package["quality"], fmt),
        privacy=dataset_view.privacy_view(package["privacy"]),
        lineage=dataset_view.lineage_steps(package),
        releases=dataset_view.download_releases(service, package),
        snippets=dataset_view.api_snippets(service.root, package),
        preview=portal_of(request).previews.get_or_read(
            (service.live.view.version, package["name"], page),
            lambda: dataset_view.preview(service, package, page),
        ),
        links=_metadata_links(service, package),
    )


def _metadata_links(service: Service, package: Package) -> list[tuple[str, str]]:
    root, name = service.root, package["name"]
    return [
        ("DCAT-AP (Turtle)", f"{root}/dataset/{name}.ttl"),
        ("DCAT-AP (JSON-LD)", f"{root}/dataset/{name}.jsonld"),
        ("CKAN API (package_show)", f"{root}/api/3/action/package_show?id={name}"),
    ]


# ------------------------------------------------------------------ entidades and sectores


@page("/organization")
async def organization_list(request: Request) -> Response:
    service = service_of(request)
    view = service.live.view
    counts = _facet_counts(service, view, "organization")
    organizations = sorted(
        (
            {
                "name": org["name"],
                "title": org["title"],
                "description": org["description"],
                "count": counts.get(org["name"], 0),
            }
            for org in view.organizations.values()
        ),
        key=lambda item: str(item["title"]).lower(),
    )
    return render(request, "organizations.html", organizations=organizations)


@page("/organization/{name}")
async def organization_page(request: Request, name: str) -> Response:
    organization = service_of(request).live.view.organization(name)
    if organization is None:
        return not_found(request, N_("No encontramos la entidad «%(name)s»."), name=name)
    return _listing_page(
        request,
        "organization.html",
        Scope("organization", organization["name"]),
        organization=organization,
    )


@page("/group")
async def group_list(request: Request) -> Response:
    service = service_of(request)
    counts = _facet_counts(service, service.live.view, "groups")
    return render(request, "groups.html", sectors=_sectors(counts))


@page("/group/{name}")
async def group_page(request: Request, name: str) -> Response:
    sector = next((s for s in Sector if s.value == name), None)
    if sector is None:
        return not_found(request, N_("No encontramos el sector «%(name)s»."), name=name)
    return _listing_page(
        request,
        "group.html",
        Scope("groups", sector.value),
        sector={"name": sector.value, "title": SECTOR_NAMES[sector]},
    )


# ------------------------------------------------------------------------------ dimensions


@page("/dimension")
async def dimension_list(request: Request) -> Response:
    service = service_of(request)
    counts = _facet_counts(service, service.live.view, "dimension")
    return render(request, "dimensions.html", dimensions=_dimensions(counts))


@page("/dimension/{slug}")
def dimension_page(request: Request, slug: str) -> Response:
    found = DIMENSIONS.get(slug)
    if found is None:
        return not_found(request, N_("No encontramos la dimensión «%(name)s»."), name=slug)
    dimension, summary = found
    territory = _territory(request)
    indicators = (
        [i for i in territory.indicators if i.dimension == dimension.value] if territory else []
    )
    return _listing_page(
        request,
        "dimension.html",
        Scope("dimension", dimension.value),
        dimension={"slug": slug, "name": dimension.value, "summary": summary},
        indicators=indicators,
        territory_available=territory is not None,
    )


# ------------------------------------------------------------------------------- territory


@page("/territorio")
def territory_page(request: Request) -> Response:
    territory = _territory(request)
    if territory is None or not territory.periods:
        return render(request, "territory_unavailable.html", status=503)
    fmt = formatter_of(request)
    wanted = territory.indicator(request.query_params.get("indicador"))
    period = territory_view.chosen(
        territory.periods,
        request.query_params.get("periodo"),
        territory.default_period(wanted.code if wanted else None),
    )
    assert period is not None
    indicator = wanted or territory.default_indicator(period)
    if indicator is None:
        return render(request, "territory_unavailable.html", status=503)
    ranking = territory.ranking(period, indicator.code)
    chart = bar_chart(
        [
            BarItem(
                label=f"{loc.name} (rural)" if loc.rural else loc.name,
                value=value,
                highlight=loc.rural,
                href=f"/territorio/{loc.code}?indicador={indicator.code}&periodo={period}",
            )
            for loc, value in ranking
        ],
        fmt=fmt.number,
        missing=portal_of(request).renderer.gettext(requested_language(request)[0], N_("sin dato")),
    )
    return render(
        request,
        "territory.html",
        territory=territory,
        indicator=indicator,
        period=period,
        ranking=territory.places(period, indicator.code),
        chart=chart,
        district=territory.district(period, indicator.code),
        district_kind=territory.district_kind(indicator.code),
        coverage=territory.coverage(period, indicator.code),
        dimension_slug=dimension_slug(indicator.dimension),
        source_titles=_source_titles(service_of(request), indicator.sources),
    )


def _source_titles(service: Service, sources: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """Each source dataset's title and page, when it is in the catalog."""
    view = service.live.view
    found: list[tuple[str, str | None]] = []
    for name in sources:
        package = view.package(name)
        found.append((package["title"], f"/dataset/{name}") if package else (name, None))
    return found


@page("/territorio/{codigo}")
def localidad_page(request: Request, codigo: str) -> Response:
    territory = _territory(request)
    if territory is None or not territory.periods:
        return render(request, "territory_unavailable.html", status=503)
    localidad = territory.localidad(codigo)
    if localidad is None:
        return not_found(request, N_("No encontramos la localidad «%(name)s»."), name=codigo)
    fmt = formatter_of(request)
    indicator = (
        territory.indicator(request.query_params.get("indicador")) or territory.indicators[0]
    )
    period = territory_view.chosen(
        territory.periods, request.query_params.get("periodo"), territory.default_period(None)
    )
    assert period is not None
    first, last = territory.span(indicator.code)
    periods = territory.periods[first : last + 1]
    own = territory.series(localidad.code, indicator.code)[first : last + 1]
    district = territory.district_series(indicator.code)[first : last + 1]
    bogota = portal_of(request).renderer.gettext(
        requested_language(request)[0], N_("Bogotá (distrito)")
    )
    chart = line_chart(
        [fmt.short_period(p) for p in periods],
        [(localidad.name, own), (bogota, district)],
        fmt=fmt.number,
    )
    summary = [
        {
            "indicator": item,
            "value": territory.value(localidad.code, period, item.code),
            "district": territory.district(period, item.code),
            "district_kind": territory.district_kind(item.code),
            "rank": territory.place(localidad.code, period, item.code),
            "ranked": territory.coverage(period, item.code),
        }
        for item in territory.indicators
    ]
    return render(
        request,
        "localidad.html",
        territory=territory,
        localidad=localidad,
        indicator=indicator,
        period=period,
        summary=summary,
        chart=chart,
        series=list(zip(periods, own, district, strict=True)),
        own_missing=all(value is None for value in own),
    )


# ---------------------------------------------------------------------------------- static


@page("/static/{name}")
async def static_file(request: Request, name: str) -> Response:
    found = portal_of(request).static.response(request, name)
    if found is None:
        return not_found(request, N_("No encontramos el archivo «%(name)s»."), name=name)
    return found
