"""Catalog records → DCAT-AP 3.0.1 RDF graphs (see ``README.md`` beside this file for the
field-by-field mapping).

Every node a shape looks at is typed explicitly (``foaf:Agent``, ``dct:Location``,
``skos:Concept`` of its scheme, ...), so that the graph validates without RDFS inference and
without fetching any vocabulary: harvesters such as data.europa.eu validate what they
receive, not what they could infer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, GEO, RDF, SKOS, XSD

from catalog.catalog_info import CatalogInfo, as_utc, catalog_modified, parse_timestamp
from catalog.dcat import vocabularies as vocab
from catalog.records import Organization, Package, Resource

SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")

#: Prefixes bound in every graph: Turtle and the JSON-LD @context use the same ones.
PREFIXES: dict[str, str] = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "dcatap": str(DCATAP),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "geo": str(GEO),
    "xsd": str(XSD),
}

SHA256 = SPDX.checksumAlgorithm_sha256
#: DCAT 3's ``dcat:version`` (rdflib's DCAT namespace is DCAT 2, which lacks it). DCAT-AP 3
#: replaced ``owl:versionInfo`` with it; its deprecation shapes warn about the old one.
DCAT_VERSION = URIRef(f"{DCAT}version")


def catalog_graph(info: CatalogInfo, packages: Iterable[Package]) -> Graph:
    """The whole catalog: one ``dcat:Catalog`` with every dataset, its distributions and the
    agents, places and vocabulary terms they refer to."""
    packages = list(packages)
    graph = _new_graph()
    catalog = URIRef(info.catalog_url)
    _add_catalog(graph, catalog, info, packages)
    for package in packages:
        graph.add((catalog, DCAT.dataset, _add_dataset(graph, info, package)))
    return graph


def dataset_graph(info: CatalogInfo, package: Package) -> Graph:
    """One dataset on its own (what ``/dataset/<name>.ttl`` would serve)."""
    graph = _new_graph()
    _add_dataset(graph, info, package)
    return graph


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


# --------------------------------------------------------------------------------------------
# Catalog


def _add_catalog(graph: Graph, catalog: URIRef, info: CatalogInfo, packages: list[Package]) -> None:
    language = info.language
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(info.title, lang=language)))
    graph.add((catalog, DCTERMS.description, Literal(info.description, lang=language)))
    graph.add((catalog, DCTERMS.publisher, _add_catalog_publisher(graph, info)))
    graph.add((catalog, FOAF.homepage, _add_document(graph, info.homepage)))
    graph.add((catalog, DCTERMS.issued, _datetime_literal(info.issued)))
    modified = catalog_modified(info, [p["metadata_modified"] for p in packages])
    graph.add((catalog, DCTERMS.modified, _datetime_literal(modified)))
    graph.add((catalog, DCTERMS.license, _add_licence(graph, info.license_url)))
    graph.add((catalog, DCTERMS.spatial, _add_place(graph, vocab.BOGOTA)))
    _add_languages(graph, catalog, language)
    graph.add((catalog, DCAT.themeTaxonomy, _add_scheme(graph, vocab.DATA_THEME)))
    mintic = vocab.mintic_scheme(info.root)
    graph.add((catalog, DCAT.themeTaxonomy, _add_scheme(graph, mintic)))
    for dimension in vocab.MINTIC_DIMENSIONS:
        _add_dimension(graph, info, dimension)


def _add_catalog_publisher(graph: Graph, info: CatalogInfo) -> URIRef:
    agent = _add_agent(graph, info.publisher_uri, info.publisher_name)
    graph.add((agent, FOAF.homepage, _add_document(graph, info.publisher_url)))
    graph.add((agent, FOAF.mbox, URIRef(f"mailto:{info.publisher_email}")))
    return agent


# --------------------------------------------------------------------------------------------
# Dataset


def _add_dataset(graph: Graph, info: CatalogInfo, package: Package) -> URIRef:
    dataset = URIRef(info.dataset_url(package["name"]))
    language = package["language"] or info.language
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(package["id"])))
    graph.add((dataset, DCTERMS.title, Literal(package["title"], lang=language)))
    graph.add((dataset, DCTERMS.description, Literal(package["notes"], lang=language)))
    for tag in package["tags"]:
        graph.add((dataset, DCAT.keyword, Literal(tag["name"], lang=language)))
    _add_themes(graph, dataset, info, package)
    graph.add((dataset, DCTERMS.publisher, _add_entity(graph, info, package["organization"])))
    graph.add((dataset, DCAT.contactPoint, _add_contact_point(graph, package)))
    graph.add((dataset, DCTERMS.spatial, _add_place(graph, vocab.BOGOTA)))
    _add_temporal(graph, dataset, package["temporal_start"], package["temporal_end"])
    _add_frequency(graph, dataset, package["frequency_eu"])
    _add_languages(graph, dataset, language)
    public = _add_term(graph, vocab.PUBLIC_ACCESS, DCTERMS.RightsStatement)
    graph.add((dataset, DCTERMS.accessRights, public))
    graph.add((dataset, DCTERMS.issued, _stamp_literal(package["metadata_created"])))
    graph.add((dataset, DCTERMS.modified, _stamp_literal(package["metadata_modified"])))
    landing_page = _add_document(graph, info.landing_page_url(package["name"]))
    graph.add((dataset, DCAT.landingPage, landing_page))
    if package["url"]:
        graph.add((dataset, FOAF.page, _add_document(graph, package["url"])))
    if package["version"]:
        graph.add((dataset, DCAT_VERSION, Literal(package["version"])))
    for resource in package["resources"]:
        distribution = _add_distribution(graph, info, package, resource)
        graph.add((dataset, DCAT.distribution, distribution))
    return dataset


def _add_themes(graph: Graph, dataset: URIRef, info: CatalogInfo, package: Package) -> None:
    """The EU data theme of the dataset's sector, and its MinTIC dimension."""
    theme = vocab.SECTOR_THEMES.get(package["sector"])
    if theme is not None:
        graph.add((dataset, DCAT.theme, _add_term(graph, theme)))
    if package["dimension"]:
        graph.add((dataset, DCAT.theme, _add_dimension(graph, info, package["dimension"])))


