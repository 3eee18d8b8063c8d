"""DCAT-AP 3.0.1 output: conformance to the official SHACL shapes, and the mapping itself.

The shapes are SEMIC's, read from ``../shared/standards/dcat-ap-3.0.1`` (``ADA_STANDARDS``
overrides the folder). Each shape file is validated on its own, as ckanext-dcat's
``test_shacl.py`` does, so that a failure names the file whose rule broke:

- ``dcat-ap-SHACL.ttl``: the normative 3.0.1 shapes (mandatory properties, cardinalities,
  node kinds, datatypes and class ranges);
- ``shapes.ttl`` and ``range.ttl``: the hand-written split form (mandatory, class ranges);
- ``shapes_recommended.ttl``: recommended properties (warnings);
- ``mdr-vocabularies.shape.ttl``: the EU controlled vocabularies (themes, frequencies, file
  types, languages, ...), which check each term's ``skos:inScheme`` in the data graph;
- ``deprecateduris.ttl``: properties DCAT-AP has replaced (warnings).

Not loaded: ``ranges.ttl`` (a subset of ``dcat-ap-SHACL.ttl``) and ``imports.ttl`` (only
``owl:imports`` of the base vocabularies, which would have to be downloaded). Without those
ontologies there is nothing to infer from, so validation runs without inference: every node
the shapes look at is typed in the graph itself.

``conforms`` is pyshacl's with ``allow_warnings=True``: no ``sh:Violation``. Warnings are
allowed only where listed in :data:`EXPECTED_WARNINGS`, each with its reason.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS
from rdflib.term import Node

from catalog.catalog_info import CatalogInfo
from catalog.dcat import JSONLD_CONTEXT, catalog_graph, dataset_graph, to_jsonld, to_turtle
from catalog.dcat import vocabularies as vocab
from catalog.records import Package
from catalog.specs import FREQUENCY_EU, Dimension, Sector
from tests.fixtures.packages import synthetic_package, synthetic_packages
from tests.helpers import BASE_URL, STANDARDS, make_catalog_info

# Open namespaces: rdflib's closed DCAT (version 2) lacks dcat:version and warns on lookups.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
MDR = Namespace("http://data.europa.eu/r5r#")
EU = "http://publications.europa.eu/resource/authority/"

SHAPES = STANDARDS / "dcat-ap-3.0.1"
CATALOG_SIZE = 50

#: Shape file → the result paths it may warn about (never a violation), and why.
EXPECTED_WARNINGS: dict[str, set[Node]] = {
    "dcat-ap-SHACL.ttl": set(),
    "shapes.ttl": set(),
    "range.ttl": set(),
    # A bounding box of Bogotá is recommended; no authoritative one ships with the repo (the
    # GeoNames centroid does), and an invented one would be worse than none.
    "shapes_recommended.ttl": {DCAT.bbox},
    # District entities are not in the EU Corporate Bodies list, and the MinTIC dimension is a
    # theme from ADA's own scheme besides the EU data theme: both are advisories by design.
    "mdr-vocabularies.shape.ttl": {DCTERMS.publisher, DCAT.theme},
    "deprecateduris.ttl": set(),
}


@dataclass(frozen=True)
class Result:
    severity: Node | None
    path: Node | None
    focus: str
    message: str


@functools.cache
def shapes(name: str) -> Graph:
    """A shape file as published, except one defect of ``mdr-vocabularies.shape.ttl``.

    That file (carried over from DCAT-AP 2.1.1) requires ``spdx:algorithm`` values to match
    ``^https://spdx.org/rdf/terms``, while the SPDX namespace, its ``spdx:ChecksumAlgorithm``
    class (which the same shape requires) and DCAT-AP 3.0.1 all use ``http://spdx.org/rdf/terms#``:
    no value can satisfy both. The pattern is dropped; the class check stays, and
    :func:`test_the_unpatched_mdr_file_rejects_only_the_spdx_namespace` pins the defect.
    """
    path = SHAPES / name
    assert path.exists(), f"missing {path}: set ADA_STANDARDS to the shared standards folder"
    graph = Graph().parse(path)
    if name == "mdr-vocabularies.shape.ttl":
        graph.remove((MDR.ChecksumAlgorithmRestriction, SH.pattern, None))
    return graph


def shacl(data: Graph, shape_graph: Graph) -> tuple[bool, list[Result], str]:
    conforms, report, text = validate(
        data,
        shacl_graph=shape_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    assert isinstance(report, Graph)
    results = [
        Result(
            severity=report.value(node, SH.resultSeverity),
            path=report.value(node, SH.resultPath),
            focus=str(report.value(node, SH.focusNode)),
            message=str(report.value(node, SH.resultMessage)),
        )
        for node in report.objects(None, SH.result)  # top-level results, not their details
    ]
    return bool(conforms), results, str(text)


@pytest.fixture(scope="module")
def info() -> CatalogInfo:
    return make_catalog_info()


@pytest.fixture(scope="module")
def packages() -> list[Package]:
    return synthetic_packages(CATALOG_SIZE, BASE_URL)


@pytest.fixture(scope="module")
def serialized(info: CatalogInfo, packages: list[Package]) -> dict[tuple[str, str], Graph]:
    """The whole catalog and one dataset, each written as Turtle and as JSON-LD and parsed
    back: what is validated is what a harvester would read."""
    graphs = {"catalog": catalog_graph(info, packages), "dataset": dataset_graph(info, packages[7])}
    return {
        (scope, fmt): Graph().parse(data=write(graph), format=fmt)
        for scope, graph in graphs.items()
        for fmt, write in (("turtle", to_turtle), ("json-ld", to_jsonld))
    }


# --------------------------------------------------------------------------------------------
# Conformance


@pytest.mark.parametrize("shape_file", sorted(EXPECTED_WARNINGS))
@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
@pytest.mark.parametrize("scope", ["catalog", "dataset"])
def test_output_has_no_shacl_violations(
    serialized: dict[tuple[str, str], Graph], scope: str, fmt: str, shape_file: str
) -> None:
    conforms, results, text = shacl(serialized[scope, fmt], shapes(shape_file))
    violations = [r for r in results if r.severity == SH.Violation]
    assert conforms, text
    assert violations == [], text
    unexpected = [r for r in results if r.path not in EXPECTED_WARNINGS[shape_file]]
    assert unexpected == [], text


def test_the_unpatched_mdr_file_rejects_only_the_spdx_namespace(
    info: CatalogInfo, packages: list[Package]
) -> None:
    raw = Graph().parse(SHAPES / "mdr-vocabularies.shape.ttl")
    conforms, results, text = shacl(dataset_graph(info, packages[7]), raw)
    violations = [r for r in results if r.severity == SH.Violation]
    assert not conforms
    assert violations, "the https pattern on spdx:algorithm no longer fires: drop the patch"
    assert {r.path for r in violations} == {SPDX.algorithm}, text


def test_validation_catches_a_missing_title_and_an_unscoped_frequency(
    info: CatalogInfo, packages: list[Package]
) -> None:
    """The harness can fail: break the graph two ways and each shape file says so."""
    graph = dataset_graph(info, packages[7])
    dataset = URIRef(info.dataset_url(packages[7]["name"]))
    graph.remove((dataset, DCTERMS.title, None))
    frequency = graph.value(dataset, DCTERMS.accrualPeriodicity)
    graph.remove((frequency, SKOS.inScheme, None))

    conforms, results, _ = shacl(graph, shapes("dcat-ap-SHACL.ttl"))
    assert not conforms
    assert DCTERMS.title in {r.path for r in results if r.severity == SH.Violation}

    conforms, results, _ = shacl(graph, shapes("mdr-vocabularies.shape.ttl"))
    assert not conforms
    paths = {r.path for r in results if r.severity == SH.Violation}
    assert DCTERMS.accrualPeriodicity in paths


# --------------------------------------------------------------------------------------------
# Serialization


def test_turtle_and_jsonld_carry_the_same_graph(
    info: CatalogInfo, packages: list[Package], serialized: dict[tuple[str, str], Graph]
) -> None:
    original = catalog_graph(info, packages)
    assert isomorphic(serialized["catalog", "turtle"], original)
    assert isomorphic(serialized["catalog", "json-ld"], original)


def test_jsonld_is_compacted_with_an_inline_context(
    info: CatalogInfo, packages: list[Package]
) -> None:
    document = json.loads(to_jsonld(dataset_graph(info, packages[0])))
    assert document["@context"] == JSONLD_CONTEXT
    dataset = next(node for node in document["@graph"] if "dcat:Dataset" in node.get("@type", []))
    assert dataset["@id"] == info.dataset_url(packages[0]["name"])
    assert dataset["dct:title"] == {"@language": "es", "@value": packages[0]["title"]}


# --------------------------------------------------------------------------------------------
# Mapping


def _dataset(info: CatalogInfo, package: Package) -> tuple[Graph, URIRef]:
    return dataset_graph(info, package), URIRef(info.dataset_url(package["name"]))


def _package_where(predicate: Callable[[Package], bool], count: int = 200) -> Package:
    """The first synthetic record that fits (the fixture varies sectors and frequencies)."""
    return next(p for p in synthetic_packages(count, BASE_URL) if predicate(p))


def test_the_catalog_lists_every_dataset_once(
    info: CatalogInfo, packages: list[Package], serialized: dict[tuple[str, str], Graph]
) -> None:
    graph = serialized["catalog", "turtle"]
    catalog = URIRef(f"{BASE_URL}/catalog")
    listed = set(graph.objects(catalog, DCAT.dataset))
    assert len(listed) == CATALOG_SIZE
    assert listed == {URIRef(info.dataset_url(p["name"])) for p in packages}
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == listed


def test_the_catalog_describes_itself(
    info: CatalogInfo, serialized: dict[tuple[str, str], Graph]
) -> None:
    graph = serialized["catalog", "turtle"]
    catalog = URIRef(info.catalog_url)
    assert graph.value(catalog, DCTERMS.title) == Literal(info.title, lang="es")
    publisher = graph.value(catalog, DCTERMS.publisher)
    assert graph.value(publisher, FOAF.name) == Literal(info.publisher_name)
    assert graph.value(catalog, FOAF.homepage) == URIRef(info.homepage)
    assert graph.value(catalog, DCTERMS.license) == URIRef(info.license_url)
    assert graph.value(catalog, DCTERMS.language) == URIRef(f"{EU}language/SPA")
    assert set(graph.objects(catalog, DCAT.themeTaxonomy)) == {
        URIRef(f"{EU}data-theme"),
        URIRef(f"{BASE_URL}/vocab/mintic-dimension"),
    }
    newest = max(p["metadata_modified"] for p in synthetic_packages(CATALOG_SIZE))
    assert str(graph.value(catalog, DCTERMS.modified)).startswith(newest[:19])


def test_a_csv_resource_maps_to_the_eu_csv_file_type_and_its_iana_media_type(
    info: CatalogInfo, packages: list[Package]
) -> None:
    package = packages[0]
    csv = next(r for r in package["resources"] if r["format"] == "CSV")
    graph, _ = _dataset(info, package)
    distribution = URIRef(info.resource_url(package["name"], csv["id"]))
    assert graph.value(distribution, DCTERMS.format) == URIRef(f"{EU}file-type/CSV")
    assert graph.value(distribution, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/csv"
    )
    assert graph.value(distribution, DCAT.downloadURL) == URIRef(csv["url"])
    assert graph.value(distribution, DCAT.accessURL) == URIRef(csv["url"])
    size = graph.value(distribution, DCAT.byteSize)
    assert size == Literal(csv["size"], datatype=XSD.nonNegativeInteger)
    checksum = graph.value(distribution, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(graph.value(checksum, SPDX.checksumValue)) == csv["hash"].removeprefix("sha256:")
    assert graph.value(distribution, DCTERMS.license) == URIRef(package["license_url"])


def test_every_format_the_records_use_has_an_eu_file_type(packages: list[Package]) -> None:
    formats = {r["format"].upper() for p in packages for r in p["resources"]}
    assert formats <= set(vocab.FILE_TYPES)
    assert vocab.FILE_TYPES["PARQUET"].uri == f"{EU}file-type/PARQUET"


def test_daily_frequency_is_the_eu_daily_term(info: CatalogInfo) -> None:
    package = _package_where(lambda p: p["frequency"] == "diaria")
    graph, dataset = _dataset(info, package)
    frequency = graph.value(dataset, DCTERMS.accrualPeriodicity)
    assert frequency == URIRef(f"{EU}frequency/DAILY")
    assert (frequency, RDF.type, DCTERMS.Frequency) in graph
    assert graph.value(frequency, SKOS.inScheme) == URIRef(f"{EU}frequency")


def test_every_spec_frequency_is_an_eu_frequency_term() -> None:
    """ADA's frequency codes stay inside the part of the EU list the serializer knows."""
    assert set(FREQUENCY_EU.values()) <= set(vocab.FREQUENCIES)


