"""The results page (``/dataset``) and the pages that list a slice of the catalog (an entidad,
a sector, a dimension): CKAN's URL parameters turned into a search of the in-memory index.

Parameters, as CKAN's own ``/dataset`` page takes them: ``q`` (the index's Spanish search
syntax), ``sort`` (one of :data:`SORT_OPTIONS`, CKAN's sort strings), ``page`` (from 1) and
one parameter per facet filter (``organization``, ``groups``, ``tags``, ``res_format``,
``license_id``, ``frequency``, ``dimension``, ``quality_level``), each repeatable. As in CKAN,
every filter narrows the results (they are ANDed, also two values of one field), and the
facet counts are counted within the current results, so every value offered leads somewhere.
``_<field>_limit=0`` shows all of a facet's values (CKAN's "show more").

Filter values reach the index quoted and escaped (``field:"value"``), never as query syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from catalog.portal.i18n import N_
from catalog.portal.labels import FACET_TITLES, FREQUENCIES, SEALS
from catalog.records import Package
from catalog.search import SearchIndex, SearchQueryError
from catalog.search.index import SearchResult

PAGE_SIZE = 20
#: Values of a facet shown before "show all".
FACET_SHOWN = 10
#: Pages beyond this are not offered (the index's paging stays cheap; people refine instead).
MAX_PAGE = 500
MAX_QUERY = 500
FACET_FIELDS: tuple[str, ...] = tuple(FACET_TITLES)
#: Facet fields whose values are the portal's own words (translated), not published text.
TRANSLATED_VALUES = {"quality_level": SEALS, "frequency": FREQUENCIES}


@dataclass(frozen=True)
class SortOption:
    value: str  # CKAN's sort string
    label: str  # Spanish msgid


SORT_OPTIONS: tuple[SortOption, ...] = (
    SortOption("score desc, metadata_modified desc", N_("Relevancia")),
    SortOption("metadata_modified desc", N_("Actualizados recientemente")),
    SortOption("title_string asc", N_("Nombre (A-Z)")),
    SortOption("quality_score desc", N_("Mejor calidad")),
    SortOption("downloads desc", N_("Más descargados")),
)
DEFAULT_SORT = SORT_OPTIONS[0].value
_SORTS = {option.value for option in SORT_OPTIONS}


def quoted(value: str) -> str:
    """A value as a quoted phrase of the search syntax: backslashes and quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Scope:
    """The filter a page stands for (``/organization/<name>``): applied, never removable."""

    field: str
    value: str


@dataclass(frozen=True)
class SearchRequest:
    """The reader's search, read from the URL; builds the URLs of its variations."""

    path: str
    q: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    filters: tuple[tuple[str, str], ...] = ()
    expanded: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, path: str, params: QueryParams) -> SearchRequest:
        sort = params.get("sort", DEFAULT_SORT)
        filters = tuple(
            dict.fromkeys(
                (name, value.strip()[:MAX_QUERY])
                for name, value in params.multi_items()
                if name in FACET_TITLES and value.strip()
            )
        )
        expanded = frozenset(f for f in FACET_FIELDS if params.get(f"_{f}_limit") == "0")
        return cls(
            path=path,
            q=params.get("q", "").strip()[:MAX_QUERY],
            sort=sort if sort in _SORTS else DEFAULT_SORT,
            page=_page_number(params.get("page")),
            filters=filters,
            expanded=expanded,
        )

    def fq(self, scope: Scope | None = None) -> str:
        pairs = [*self.filters, *([(scope.field, scope.value)] if scope else [])]
        return " ".join(f"{name}:{quoted(value)}" for name, value in pairs)

    def url(self, **changes: object) -> str:
        """This search with ``changes`` (fields of the dataclass); back to page 1 unless a
        page is given, since any other change reorders the results."""
        changed = replace(self, **{"page": 1, **changes})  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = []
        if changed.q:
            pairs.append(("q", changed.q))
        pairs.extend(changed.filters)
        if changed.sort != DEFAULT_SORT:
            pairs.append(("sort", changed.sort))
        pairs.extend((f"_{name}_limit", "0") for name in sorted(changed.expanded))
        if changed.page > 1:
            pairs.append(("page", str(changed.page)))
        return f"{self.path}?{urlencode(pairs)}" if pairs else self.path

    def adding(self, name: str, value: str) -> str:
        return self.url(filters=(*self.filters, (name, value)))

    def removing(self, name: str, value: str) -> str:
        return self.url(filters=tuple(f for f in self.filters if f != (name, value)))

    def is_active(self, name: str, value: str) -> bool:
        return (name, value) in self.filters


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


@dataclass(frozen=True)
class FacetEntry:
    name: str
    display: str
    translated: bool  # ``display`` is a msgid to translate
    count: int
    active: bool
    url: str  # adds the filter, or removes it when active


@dataclass(frozen=True)
class Facet:
    field: str
    title: str  # msgid
    entries: tuple[FacetEntry, ...]
    more_url: str | None  # "show all" when values were left out
    less_url: str | None  # "show fewer" when all are shown


@dataclass(frozen=True)
class ActiveFilter:
    field: str
    title: str  # msgid
    display: str
    translated: bool
    remove_url: str


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    page: int
    pages: int
    previous_url: str | None
    next_url: str | None
    links: tuple[PageLink | None, ...]  # ``None`` is a gap (…)


