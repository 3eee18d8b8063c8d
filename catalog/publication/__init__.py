"""Curated → open: the versioned releases citizens download.

What is published is the dataset's conformed SQLMesh model (``curated.conformado.<id>``), or,
for a dataset without one, its privacy-treated table; either exists only once the privacy gate
(and the model's audits) let it through. Before anything is written the rows are scanned by the
leak canary (``privacy.canary``); a table with any direct identifier is never published, and
the run fails saying which column and which kind of data, never the values.

Each release is a version folder ``downloads/<sector>/<id>/v<N>/`` holding CSV, Parquet, JSON,
GeoJSON (when the rows have coordinates) and a Frictionless ``datapackage.json``, committed by
its ``_release.json``; ``current.json`` points at the latest. See ``docs/publication.md``.

- :mod:`.rows`: the rows to publish; :mod:`.formats`: the files; :mod:`.dictionary`: types,
  descriptions and key; :mod:`.datapackage`: the descriptor; :mod:`.layout`: the keys;
  :mod:`.releases`: the atomic write and the readers; :mod:`.model`: the manifest.
"""

from __future__ import annotations

from ada.settings import Settings
from catalog.publication.layout import dataset_prefix
from catalog.publication.model import (
    ColumnSchema,
    GeoJsonSummary,
    PublicationError,
    ReleaseFile,
    ReleaseManifest,
)
from catalog.publication.releases import (
    OnWritten,
    Published,
    current_release,
    download_url,
    get_release,
    list_releases,
    open_release_file,
    publish_table,
    release_file,
    withdraw_release,
)
from catalog.publication.rows import default_source_table, read_rows
from catalog.specs import DatasetSpec

__all__ = [
    "ColumnSchema",
    "GeoJsonSummary",
    "PublicationError",
    "Published",
    "ReleaseFile",
    "ReleaseManifest",
    "current_release",
    "dataset_prefix",
    "download_url",
    "get_release",
    "list_releases",
    "open_release_file",
    "publish_dataset",
    "publish_table",
    "read_rows",
    "release_file",
    "withdraw_release",
]


def publish_dataset(
    settings: Settings,
    spec: DatasetSpec,
    table: str | None = None,
    *,
    on_written: OnWritten | None = None,
) -> Published:
    """Publish the dataset's next release from ``table`` (a ``curated.*`` name: its conformed
    model; by default the privacy-treated table), or nothing if the data did not change."""
    source_table = table or default_source_table(spec)
    rows = read_rows(settings, spec, source_table)
    return publish_table(settings, spec, rows, source_table=source_table, on_written=on_written)
