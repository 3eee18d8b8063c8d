"""The catalog record of a dataset, built from everything the platform knows about it.

:func:`build_package` is a pure function: given a dataset's spec, its release manifests (newest
first), its latest quality and privacy reports, its conformed model's entry in
``transformations/manifest.json``, its download count and the service's public address, it
returns the :class:`~catalog.records.Package` that the CKAN API serves, the search index indexes
and the DCAT-AP, data.json and Atom serializers translate. Reading those inputs is someone
else's job (:mod:`catalog.store.refresh`), so that the record can be tested on every real spec
without a lake, and the same inputs always give the same record: the store only writes the
records that changed, and ``metadata_modified`` moves only when an input did.

Release manifests are plain dicts of the publisher's shape (:class:`ReleaseManifest`): the
JSON at ``downloads/<sector>/<id>/v<N>/_release.json`` in the open zone.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from typing_extensions import TypedDict

from catalog.catalog_info import parse_timestamp, slug
from catalog.records import (
    ColumnInfo,
    Group,
    Organization,
    Package,
    Release,
    Resource,
    Tag,
)
from catalog.specs import FREQUENCY_EU, SECTOR_NAMES, DatasetSpec, Publication, Sector

#: The namespace of every UUID5 in the catalog (datasets, resources, entities, sectors, tags):
#: ids derive from names, so they are the same on every rebuild and every installation.
ADA_NAMESPACE = uuid.UUID("5f0c1f0e-8a8a-4d1e-9d0b-3b5b2c1a0ada")


class ReleaseFile(TypedDict):
    """One file of a release, as the publisher's manifest lists it."""

    format: str  # CSV, Parquet, JSON, GeoJSON, datapackage
    key: str  # object key in the open zone
    name: str  # file name, the last part of the download URL
    bytes: int
    sha256: str
    mimetype: str


class ReleaseManifest(TypedDict):
    """A published version of a dataset (``downloads/<sector>/<id>/v<N>/_release.json``)."""

    version: str  # "v3"
    published_at: str  # UTC, ISO 8601
    rows: int
    columns: list[str]
    source_table: str  # e.g. "curated.conformado.notificaciones_salud"
    spec_version: int
    files: list[ReleaseFile]


@dataclass(frozen=True)
class License:
    """A licence a spec may name, as CKAN's ``license_list`` describes it."""

    id: str
    title: str
    url: str
    is_open: bool


LICENSES: dict[str, License] = {
    item.id: item
    for item in (
        License(
            "CC-BY-4.0",
            "Creative Commons Atribución 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
            True,
        ),
        License(
            "CC-BY-SA-4.0",
            "Creative Commons Atribución-CompartirIgual 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
            True,
        ),
        License(
            "CC0-1.0",
            "Creative Commons CCZero 1.0",
            "https://creativecommons.org/publicdomain/zero/1.0/",
            True,
        ),
        License(
            "ODC-BY-1.0",
            "Open Data Commons Attribution License 1.0",
            "https://opendatacommons.org/licenses/by/1-0/",
            True,
        ),
        License(
            "ODbL-1.0",
            "Open Data Commons Open Database License 1.0",
            "https://opendatacommons.org/licenses/odbl/1-0/",
            True,
        ),
        License(
            "PDDL-1.0",
            "Open Data Commons Public Domain Dedication and License 1.0",
            "https://opendatacommons.org/licenses/pddl/1-0/",
            True,
        ),
    )
}

#: The manifest's ``format`` (lower case) → the format the catalog shows (CKAN's ``format``).
FORMAT_TITLES = {
    "csv": "CSV",
    "parquet": "Parquet",
    "json": "JSON",
    "geojson": "GeoJSON",
    "datapackage": "Data Package",
}
#: Formats ``datastore_search`` can stand behind, best first: the one resource marked
#: ``datastore_active`` is the first of these the release has (CKAN ties the datastore to one).
DATASTORE_FORMATS = ("CSV", "Parquet", "JSON", "GeoJSON")