def _add_dimension(graph: Graph, info: CatalogInfo, dimension: str) -> URIRef:
    term = vocab.dimension_term(info.root, dimension)
    concept = _add_term(graph, term)
    graph.add((concept, SKOS.topConceptOf, URIRef(term.scheme.uri)))
    graph.add((URIRef(term.scheme.uri), SKOS.hasTopConcept, concept))
    return concept


def _add_entity(graph: Graph, info: CatalogInfo, organization: Organization) -> URIRef:
    """The district entity that publishes the dataset (a local authority)."""
    return _add_agent(graph, info.organization_url(organization["name"]), organization["title"])


def _add_agent(graph: Graph, uri: str, name: str) -> URIRef:
    agent = URIRef(uri)
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, FOAF.name, Literal(name)))
    graph.add((agent, DCTERMS.type, _add_term(graph, vocab.LOCAL_AUTHORITY)))
    return agent


def _add_contact_point(graph: Graph, package: Package) -> BNode:
    """The spec's contact; the entity's name stands in when the record names no one."""
    contact = BNode()
    graph.add((contact, RDF.type, VCARD.Kind))
    name = package["maintainer"] or package["organization"]["title"]
    graph.add((contact, VCARD.fn, Literal(name)))
    if package["maintainer_email"]:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{package['maintainer_email']}")))
    return contact


def _add_temporal(graph: Graph, dataset: URIRef, start: str | None, end: str | None) -> None:
    """Temporal coverage, if the record states at least one end of it."""
    if not start and not end:
        return
    period = BNode()
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    if start:
        graph.add((period, DCAT.startDate, Literal(start, datatype=XSD.date)))
    if end:
        graph.add((period, DCAT.endDate, Literal(end, datatype=XSD.date)))
    graph.add((dataset, DCTERMS.temporal, period))


def _add_frequency(graph: Graph, dataset: URIRef, code: str) -> None:
    """An unknown code is left out rather than published as a term the EU list lacks
    (a test keeps ``catalog.specs.FREQUENCY_EU`` within the known ones)."""
    term = vocab.FREQUENCIES.get(code)
    if term is not None:
        graph.add((dataset, DCTERMS.accrualPeriodicity, _add_term(graph, term, DCTERMS.Frequency)))


def _add_languages(graph: Graph, subject: URIRef, language: str) -> None:
    term = vocab.LANGUAGES.get(language)
    if term is not None:
        linguistic_system = _add_term(graph, term, DCTERMS.LinguisticSystem)
        graph.add((subject, DCTERMS.language, linguistic_system))


# --------------------------------------------------------------------------------------------
# Distribution


