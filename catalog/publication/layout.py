"""Where a dataset's releases live in the open zone (folder or bucket)::

downloads/<sector>/<id>/current.json              # pointer to the latest version
downloads/<sector>/<id>/v<N>/<id>.csv             # the data files of version N
downloads/<sector>/<id>/v<N>/<id>.parquet
downloads/<sector>/<id>/v<N>/<id>.json
downloads/<sector>/<id>/v<N>/<id>.geojson         # when the rows have coordinates
downloads/<sector>/<id>/v<N>/datapackage.json
downloads/<sector>/<id>/v<N>/_release.json        # written last: the version exists
downloads/<sector>/<id>/v<N>/_withdrawn.json      # only if the version was withdrawn
"""

from __future__ import annotations

import re

from catalog.specs import DatasetSpec

DOWNLOADS_PREFIX = "downloads"
MANIFEST = "_release.json"
WITHDRAWN = "_withdrawn.json"
POINTER = "current.json"
#: Files that describe a release rather than hold its rows.
METADATA_FILES = frozenset({MANIFEST, WITHDRAWN, POINTER, "datapackage.json"})

_VERSION_FOLDER = re.compile(r"^v(\d+)/")


def dataset_prefix(spec: DatasetSpec) -> str:
    return f"{DOWNLOADS_PREFIX}/{spec.sector.value}/{spec.id}/"


def version_prefix(spec: DatasetSpec, version: int) -> str:
    return f"{dataset_prefix(spec)}v{version}/"


def manifest_key(spec: DatasetSpec, version: int) -> str:
    return f"{version_prefix(spec, version)}{MANIFEST}"


def withdrawn_key(spec: DatasetSpec, version: int) -> str:
    return f"{version_prefix(spec, version)}{WITHDRAWN}"


def pointer_key(spec: DatasetSpec) -> str:
    return f"{dataset_prefix(spec)}{POINTER}"


def parse_version(label: int | str) -> int:
    """``3``, ``"3"`` or ``"v3"`` → 3."""
    text = str(label).strip().removeprefix("v")
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"'{label}' is not a release version (v1, v2, ...)")
    return int(text)


def version_of(spec: DatasetSpec, key: str) -> tuple[int, str] | None:
    """``downloads/<s>/<id>/v3/x.csv`` → ``(3, "x.csv")``; ``None`` outside a version folder."""
    rest = key.removeprefix(dataset_prefix(spec))
    match = _VERSION_FOLDER.match(rest)
    if rest == key or match is None:
        return None
    return int(match.group(1)), rest[match.end() :]