_VERSION = re.compile(r"^v(\d+)$")
#: DuckDB types (as SQLMesh's manifest writes them) → Table Schema types.
_TABLE_SCHEMA_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(TEXT|VARCHAR|STRING|CHAR|BPCHAR|UUID)"), "string"),
    (re.compile(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?\d*|U?BIGINT|LONG)$"), "integer"),
    (re.compile(r"^(DOUBLE|FLOAT\d*|REAL|DECIMAL|NUMERIC)"), "number"),
    (re.compile(r"^BOOL(EAN)?$"), "boolean"),
    (re.compile(r"^DATE$"), "date"),
    (re.compile(r"^TIMESTAMP"), "datetime"),
    (re.compile(r"^TIME"), "time"),
)


# ------------------------------------------------------------------------------------ identity


def stable_id(kind: str, name: str) -> str:
    """A UUID5 from a name: the same dataset, file or entity keeps its id across rebuilds."""
    return str(uuid.uuid5(ADA_NAMESPACE, f"{kind}/{name}" if kind else name))


def package_id(dataset_id: str) -> str:
    return stable_id("", dataset_id)


def resource_id(dataset_id: str, file_format: str) -> str:
    """One id per dataset and format: a harvester sees the CSV of each new release as the same
    distribution, updated, not as a new one."""
    return stable_id("", f"{dataset_id}/{format_title(file_format)}")


def format_title(file_format: str) -> str:
    """``csv`` → ``CSV``, ``datapackage`` → ``Data Package``; an unknown one as written."""
    return FORMAT_TITLES.get(file_format.strip().lower(), file_format.strip())


def version_number(version: str) -> int:
    """``v12`` → 12, so that ``v10`` sorts after ``v9``."""
    match = _VERSION.match(version)
    if match is None:
        raise ValueError(f"release version must look like 'v3', got {version!r}")
    return int(match.group(1))


def download_path(name: str, version: str, file_name: str) -> str:
    """The service's download route for one file of one release (relative to its base URL)."""
    return f"/dataset/{name}/download/{version}/{file_name}"


def ckan_stamp(moment: str | dt.datetime) -> str:
    """A timestamp as CKAN writes them: UTC, no offset, microseconds."""
    parsed = parse_timestamp(moment) if isinstance(moment, str) else moment
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.%f")


# ---------------------------------------------------------------------------- shared entities


def organization_for(entidad: str, created: str) -> Organization:
    """The publishing entity as a CKAN organization; its name is the slug of ``entidad``."""
    name = slug(entidad)
    return {
        "id": stable_id("org", name),
        "name": name,
        "title": entidad,
        "description": f"{entidad}, entidad del Distrito Capital de Bogotá.",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "image_url": "",
        "created": created,
    }


def group_for(sector: Sector) -> Group:
    """The district sector as a CKAN group (Bogotá's portal calls them categorías)."""
    title = SECTOR_NAMES[sector]
    return {
        "id": stable_id("group", sector.value),
        "name": sector.value,
        "title": title,
        "display_name": title,
        "description": f"Sector {title}",
        "image_display_url": "",
    }


def tag_for(name: str) -> Tag:
    return {
        "id": stable_id("tag", name),
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


# ------------------------------------------------------------------------- editable metadata

#: The record fields an editor may change through the API (``package_patch``), and where each
#: lives in the spec's ``publication``. Everything else comes from the spec alone.
EDITABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "notes": ("description",),
    "url": ("documentation",),
    "maintainer": ("contact", "name"),
    "maintainer_email": ("contact", "email"),
    "tags": ("tags",),
}
_FIELD_BY_PATH = {path: field for field, path in EDITABLE_FIELDS.items()}


def record_field(spec: DatasetSpec, field: str) -> Any:
    """The value the editable record ``field`` takes from ``spec`` (what :func:`build_package`
    writes: ``url`` is ``""`` without documentation, ``tags`` a list of names)."""
    value: Any = spec.publication
    for part in EDITABLE_FIELDS[field]:
        value = getattr(value, part)
    if field == "url":
        return value or ""
    return list(value) if field == "tags" else value


