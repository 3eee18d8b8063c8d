"""Downloads: ``/dataset/<name>/download/<version>/<file>``.

Only the files a release's manifest lists are served, looked up by their exact name in the
store (never by joining the request's path into a key), and the object key must sit under that
dataset's own folder of the open zone; so ``..``, ``%2F`` and absolute paths lead nowhere. Each
download is counted (per dataset, release, file and day) before the bytes go out: a redirect to
a presigned URL on S3 (through the ``download_url`` hook), else the file streamed from the open
zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from ada.settings import Zone
from catalog.packages import ReleaseFile, ReleaseManifest
from catalog.publication.layout import DOWNLOADS_PREFIX
from catalog.service.state import Service, service_of
from catalog.store import today_in_bogota
from lake.storage import store_for

router = APIRouter(tags=["Descargas"])

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_VERSION = re.compile(r"^v\d{1,9}$")
_CHUNK = 1 << 20


def _not_found() -> HTTPException:
    return HTTPException(404, "No se encontró el archivo.")


def _listed_file(service: Service, name: str, version: str, file_name: str) -> ReleaseFile:
    if not (_NAME.match(name) and _VERSION.match(version)):
        raise _not_found()
    manifest = service.store.release(name, version)
    if manifest is None:
        raise _not_found()
    entry = next((f for f in manifest["files"] if f["name"] == file_name), None)
    if entry is None or not _inside_dataset(manifest, name, entry["key"]):
        raise _not_found()
    return entry


def _inside_dataset(manifest: ReleaseManifest, name: str, key: str) -> bool:
    """The key names a file in this dataset's folder of the open zone, with no way out."""
    parts = key.split("/")
    return (
        len(parts) >= 4
        and parts[0] == DOWNLOADS_PREFIX
        and parts[2] == name
        and not any(part in ("", ".", "..") for part in parts)
        and "\\" not in key
    )


def _local_file(service: Service, key: str) -> Path:
    root = service.settings.local_zone_dir(Zone.OPEN).resolve()
    path = (root / key).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise _not_found()
    return path


def _attachment(file_name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{file_name}"'}


@router.get(
    "/dataset/{name}/download/{version}/{file_name}",
    response_class=Response,
    responses={
        200: {"description": "El archivo.", "content": {"application/octet-stream": {}}},
        302: {"description": "Redirección a una URL firmada (lago en S3)."},
        404: {"description": "El conjunto, la publicación o el archivo no existen."},
    },
    summary="Descargar un archivo de una publicación",
)
def download(request: Request, name: str, version: str, file_name: str) -> Response:
    service = service_of(request)
    entry = _listed_file(service, name, version, file_name)
    key = entry["key"]
    presigned = service.download_url(service.settings, key, service.config.download_url_seconds)
    if presigned is not None:
        _count(service, name, version, file_name)
        return RedirectResponse(presigned, status_code=302)
    if service.settings.s3 is None:
        path = _local_file(service, key)
        _count(service, name, version, file_name)
        return FileResponse(
            path,
            media_type=entry["mimetype"],
            filename=file_name,
            headers={"ETag": f'"{entry["sha256"]}"'},
        )
    store = store_for(service.settings, Zone.OPEN)
    if not store.exists(key):
        raise _not_found()
    _count(service, name, version, file_name)
    return StreamingResponse(
        _chunks(service, key),
        media_type=entry["mimetype"],
        headers={**_attachment(file_name), "Content-Length": str(entry["bytes"])},
    )


def _count(service: Service, name: str, version: str, file_name: str) -> None:
    service.store.record_download(name, version, file_name, today_in_bogota())


def _chunks(service: Service, key: str) -> Iterator[bytes]:
    source = store_for(service.settings, Zone.OPEN).open_input(key)
    try:
        while chunk := source.read(_CHUNK):
            yield bytes(chunk)
    finally:
        source.close()
