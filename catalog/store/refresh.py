"""Rebuild the catalog from what the platform has published: :func:`refresh_catalog`.

For every active spec with at least one release it reads the release manifests, the latest
quality and privacy reports and the conformed model's entry in the SQLMesh manifest, builds
the record with :func:`catalog.packages.build_package` and hands the whole catalog to the store,
which writes only what changed (so running it again, or after every publication, is cheap and
changes nothing when nothing changed). A draft or retired spec, or one not released yet, is not
in the catalog; one that was is taken out.

Release manifests are read by a :data:`ReleaseReader`; the default,
:func:`read_release_manifests`, asks the publisher (``catalog.publication.list_releases``: the
committed, not withdrawn versions) and shapes them for the record builder.

Metadata edited through the API (``package_patch``) is kept in the store as an override per
dataset (:mod:`catalog.store.editing`); each refresh applies it over the spec before building
the record, so an edit survives every refresh until someone drops it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ada.settings import Settings
from catalog.packages import (
    EditError,
    ReleaseManifest,
    build_package,
    ckan_stamp,
    edited_spec,
    version_number,
)
from catalog.records import Package
from catalog.registry import load_registry
from catalog.specs import DatasetSpec
from catalog.store.editing import Override, read_overrides
from catalog.store.store import CatalogStore

log = logging.getLogger("ada.catalog")

ReleaseReader = Callable[[Settings, DatasetSpec], list[ReleaseManifest]]

#: Reads per spec (release list, two reports) are I/O: on S3 they overlap well.
_READERS = 8


def read_release_manifests(settings: Settings, spec: DatasetSpec) -> list[ReleaseManifest]:
    """The dataset's committed, not withdrawn releases, newest first, read by the publisher's
    own reader (``catalog.publication.list_releases``) and shaped as the record builder takes
    them."""
    from catalog.publication import list_releases

    return [
        {
            "version": release.label,
            "published_at": release.published_at,
            "rows": release.rows,
            "columns": [column.name for column in release.columns],
            "source_table": release.source_table,
            "spec_version": release.spec_version,
            "files": [
                {
                    "format": file.format,
                    "key": file.key,
                    "name": file.name,
                    "bytes": file.bytes,
                    "sha256": file.sha256,
                    "mimetype": file.mimetype,
                }
                for file in release.files
            ],
        }
        for release in list_releases(settings, spec)
    ]


@dataclass(frozen=True)
class _Inputs:
    """Everything read for one dataset before its record is built."""

    spec: DatasetSpec
    releases: list[ReleaseManifest]
    quality: dict[str, Any] | None
    privacy: dict[str, Any] | None


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did: the catalog version after it and how many records moved."""

    version: int
    datasets: int
    written: int
    removed: int
    unreleased: tuple[str, ...]


def refresh_catalog(
    settings: Settings,
    base_url: str,
    *,
    releases: ReleaseReader = read_release_manifests,
    store: CatalogStore | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> RefreshResult:
    """(Re)build every record from the specs, release manifests and reports, and write the
    store. Idempotent: the same inputs write nothing and leave the version where it was."""
    from transformations.manifest import load_manifest

    registry = load_registry(settings.datasets_dir)
    own = store is None
    store = store or CatalogStore.open(settings)
    try:
        models = _models_by_table(manifest if manifest is not None else load_manifest())
        with ThreadPoolExecutor(_READERS) as pool:
            inputs = list(
                pool.map(lambda spec: _read_inputs(settings, spec, releases), registry.active)
            )
        released = [item for item in inputs if item.releases]
        counts = store.download_totals()
        created = _organization_created(released)

        def build(connection: sa.Connection) -> list[Package]:
            """Under the store's lock: the overrides as they are when the catalog is written."""
            edits = read_overrides(connection)
            return [
                _build(item, edits.get(item.spec.id), base_url, models, counts, created)
                for item in released
            ]

        result = store.write_built(build, {item.spec.id: item.releases for item in released})
    finally:
        if own:
            store.close()
    return RefreshResult(
        version=result.version,
        datasets=len(released),
        written=result.written,
        removed=result.removed,
        unreleased=tuple(item.spec.id for item in inputs if not item.releases),
    )


def _build(
    item: _Inputs,
    override: Override | None,
    base_url: str,
    models: Mapping[str, Mapping[str, Any]],
    counts: Mapping[str, int],
    created: Mapping[str, str],
) -> Package:
    spec, edited_at = _edited(item.spec, override)
    return build_package(
        spec,
        item.releases,
        base_url=base_url,
        quality=item.quality,
        privacy=item.privacy,
        model=models.get(item.releases[0]["source_table"]),
        downloads=counts.get(item.spec.id, 0),
        organization_created=created[item.spec.publication.entidad],
        edited_at=edited_at,
    )


def _edited(spec: DatasetSpec, override: Override | None) -> tuple[DatasetSpec, str | None]:
    """The spec with its API edits, and when they were made. An override the spec's rules
    no longer accept (they were checked when it was saved) is skipped with a warning rather
    than failing the whole catalog."""
    if override is None:
        return spec, None
    try:
        return edited_spec(spec, override.fields), override.updated_at
    except (EditError, KeyError) as err:
        log.warning("edición de %s omitida: %s", spec.id, err)
        return spec, None


def _read_inputs(settings: Settings, spec: DatasetSpec, reader: ReleaseReader) -> _Inputs:
    from expectations.assessment import load_quality
    from privacy.report import load_report

    manifests = sorted(
        reader(settings, spec), key=lambda m: version_number(m["version"]), reverse=True
    )
    if not manifests:
        return _Inputs(spec, [], None, None)
    return _Inputs(spec, manifests, load_quality(settings, spec), load_report(settings, spec))


def _models_by_table(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """SQLMesh models by their table name (``curated.conformado.<id>``)."""
    return {".".join(model["key"]): model for model in manifest.get("models", [])}


def _organization_created(released: list[_Inputs]) -> dict[str, str]:
    """When each entity first published: its oldest release, the same in all its records."""
    first: dict[str, str] = {}
    for item in released:
        oldest = ckan_stamp(item.releases[-1]["published_at"])
        entidad = item.spec.publication.entidad
        first[entidad] = min(first.get(entidad, oldest), oldest)
    return first