def test_every_sector_has_an_eu_theme_and_every_dimension_a_concept() -> None:
    assert {s.value for s in Sector} == set(vocab.SECTOR_THEMES)
    assert list(vocab.MINTIC_DIMENSIONS) == [d.value for d in Dimension]


def test_themes_are_the_sector_eu_theme_and_the_mintic_dimension(info: CatalogInfo) -> None:
    package = _package_where(lambda p: p["sector"] == "salud")
    graph, dataset = _dataset(info, package)
    dimension = URIRef(f"{BASE_URL}/vocab/mintic-dimension/calidad-de-vida")
    assert set(graph.objects(dataset, DCAT.theme)) == {URIRef(f"{EU}data-theme/HEAL"), dimension}
    assert graph.value(dimension, SKOS.prefLabel) == Literal("Calidad de Vida", lang="es")
    assert graph.value(dimension, SKOS.inScheme) == URIRef(f"{BASE_URL}/vocab/mintic-dimension")


def test_dataset_properties(info: CatalogInfo, packages: list[Package]) -> None:
    package = packages[3]
    graph, dataset = _dataset(info, package)
    assert graph.value(dataset, DCTERMS.identifier) == Literal(package["id"])
    assert set(graph.objects(dataset, DCAT.keyword)) == {
        Literal(tag["name"], lang="es") for tag in package["tags"]
    }
    assert graph.value(dataset, DCTERMS.spatial) == URIRef("https://sws.geonames.org/3688689/")
    assert graph.value(dataset, DCTERMS.language) == URIRef(f"{EU}language/SPA")
    assert graph.value(dataset, DCAT.landingPage) == dataset
    assert graph.value(dataset, DCAT.version) == Literal(package["version"])
    issued = graph.value(dataset, DCTERMS.issued)
    assert issued == Literal(f"{package['metadata_created'][:19]}+00:00", datatype=XSD.dateTime)
    assert len(list(graph.objects(dataset, DCAT.distribution))) == len(package["resources"])

    period = graph.value(dataset, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal(
        package["temporal_start"], datatype=XSD.date
    )
    assert graph.value(period, DCAT.endDate) == Literal(package["temporal_end"], datatype=XSD.date)

    publisher = graph.value(dataset, DCTERMS.publisher)
    assert publisher == URIRef(f"{BASE_URL}/organization/{package['organization']['name']}")
    assert graph.value(publisher, FOAF.name) == Literal(package["organization"]["title"])
    contact = graph.value(dataset, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert graph.value(contact, VCARD.fn) == Literal(package["maintainer"])
    assert graph.value(contact, VCARD.hasEmail) == URIRef(f"mailto:{package['maintainer_email']}")


def test_a_separate_portal_gets_the_landing_pages(packages: list[Package]) -> None:
    info = make_catalog_info(portal_url="https://datosabiertos.bogota.gov.co/")
    graph, dataset = _dataset(info, packages[0])
    page = URIRef(f"https://datosabiertos.bogota.gov.co/dataset/{packages[0]['name']}")
    assert graph.value(dataset, DCAT.landingPage) == page
    assert (dataset, RDF.type, FOAF.Document) not in graph


def test_missing_values_are_left_out_not_invented(info: CatalogInfo) -> None:
    package = synthetic_package(11, BASE_URL)
    package["temporal_start"] = package["temporal_end"] = None
    package["frequency_eu"] = "FORTNIGHTLY_OR_SO"
    resource = package["resources"][0]
    resource["format"], resource["mimetype"], resource["hash"] = "SHAPEFILE", "", "md5:abc"
    graph, dataset = _dataset(info, package)
    distribution = URIRef(info.resource_url(package["name"], package["resources"][0]["id"]))
    assert graph.value(dataset, DCTERMS.temporal) is None
    assert graph.value(dataset, DCTERMS.accrualPeriodicity) is None
    assert graph.value(distribution, DCTERMS.format) is None
    assert graph.value(distribution, DCAT.mediaType) is None
    assert graph.value(distribution, SPDX.checksum) is None
    conforms, _, text = shacl(graph, shapes("dcat-ap-SHACL.ttl"))
    assert conforms, text
