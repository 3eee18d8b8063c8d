"""The catalog's search engine (catalog/search): Spanish analysis, q and fq, ranking, facets,
sorts, paging, updates, and hostile input.

Expected results are computed here from the package dicts with plain Python, never by asking
the index, so a wrong index cannot agree with itself.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from catalog.search import SearchIndex, SearchQueryError, analysis
from catalog.search.index import MAX_ROWS
from tests.fixtures.packages import synthetic_package, synthetic_packages

Package = dict[str, Any]

CATALOG_SIZE = 400
FACETS = (
    "organization",
    "groups",
    "tags",
    "res_format",
    "license_id",
    "sector",
    "dimension",
    "frequency",
    "quality_level",
)


@pytest.fixture(scope="module")
def packages() -> list[Package]:
    return [dict(p) for p in synthetic_packages(CATALOG_SIZE)]


@pytest.fixture(scope="module")
def index(packages: list[Package]) -> SearchIndex:
    return SearchIndex.build(packages)  # type: ignore[arg-type]


def _tag(name: str) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def dataset(
    name: str, title: str, notes: str = "", tags: tuple[str, ...] = (), **extra: Any
) -> Package:
    """A synthetic record with the given texts and a neutral publisher (no search words)."""
    base: Package = dict(synthetic_package(len(name)))
    organization = {
        **base["organization"],
        "name": "entidad-de-prueba",
        "title": "Entidad de prueba",
    }
    return {
        **base,
        "id": f"id-{name}",
        "name": name,
        "title": title,
        "notes": notes or "Registro administrativo publicado por la entidad.",
        "tags": [_tag(t) for t in tags],
        "organization": organization,
        "groups": [],
        **extra,
    }


def names(result: Any) -> list[str]:
    return [p["name"] for p in result.results]


def found(index: SearchIndex, q: str = "", fq: str = "", **kwargs: Any) -> set[str]:
    return set(names(index.search(q=q, fq=fq, rows=MAX_ROWS, **kwargs)))


def having(packages: list[Package], predicate: Callable[[Package], bool]) -> set[str]:
    return {p["name"] for p in packages if predicate(p)}


def tags_of(p: Package) -> set[str]:
    return {t["name"] for t in p["tags"]}


def formats_of(p: Package) -> set[str]:
    return {r["format"] for r in p["resources"]}


# --------------------------------------------------------------------------- Spanish analysis


def test_analysis_folds_case_accents_and_enye_before_stemming() -> None:
    assert analysis.terms("EDUCACIÓN") == analysis.terms("educacion")
    assert analysis.terms("Economía") == analysis.terms("economia")
    assert analysis.terms("niños") == analysis.terms("niño") == analysis.terms("NINOS")
    assert analysis.terms("accidentes") == analysis.terms("accidente")
    assert analysis.terms("de la y los en el") == []  # Snowball's Spanish stop words
    assert analysis.words("PM2.5 covid-19") == ["pm2", "5", "covid", "19"]


@pytest.fixture(scope="module")
def spanish() -> SearchIndex:
    return SearchIndex.build(
        [  # type: ignore[list-item]
            dataset("accidente", "Accidente de tránsito en Kennedy"),
            dataset("movilidad", "Movilidad Bogotá"),
            dataset("educacion", "Educación inicial"),
            dataset("ninos", "Atención al niño en riesgo"),
            dataset("otro", "Licencias de construcción", notes="Trámites urbanísticos."),
        ]
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("accidentes", {"accidente"}),
        ("movilidad bogota", {"movilidad"}),
        ("MOVILIDAD BOGOTÁ", {"movilidad"}),
        ("educacion", {"educacion"}),
        ("EDUCACIÓN", {"educacion"}),
        ("niños", {"ninos"}),
        ("ninos", {"ninos"}),
        ("transito", {"accidente"}),
        ("educ*", {"educacion"}),
        ("Educ*", {"educacion"}),
    ],
)
def test_spanish_queries_find_their_datasets(
    spanish: SearchIndex, q: str, expected: set[str]
) -> None:
    assert found(spanish, q) == expected


def test_a_query_of_only_stop_words_finds_nothing(spanish: SearchIndex) -> None:
    assert found(spanish, "de la") == set()
    assert spanish.search(q="").count == 5


# --------------------------------------------------------------------------- ranking


def test_title_match_outranks_tags_then_description_then_publisher() -> None:
    index = SearchIndex.build(
        [  # type: ignore[list-item]
            dataset("en_descripcion", "Registro general", notes="Mediciones de ruido por barrio."),
            dataset(
                "en_publicador",
                "Inventario",
                organization={
                    **synthetic_package(0)["organization"],
                    "name": "ruido-sa",
                    "title": "Ruido S.A.",
                },
            ),
            dataset("en_etiquetas", "Mediciones urbanas", tags=("ruido",)),
            dataset("en_titulo", "Ruido ambiental"),
            dataset("sin_ruido", "Arbolado urbano"),
        ]
    )
    result = index.search(q="ruido")
    assert names(result) == ["en_titulo", "en_etiquetas", "en_descripcion", "en_publicador"]


def test_title_match_outranks_a_description_that_repeats_the_word() -> None:
    index = SearchIndex.build(
        [  # type: ignore[list-item]
            dataset(
                "descripcion", "Registro", notes="Dengue, dengue y más dengue: casos de dengue."
            ),
            dataset("titulo", "Casos de dengue"),
        ]
    )
    assert names(index.search(q="dengue")) == ["titulo", "descripcion"]


def test_free_text_follows_ckans_minimum_should_match() -> None:
    index = SearchIndex.build(
        [  # type: ignore[list-item]
            dataset("tres", "Casos de dengue en Kennedy 2019"),
            dataset("dos", "Casos de dengue en Suba"),
            dataset("uno", "Casos en Bosa"),
        ]
    )
    # Two words: both must match. Three or four: all but one.
    assert found(index, "dengue kennedy") == {"tres"}
    assert found(index, "dengue kennedy casos") == {"tres", "dos"}
    assert found(index, "dengue kennedy casos 2019") == {"tres"}
    assert names(index.search(q="dengue kennedy casos"))[0] == "tres"


def test_phrases_fields_and_explicit_operators_in_q() -> None:
    index = SearchIndex.build(
        [  # type: ignore[list-item]
            dataset("frase", "Calidad del aire RMCAB"),
            dataset("separadas", "Aire y agua: calidad"),
            dataset("en_notas", "Registro", notes="Vigilancia del dengue"),
            dataset("en_titulo", "Dengue"),
        ]
    )
    assert found(index, '"calidad del aire"') == {"frase"}
    assert found(index, "calidad aire") == {"frase", "separadas"}
    assert found(index, "title:dengue") == {"en_titulo"}
    assert found(index, "notes:dengue") == {"en_notas"}
    assert found(index, 'title:"calidad del aire"') == {"frase"}
    assert found(index, "notes:dengu*") == {"en_notas"}
    assert found(index, "title:dengu*") == {"en_titulo"}
    assert found(index, "dengu*") == {"en_notas", "en_titulo"}
    assert found(index, "dengue OR aire") == {"frase", "separadas", "en_notas", "en_titulo"}
    assert found(index, "dengue -title:dengue") == {"en_notas"}
    assert found(index, "calidad AND NOT rmcab") == {"separadas"}
    assert found(index, "*:*") == {"frase", "separadas", "en_notas", "en_titulo"}
    assert found(index, "(title:aire OR title:dengue) -agua") == {"frase", "en_titulo"}


# --------------------------------------------------------------------------- fq


def _value(field: str) -> Callable[[Package], str]:
    return lambda p: p[field]


FQ_CASES: list[tuple[str, Callable[[Package], bool]]] = [
    ("tags:salud", lambda p: "salud" in tags_of(p)),
    ('tags:"seguridad vial"', lambda p: "seguridad vial" in tags_of(p)),
    ('tags:"vigilancia epidemiologica"', lambda p: "vigilancia epidemiológica" in tags_of(p)),
    (
        "organization:secretaria-distrital-de-salud",
        lambda p: p["organization"]["name"] == "secretaria-distrital-de-salud",
    ),
    ("groups:movilidad", lambda p: p["groups"][0]["name"] == "movilidad"),
    ("res_format:CSV", lambda p: "CSV" in formats_of(p)),
    ("res_format:geojson", lambda p: "GeoJSON" in formats_of(p)),
    ("license_id:CC-BY-4.0", lambda p: p["license_id"] == "CC-BY-4.0"),
    ("sector:salud", lambda p: p["sector"] == "salud"),
    ('dimension:"Calidad de Vida"', lambda p: p["dimension"] == "Calidad de Vida"),
    ("frequency:mensual", lambda p: p["frequency"] == "mensual"),
    ('quality_level:"sin sello"', lambda p: p["quality_level"] == "sin sello"),
    ('tags:"salud" res_format:"CSV"', lambda p: "salud" in tags_of(p) and "CSV" in formats_of(p)),
    (
        "groups:salud AND res_format:JSON",
        lambda p: p["sector"] == "salud" and "JSON" in formats_of(p),
    ),
    (
        "+groups:salud +res_format:JSON",
        lambda p: p["sector"] == "salud" and "JSON" in formats_of(p),
    ),
    ("-res_format:GeoJSON", lambda p: "GeoJSON" not in formats_of(p)),
    ("groups:salud -tags:dengue", lambda p: p["sector"] == "salud" and "dengue" not in tags_of(p)),
    (
        "groups:salud NOT tags:dengue",
        lambda p: p["sector"] == "salud" and "dengue" not in tags_of(p),
    ),
    ("tags:(salud OR dengue)", lambda p: bool({"salud", "dengue"} & tags_of(p))),
    (
        "tags:(dengue OR vectores OR vacunación) -res_format:Parquet",
        lambda p: (
            bool({"dengue", "vectores", "vacunación"} & tags_of(p))
            and "Parquet" not in formats_of(p)
        ),
    ),
    (
        "(groups:salud OR groups:movilidad) quality_level:oro",
        lambda p: p["sector"] in ("salud", "movilidad") and p["quality_level"] == "oro",
    ),
    ("groups:salud OR groups:ambiente", lambda p: p["sector"] in ("salud", "ambiente")),
    ("-(groups:salud OR groups:ambiente)", lambda p: p["sector"] not in ("salud", "ambiente")),
    (
        "quality_level:(oro OR plata) AND -license_id:ODbL-1.0",
        lambda p: p["quality_level"] in ("oro", "plata") and p["license_id"] != "ODbL-1.0",
    ),
    ("tags:sub*", lambda p: any(t.startswith("sub") for t in tags_of(p))),
    ("license_id:*", lambda p: bool(p["license_id"])),
    ("+state:active +capacity:public +dataset_type:dataset", lambda p: True),
    (
        "metadata_modified:[2021-01-01T00:00:00Z TO *]",
        lambda p: p["metadata_modified"] >= "2021-01-01",
    ),
    (
        "metadata_created:[2020-03-01 TO 2020-06-01T00:00:00.000Z}",
        lambda p: "2020-03-01" <= p["metadata_created"] < "2020-06-01T00:00:00",
    ),
    ("quality_score:[8 TO *]", lambda p: p["quality_score"] >= 8),
    ("downloads:{1000 TO 2000]", lambda p: 1000 < p["downloads"] <= 2000),
    (
        "downloads:[* TO 100] OR quality_level:oro",
        lambda p: p["downloads"] <= 100 or p["quality_level"] == "oro",
    ),
]


@pytest.mark.parametrize(("fq", "predicate"), FQ_CASES, ids=[c[0] for c in FQ_CASES])
def test_fq_matches_an_independent_filter(
    index: SearchIndex, packages: list[Package], fq: str, predicate: Callable[[Package], bool]
) -> None:
    expected = having(packages, predicate)
    assert expected  # the case is not vacuous
    assert found(index, fq=fq) == expected


def test_fq_by_name_and_id(index: SearchIndex, packages: list[Package]) -> None:
    target = packages[17]
    assert found(index, fq=f"name:{target['name']}") == {target["name"]}
    assert found(index, fq=f'id:"{target["id"]}"') == {target["name"]}
    assert found(index, fq=f"name:{target['name']} OR id:{packages[3]['id']}") == {
        target["name"],
        packages[3]["name"],
    }


def test_q_and_fq_combine(index: SearchIndex, packages: list[Package]) -> None:
    expected = having(
        packages,
        lambda p: (
            p["sector"] == "salud" and "dengue" in p["title"].lower() and "CSV" in formats_of(p)
        ),
    )
    assert expected
    assert found(index, q="dengue", fq="groups:salud res_format:CSV") == expected


# --------------------------------------------------------------------------- facets


def independent_facets(matching: list[Package]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {f: Counter() for f in FACETS}
    for p in matching:
        counts["organization"][p["organization"]["name"]] += 1
        counts["groups"].update(g["name"] for g in p["groups"])
        counts["tags"].update(tags_of(p))
        counts["res_format"].update(formats_of(p))
        for name in ("license_id", "sector", "dimension", "frequency", "quality_level"):
            counts[name][p[name]] += 1
    return counts


@pytest.mark.parametrize(
    ("q", "fq"), [("", ""), ("salud", ""), ("", "res_format:JSON -groups:salud")]
)
def test_facet_counts_match_an_independent_count(
    index: SearchIndex, packages: list[Package], q: str, fq: str
) -> None:
    result = index.search(q=q, fq=fq, facet_fields=FACETS, facet_limit=-1, rows=MAX_ROWS)
    matching = [p for p in packages if p["name"] in set(names(result))]
    assert len(matching) == result.count > 0
    expected = independent_facets(matching)
    ckan = result.to_ckan()
    for name in FACETS:
        assert ckan["facets"][name] == dict(expected[name]), name
        items = ckan["search_facets"][name]["items"]
        assert [(i["name"], i["count"]) for i in items] == sorted(
            expected[name].items(), key=lambda kv: (-kv[1], kv[0])
        )


def test_facet_display_names_are_titles_for_organizations_and_groups(
    index: SearchIndex, packages: list[Package]
) -> None:
    result = index.search(facet_fields=("organization", "groups", "tags"), facet_limit=-1)
    titles = {p["organization"]["name"]: p["organization"]["title"] for p in packages}
    groups = {g["name"]: g["display_name"] for p in packages for g in p["groups"]}
    assert {i.name: i.display_name for i in result.facets["organization"]} == titles
    assert {i.name: i.display_name for i in result.facets["groups"]} == groups
    assert all(i.display_name == i.name for i in result.facets["tags"])


def test_facet_limit_follows_ckan(index: SearchIndex, packages: list[Package]) -> None:
    every = independent_facets(packages)["tags"]
    assert len(every) > 50  # so that the default limit cuts
    ranked = sorted(every.items(), key=lambda kv: (-kv[1], kv[0]))
    default = index.search(facet_fields=("tags",)).facets["tags"]
    assert [(i.name, i.count) for i in default] == ranked[:50]
    three = index.search(facet_fields=("tags",), facet_limit=3).facets["tags"]
    assert [(i.name, i.count) for i in three] == ranked[:3]
    assert len(index.search(facet_fields=("tags",), facet_limit=-1).facets["tags"]) == len(every)
    assert index.search(facet_fields=("tags",), facet_limit=0).facets["tags"] == []
    assert index.search().to_ckan()["facets"] == {}


# --------------------------------------------------------------------------- sorting and paging


def by(
    key: Callable[[Package], Any], descending: bool = False
) -> Callable[[list[Package]], list[str]]:
    """Name ascending, then (stably) by ``key``: the index's order with its name tie-breaker."""

    def order(matching: list[Package]) -> list[str]:
        ordered = sorted(matching, key=lambda p: p["name"])
        return [p["name"] for p in sorted(ordered, key=key, reverse=descending)]

    return order


