"""What the metadata feeds say about the catalog itself, and the URLs they all agree on.

The DCAT-AP graph, the Project Open Data ``data.json`` and the Atom feed describe the same
catalog and point at the same pages; building every URL here keeps the three from drifting
apart. The web service fills a :class:`CatalogInfo` from its settings (``base_url`` is the
public address it is served at) and hands it, with the ``Package`` records, to the serializers.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogInfo:
    """The catalog as a whole: who publishes it, where it lives, under which licence.

    Texts (``title``, ``description``) are for people, in Spanish. ``license_url`` is the
    licence of the catalog's metadata; each dataset keeps its own. ``modified`` defaults to the
    newest ``metadata_modified`` of the datasets being serialized. ``portal_url`` is where
    people read the dataset pages, when that is not ``base_url`` (the address that names the
    datasets in RDF).
    """

    title: str
    description: str
    publisher_name: str
    publisher_url: str
    publisher_email: str
    homepage: str
    base_url: str
    license_url: str
    issued: dt.datetime
    modified: dt.datetime | None = None
    language: str = "es"
    portal_url: str | None = None

    @property
    def root(self) -> str:
        """``base_url`` without a trailing slash, so that joined paths have exactly one."""
        return self.base_url.rstrip("/")

    @property
    def catalog_url(self) -> str:
        return f"{self.root}/catalog"

    def dataset_url(self, name: str) -> str:
        """The dataset's URI and its portal page (CKAN's ``/dataset/<name>``)."""
        return f"{self.root}/dataset/{name}"

    def landing_page_url(self, name: str) -> str:
        """The dataset's page for people: the dataset URL itself unless the portal lives
        elsewhere."""
        portal = (self.portal_url or self.base_url).rstrip("/")
        return f"{portal}/dataset/{name}"

    def resource_url(self, name: str, resource_id: str) -> str:
        """The distribution's URI (CKAN's ``/dataset/<name>/resource/<id>``)."""
        return f"{self.root}/dataset/{name}/resource/{resource_id}"

    def organization_url(self, organization_name: str) -> str:
        """The publishing entity's URI (CKAN's ``/organization/<name>``)."""
        return f"{self.root}/organization/{organization_name}"

    @property
    def publisher_uri(self) -> str:
        """The catalog publisher, named like any other entity so that the same agency gets
        the same URI when it also publishes datasets."""
        return self.organization_url(slug(self.publisher_name))


def slug(text: str) -> str:
    """``Agencia Analítica de Datos`` → ``agencia-analitica-de-datos`` (CKAN-style names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def parse_timestamp(stamp: str) -> dt.datetime:
    """A record timestamp as an aware UTC datetime.

    Records store UTC without an offset, as CKAN does (``2025-06-07T12:00:00.000000``); feeds
    must state the zone, or readers take the time as local.
    """
    return as_utc(dt.datetime.fromisoformat(stamp))


def as_utc(moment: dt.datetime) -> dt.datetime:
    """An aware UTC datetime; a naive one is taken as UTC, as records are."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def catalog_modified(info: CatalogInfo, stamps: list[str]) -> dt.datetime:
    """When the catalog last changed (UTC): as configured, else its newest dataset, else
    when it was issued."""
    if info.modified is not None:
        return as_utc(info.modified)
    if stamps:
        return max(parse_timestamp(stamp) for stamp in stamps)
    return as_utc(info.issued)