class EditError(ValueError):
    """Edited fields the spec's rules refuse: messages per record field (Spanish)."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def edited_spec(spec: DatasetSpec, fields: Mapping[str, Any]) -> DatasetSpec:
    """``spec`` with record ``fields`` (``title``, ``notes``...) written into its publication,
    checked by the spec's own rules (a title of at least 3 characters, a valid e-mail...), so
    an edited record is one a spec could have produced. The record is then built from it as
    from any spec: the title reaches the resources' descriptions, DCAT-AP and the feeds too."""
    data = spec.publication.model_dump()
    for field, value in fields.items():
        *parents, leaf = EDITABLE_FIELDS[field]
        target = data
        for part in parents:
            target = target[part]
        target[leaf] = value
    try:
        publication = Publication.model_validate(data)
    except ValidationError as err:
        raise EditError(_edit_messages(err)) from None
    return spec.model_copy(update={"publication": publication})


def _edit_messages(err: ValidationError) -> dict[str, list[str]]:
    messages: dict[str, list[str]] = {}
    for error in err.errors():
        path = tuple(str(part) for part in error["loc"])
        field = next(
            (_FIELD_BY_PATH[path[:size]] for size in (2, 1) if path[:size] in _FIELD_BY_PATH),
            ".".join(path),
        )
        messages.setdefault(field, []).append(_edit_message(error))
    return messages


def _edit_message(error: Any) -> str:
    kind = error.get("type")
    if kind == "string_too_short":
        return f"Debe tener al menos {error['ctx']['min_length']} caracteres."
    if kind == "string_pattern_mismatch":
        return "Formato no válido."
    return "Valor no válido."


# ------------------------------------------------------------------------------------ builder


def build_package(
    spec: DatasetSpec,
    releases: Sequence[ReleaseManifest],
    *,
    base_url: str,
    quality: Mapping[str, Any] | None = None,
    privacy: Mapping[str, Any] | None = None,
    model: Mapping[str, Any] | None = None,
    downloads: int = 0,
    organization_created: str | None = None,
    edited_at: str | None = None,
) -> Package:
    """The catalog record of ``spec`` and its ``releases`` (newest first, at least one).

    ``model`` is the conformed model's entry in ``transformations/manifest.json`` (columns with
    descriptions, column lineage), or ``None`` when the dataset publishes its privacy-treated
    table. ``organization_created`` is when the entity first published (the store passes the
    same value for all its datasets); by default this dataset's first release. ``edited_at`` is
    when its metadata was last edited through the API (``spec`` is then :func:`edited_spec`'s):
    ``metadata_modified`` moves with it, so harvesters pick the edit up.
    """
    if not releases:
        raise ValueError(f"{spec.key}: a catalog record needs at least one release")
    ordered = sorted(releases, key=lambda r: version_number(r["version"]), reverse=True)
    current = ordered[0]
    root = base_url.rstrip("/")
    pid = package_id(spec.id)
    publication = spec.publication
    created = ckan_stamp(ordered[-1]["published_at"])
    modified = _modified(current, quality, privacy, edited_at)
    organization = organization_for(publication.entidad, organization_created or created)
    license_ = LICENSES.get(publication.license)
    quality_summary = public_quality(quality)
    resources = _resources(spec, current, pid, root)
    tags = [tag_for(name) for name in publication.tags]
    return {
        "id": pid,
        "name": spec.id,
        "title": publication.title,
        "notes": publication.description,
        "url": publication.documentation or "",
        "version": current["version"],
        "state": "active",
        "private": False,
        "type": "dataset",
        "license_id": publication.license,
        "license_title": license_.title if license_ else publication.license,
        "license_url": license_.url if license_ else "",
        "isopen": bool(license_ and license_.is_open),
        "author": publication.entidad,
        "author_email": "",
        "maintainer": publication.contact.name,
        "maintainer_email": publication.contact.email,
        "metadata_created": created,
        "metadata_modified": modified,
        "owner_org": organization["id"],
        "organization": organization,
        "groups": [group_for(spec.sector)],
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": _extras(spec, current),
        "relationships_as_object": [],
        "relationships_as_subject": [],
        "sector": spec.sector.value,
        "sector_title": SECTOR_NAMES[spec.sector],
        "dimension": publication.dimension.value,
        "frequency": spec.update_frequency.value,
        "frequency_eu": FREQUENCY_EU[spec.update_frequency],
        "language": publication.language,
        "spatial_text": publication.spatial,
        "temporal_start": _iso_date(publication.temporal.start),
        "temporal_end": _iso_date(publication.temporal.end),
        "quality_score": quality_summary["puntaje"] if quality_summary else None,
        "quality_level": str(quality_summary["sello"]) if quality_summary else "sin sello",
        "quality": quality_summary,
        "privacy": dict(privacy) if privacy is not None else None,
        "lineage": lineage(spec, current, model),
        "columns": data_dictionary(spec, current, model),
        "releases": [_release(spec.id, release, root) for release in ordered],
        "downloads": downloads,
    }


