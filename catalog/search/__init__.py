"""The catalog's search engine: Spanish full-text search, CKAN-style filters, facets and sorts
over the catalog held in memory. See ``README.md`` in this folder."""

from catalog.search.index import FacetItem, SearchIndex, SearchResult
from catalog.search.query import SearchQueryError

__all__ = ["FacetItem", "SearchIndex", "SearchQueryError", "SearchResult"]
