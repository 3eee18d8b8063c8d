"""Versioned, atomic releases in the open zone, and the functions that read them.

A release is written in an order that readers can rely on (layout in
:mod:`catalog.publication.layout`):

1. every file is written to a local work folder first, so sizes and hashes are known and a
   failed conversion never touches the open zone;
2. the data files and ``datapackage.json`` go to ``v<N>/``, each refused if the key exists
   (``immutable=True``: local files become read-only, S3 keys are never overwritten);
3. ``v<N>/_release.json`` is written **last**: it is the commit marker. A version folder without
   it is incomplete: no reader lists it, and the next run deletes it before writing;
4. ``current.json`` is pointed at ``v<N>`` last of all.

A process killed anywhere before step 3 leaves no visible half release; killed between 3 and 4,
the release is complete and the pointer lags behind until the next run repairs it. Earlier
versions are never touched, so they stay downloadable. A run whose rows, types and metadata are
those of the latest release (same content hash) publishes nothing and says so.

One writer per dataset at a time is assumed (Dagster runs the dataset's open asset once per
run); two concurrent publications of the same dataset could both pick the same version number,
in which case the second is refused by the immutable writes and fails without harm.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ada.settings import Settings, Zone
from catalog.publication import layout
from catalog.publication.datapackage import MIMETYPE as DATAPACKAGE_MIMETYPE
from catalog.publication.datapackage import NAME as DATAPACKAGE_NAME
from catalog.publication.datapackage import build_descriptor, comparable
from catalog.publication.dictionary import declared_primary_key, describe_columns
from catalog.publication.formats import LocalFile, sha256_of, write_formats
from catalog.publication.model import (
    DATA_PACKAGE,
    PARQUET,
    ColumnSchema,
    GeoJsonSummary,
    PublicationError,
    ReleaseFile,
    ReleaseManifest,
)
from catalog.specs import DatasetSpec
from lake.storage import ObjectStore, store_for

#: Called after each object of a release is written, with its key and size (progress logs).
OnWritten = Callable[[str, int], None]
DEFAULT_URL_EXPIRY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Published:
    """What a publication run did: the release now current, and whether it is new."""

    release: ReleaseManifest
    is_new: bool
    pointer_repaired: bool = False

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.release.files]

    @property
    def rows(self) -> int:
        return self.release.rows

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.release.columns]

    def summary(self) -> str:
        """One line for people (the Dagster log)."""
        if self.is_new:
            return f"Publicada la versión {self.release.label} ({self.rows} filas)."
        repaired = " (se actualizó current.json)" if self.pointer_repaired else ""
        return (
            f"Sin cambios: la versión {self.release.label} ya publica estos mismos datos; "
            f"no se escribió una versión nueva{repaired}."
        )


@dataclass(frozen=True)
class _VersionFolder:
    version: int
    committed: bool
    withdrawn: bool


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _version_folders(store: ObjectStore, spec: DatasetSpec) -> dict[int, _VersionFolder]:
    """Every version folder of the dataset, complete or not, from one listing."""
    names: dict[int, set[str]] = {}
    for info in store.list(layout.dataset_prefix(spec)):
        located = layout.version_of(spec, info.key)
        if located is not None:
            names.setdefault(located[0], set()).add(located[1])
    return {
        version: _VersionFolder(version, layout.MANIFEST in found, layout.WITHDRAWN in found)
        for version, found in names.items()
    }


def _read_manifest(store: ObjectStore, spec: DatasetSpec, version: int) -> ReleaseManifest:
    text = store.get_bytes(layout.manifest_key(spec, version)).decode("utf-8")
    return ReleaseManifest.from_json(text)


def _visible_manifest(
    store: ObjectStore, spec: DatasetSpec, version: int
) -> ReleaseManifest | None:
    """The manifest of a committed, not withdrawn version; ``None`` for anything else."""
    if store.exists(layout.withdrawn_key(spec, version)):
        return None
    if not store.exists(layout.manifest_key(spec, version)):
        return None
    return _read_manifest(store, spec, version)


def _read_pointer(store: ObjectStore, spec: DatasetSpec) -> int | None:
    key = layout.pointer_key(spec)
    if not store.exists(key):
        return None
    try:
        return int(json.loads(store.get_bytes(key))["version"])
    except (ValueError, KeyError, TypeError):
        return None  # a damaged pointer is ignored: readers fall back to the listing


def _write_pointer(store: ObjectStore, spec: DatasetSpec, release: ReleaseManifest) -> int:
    pointer = {
        "dataset": spec.id,
        "version": release.version,
        "label": release.label,
        "manifest": layout.manifest_key(spec, release.version),
        "published_at": release.published_at,
    }
    data = (json.dumps(pointer, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    store.put_bytes(layout.pointer_key(spec), data)
    return len(data)


# ----------------------------------------------------------------------------------------------
# Readers (the catalog service's entry points)


def list_releases(settings: Settings, spec: DatasetSpec) -> list[ReleaseManifest]:
    """The dataset's complete releases, newest first (incomplete and withdrawn ones left out)."""
    store = store_for(settings, Zone.OPEN)
    folders = sorted(_version_folders(store, spec).values(), key=lambda f: -f.version)
    return [
        _read_manifest(store, spec, f.version) for f in folders if f.committed and not f.withdrawn
    ]