SORT_CASES: list[tuple[str, Callable[[list[Package]], list[str]]]] = [
    ("metadata_modified desc", by(lambda p: p["metadata_modified"], descending=True)),
    ("metadata_modified asc", by(lambda p: p["metadata_modified"])),
    ("metadata_created desc", by(lambda p: p["metadata_created"], descending=True)),
    ("title_string asc", by(lambda p: analysis.fold(p["title"]))),
    ("title_string desc", by(lambda p: analysis.fold(p["title"]), descending=True)),
    ("name asc", by(lambda p: p["name"])),
    ("name desc", by(lambda p: p["name"], descending=True)),
    ("downloads desc", by(lambda p: p["downloads"], descending=True)),
    ("quality_score desc", by(lambda p: p["quality_score"], descending=True)),
    ("score desc, metadata_modified desc", by(lambda p: p["metadata_modified"], descending=True)),
    (
        "quality_score desc, downloads asc",
        lambda ps: [
            p["name"]
            for p in sorted(ps, key=lambda p: (-p["quality_score"], p["downloads"], p["name"]))
        ],
    ),
]


@pytest.mark.parametrize(("sort", "expected"), SORT_CASES, ids=[c[0] for c in SORT_CASES])
def test_each_sort_orders_like_python(
    index: SearchIndex,
    packages: list[Package],
    sort: str,
    expected: Callable[[list[Package]], list[str]],
) -> None:
    matching = [p for p in packages if p["sector"] in ("salud", "movilidad", "ambiente")]
    result = index.search(fq="groups:(salud OR movilidad OR ambiente)", sort=sort, rows=MAX_ROWS)
    assert names(result) == expected(matching)
    assert result.sort == sort