def _modified(
    current: ReleaseManifest,
    quality: Mapping[str, Any] | None,
    privacy: Mapping[str, Any] | None,
    edited_at: str | None = None,
) -> str:
    """The newest of the inputs' own timestamps (never "now"): rebuilding the record from the
    same inputs must give the same record."""
    stamps = [parse_timestamp(current["published_at"])]
    for report in (quality, privacy):
        if report and report.get("generated_at"):
            stamps.append(parse_timestamp(str(report["generated_at"])))
    if edited_at:
        stamps.append(parse_timestamp(edited_at))
    return ckan_stamp(max(stamps))


def _iso_date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _resources(spec: DatasetSpec, release: ReleaseManifest, pid: str, root: str) -> list[Resource]:
    published = ckan_stamp(release["published_at"])
    formats = [format_title(f["format"]) for f in release["files"]]
    queried = next((fmt for fmt in DATASTORE_FORMATS if fmt in formats), None)
    resources: list[Resource] = []
    for position, file in enumerate(release["files"]):
        fmt = format_title(file["format"])
        resources.append(
            {
                "id": resource_id(spec.id, file["format"]),
                "package_id": pid,
                "name": file["name"],
                "description": f"{spec.publication.title} ({fmt}, {release['version']})",
                "format": fmt,
                "mimetype": file["mimetype"],
                "url": root + download_path(spec.id, release["version"], file["name"]),
                "size": int(file["bytes"]),
                "hash": f"sha256:{file['sha256']}",
                "created": published,
                "last_modified": published,
                "position": position,
                "url_type": "upload",
                "state": "active",
                "datastore_active": fmt == queried,
                "release": release["version"],
            }
        )
    return resources


def _release(name: str, release: ReleaseManifest, root: str) -> Release:
    return {
        "version": release["version"],
        "published": ckan_stamp(release["published_at"]),
        "rows": int(release["rows"]),
        "files": {
            format_title(f["format"]): root + download_path(name, release["version"], f["name"])
            for f in release["files"]
        },
    }


def _extras(spec: DatasetSpec, release: ReleaseManifest) -> list[dict[str, str]]:
    """CKAN's ``extras``: what harvesters that ignore ADA's top-level fields still read."""
    publication = spec.publication
    pairs = {
        "sector": spec.sector.value,
        "dimension": publication.dimension.value,
        "frequency": spec.update_frequency.value,
        "spatial": publication.spatial,
        "language": publication.language,
        "temporal_start": _iso_date(publication.temporal.start) or "",
        "temporal_end": _iso_date(publication.temporal.end) or "",
        "spec_version": str(release.get("spec_version", spec.spec_version)),
        "rows": str(release["rows"]),
    }
    return [{"key": key, "value": value} for key, value in pairs.items() if value]


# -------------------------------------------------------------------- quality and dictionary

#: Quality report fields that stay inside the platform: where its Data Docs are stored (a path
#: in the curated zone) and which Dagster run wrote it.
_INTERNAL_QUALITY_FIELDS = ("data_docs", "dagster_run_id")