def _add_distribution(
    graph: Graph, info: CatalogInfo, package: Package, resource: Resource
) -> URIRef:
    distribution = URIRef(info.resource_url(package["name"], resource["id"]))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal(resource["name"])))
    if resource["description"]:
        language = package["language"] or info.language
        description = Literal(resource["description"], lang=language)
        graph.add((distribution, DCTERMS.description, description))
    graph.add((distribution, DCAT.accessURL, URIRef(resource["url"])))
    graph.add((distribution, DCAT.downloadURL, URIRef(resource["url"])))
    _add_format(graph, distribution, resource)
    if resource["size"] is not None and resource["size"] >= 0:
        size = Literal(resource["size"], datatype=XSD.nonNegativeInteger)
        graph.add((distribution, DCAT.byteSize, size))
    _add_checksum(graph, distribution, resource["hash"])
    if package["license_url"]:
        licence = _add_licence(graph, package["license_url"], package["license_title"])
        graph.add((distribution, DCTERMS.license, licence))
    availability = _add_term(graph, vocab.STABLE_AVAILABILITY)
    graph.add((distribution, DCATAP.availability, availability))
    graph.add((distribution, DCTERMS.issued, _stamp_literal(resource["created"])))
    graph.add((distribution, DCTERMS.modified, _stamp_literal(resource["last_modified"])))
    return distribution


def _add_format(graph: Graph, distribution: URIRef, resource: Resource) -> None:
    """``dct:format`` from the EU file types and ``dcat:mediaType`` from IANA, each only when
    the record's value is one the vocabulary has."""
    file_type = vocab.FILE_TYPES.get(resource["format"].strip().upper())
    if file_type is not None:
        graph.add(
            (distribution, DCTERMS.format, _add_term(graph, file_type, DCTERMS.MediaTypeOrExtent))
        )
    media_type = vocab.media_type_uri(resource["mimetype"])
    if media_type is not None:
        media = URIRef(media_type)
        graph.add((media, RDF.type, DCTERMS.MediaType))
        graph.add((distribution, DCAT.mediaType, media))


def _add_checksum(graph: Graph, distribution: URIRef, digest: str) -> None:
    """Records write ``sha256:<hex>``; any other algorithm or a blank hash is left out."""
    algorithm, _, value = digest.partition(":")
    if algorithm.lower() != "sha256" or not value:
        return
    checksum = BNode()
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SHA256))
    graph.add((SHA256, RDF.type, SPDX.ChecksumAlgorithm))
    graph.add((checksum, SPDX.checksumValue, Literal(value.lower(), datatype=XSD.hexBinary)))
    graph.add((distribution, SPDX.checksum, checksum))


# --------------------------------------------------------------------------------------------
# Shared nodes: documents, licences, places, vocabulary terms


def _add_document(graph: Graph, url: str) -> URIRef:
    document = URIRef(url)
    graph.add((document, RDF.type, FOAF.Document))
    return document


def _add_licence(graph: Graph, url: str, title: str = "") -> URIRef:
    """The licence, with its ADMS licence types when it is one of the open licences ADA
    publishes under."""
    licence = URIRef(url)
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    if title:
        graph.add((licence, DCTERMS.title, Literal(title)))
    for licence_type in vocab.licence_types(url):
        graph.add((licence, DCTERMS.type, _add_term(graph, licence_type)))
    return licence


def _add_place(graph: Graph, place: vocab.Place) -> URIRef:
    location = URIRef(place.uri)
    graph.add((location, RDF.type, DCTERMS.Location))
    graph.add((location, SKOS.prefLabel, Literal(place.name, lang="es")))
    graph.add((location, DCAT.centroid, Literal(place.centroid_wkt, datatype=GEO.wktLiteral)))
    return location


def _add_term(graph: Graph, term: vocab.Term, *types: URIRef) -> URIRef:
    """A vocabulary term typed and labelled as the shapes check it, in its described scheme."""
    concept = URIRef(term.uri)
    graph.add((concept, RDF.type, SKOS.Concept))
    for rdf_type in types:
        graph.add((concept, RDF.type, rdf_type))
    for language, label in term.labels.items():
        graph.add((concept, SKOS.prefLabel, Literal(label, lang=language or None)))
    graph.add((concept, SKOS.inScheme, _add_scheme(graph, term.scheme)))
    return concept


def _add_scheme(graph: Graph, scheme: vocab.Scheme) -> URIRef:
    node = URIRef(scheme.uri)
    graph.add((node, RDF.type, SKOS.ConceptScheme))
    graph.add((node, DCTERMS.title, Literal(scheme.title, lang=scheme.title_language)))
    return node


# --------------------------------------------------------------------------------------------
# Literals


def _stamp_literal(stamp: str) -> Literal:
    return _datetime_literal(parse_timestamp(stamp))


def _datetime_literal(moment: dt.datetime) -> Literal:
    """``xsd:dateTime`` in UTC with its offset, whole seconds (sub-second precision means
    nothing to a catalog reader). A naive datetime is taken as UTC, as records are."""
    return Literal(as_utc(moment).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