def test_datasets_without_a_quality_score_sort_last_both_ways() -> None:
    index = SearchIndex.build(
        [  # type: ignore[list-item]
            dataset("alta", "Alta", quality_score=9.0),
            dataset("sin", "Sin", quality_score=None),
            dataset("baja", "Baja", quality_score=3.0),
        ]
    )
    assert names(index.search(sort="quality_score desc")) == ["alta", "baja", "sin"]
    assert names(index.search(sort="quality_score asc")) == ["baja", "alta", "sin"]


def test_a_repeated_sort_key_changes_nothing(index: SearchIndex) -> None:
    once = names(index.search(q="salud", sort="downloads desc", rows=50))
    assert names(index.search(q="salud", sort="downloads desc, downloads asc", rows=50)) == once


def test_sort_orders_kept_are_bounded(packages: list[Package]) -> None:
    from catalog.search.snapshot import CACHED_ORDERS

    index = SearchIndex.build(packages[:30])  # type: ignore[arg-type]
    keys = ["metadata_modified", "metadata_created", "downloads", "quality_score", "title_string"]
    sorts = [f"{a} asc, {b} desc" for a in keys for b in keys if a != b]
    sorts += [f"{a} desc, {b} asc" for a in keys for b in keys if a != b]
    assert len(sorts) > CACHED_ORDERS
    for sort in sorts:
        first, second = sort.split(", ")
        a, a_way = first.split()
        b, b_way = second.split()
        result = names(index.search(sort=sort, rows=MAX_ROWS))
        value = {
            "metadata_modified": lambda p: p["metadata_modified"],
            "metadata_created": lambda p: p["metadata_created"],
            "downloads": lambda p: p["downloads"],
            "quality_score": lambda p: p["quality_score"],
            "title_string": lambda p: analysis.fold(p["title"]),
        }
        ordered = sorted(packages[:30], key=lambda p: p["name"])
        ordered = sorted(ordered, key=value[b], reverse=b_way == "desc")
        ordered = sorted(ordered, key=value[a], reverse=a_way == "desc")
        assert result == [p["name"] for p in ordered], sort
    assert len(index._snapshot._orders) <= CACHED_ORDERS