def public_quality(report: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The quality report as the catalog shows it: score, seal, criteria, trend and the rules
    that failed (their outcomes are already value-safe); not the rules that passed, which
    make the report large without telling a reader anything, nor internal locations."""
    if report is None:
        return None
    summary = {k: v for k, v in report.items() if k not in _INTERNAL_QUALITY_FIELDS}
    rules = list(report.get("reglas") or [])
    summary["reglas_evaluadas"] = len(rules)
    summary["reglas"] = [rule for rule in rules if not rule.get("success", False)]
    summary.setdefault("sello", "sin sello")
    summary.setdefault("puntaje", None)
    return summary


def table_schema_type(duckdb_type: str) -> str:
    """A DuckDB type as a Table Schema type; ``any`` for nested or unknown types."""
    upper = duckdb_type.strip().upper()
    for pattern, name in _TABLE_SCHEMA_TYPES:
        if pattern.match(upper):
            return name
    return "any"


def data_dictionary(
    spec: DatasetSpec, release: ReleaseManifest, model: Mapping[str, Any] | None
) -> list[ColumnInfo]:
    """The published columns, in the release's order, described by the conformed model (or
    the spec for a dataset without one); units come from the spec."""
    from_spec = {column.name: column for column in spec.schema_.columns}
    from_model = {str(c["name"]): c for c in (model or {}).get("columns", [])}
    names = list(release.get("columns") or from_model or from_spec)
    columns: list[ColumnInfo] = []
    for name in names:
        described = from_model.get(name)
        declared = from_spec.get(name)
        if described is not None:
            kind = table_schema_type(str(described.get("type", "")))
            text = str(described.get("description") or (declared.description if declared else ""))
        else:
            kind = declared.type if declared else "any"
            text = declared.description if declared else ""
        columns.append(
            {
                "name": name,
                "type": kind,
                "description": text,
                "unit": declared.unit if declared else None,
            }
        )
    return columns


# ------------------------------------------------------------------------------------ lineage


def lineage(
    spec: DatasetSpec, release: ReleaseManifest, model: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """Where the published files come from, step by step: source → raw → staging → curated
    → conformed model (when there is one) → release files. Descriptions are for people."""
    sector, ident = spec.sector.value, spec.id
    steps: list[dict[str, Any]] = [
        {
            "stage": "source",
            "title": "Fuente",
            "kind": spec.source.kind,
            "description": _source_description(spec),
        },
        {
            "stage": "raw",
            "title": "Zona cruda",
            "location": f"raw/{ident}/",
            "description": "Los archivos exactamente como se recibieron: inmutables, "
            "versionados y con su huella SHA-256.",
        },
        {
            "stage": "staging",
            "title": "Preparación",
            "table": f"staging.{sector}.{ident}",
            "description": "Datos tipados y validados con las reglas de calidad; las filas que "
            "no las cumplen quedan en cuarentena.",
        },
        {
            "stage": "curated",
            "title": "Zona curada",
            "table": f"curated.{sector}.{ident}",
            "description": "Tratamiento de datos personales y compuerta de reidentificación "
            "(k-anonimato) antes de cualquier publicación.",
        },
    ]
    if model is not None:
        steps.append(
            {
                "stage": "model",
                "title": "Modelo conformado",
                "table": ".".join(model.get("key") or ["curated", *str(model["name"]).split(".")]),
                "description": str(model.get("description") or ""),
                "inputs": ["curated." + ".".join(dep) for dep in model.get("depends_on", [])],
                "column_lineage": dict(model.get("column_lineage") or {}),
            }
        )
    steps.append(
        {
            "stage": "release",
            "title": f"Publicación {release['version']}",
            "version": release["version"],
            "published": ckan_stamp(release["published_at"]),
            "source_table": release["source_table"],
            "rows": int(release["rows"]),
            "files": [f["name"] for f in release["files"]],
            "description": "Archivos descargables, revisados por el detector de fugas de datos "
            "personales antes de publicarse.",
        }
    )
    return steps


def _source_description(spec: DatasetSpec) -> str:
    """What a reader may know about the source: the entity and the kind of delivery, never an
    internal path, bucket or credential."""
    entidad = spec.publication.entidad
    source = spec.source
    if source.kind == "socrata":
        return f"{entidad}, publicado en {source.domain} (conjunto {source.dataset_id})."
    if source.kind == "ckan":
        return f"{entidad}, recurso {source.resource_id} del portal CKAN {source.base_url}."
    if source.kind == "url":
        host = re.sub(r"^(\w+://[^/?#]+).*$", r"\1", source.url)
        return f"{entidad}, archivo descargado de {host}."
    if source.kind == "landing":
        return f"Archivos entregados por {entidad} en la zona de recepción de la Agencia."
    return f"Archivo entregado por {entidad}."
