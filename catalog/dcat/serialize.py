"""DCAT graphs as text: Turtle, and JSON-LD compacted with ADA's prefixes.

The compact ``@context`` is a plain prefix map sent inline, so a reader needs no network to
expand it (a remote context would make every harvester fetch it, and tests could not run
offline).
"""

from __future__ import annotations

import json

from rdflib import Graph

from catalog.dcat.graph import PREFIXES

#: The JSON-LD @context: the same prefixes the Turtle uses.
JSONLD_CONTEXT: dict[str, str] = dict(PREFIXES)


def to_turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def to_jsonld(graph: Graph) -> str:
    """JSON-LD with compact IRIs (``dct:title``) under :data:`JSONLD_CONTEXT`."""
    text = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