def test_default_sort_is_ckans(index: SearchIndex) -> None:
    assert index.search(q="dengue").sort == "score desc, metadata_modified desc"


@pytest.mark.parametrize(
    ("q", "fq", "sort"),
    [
        ("salud", "", None),  # many equal scores: ties must break the same way every page
        ("", "res_format:CSV", "metadata_modified desc"),
        ("bogota", "-groups:salud", "title_string asc"),
        ("movilidad OR ambiente", "", "downloads desc, score desc"),
    ],
)
def test_pages_concatenate_to_the_full_ordered_list(
    index: SearchIndex, q: str, fq: str, sort: str | None
) -> None:
    full = index.search(q=q, fq=fq, sort=sort, rows=MAX_ROWS)
    assert full.count > 20
    pages: list[str] = []
    for start in range(0, full.count + 7, 7):
        page = index.search(q=q, fq=fq, sort=sort, rows=7, start=start)
        assert page.count == full.count
        pages.extend(names(page))
    assert pages == names(full)
    assert len(set(pages)) == full.count


def test_rows_are_capped_at_ckans_maximum() -> None:
    many = SearchIndex.build(synthetic_packages(MAX_ROWS + 50))
    result = many.search(rows=5000)
    assert result.count == MAX_ROWS + 50
    assert len(result.results) == MAX_ROWS
    assert many.search(rows=0).results == []
    assert (
        many.search(rows=10, start=MAX_ROWS + 45).results
        == many.search(rows=1000, start=MAX_ROWS).results[45:]
    )


