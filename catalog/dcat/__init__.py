"""DCAT-AP 3.0.1 for the catalog: RDF graphs of the whole catalog or one dataset, as Turtle or
JSON-LD. See ``README.md`` here for the mapping and how conformance is tested."""

from catalog.dcat.graph import catalog_graph, dataset_graph
from catalog.dcat.serialize import JSONLD_CONTEXT, to_jsonld, to_turtle

__all__ = ["JSONLD_CONTEXT", "catalog_graph", "dataset_graph", "to_jsonld", "to_turtle"]
