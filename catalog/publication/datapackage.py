"""``datapackage.json``: the release described as a Frictionless Data Package v2.

One resource per data file, each with its size and sha256 so a downloader can check what they
got; the tabular ones (CSV, JSON, Parquet) carry the same Table Schema: every field's type and
Spanish description, and the primary key. The GeoJSON file is a FeatureCollection, not a table,
so it is a plain (non-tabular) resource: its properties are the same fields minus the
coordinates. Frictionless tools (``frictionless validate``, ``frictionless-r``, Open Data
Editor) and CKAN's ``ckanext-datapackager`` read the descriptor without any ADA code.

Spec: https://datapackage.org/standard/data-package/ (v2, 2024).
"""

from __future__ import annotations

from typing import Any

from catalog.publication.formats import LocalFile
from catalog.publication.model import CSV, GEOJSON, ColumnSchema
from catalog.specs import DatasetSpec

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
NAME = "datapackage.json"
MIMETYPE = "application/json"
#: Who curates and publishes every dataset of the platform.
CURATOR = "Agencia Analítica de Datos de Bogotá (ADA)"
#: The licences specs use, by their Open Definition id.
LICENSES: dict[str, dict[str, str]] = {
    "CC-BY-4.0": {
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Atribución 4.0 Internacional",
    },
    "CC-BY-SA-4.0": {
        "path": "https://creativecommons.org/licenses/by-sa/4.0/",
        "title": "Creative Commons Atribución-CompartirIgual 4.0 Internacional",
    },
    "CC0-1.0": {
        "path": "https://creativecommons.org/publicdomain/zero/1.0/",
        "title": "Creative Commons CC0 1.0 Universal",
    },
    "ODbL-1.0": {
        "path": "https://opendatacommons.org/licenses/odbl/1-0/",
        "title": "Open Data Commons Open Database License 1.0",
    },
}
#: Data Package fields that change with every release even when the data does not; they are
#: left out when two releases are compared.
VOLATILE = ("version", "created")


def package_version(version: int) -> str:
    """The package's ``version`` (semantic versioning, as the standard recommends): each
    release is a new major version, since a consumer cannot assume two releases compatible."""
    return f"{version}.0.0"


def license_of(spec: DatasetSpec) -> dict[str, str]:
    license_id = spec.publication.license
    return {"name": license_id, **LICENSES.get(license_id, {})}


def table_schema(columns: list[ColumnSchema], primary_key: list[str]) -> dict[str, Any]:
    fields = [{"name": c.name, "type": c.type, "description": c.description} for c in columns]
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = primary_key
    return schema


def resource(file: LocalFile, dataset_id: str, schema: dict[str, Any] | None) -> dict[str, Any]:
    """One resource: a Table Schema for the tabular files, none for the GeoJSON map."""
    extension = file.name.rsplit(".", 1)[-1]
    described: dict[str, Any] = {
        "name": f"{dataset_id}-{extension}",
        "path": file.name,
        "format": extension,
        "mediatype": file.mimetype,
        "encoding": "utf-8",
        "bytes": file.bytes,
        "hash": f"sha256:{file.sha256}",
    }
    if file.format == CSV:
        described["dialect"] = {"header": True, "delimiter": ",", "quoteChar": '"'}
    if file.format != GEOJSON and schema is not None:
        described["type"] = "table"
        described["schema"] = schema
    return described


def contributors(spec: DatasetSpec) -> list[dict[str, Any]]:
    pub = spec.publication
    return [
        {"title": pub.entidad, "roles": ["creator", "rightsHolder"]},
        {
            "title": pub.contact.name,
            "email": pub.contact.email,
            "organization": pub.entidad,
            "roles": ["contact"],
        },
        {"title": CURATOR, "roles": ["dataCurator"]},
    ]


def sources(spec: DatasetSpec) -> list[dict[str, str]]:
    source: dict[str, str] = {"title": spec.publication.entidad}
    if spec.publication.documentation:
        source["path"] = spec.publication.documentation
    return [source]


def build_descriptor(
    spec: DatasetSpec,
    *,
    version: int,
    created: str,
    files: list[LocalFile],
    columns: list[ColumnSchema],
    primary_key: list[str],
) -> dict[str, Any]:
    """The Data Package of one release (``created`` is an ISO 8601 UTC timestamp)."""
    pub = spec.publication
    schema = table_schema(columns, primary_key)
    descriptor: dict[str, Any] = {
        "$schema": PROFILE,
        "name": spec.id,
        "title": pub.title,
        "description": pub.description,
        "version": package_version(version),
        "created": created,
        "licenses": [license_of(spec)],
        "keywords": list(pub.tags),
        "contributors": contributors(spec),
        "sources": sources(spec),
        "resources": [resource(f, spec.id, schema) for f in files],
    }
    if pub.documentation:
        descriptor["homepage"] = pub.documentation
    return descriptor


def comparable(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The descriptor without what changes on every release (see :data:`VOLATILE`)."""
    return {k: v for k, v in descriptor.items() if k not in VOLATILE}