def test_result_has_ckans_shape(index: SearchIndex) -> None:
    ckan = index.search(q="dengue", facet_fields=("organization",), rows=2).to_ckan()
    assert set(ckan) == {"count", "results", "facets", "search_facets", "sort"}
    assert len(ckan["results"]) == 2
    assert ckan["results"][0]["resources"]  # whole package dicts
    facet = ckan["search_facets"]["organization"]
    assert facet["title"] == "organization"
    assert set(facet["items"][0]) == {"name", "display_name", "count"}


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("q", "fq", "words"),
    [
        ("", "tags:(salud OR dengue", "Paréntesis sin cerrar"),
        ('"calidad del aire', "", "Comillas sin cerrar"),
        ("", "tags:", "Falta el valor"),
        ("", "AND tags:salud", "No se esperaba"),
        ("dengue OR", "", "le falta un término"),
        ("", "tags:salud)", "Paréntesis de cierre sin apertura"),
        ("()", "", "Paréntesis vacíos"),
        ("", "formato:CSV", "Campo desconocido «formato»"),
        ("autor:pepe", "", "Campo desconocido «autor»"),
        ("", "metadata_modified:[2020-01-01 TO", "Rango sin cerrar"),
        ("", "metadata_modified:[ayer TO *]", "Fecha no válida «ayer»"),
        ("", "metadata_modified:[NOW-1DAY TO *]", "Fecha no válida"),
        ("", "quality_score:[alto TO *]", "no es un número"),
        ("", "tags:[a TO b]", "no admite rangos"),
    ],
)
def test_bad_queries_raise_a_spanish_search_query_error(
    index: SearchIndex, q: str, fq: str, words: str
) -> None:
    with pytest.raises(SearchQueryError) as error:
        index.search(q=q, fq=fq)
    assert words in str(error.value)


