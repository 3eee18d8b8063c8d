"""Catalog records → Project Open Data Metadata Schema 1.1 (``data.json``).

``data.json`` is what data.gov's harvester and many CKAN/Socrata tools read. The schema was
written for US federal agencies: its ``bureauCode`` and ``programCode`` are OMB budget codes
that no Bogotá entity has, so they are left out, as data.gov's own harvester accepts from
non-federal publishers. Everything else follows the schema (``tests/standards/pod-1.1/``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from catalog.catalog_info import CatalogInfo, parse_timestamp
from catalog.records import Package, Resource

POD_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
POD_CONTEXT = f"{POD_SCHEMA}/catalog.jsonld"
POD_CATALOG_SCHEMA = f"{POD_SCHEMA}/catalog.json"

#: EU frequency code (the record's ``frequency_eu``) → ISO 8601 repeating duration, as POD's
#: ``accrualPeriodicity`` wants it; irregular updates have a keyword of their own.
ACCRUAL_PERIODICITY: dict[str, str] = {
    "HOURLY": "R/PT1H",
    "DAILY": "R/P1D",
    "WEEKLY": "R/P1W",
    "MONTHLY": "R/P1M",
    "QUARTERLY": "R/P3M",
    "ANNUAL_2": "R/P6M",
    "ANNUAL": "R/P1Y",
    "IRREG": "irregular",
}

_MEDIA_TYPE = re.compile(r"^[-\w]+/[-\w]+(\.[-\w]+)*([+][-\w]+)?$")


def pod_catalog(
    info: CatalogInfo, packages: Iterable[Package], catalog_url: str | None = None
) -> dict[str, Any]:
    """The ``data.json`` document; ``catalog_url`` is where it is served (its ``@id``),
    ``{base_url}/data.json`` unless the web service says otherwise."""
    return {
        "@context": POD_CONTEXT,
        "@id": catalog_url or f"{info.root}/data.json",
        "@type": "dcat:Catalog",
        "conformsTo": POD_SCHEMA,
        "describedBy": POD_CATALOG_SCHEMA,
        "dataset": [pod_dataset(info, package) for package in packages],
    }


def pod_data_json(
    info: CatalogInfo, packages: Iterable[Package], catalog_url: str | None = None
) -> str:
    return json.dumps(pod_catalog(info, packages, catalog_url), ensure_ascii=False, indent=2)


def pod_dataset(info: CatalogInfo, package: Package) -> dict[str, Any]:
    """One dataset entry. Optional fields the record cannot fill are left out, not nulled."""
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": package["id"],
        "title": package["title"],
        "description": package["notes"],
        "keyword": _keywords(package),
        "issued": _iso_stamp(package["metadata_created"]),
        "modified": _iso_stamp(package["metadata_modified"]),
        "publisher": {"@type": "org:Organization", "name": package["organization"]["title"]},
        "contactPoint": _contact_point(package),
        "accessLevel": "public",
        "landingPage": info.landing_page_url(package["name"]),
        "language": [_language_tag(package["language"] or info.language)],
        "theme": _themes(package),
        "distribution": [_distribution(resource) for resource in package["resources"]],
    }
    optional = {
        "license": package["license_url"],
        "spatial": package["spatial_text"],
        "temporal": _temporal(package["temporal_start"], package["temporal_end"]),
        "accrualPeriodicity": ACCRUAL_PERIODICITY.get(package["frequency_eu"]),
        "references": [package["url"]] if package["url"] else None,
    }
    entry.update({key: value for key, value in optional.items() if value})
    return entry


def _keywords(package: Package) -> list[str]:
    """Tags; the sector when a record has none, since the schema requires one keyword."""
    tags = [tag["name"] for tag in package["tags"] if tag["name"].strip()]
    return tags or [package["sector_title"]]


def _themes(package: Package) -> list[str]:
    """The sector and the MinTIC dimension, once each: the schema wants unique items, and the
    Hábitat sector sits in the Hábitat dimension."""
    themes = (package["sector_title"], package["dimension"])
    return list(dict.fromkeys(theme for theme in themes if theme))


def _contact_point(package: Package) -> dict[str, str]:
    contact = {
        "@type": "vcard:Contact",
        "fn": package["maintainer"] or package["organization"]["title"],
    }
    if package["maintainer_email"]:
        contact["hasEmail"] = f"mailto:{package['maintainer_email']}"
    return contact


def _distribution(resource: Resource) -> dict[str, str]:
    """A file with a valid media type is a ``downloadURL`` (the schema then requires the type);
    without one it can only be an ``accessURL``."""
    media_type = resource["mimetype"].strip().lower()
    distribution = {"@type": "dcat:Distribution", "title": resource["name"]}
    if _MEDIA_TYPE.match(media_type):
        distribution.update(downloadURL=resource["url"], mediaType=media_type)
    else:
        distribution["accessURL"] = resource["url"]
    if resource["format"]:
        distribution["format"] = resource["format"]
    if resource["description"]:
        distribution["description"] = resource["description"]
    return distribution


def _temporal(start: str | None, end: str | None) -> str | None:
    """``start/end`` (ISO 8601 interval); POD has no form for an open-ended one."""
    return f"{start}/{end}" if start and end else None


def _language_tag(language: str) -> str:
    """A record's ``es`` is Colombian Spanish: ``es-CO`` (BCP 47)."""
    return f"{language}-CO" if len(language) == 2 else language


def _iso_stamp(stamp: str) -> str:
    """A record timestamp as ISO 8601 in UTC with its ``Z``, whole seconds."""
    return parse_timestamp(stamp).strftime("%Y-%m-%dT%H:%M:%SZ")