def current_release(settings: Settings, spec: DatasetSpec) -> ReleaseManifest | None:
    """The release ``current.json`` points at; the newest complete one if the pointer is
    missing, damaged or points at a withdrawn version; ``None`` before the first release."""
    store = store_for(settings, Zone.OPEN)
    pointed = _read_pointer(store, spec)
    if pointed is not None:
        release = _visible_manifest(store, spec, pointed)
        if release is not None:
            return release
    releases = list_releases(settings, spec)
    return releases[0] if releases else None


def get_release(
    settings: Settings, spec: DatasetSpec, version: int | str
) -> ReleaseManifest | None:
    """One complete release by version (``3`` or ``"v3"``); ``None`` if it is not one."""
    return _visible_manifest(store_for(settings, Zone.OPEN), spec, layout.parse_version(version))


def release_file(
    settings: Settings, spec: DatasetSpec, version: int | str, name: str
) -> ReleaseFile | None:
    """A file of a complete release by its name (``siniestros_viales_sdm.csv``,
    ``datapackage.json``); ``None`` if the release or the file does not exist."""
    release = get_release(settings, spec, version)
    return release.file(name) if release else None


def open_release_file(settings: Settings, file: ReleaseFile) -> pa.NativeFile:
    """A readable stream of the file's bytes (``read(n)``, a context manager), for the service
    to send in local mode."""
    return store_for(settings, Zone.OPEN).open_input(file.key)


def download_url(
    settings: Settings, key: str, expires: dt.timedelta = DEFAULT_URL_EXPIRY
) -> str | None:
    """A presigned GET URL for an open-zone key, valid for ``expires`` (at most 7 days), on S3;
    ``None`` on the local lake, where the service streams the file itself. The URL uses
    ``ADA_S3_PUBLIC_ENDPOINT`` when set, the address people's browsers can reach."""
    if settings.s3 is None:
        return None
    from lake.storage import S3Store

    return S3Store(Zone.OPEN, settings.s3).presigned_get_url(key, expires)


# ----------------------------------------------------------------------------------------------
# Writer