@pytest.mark.parametrize(
    ("sort", "words"),
    [
        ("popularidad desc", "No se puede ordenar por «popularidad»"),
        ("name", "Orden no válido"),
        ("name arriba", "Orden no válido"),
        ("title_string asc, views desc", "No se puede ordenar por «views»"),
        (" , ", "El orden está vacío"),
    ],
)
def test_bad_sorts_raise(index: SearchIndex, sort: str, words: str) -> None:
    with pytest.raises(SearchQueryError, match=words):
        index.search(sort=sort)


def test_bad_facets_and_paging_raise(index: SearchIndex) -> None:
    with pytest.raises(SearchQueryError, match="No hay facetas para «title»"):
        index.search(facet_fields=("title",))
    with pytest.raises(SearchQueryError, match="rows"):
        index.search(rows=-1)
    with pytest.raises(SearchQueryError, match="start"):
        index.search(start=-5)


# --------------------------------------------------------------------------- updates


def test_upsert_adds_and_replaces_and_remove_takes_out(packages: list[Package]) -> None:
    index = SearchIndex.build(packages[:50])  # type: ignore[arg-type]
    new = dataset("murcielagos", "Murciélagos del humedal", tags=("fauna",), license_id="CC0-1.0")
    index.upsert(new)  # type: ignore[arg-type]
    assert len(index) == 51
    assert found(index, "murcielago") == {"murcielagos"}
    tags = {
        i.name: i.count for i in index.search(facet_fields=("tags",), facet_limit=-1).facets["tags"]
    }
    assert tags["fauna"] == 1

    index.upsert({**new, "title": "Aves del humedal", "tags": [_tag("aves")]})  # type: ignore[typeddict-unknown-key]
    assert len(index) == 51
    assert found(index, "murcielagos") == set()
    assert found(index, "aves") == {"murcielagos"}
    tags = {
        i.name: i.count for i in index.search(facet_fields=("tags",), facet_limit=-1).facets["tags"]
    }
    assert "fauna" not in tags and tags["aves"] == 1
    assert found(index, fq="tags:fauna") == set()

    assert index.remove("murcielagos") is True
    assert index.remove("murcielagos") is False
    assert len(index) == 50
    assert found(index, "aves") == set()
    assert index.search().count == 50


