"""The catalog record: a dataset as CKAN's ``package_show`` returns it, plus ADA's own fields.

Every reader of the catalog speaks this one shape: the CKAN Action API returns it as is, the
search index indexes it, the DCAT-AP, Project Open Data and Atom serializers translate it, and
the portal renders it. Keeping CKAN's field names (``name``, ``title``, ``notes``,
``organization``, ``groups``, ``tags``, ``resources``, ``license_id``, ``metadata_modified``)
means ``ckanapi`` and CKAN harvesters read it unchanged; ADA's additions are extra top-level
keys, the way ckanext-scheming adds fields, which CKAN clients ignore.

Conventions:

- ``id`` is stable across releases (a UUID5 of the dataset id); ``name`` is the dataset id
  (``notificaciones_salud``), the slug in every URL.
- Timestamps are ISO 8601 in UTC without offset (``2025-06-07T12:00:00.000000``), as CKAN
  writes them.
- ``groups`` are the district sectors (CKAN's "categorías" on Bogotá's portal); the MinTIC
  dimension is ``dimension``.
- Texts for people are Spanish.
"""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict


class Organization(TypedDict):
    """The district entity that publishes the dataset (CKAN organization)."""

    id: str
    name: str  # slug, e.g. "secretaria-distrital-de-salud"
    title: str  # "Secretaría Distrital de Salud"
    description: str
    type: str  # "organization"
    is_organization: bool
    state: str  # "active"
    image_url: str
    created: str


class Group(TypedDict):
    """A sector (CKAN group)."""

    id: str
    name: str  # the sector slug, e.g. "salud"
    title: str  # "Salud"
    display_name: str
    description: str
    image_display_url: str


class Tag(TypedDict):
    id: str
    name: str  # as written in the spec, e.g. "vigilancia epidemiológica"
    display_name: str
    state: str
    vocabulary_id: None


class Resource(TypedDict):
    """One downloadable file of the current release (CKAN resource).

    ``url`` is absolute: the portal's download route, which streams the file from the open zone
    (local folder) or redirects to a presigned URL (S3). ``datastore_active`` is true for the
    resource that ``datastore_search`` queries (the curated table behind the release).
    """

    id: str
    package_id: str
    name: str  # "notificaciones_salud.csv"
    description: str
    format: str  # "CSV", "Parquet", "JSON", "GeoJSON", "Data Package"
    mimetype: str
    url: str
    size: int
    hash: str  # "sha256:<hex>"
    created: str
    last_modified: str
    position: int
    url_type: str  # "upload"
    state: str
    datastore_active: bool
    release: str  # ADA: the release version this file belongs to, e.g. "v3"


class Release(TypedDict):
    """ADA: one published version of the dataset (earlier ones stay downloadable)."""

    version: str  # "v3"
    published: str  # timestamp
    rows: int
    files: dict[str, str]  # format → URL


class ColumnInfo(TypedDict):
    """ADA: one column of the data dictionary."""

    name: str
    type: str  # Table Schema type: string, integer, number, boolean, date, datetime
    description: str
    unit: NotRequired[str | None]


class Package(TypedDict):
    """A dataset as CKAN's ``package_show`` returns it, with ADA's additions at the end."""

    # --- CKAN core fields
    id: str
    name: str
    title: str
    notes: str  # description (Markdown)
    url: str  # the entity's documentation page, or ""
    version: str  # current release, e.g. "v3"
    state: str  # "active"
    private: bool
    type: str  # "dataset"
    license_id: str  # "CC-BY-4.0"
    license_title: str
    license_url: str
    isopen: bool
    author: str
    author_email: str
    maintainer: str  # the spec's contact
    maintainer_email: str
    metadata_created: str
    metadata_modified: str
    owner_org: str
    organization: Organization
    groups: list[Group]
    tags: list[Tag]
    num_tags: int
    resources: list[Resource]
    num_resources: int
    extras: list[dict[str, str]]  # [{"key": ..., "value": ...}], for harvesters
    relationships_as_object: list[Any]
    relationships_as_subject: list[Any]
    # --- ADA's additions (ckanext-scheming style top-level fields)
    sector: str  # slug, the same as groups[0].name
    sector_title: str
    dimension: str  # MinTIC dimension: Personas, Gobernanza, Calidad de Vida, ...
    frequency: str  # Spanish: diaria, mensual, eventual, ...
    frequency_eu: str  # EU vocabulary: DAILY, MONTHLY, IRREG, ...
    language: str  # "es"
    spatial_text: str  # "Bogotá D.C."
    temporal_start: str | None  # ISO date
    temporal_end: str | None
    quality_score: float | None  # 0-10 (expectations.score)
    quality_level: str  # "oro", "plata", "bronce", "sin sello"
    quality: dict[str, Any] | None  # the latest quality report, with its trend
    privacy: dict[str, Any] | None  # the latest privacy report
    lineage: list[dict[str, Any]]  # source → raw → staging → curated → model → file
    columns: list[ColumnInfo]  # the data dictionary
    releases: list[Release]  # newest first
    downloads: int  # download count, every format and release