@dataclass(frozen=True)
class Suggestion:
    q: str
    url: str
    count: int
    without_filters: bool


@dataclass(frozen=True)
class Listing:
    request: SearchRequest
    count: int
    results: Sequence[Package]
    facets: tuple[Facet, ...]
    active: tuple[ActiveFilter, ...]
    pagination: Pagination
    sort_options: tuple[SortOption, ...]
    error: str | None
    suggestions: tuple[Suggestion, ...]
    clear_url: str


def search_listing(
    index: SearchIndex,
    request: SearchRequest,
    *,
    scope: Scope | None = None,
    facet_fields: Sequence[str] = FACET_FIELDS,
) -> Listing:
    """One page of results for ``request`` within ``scope``, with facets and suggestions."""
    fields = [f for f in facet_fields if scope is None or f != scope.field]
    error: str | None = None
    try:
        result = index.search(
            q=request.q,
            fq=request.fq(scope),
            facet_fields=fields,
            facet_limit=-1,
            sort=request.sort,
            rows=PAGE_SIZE,
            start=(request.page - 1) * PAGE_SIZE,
        )
    except SearchQueryError as err:
        error = str(err)
        result = SearchResult(0, [], {f: [] for f in fields}, request.sort)
    facets = tuple(_facet(request, name, result) for name in fields)
    displays = {(f.field, e.name): e for f in facets for e in f.entries}
    active = tuple(_active(request, name, value, displays) for name, value in request.filters)
    suggestions = () if result.count or error else _suggestions(index, request, scope)
    return Listing(
        request=request,
        count=result.count,
        results=result.results,
        facets=facets,
        active=active,
        pagination=paginate(request, result.count),
        sort_options=SORT_OPTIONS,
        error=error,
        suggestions=suggestions,
        clear_url=request.url(filters=()),
    )


def _display(name: str, value: str, display_name: str) -> tuple[str, bool]:
    words = TRANSLATED_VALUES.get(name)
    if words is not None and value in words:
        return words[value], True
    return display_name, False


def _facet(request: SearchRequest, name: str, result: SearchResult) -> Facet:
    items = result.facets.get(name, [])
    shown = items if name in request.expanded else items[:FACET_SHOWN]
    entries = []
    for item in shown:
        active = request.is_active(name, item.name)
        display, translated = _display(name, item.name, item.display_name)
        entries.append(
            FacetEntry(
                name=item.name,
                display=display,
                translated=translated,
                count=item.count,
                active=active,
                url=request.removing(name, item.name)
                if active
                else request.adding(name, item.name),
            )
        )
    more = request.url(expanded=request.expanded | {name}, page=request.page)
    less = request.url(expanded=request.expanded - {name}, page=request.page)
    return Facet(
        field=name,
        title=FACET_TITLES[name],
        entries=tuple(entries),
        more_url=more if len(items) > len(shown) else None,
        less_url=less if name in request.expanded and len(items) > FACET_SHOWN else None,
    )


def _active(
    request: SearchRequest, name: str, value: str, displays: dict[tuple[str, str], FacetEntry]
) -> ActiveFilter:
    entry = displays.get((name, value))
    display, translated = (
        (entry.display, entry.translated) if entry else _display(name, value, value)
    )
    return ActiveFilter(
        field=name,
        title=FACET_TITLES[name],
        display=display,
        translated=translated,
        remove_url=request.removing(name, value),
    )


def paginate(request: SearchRequest, count: int) -> Pagination:
    """Previous/next and a window of page numbers around the current page."""
    pages = min(max(1, -(-count // PAGE_SIZE)), MAX_PAGE)
    page = request.page
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[PageLink | None] = []
    for number in wanted:
        if links and links[-1] is not None and number - links[-1].number > 1:
            links.append(None)
        links.append(PageLink(number, request.url(page=number), number == page))
    return Pagination(
        page=page,
        pages=pages,
        previous_url=request.url(page=page - 1) if 1 < page <= pages else None,
        next_url=request.url(page=page + 1) if page < pages else None,
        links=tuple(links) if pages > 1 else (),
    )


def _count(index: SearchIndex, q: str, fq: str) -> int:
    try:
        return index.search(q=q, fq=fq, rows=0).count
    except SearchQueryError:
        return 0


def _suggestions(
    index: SearchIndex, request: SearchRequest, scope: Scope | None
) -> tuple[Suggestion, ...]:
    """Searches near an empty one that do find something: without the filters, with fewer
    words, or with the word as a prefix."""
    found: list[Suggestion] = []
    scoped = SearchRequest(path=request.path).fq(scope)
    if request.filters and request.q:
        count = _count(index, request.q, scoped)
        if count:
            found.append(Suggestion(request.q, request.url(filters=()), count, True))
    words = [w for w in request.q.split() if w.isalnum()]
    if len(words) > 1:
        for word in words:
            count = _count(index, word, request.fq(scope))
            if count:
                found.append(Suggestion(word, request.url(q=word), count, False))
    elif len(words) == 1 and len(words[0]) >= 3:
        prefix = f"{words[0][: max(3, len(words[0]) - 2)]}*"
        count = _count(index, prefix, request.fq(scope))
        if count:
            found.append(Suggestion(prefix, request.url(q=prefix), count, False))
    return tuple(found[:5])