def test_upsert_of_an_existing_dataset_keeps_every_other_result(packages: list[Package]) -> None:
    index = SearchIndex.build(packages[:80])  # type: ignore[arg-type]
    before = names(index.search(sort="name asc", rows=MAX_ROWS))
    index.upsert({**packages[10], "title": "Título nuevo"})  # type: ignore[arg-type]
    assert names(index.search(sort="name asc", rows=MAX_ROWS)) == before
    assert found(index, '"titulo nuevo"') == {packages[10]["name"]}


def test_private_drafts_and_deleted_are_hidden_unless_asked() -> None:
    index = SearchIndex.build(
        [  # type: ignore[list-item]
            dataset("publico", "Aforos"),
            dataset("privado", "Aforos", private=True),
            dataset("borrador", "Aforos", state="draft"),
            dataset("borrado", "Aforos", state="deleted"),
        ]
    )
    assert found(index, "aforos") == {"publico"}
    assert found(index, "aforos", include_private=True) == {"publico", "privado"}
    assert found(index, "aforos", include_drafts=True) == {"publico", "borrador"}


# --------------------------------------------------------------------------- hostile input

HOSTILE = [
    "' OR 1=1 --",
    '" OR ""="',
    "'; DROP TABLE package; --",
    "dengue; DELETE FROM package",
    "1) OR (1=1",
    "title:dengue) OR (*:*",
    "\\",
    "dengue\\",
    "\\*:\\*",
    '\\"dengue\\"',
    "__import__('os').system('ls')",
    "{!lucene}*:*",
    "$(rm -rf /)",
    "<script>alert(1)</script>",
    "dengue\x00salud\x1f\x7f",
    "\u202e\u200bdengue\ufeff",
    "tags:salud\nres_format:CSV",
    "-",
    "--",
    "+",
    "!",
    "&& ||",
    "*",
    "a" * 5000,
    "dengue " * 1200,
    "(" * 300 + "dengue" + ")" * 300,
    "-" * 3000 + "dengue",
    "NOT " * 500 + "dengue",
    "x" * (10_001),
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_matches_literally_or_raises_search_query_error(
    index: SearchIndex, packages: list[Package], text: str
) -> None:
    for q, fq in ((text, ""), ("", text)):
        try:
            result = index.search(q=q, fq=fq, facet_fields=("tags",))
        except SearchQueryError as error:
            assert str(error)
            continue
        assert 0 <= result.count <= len(packages)


def test_injection_is_not_a_tautology(index: SearchIndex, packages: list[Package]) -> None:
    assert index.search(q="' OR 1=1 --").count == 0  # no dataset has the term "1"
    assert index.search(q="\\*:\\*").count == 0  # escaped: the characters, not "everything"
    assert index.search(fq="'; DROP TABLE package; --").count == 0
    with pytest.raises(SearchQueryError):
        index.search(q="title:dengue) OR (*:*")
    assert index.search().count == len(packages)  # the index is intact


def test_random_query_text_never_fails_otherwise(index: SearchIndex) -> None:
    pieces = [
        "dengue",
        "salud",
        "tags:",
        "res_format:",
        "title:",
        "foo:",
        "*",
        "*:*",
        '"',
        "'",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        " TO ",
        " AND ",
        " OR ",
        " NOT ",
        "-",
        "+",
        "!",
        "\\",
        ":",
        ";",
        "~",
        "^",
        "?",
        "&&",
        "||",
        " ",
        "ñ",
        "é",
        "\x00",
        "\n",
        "2020-01-01",
        "[* TO *]",
        "1",
    ]
    rnd = random.Random(6)
    for _ in range(2000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12)))
        for q, fq in ((text, ""), ("", text)):
            try:
                result = index.search(q=q, fq=fq, facet_fields=("tags",), sort="score desc")
            except SearchQueryError:
                continue
            assert 0 <= result.count <= CATALOG_SIZE


def test_an_empty_catalog_answers_every_kind_of_query() -> None:
    index = SearchIndex.build([])
    result = index.search(
        q='"calidad del aire" educ* title:dengue',
        fq="tags:salud -res_format:CSV metadata_modified:[NOW TO *]",
        facet_fields=("tags", "organization"),
        sort="downloads desc, score desc",
    )
    assert result.to_ckan()["count"] == 0
    assert result.to_ckan()["facets"] == {"tags": {}, "organization": {}}
