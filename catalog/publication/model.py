"""What a release is made of, as its manifest (``_release.json``) records it.

The manifest is written last into a version folder and is what makes the version exist for
every reader (the catalog service, the canary, people listing the bucket): keeping its shape in
one place keeps the writer and the readers from drifting apart. ``columns`` has the shape of
the catalog record's ``ColumnInfo`` and ``files`` carries what a CKAN ``Resource`` needs, so the
catalog service fills both from a manifest without reading the data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

#: File formats as the catalog record names them (``Resource.format``).
CSV = "CSV"
PARQUET = "Parquet"
JSON = "JSON"
GEOJSON = "GeoJSON"
DATA_PACKAGE = "Data Package"


class PublicationError(RuntimeError):
    """Publication refused (a leak was found or there is nothing released to publish)."""


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release, where it lives in the open zone and how to check it."""

    format: str  # CSV, Parquet, JSON, GeoJSON, Data Package
    key: str  # key in the open zone
    name: str  # file name, e.g. "siniestros_viales_sdm.csv"
    bytes: int
    sha256: str
    mimetype: str


@dataclass(frozen=True)
class ColumnSchema:
    """One published column, in the catalog record's ``ColumnInfo`` shape."""

    name: str
    type: str  # Table Schema type: string, integer, number, boolean, date, datetime, time...
    description: str
    unit: str | None = None


@dataclass(frozen=True)
class GeoJsonSummary:
    """Which columns placed the rows on the map, and how many rows had no usable point."""

    latitude: str
    longitude: str
    rows: int
    skipped: int


@dataclass(frozen=True)
class ReleaseManifest:
    """One committed version of a dataset's open files (``v<N>/_release.json``)."""

    dataset: str
    sector: str
    version: int
    published_at: str  # ISO 8601, UTC
    rows: int
    columns: tuple[ColumnSchema, ...]
    primary_key: tuple[str, ...]
    source_table: str
    spec_version: int
    content_sha256: str
    files: tuple[ReleaseFile, ...]
    geojson: GeoJsonSummary | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``v3``: how people, URLs and the catalog record name the version."""
        return f"v{self.version}"

    def file(self, name: str) -> ReleaseFile | None:
        return next((f for f in self.files if f.name == name), None)

    def file_of_format(self, fmt: str) -> ReleaseFile | None:
        return next((f for f in self.files if f.format == fmt), None)

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("extra")
        data["label"] = self.label
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ReleaseManifest:
        data = json.loads(text)
        data.pop("label", None)
        geojson = data.pop("geojson", None)
        known = set(cls.__dataclass_fields__) - {"extra"}
        # Fields a later writer adds are kept, not fatal: old readers must read new manifests.
        extra = {k: data.pop(k) for k in list(data) if k not in known}
        return cls(
            **{
                **data,
                "columns": tuple(ColumnSchema(**c) for c in data["columns"]),
                "primary_key": tuple(data["primary_key"]),
                "files": tuple(ReleaseFile(**f) for f in data["files"]),
                "geojson": GeoJsonSummary(**geojson) if geojson else None,
                "extra": extra,
            }
        )
