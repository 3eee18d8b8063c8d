"""The catalog store (SQLite or Postgres) and the refresh that fills it. See ``schema.py`` for
the tables, ``store.py`` for how service workers follow it, ``refresh.py`` for how it is
rebuilt after each publication."""

from catalog.store.refresh import (
    RefreshResult,
    ReleaseReader,
    read_release_manifests,
    refresh_catalog,
)
from catalog.store.schema import StoreError
from catalog.store.store import CatalogChanges, CatalogStore, WriteResult, today_in_bogota

__all__ = [
    "CatalogChanges",
    "CatalogStore",
    "RefreshResult",
    "ReleaseReader",
    "StoreError",
    "WriteResult",
    "read_release_manifests",
    "refresh_catalog",
    "today_in_bogota",
]
