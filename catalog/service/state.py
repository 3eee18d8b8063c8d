"""What one service worker holds: settings, the store, the live catalog, the datastore session
and the download hook. Routers reach it through the request (``request.app.state.service``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from ada.settings import Settings
from catalog.catalog_info import CatalogInfo, parse_timestamp
from catalog.service.cache import ResponseCache
from catalog.service.config import ServiceConfig
from catalog.service.datastore import DatastoreSession
from catalog.service.documents import CatalogDocuments
from catalog.service.live import CatalogView, LiveCatalog
from catalog.store import CatalogStore

#: ``download_url(settings, key, expires_seconds)``: a presigned URL for an object of the open
#: zone, or ``None`` to stream it through the service (``catalog.publication.download_url``
#: has this signature: presigned on S3, ``None`` on a local lake).
DownloadUrl = Callable[[Settings, str, int], str | None]

#: When a catalog without datasets says it was issued.
_EMPTY_CATALOG_ISSUED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def presigned_url(settings: Settings, key: str, expires: int) -> str | None:
    """The default hook: the publisher's presigned GET URL on S3 (signed for
    ``ADA_S3_PUBLIC_ENDPOINT`` when set), ``None`` on a local lake (the service streams)."""
    from catalog.publication import download_url

    return download_url(settings, key, dt.timedelta(seconds=expires))


@dataclass
class Service:
    settings: Settings
    config: ServiceConfig
    store: CatalogStore
    live: LiveCatalog
    datastore: DatastoreSession
    download_url: DownloadUrl
    cache: ResponseCache
    documents: CatalogDocuments

    @classmethod
    def start(cls, settings: Settings, config: ServiceConfig, download_url: DownloadUrl) -> Service:
        store = CatalogStore.open(settings)
        live = LiveCatalog(store)
        live.load()
        cache = ResponseCache(int(config.cache_mb * 1024 * 1024))
        datastore = DatastoreSession(settings)
        return cls(
            settings, config, store, live, datastore, download_url, cache, CatalogDocuments()
        )

    def close(self) -> None:
        self.datastore.close()
        self.store.close()

    @property
    def root(self) -> str:
        return self.config.root

    def catalog_info(self, view: CatalogView) -> CatalogInfo:
        """The catalog's own description; issued when its first dataset was."""

        def issued() -> dt.datetime:
            stamps = [p["metadata_created"] for p in view.packages.values()]
            return min(parse_timestamp(s) for s in stamps) if stamps else _EMPTY_CATALOG_ISSUED

        return self.config.catalog_info(view.cached("issued", issued))


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service
