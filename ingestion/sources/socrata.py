"""A Socrata dataset (datos.gov.co) read through the SODA 2.x API, page by page.

``GET {domain}/resource/{dataset_id}.json?$limit=N&$offset=K&$order=:id[&$where=...]`` until a
page holds fewer than ``N`` rows. Ordering by ``:id`` keeps pages stable, so every row is read
exactly once. Each page is stored exactly as received as ``part-00000.json``,
``part-00001.json``... in one delivery; pages are spooled to disk under ``ADA_HOME/tmp`` and
counted record by record, so memory stays small whatever the dataset size.

The app token (``X-App-Token``, from the variable named by ``app_token_env``) raises
Socrata's rate limits; it is sent as a header only, never put in an origin or a message.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from ada.settings import Settings
from catalog.specs import DatasetSpec, SocrataSource
from ingestion.sources.base import DeliveredFile, Delivery
from ingestion.sources.http import (
    Target,
    client_for,
    credential_header,
    error_message,
    open_spooled,
    spool_dir,
    spool_page,
    with_partition,
)

log = logging.getLogger(__name__)


def _domain(domain: str) -> str:
    domain = domain.strip().rstrip("/")
    return domain if "://" in domain else f"https://{domain}"


def fetch_socrata(
    spec: DatasetSpec, settings: Settings, partition: str | None
) -> Iterator[Delivery]:
    source = spec.source
    assert isinstance(source, SocrataSource)
    resource = f"{_domain(source.domain)}/resource/{source.dataset_id}.json"
    where = (
        with_partition(source.where, partition, spec, "'source.where'") if source.where else None
    )

    headers, secrets = credential_header(
        spec,
        source.app_token_env,
        "X-App-Token",
        f"reading {resource} without an app token (lower rate limits)",
    )
    auth = (
        f"check the app token in ${source.app_token_env}"
        if source.app_token_env
        else "the dataset may be private; set 'source.app_token_env'"
    )
    target = Target(
        spec,
        secrets,
        hints={
            "auth": auth,
            "not_found": "check 'source.domain' and 'source.dataset_id' in the spec "
            "(the id is the 'xxxx-xxxx' code in the dataset's address)",
            "bad_request": "Socrata rejected the query; check 'source.where' in the spec",
            "rate_limit": "Socrata is limiting requests; run again later, or set "
            "'source.app_token_env' to an app token",
        },
    )
    origin = resource + (f"?$where={where}" if where else "")

    with (
        tempfile.TemporaryDirectory(prefix=f"socrata-{spec.id}-", dir=spool_dir(settings)) as tmp,
        client_for(headers) as client,
    ):
        files: list[DeliveredFile] = []
        offset = 0
        while True:
            params: dict[str, str | int] = {
                "$limit": source.page_size,
                "$offset": offset,
                "$order": ":id",
            }
            if where:
                params["$where"] = where
            name = f"part-{len(files):05d}.json"
            path = Path(tmp) / name
            skim = spool_page(client, resource, params, target, path, ())
            page_origin = f"{resource}?$limit={source.page_size}&$offset={offset}&$order=:id" + (
                f"&$where={where}" if where else ""
            )
            if skim.records is None:
                message = error_message(skim.values.get("$")) or "an object instead of rows"
                raise target.error(
                    page_origin,
                    f"answered with an error instead of rows: {message}; check the source in "
                    "the spec",
                )
            files.append(DeliveredFile(name, partial(open_spooled, path), page_origin))
            log.info(
                "%s: page %d at offset %d has %d rows", spec.key, len(files), offset, skim.records
            )
            if skim.records < source.page_size:
                break
            offset += source.page_size
        yield Delivery(origin, files)
