"""Project Open Data ``data.json`` against the official 1.1 schema, and the Atom feed read back
with ``feedparser`` (what feed readers and aggregators use)."""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import json
import re
from typing import Any

import feedparser
import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from catalog.catalog_info import CatalogInfo, parse_timestamp
from catalog.feeds.atom import atom_feed
from catalog.feeds.pod import ACCRUAL_PERIODICITY, pod_catalog, pod_data_json
from catalog.records import Package
from catalog.specs import FREQUENCY_EU
from tests.fixtures.packages import synthetic_packages
from tests.helpers import BASE_URL, REPO, make_catalog_info

POD_SCHEMAS = REPO / "tests" / "standards" / "pod-1.1"
#: OMB budget codes of US federal agencies: required by the schema, meaningless for Bogotá.
FEDERAL_ONLY = frozenset({"bureauCode", "programCode"})


@pytest.fixture(scope="module")
def info() -> CatalogInfo:
    return make_catalog_info()


@pytest.fixture(scope="module")
def packages() -> list[Package]:
    return synthetic_packages(50, BASE_URL)


# --------------------------------------------------------------------------------------------
# Project Open Data 1.1


def _schemas() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in POD_SCHEMAS.glob("*.json")}


def pod_validator(exempt: frozenset[str] = frozenset()) -> Draft4Validator:
    """The official catalog schema, every ``$ref`` resolved from the vendored files (by their
    own ``id``s, so nothing is fetched); ``exempt`` names leave ``dataset.json``'s required."""
    schemas = _schemas()
    dataset = copy.deepcopy(schemas["dataset"])
    dataset["required"] = [name for name in dataset["required"] if name not in exempt]
    schemas["dataset"] = dataset
    registry: Registry[Any] = Registry().with_resources(
        (schema["id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT4))
        for schema in schemas.values()
    )
    assert "uri" in Draft4Validator.FORMAT_CHECKER.checkers, "uri formats would go unchecked"
    return Draft4Validator(
        schemas["catalog"], registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


def test_data_json_is_valid_project_open_data_1_1(
    info: CatalogInfo, packages: list[Package]
) -> None:
    document = json.loads(pod_data_json(info, packages))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in pod_validator(exempt=FEDERAL_ONLY).iter_errors(document)
    ]
    assert errors == []
    assert len(document["dataset"]) == 50


def test_the_unchanged_schema_misses_only_the_federal_codes(
    info: CatalogInfo, packages: list[Package]
) -> None:
    document = pod_catalog(info, packages[:3])
    errors = list(pod_validator().iter_errors(document))
    assert errors, "the official schema no longer requires the federal codes: drop the exemption"
    missing = {re.sub(r"'(\w+)' is a required property", r"\1", e.message) for e in errors}
    assert missing == FEDERAL_ONLY
    assert {e.validator for e in errors} == {"required"}


def test_the_schema_check_can_fail(info: CatalogInfo, packages: list[Package]) -> None:
    document = pod_catalog(info, packages[:2])
    document["dataset"][0]["contactPoint"]["hasEmail"] = "datos@ada.gov.co"  # no mailto:
    del document["dataset"][1]["title"]
    document["dataset"][1]["landingPage"] = "no es una URL"
    messages = [e.message for e in pod_validator(exempt=FEDERAL_ONLY).iter_errors(document)]
    assert any("'title' is a required property" in m for m in messages)
    assert any("does not match" in m and "datos@ada.gov.co" in m for m in messages)
    assert any("'no es una URL'" in m for m in messages)


def test_catalog_header(info: CatalogInfo, packages: list[Package]) -> None:
    document = pod_catalog(info, packages)
    assert document["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert document["@type"] == "dcat:Catalog"
    assert document["@context"] == "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
    assert document["@id"] == f"{BASE_URL}/data.json"


def test_dataset_fields(info: CatalogInfo, packages: list[Package]) -> None:
    package = packages[5]
    entry = pod_catalog(info, [package])["dataset"][0]
    assert entry["identifier"] == package["id"]
    assert entry["title"] == package["title"]
    assert entry["description"] == package["notes"]
    assert entry["keyword"] == [tag["name"] for tag in package["tags"]]
    assert entry["modified"] == package["metadata_modified"][:19] + "Z"
    assert entry["publisher"] == {
        "@type": "org:Organization",
        "name": package["organization"]["title"],
    }
    assert entry["contactPoint"] == {
        "@type": "vcard:Contact",
        "fn": package["maintainer"],
        "hasEmail": f"mailto:{package['maintainer_email']}",
    }
    assert entry["accessLevel"] == "public"
    assert entry["license"] == package["license_url"]
    assert entry["spatial"] == package["spatial_text"]
    assert entry["temporal"] == f"{package['temporal_start']}/{package['temporal_end']}"
    assert entry["language"] == ["es-CO"]
    assert entry["theme"] == [package["sector_title"], package["dimension"]]
    habitat = next(p for p in packages if p["sector"] == "habitat")
    assert pod_catalog(info, [habitat])["dataset"][0]["theme"] == ["Hábitat"]
    assert entry["landingPage"] == f"{BASE_URL}/dataset/{package['name']}"
    assert [d["downloadURL"] for d in entry["distribution"]] == [
        r["url"] for r in package["resources"]
    ]
    first = entry["distribution"][0]
    resource = package["resources"][0]
    assert first == {
        "@type": "dcat:Distribution",
        "title": resource["name"],
        "downloadURL": resource["url"],
        "mediaType": resource["mimetype"],
        "format": resource["format"],
        "description": resource["description"],
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("HOURLY", "R/PT1H"),
        ("DAILY", "R/P1D"),
        ("WEEKLY", "R/P1W"),
        ("MONTHLY", "R/P1M"),
        ("QUARTERLY", "R/P3M"),
        ("ANNUAL_2", "R/P6M"),
        ("ANNUAL", "R/P1Y"),
        ("IRREG", "irregular"),
    ],
)
def test_accrual_periodicity_is_an_iso_8601_repeating_duration(
    info: CatalogInfo, packages: list[Package], code: str, expected: str
) -> None:
    package = copy.deepcopy(packages[0])
    package["frequency_eu"] = code
    assert pod_catalog(info, [package])["dataset"][0]["accrualPeriodicity"] == expected


def test_every_spec_frequency_has_a_periodicity() -> None:
    assert set(FREQUENCY_EU.values()) <= set(ACCRUAL_PERIODICITY)


def test_a_file_without_a_media_type_is_an_access_url(
    info: CatalogInfo, packages: list[Package]
) -> None:
    package = copy.deepcopy(packages[0])
    package["resources"][0]["mimetype"] = ""
    package["tags"] = []
    entry = pod_catalog(info, [package])["dataset"][0]
    assert "downloadURL" not in entry["distribution"][0]
    assert entry["distribution"][0]["accessURL"] == package["resources"][0]["url"]
    assert entry["keyword"] == [package["sector_title"]]
    errors = list(pod_validator(exempt=FEDERAL_ONLY).iter_errors(pod_catalog(info, [package])))
    assert errors == []


# --------------------------------------------------------------------------------------------
# Atom


def _feed(info: CatalogInfo, packages: list[Package], limit: int = 10) -> Any:
    parsed = feedparser.parse(atom_feed(info, packages, limit=limit))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _utc(parsed_time: Any) -> dt.datetime:
    """feedparser's UTC ``struct_time`` as an aware datetime."""
    return dt.datetime.fromtimestamp(calendar.timegm(parsed_time), dt.UTC)


def test_feed_lists_the_newest_datasets_first(info: CatalogInfo, packages: list[Package]) -> None:
    parsed = _feed(info, packages, limit=10)
    newest = sorted(packages, key=lambda p: p["metadata_modified"], reverse=True)[:10]
    assert [entry.id for entry in parsed.entries] == [
        f"{BASE_URL}/dataset/{p['name']}" for p in newest
    ]
    updated = [_utc(entry.updated_parsed) for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert updated[0] == parse_timestamp(newest[0]["metadata_modified"]).replace(microsecond=0)


def test_feed_header(info: CatalogInfo, packages: list[Package]) -> None:
    parsed = _feed(info, packages)
    newest = max(parse_timestamp(p["metadata_modified"]) for p in packages)
    assert parsed.feed.id == f"{BASE_URL}/feeds/datasets.atom"
    assert parsed.feed.title.startswith(info.title)
    assert _utc(parsed.feed.updated_parsed) == newest.replace(microsecond=0)
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {"self": f"{BASE_URL}/feeds/datasets.atom", "alternate": info.homepage}
    assert parsed.feed.author_detail.name == info.publisher_name
    assert parsed.feed.language == "es"


def test_entry_fields(info: CatalogInfo, packages: list[Package]) -> None:
    package = max(packages, key=lambda p: p["metadata_modified"])
    entry = _feed(info, packages, limit=1).entries[0]
    page = f"{BASE_URL}/dataset/{package['name']}"
    assert entry.title == package["title"]
    assert entry.summary == package["notes"]
    assert entry.author == package["organization"]["title"]
    assert [(link.rel, link.type, link.href) for link in entry.links] == [
        ("alternate", "text/html", page)
    ]
    published = parse_timestamp(package["metadata_created"]).replace(microsecond=0)
    assert _utc(entry.published_parsed) == published
    terms = [tag.term for tag in entry.tags]
    assert terms == [package["sector"], *(tag["name"] for tag in package["tags"])]
    assert entry.tags[0].scheme == f"{BASE_URL}/group"
    assert entry.tags[0].label == package["sector_title"]


def test_feed_limit(info: CatalogInfo, packages: list[Package]) -> None:
    assert len(_feed(info, packages, limit=3).entries) == 3
    assert len(_feed(info, packages, limit=500).entries) == len(packages)
    assert _feed(info, packages, limit=0).entries == []


def test_xml_special_characters_are_escaped(info: CatalogInfo, packages: list[Package]) -> None:
    package = copy.deepcopy(max(packages, key=lambda p: p["metadata_modified"]))
    package["title"] = 'Tarifas <TransMilenio> & "SITP" en Bogotá'
    package["notes"] = "Incluye la columna <valor> & sus unidades ]]> fin"
    raw = atom_feed(info, [package], limit=1)
    assert b'Tarifas &lt;TransMilenio&gt; &amp; "SITP" en Bogot\xc3\xa1' in raw
    entry = _feed(info, [package], limit=1).entries[0]
    assert entry.title == package["title"]
    assert entry.summary == package["notes"]


def test_portal_url_moves_the_entry_links_but_not_the_ids(packages: list[Package]) -> None:
    info = make_catalog_info(portal_url="https://datosabiertos.bogota.gov.co")
    entry = _feed(info, packages, limit=1).entries[0]
    name = entry.id.rsplit("/", 1)[-1]
    assert entry.id == f"{BASE_URL}/dataset/{name}"
    assert entry.link == f"https://datosabiertos.bogota.gov.co/dataset/{name}"


def test_vendored_schema_is_the_official_one() -> None:
    """The files keep the ids they are published under (what the registry resolves)."""
    ids = {name: schema["id"] for name, schema in _schemas().items()}
    base = "https://project-open-data.cio.gov/v1.1/schema/"
    assert ids == {name: f"{base}{name}.json#" for name in ids}
    assert set(ids) == {"catalog", "dataset", "distribution", "organization", "vcard"}
    assert (POD_SCHEMAS / "SOURCE.txt").exists()
