"""The Atom feed (RFC 4287) of new and updated datasets, newest first.

Feed readers and portals that aggregate Bogotá's data subscribe to it to learn what changed
without harvesting the whole catalog. It is built with the standard library's ElementTree,
which escapes every text and attribute: ``feedgen`` 1.0.0 drops the ``rel`` and ``type`` of
entry links (lkiesow/python-feedgen#135, open, no release since 2023), and a feed this small
does not need it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from catalog.catalog_info import CatalogInfo, as_utc, catalog_modified, parse_timestamp
from catalog.records import Package

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_LIMIT = 50

ET.register_namespace("", ATOM_NS)


def atom_feed(
    info: CatalogInfo,
    packages: Iterable[Package],
    limit: int = DEFAULT_LIMIT,
    feed_url: str | None = None,
) -> bytes:
    """The ``limit`` most recently modified datasets as an Atom document (UTF-8 bytes).

    ``feed_url`` is where the feed is served (its id and ``rel="self"`` link),
    ``{base_url}/feeds/datasets.atom`` unless the web service says otherwise.
    """
    newest = newest_first(packages)[: max(limit, 0)]
    self_url = feed_url or f"{info.root}/feeds/datasets.atom"
    feed = _feed_element(info, self_url, newest)
    for package in newest:
        feed.append(_entry_element(info, package))
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def newest_first(packages: Iterable[Package]) -> list[Package]:
    """By ``metadata_modified``, newest first; the name breaks ties so the order is stable."""
    by_name = sorted(packages, key=lambda package: package["name"])
    return sorted(by_name, key=_modified, reverse=True)


def _modified(package: Package) -> dt.datetime:
    return parse_timestamp(package["metadata_modified"])


def _feed_element(info: CatalogInfo, self_url: str, packages: list[Package]) -> ET.Element:
    feed = ET.Element(_atom("feed"), {XML_LANG: info.language})
    _text(feed, "id", self_url)
    _text(feed, "title", f"{info.title}: conjuntos de datos nuevos y actualizados")
    _text(feed, "subtitle", info.description)
    modified = catalog_modified(info, [package["metadata_modified"] for package in packages])
    _text(feed, "updated", _rfc3339(modified))
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, info.homepage, "alternate", "text/html")
    _person(feed, "author", info.publisher_name, info.publisher_email, info.publisher_url)
    _text(feed, "rights", f"Metadatos bajo la licencia {info.license_url}")
    return feed


def _entry_element(info: CatalogInfo, package: Package) -> ET.Element:
    entry = ET.Element(_atom("entry"))
    _text(entry, "id", info.dataset_url(package["name"]))
    _text(entry, "title", package["title"])
    _text(entry, "updated", _rfc3339(parse_timestamp(package["metadata_modified"])))
    _text(entry, "published", _rfc3339(parse_timestamp(package["metadata_created"])))
    _link(entry, info.landing_page_url(package["name"]), "alternate", "text/html")
    _text(entry, "summary", package["notes"])
    _person(entry, "author", package["organization"]["title"])
    if package["sector"]:
        _category(entry, package["sector"], package["sector_title"], f"{info.root}/group")
    for tag in package["tags"]:
        _category(entry, tag["name"], tag["display_name"] or tag["name"])
    return entry


# --------------------------------------------------------------------------------------------
# Atom elements


def _atom(name: str) -> str:
    return f"{{{ATOM_NS}}}{name}"


def _text(parent: ET.Element, name: str, text: str) -> None:
    """A text construct; plain text (``type="text"``, Atom's default), never HTML."""
    ET.SubElement(parent, _atom(name)).text = text


def _link(parent: ET.Element, href: str, rel: str, media_type: str) -> None:
    ET.SubElement(parent, _atom("link"), {"href": href, "rel": rel, "type": media_type})


def _person(parent: ET.Element, role: str, name: str, email: str = "", uri: str = "") -> None:
    person = ET.SubElement(parent, _atom(role))
    _text(person, "name", name)
    if email:
        _text(person, "email", email)
    if uri:
        _text(person, "uri", uri)


def _category(parent: ET.Element, term: str, label: str, scheme: str = "") -> None:
    attributes = {"term": term, "label": label}
    if scheme:
        attributes["scheme"] = scheme
    ET.SubElement(parent, _atom("category"), attributes)


def _rfc3339(moment: dt.datetime) -> str:
    """RFC 4287 dates must carry their zone: UTC, whole seconds, ``Z``."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
