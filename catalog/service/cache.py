"""Rendered answers of ``package_search``, kept per catalog version (bounded LRU, per worker).

A portal's searches repeat: the landing page (everything, with facets), each sector's page, the
first pages of common words. Rendering one is a search over the whole catalog plus the JSON of
its records (about 1 ms at 10,000 datasets); answering it again from memory costs a dictionary
lookup. This is the role Solr's query-result cache plays for CKAN. The key is the catalog
version and the validated parameters, so an answer can never outlive the catalog it was
computed from: when the version moves, every entry is dropped. Errors are not kept.

``ADA_CATALOG_CACHE_MB`` bounds it (per worker process; 0 turns it off).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class ResponseCache:
    """Response bodies by key, least recently used first out, at most ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._version: int | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, version: int, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._entries.get(key) if self._follow(version) else None
            if body is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return body

    def put(self, version: int, key: Hashable, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:  # one huge answer must not flush everything else
            return
        with self._lock:
            if not self._follow(version) or key in self._entries:
                return
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped)

    def _follow(self, version: int) -> bool:
        """Drop everything when the catalog moved on; whether ``version`` is the current one
        (a request that started before the change must not bring old answers back)."""
        if self._version is None or version > self._version:
            self._entries.clear()
            self._size = 0
            self._version = version
        return version == self._version