def content_sha256(schema: pa.Schema, files: list[LocalFile], descriptor: dict[str, Any]) -> str:
    """What makes two releases the same: column names and types, the bytes of the text formats
    (which spell every value) and the package's metadata without version, date, sizes and
    hashes. Parquet's bytes are left out: they name the writer's version, so an upgrade of
    DuckDB alone would otherwise look like new data."""
    package = comparable(descriptor)
    package["resources"] = [
        {k: v for k, v in r.items() if k not in ("bytes", "hash")} for r in package["resources"]
    ]
    identity = {
        "schema": [[f.name, str(f.type)] for f in schema],
        "files": {f.name: f.sha256 for f in files if f.format != PARQUET},
        "package": package,
    }
    text = json.dumps(identity, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _refuse_leaks(spec: DatasetSpec, table: pa.Table) -> None:
    from privacy.canary import scan_table

    leaks = scan_table(table)
    if leaks:
        found = "; ".join(leak.describe() for leak in leaks)
        raise PublicationError(
            f"{spec.key}: publication refused, personal data found in the released table "
            f"({found}); give those columns a policy in the spec's 'privacy' section"
        )


def _write_datapackage(folder: Path, descriptor: dict[str, Any]) -> LocalFile:
    path = folder / DATAPACKAGE_NAME
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return LocalFile(
        format=DATA_PACKAGE,
        name=DATAPACKAGE_NAME,
        path=path,
        bytes=path.stat().st_size,
        sha256=sha256_of(path),
        mimetype=DATAPACKAGE_MIMETYPE,
    )


def _test_pause() -> float:
    """Seconds to wait after each uploaded file, from ``ADA_TEST_SLOW_PUBLICATION`` (unset in
    any deployment): the fault tests widen the window between a release's first file and its
    commit marker, to kill the process or stop a server inside it."""
    try:
        return max(0.0, float(os.environ.get("ADA_TEST_SLOW_PUBLICATION", "0") or 0))
    except ValueError:
        return 0.0


def _upload(
    store: ObjectStore, prefix: str, files: list[LocalFile], on_written: OnWritten | None
) -> list[ReleaseFile]:
    uploaded = []
    pause = _test_pause()
    for file in files:
        key = f"{prefix}{file.name}"
        with file.path.open("rb") as stream:
            store.put_stream(key, stream, immutable=True)
        if pause:
            time.sleep(pause)
        if on_written is not None:
            on_written(key, file.bytes)
        uploaded.append(
            ReleaseFile(file.format, key, file.name, file.bytes, file.sha256, file.mimetype)
        )
    return uploaded


def _latest_release(
    store: ObjectStore, spec: DatasetSpec, folders: dict[int, _VersionFolder]
) -> ReleaseManifest | None:
    visible = [f.version for f in folders.values() if f.committed and not f.withdrawn]
    return _read_manifest(store, spec, max(visible)) if visible else None


def _delete_incomplete(
    store: ObjectStore, spec: DatasetSpec, folders: dict[int, _VersionFolder]
) -> None:
    """Left by a run that died before its commit marker: never visible, safe to remove."""
    for folder in folders.values():
        if not folder.committed:
            store.delete(layout.version_prefix(spec, folder.version))


@dataclass(frozen=True)
class _Prepared:
    """A release written to the local work folder, ready to upload."""

    files: list[LocalFile]
    columns: list[ColumnSchema]
    primary_key: list[str]
    content_sha256: str
    geojson: GeoJsonSummary | None


def _prepare(spec: DatasetSpec, table: pa.Table, source_table: str, folder: Path) -> _Prepared:
    """Write the data files and compute the content hash. The version is not known yet (it
    depends on what is already published), and the hash leaves version and date out anyway,
    so the descriptor is built here with placeholders and again, for real, on commit."""
    columns = describe_columns(spec, source_table, table.schema)
    written = write_formats(table, folder, spec.id, declared_primary_key(spec, source_table))
    descriptor = build_descriptor(
        spec,
        version=1,
        created=_now(),
        files=written.files,
        columns=columns,
        primary_key=written.primary_key,
    )
    identity = content_sha256(table.schema, written.files, descriptor)
    return _Prepared(written.files, columns, written.primary_key, identity, written.geojson)


def _commit(
    store: ObjectStore,
    spec: DatasetSpec,
    version: int,
    prepared: _Prepared,
    *,
    rows: int,
    source_table: str,
    folder: Path,
    on_written: OnWritten | None,
) -> ReleaseManifest:
    """Steps 2-4 of the module's protocol; a failure before the marker removes the folder."""
    prefix = layout.version_prefix(spec, version)
    published_at = _now()
    descriptor = build_descriptor(
        spec,
        version=version,
        created=published_at,
        files=prepared.files,
        columns=prepared.columns,
        primary_key=prepared.primary_key,
    )
    datapackage = _write_datapackage(folder, descriptor)
    committed = False
    try:
        files = _upload(store, prefix, [*prepared.files, datapackage], on_written)
        manifest = ReleaseManifest(
            dataset=spec.id,
            sector=spec.sector.value,
            version=version,
            published_at=published_at,
            rows=rows,
            columns=tuple(prepared.columns),
            primary_key=tuple(prepared.primary_key),
            source_table=source_table,
            spec_version=spec.spec_version,
            content_sha256=prepared.content_sha256,
            files=tuple(files),
            geojson=prepared.geojson,
        )
        data = manifest.to_json().encode("utf-8")
        store.put_bytes(layout.manifest_key(spec, version), data, immutable=True)
        committed = True
        if on_written is not None:
            on_written(layout.manifest_key(spec, version), len(data))
    except BaseException:
        if not committed:
            with contextlib.suppress(Exception):  # the next run cleans what is left anyway
                store.delete(prefix)
        raise
    size = _write_pointer(store, spec, manifest)
    if on_written is not None:
        on_written(layout.pointer_key(spec), size)
    return manifest


def publish_table(
    settings: Settings,
    spec: DatasetSpec,
    table: pa.Table,
    *,
    source_table: str,
    on_written: OnWritten | None = None,
) -> Published:
    """Publish ``table`` (the rows, lineage columns already removed) as the dataset's next
    release, unless the latest release already holds the same content.

    The leak canary scans the rows first: a table with any direct identifier is refused
    before a single byte reaches the open zone.
    """
    _refuse_leaks(spec, table)
    store = store_for(settings, Zone.OPEN)
    with tempfile.TemporaryDirectory(prefix="ada-release-") as work:
        folder = Path(work)
        prepared = _prepare(spec, table, source_table, folder)
        folders = _version_folders(store, spec)
        latest = _latest_release(store, spec, folders)
        if latest is not None and latest.content_sha256 == prepared.content_sha256:
            stale = _read_pointer(store, spec) != latest.version
            if stale:
                _write_pointer(store, spec, latest)
            return Published(latest, is_new=False, pointer_repaired=stale)
        _delete_incomplete(store, spec, folders)
        version = 1 + max((f.version for f in folders.values() if f.committed), default=0)
        manifest = _commit(
            store,
            spec,
            version,
            prepared,
            rows=table.num_rows,
            source_table=source_table,
            folder=folder,
            on_written=on_written,
        )
    return Published(manifest, is_new=True)


def withdraw_release(
    settings: Settings, spec: DatasetSpec, version: int | str, reason: str
) -> None:
    """Take a release down (e.g. personal data found after publication): mark it withdrawn so
    no reader lists it, delete its files, and point ``current.json`` at the newest remaining
    release. ``_release.json`` and ``_withdrawn.json`` stay as the record, so the version
    number is never reused. ``reason`` is stored: never put personal data in it."""
    store = store_for(settings, Zone.OPEN)
    number = layout.parse_version(version)
    if not store.exists(layout.manifest_key(spec, number)):
        raise PublicationError(f"{spec.key}: there is no complete release v{number}")
    if not store.exists(layout.withdrawn_key(spec, number)):
        record = {"version": number, "withdrawn_at": _now(), "reason": reason}
        data = (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        store.put_bytes(layout.withdrawn_key(spec, number), data, immutable=True)
    kept = {layout.MANIFEST, layout.WITHDRAWN}
    for info in store.list(layout.version_prefix(spec, number)):
        if info.key.rsplit("/", 1)[-1] not in kept:
            store.delete(info.key)
    remaining = list_releases(settings, spec)
    if remaining:
        _write_pointer(store, spec, remaining[0])
    else:
        store.delete(layout.pointer_key(spec))
