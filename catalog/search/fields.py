"""The fields a search can name, and where each one's values come from in a catalog record.

One table for the query parser (which fields exist and of which kind) and the index (how to
read them from a ``Package``), so that a field is either searchable everywhere or nowhere.
Names are CKAN's Solr field names where CKAN has one (``organization``, ``groups``, ``tags``,
``res_format``, ``license_id``, ``metadata_modified``, ``title_string``), so CKAN clients and
CKAN's own UI work unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from catalog.records import Package

ValuesOf = Callable[[Package], list[str]]


def _one(key: str) -> ValuesOf:
    def values(package: Package) -> list[str]:
        value = package.get(key)
        return [str(value)] if value not in (None, "") else []

    return values


def _organization(package: Package) -> list[str]:
    organization = package.get("organization")
    return [organization["name"]] if organization else []


def _groups(package: Package) -> list[str]:
    return [group["name"] for group in package.get("groups", [])]


def _tags(package: Package) -> list[str]:
    return [tag["name"] for tag in package.get("tags", [])]


def _formats(package: Package) -> list[str]:
    return sorted({r["format"] for r in package.get("resources", []) if r.get("format")})


def _capacity(package: Package) -> list[str]:
    return ["private" if package.get("private") else "public"]


#: Fields matched whole (case- and accent-insensitively), usable in ``fq``, ``q`` and as facets.
KEYWORD_FIELDS: Mapping[str, ValuesOf] = {
    "organization": _organization,
    "groups": _groups,
    "tags": _tags,
    "res_format": _formats,
    "license_id": _one("license_id"),
    "name": _one("name"),
    "id": _one("id"),
    # ADA's additions
    "sector": _one("sector"),
    "dimension": _one("dimension"),
    "frequency": _one("frequency"),
    "quality_level": _one("quality_level"),
    # what CKAN itself adds to fq (``+state:active``, ``+dataset_type:dataset``, ``capacity``)
    "state": _one("state"),
    "dataset_type": _one("type"),
    "capacity": _capacity,
}


def display_names(field: str, package: Package) -> dict[str, str]:
    """A facet item's ``display_name`` per value: titles for organizations and groups.

    CKAN's facets show an organization's or group's title, not its slug; every other field
    shows the value itself.
    """
    if field == "organization" and package.get("organization"):
        organization = package["organization"]
        return {organization["name"]: organization.get("title") or organization["name"]}
    if field == "groups":
        return {
            g["name"]: g.get("display_name") or g.get("title") or g["name"]
            for g in package.get("groups", [])
        }
    return {}


#: The analyzed text of a dataset, field by field, with its weight in ranking: a match in the
#: title counts most, then the tags, then the description, then who publishes it. Each field's
#: BM25 score saturates on its own and is then weighted, so however often a word is repeated in
#: a description it adds at most ``(K1 + 1) * 1.0`` idf, less than one mention in a title (6.0
#: over the title's length normalisation, above 2.2 for titles up to four times the average).
TEXT_WEIGHTS: Mapping[str, float] = {
    "title": 6.0,
    "tags": 3.0,
    "notes": 1.0,
    "organization": 0.3,
}


def texts(package: Package) -> dict[str, list[str]]:
    """The pieces of text of each weighted field (a list so that phrases do not span pieces)."""
    organization = package.get("organization")
    return {
        "title": [package.get("title") or package.get("name", "")],
        "tags": _tags(package),
        "notes": [package.get("notes") or ""],
        "organization": [
            *([organization.get("title", "")] if organization else []),
            *(g.get("title", "") for g in package.get("groups", [])),
        ],
    }


#: Text fields a query can name: ``title:dengue``, ``notes:"calidad del aire"``; ``text`` is all
#: of them (CKAN's catch-all field), the same as no field.
TEXT_FIELDS: Mapping[str, tuple[str, ...]] = {
    "title": ("title",),
    "notes": ("notes",),
    "text": tuple(TEXT_WEIGHTS),
}

RangeKind = Literal["date", "number"]

#: Fields with ranges (``metadata_modified:[2024-01-01T00:00:00Z TO *]``, what CKAN harvesters
#: send) and sort keys.
RANGE_FIELDS: Mapping[str, RangeKind] = {
    "metadata_modified": "date",
    "metadata_created": "date",
    "quality_score": "number",
    "downloads": "number",
    "num_resources": "number",
    "num_tags": "number",
}


#: CKAN sort fields (``title_string`` is CKAN's sortable copy of the title) and ADA's own.
SORT_FIELDS = (
    "score",
    "metadata_modified",
    "metadata_created",
    "title_string",
    "name",
    "downloads",
    "quality_score",
)
