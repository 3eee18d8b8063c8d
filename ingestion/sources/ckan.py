"""A CKAN resource (datosabiertos.bogota.gov.co) through the Action API.

``resource_show`` first. When the spec reads JSON and the resource is in the DataStore
(``datastore_active``), its records are paged with ``datastore_search`` (sorted by ``_id``, so
every record is read exactly once) and each page is stored exactly as received as
``part-00000.json``...; the JSON reader finds the records under ``result.records``. Otherwise
the resource's file (``url``) is downloaded as one file, streamed.

The API key (``Authorization``, from the variable named by ``api_key_env``) is sent to the
CKAN site only, never to a file hosted elsewhere, and never appears in origins or messages.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from ada.settings import Settings
from catalog.specs import CkanSource, DatasetSpec
from ingestion.sources.base import DeliveredFile, Delivery
from ingestion.sources.http import (
    Target,
    client_for,
    credential_header,
    download,
    error_message,
    get,
    open_spooled,
    spool_dir,
    spool_page,
)

log = logging.getLogger(__name__)

#: ``resource_show`` answers are small; anything bigger is not a CKAN answer.
MAX_ACTION_BYTES = 16 * 1024 * 1024


def _action(
    client: httpx.Client, url: str, params: dict[str, str], target: Target
) -> dict[str, Any]:
    """Call a small action and return its ``result`` (errors become SourceErrors)."""
    response = get(client, url, target, params)
    shown = str(response.request.url)
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_ACTION_BYTES:
                raise target.error(
                    shown,
                    "answered with far more data than an action returns; check "
                    "'source.base_url' in the spec",
                )
    except httpx.HTTPError as err:
        raise target.transport_error(shown, err, 1, "reading the answer") from None
    finally:
        response.close()
    try:
        document = json.loads(body)
    except ValueError:
        raise target.error(
            shown,
            "did not answer with JSON: it is not a CKAN API; check 'source.base_url' "
            "(the site's address, without /api/3)",
        ) from None
    if not isinstance(document, dict) or document.get("success") is not True:
        message = error_message(document) or "no 'success': true in the answer"
        raise target.error(
            shown,
            f"answered with a CKAN error: {message}; "
            + target.hints.get("not_found", "check the source in the spec"),
        )
    result = document.get("result")
    if not isinstance(result, dict):
        raise target.error(shown, "answered without a 'result' object; check 'source.base_url'")
    return result


def fetch_ckan(spec: DatasetSpec, settings: Settings, partition: str | None) -> Iterator[Delivery]:
    source = spec.source
    assert isinstance(source, CkanSource)
    base = source.base_url.strip().rstrip("/")
    if "://" not in base:
        base = f"https://{base}"
    api = f"{base}/api/3/action"

    headers, secrets = credential_header(
        spec, source.api_key_env, "Authorization", f"reading {base} anonymously"
    )
    target = Target(
        spec,
        secrets,
        hints={
            "auth": f"check the API key in ${source.api_key_env}"
            if source.api_key_env
            else "the resource may be private; set 'source.api_key_env' to an API key's variable",
            "not_found": "check 'source.base_url' and 'source.resource_id' in the spec",
        },
    )

    with client_for(headers) as client:
        resource = _action(client, f"{api}/resource_show", {"id": source.resource_id}, target)

    if spec.format.type == "json" and resource.get("datastore_active"):
        yield from _datastore(spec, settings, source, api, headers, target)
        return

    url = resource.get("url")
    if not isinstance(url, str) or not url.strip():
        raise target.error(
            f"{api}/resource_show?id={source.resource_id}",
            "describes a resource without a file URL; upload the file in CKAN or, for JSON, "
            "load it into the DataStore",
        )
    url = urljoin(f"{base}/", url.strip())
    same_site = urlsplit(url).netloc == urlsplit(base).netloc
    yield from download(spec, url, url, headers=headers if same_site else {}, target=target)


def _datastore(
    spec: DatasetSpec,
    settings: Settings,
    source: CkanSource,
    api: str,
    headers: dict[str, str],
    target: Target,
) -> Iterator[Delivery]:
    search = f"{api}/datastore_search"
    origin = f"{search}?resource_id={source.resource_id}"
    with (
        tempfile.TemporaryDirectory(prefix=f"ckan-{spec.id}-", dir=spool_dir(settings)) as tmp,
        client_for(headers) as client,
    ):
        files: list[DeliveredFile] = []
        offset = 0
        while True:
            params: dict[str, str | int] = {
                "resource_id": source.resource_id,
                "limit": source.page_size,
                "offset": offset,
                "sort": "_id",
            }
            name = f"part-{len(files):05d}.json"
            path = Path(tmp) / name
            skim = spool_page(client, search, params, target, path, ("result", "records"))
            page_origin = f"{search}?{urlencode(params)}"
            if skim.values.get("success") is not True:
                message = error_message({"success": False, "error": skim.values.get("error")})
                raise target.error(
                    page_origin,
                    f"answered with a CKAN error: {message}; "
                    "check 'source.resource_id' in the spec",
                )
            total = skim.values.get("result.total")
            if skim.records is None or not isinstance(total, int):
                raise target.error(
                    page_origin,
                    "answered without 'result.records' and "
                    "'result.total'; check 'source.base_url' in the spec",
                )
            files.append(DeliveredFile(name, partial(open_spooled, path), page_origin))
            log.info(
                "%s: page %d at offset %d has %d of %d records",
                spec.key,
                len(files),
                offset,
                skim.records,
                total,
            )
            offset += skim.records
            if offset >= total:
                break
            if skim.records == 0:
                raise target.error(
                    page_origin,
                    f"returned no records at offset {offset} although the resource has "
                    f"{total}; it changed while being read, run again",
                )
        yield Delivery(origin, files)
