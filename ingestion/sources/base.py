"""What every connector returns, and how a spec's source picks its connector."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from ada.settings import Settings
from catalog.specs import DatasetSpec


class SourceError(RuntimeError):
    """The source could not be read; the message says which source and what to do.

    Messages never carry credentials or tokens: connectors describe a source by its
    secret-free ``origin``.
    """


@dataclass(frozen=True)
class DeliveredFile:
    """One file of a delivery, opened lazily so that large files stream into the raw zone."""

    name: str
    open: Callable[[], BinaryIO]
    origin: str
    #: Bytes, when the source says so before reading (landing, local file): lets an oversized
    #: file be refused without copying it.
    size: int | None = None


@dataclass
class Delivery:
    """The files a source hands over for one dataset (and partition), plus where they came from.

    ``landing_keys`` lists landing objects that this delivery consumed, so the sensor and the
    raw asset agree on what is new.
    """

    origin: str
    files: list[DeliveredFile]
    landing_keys: list[str] = field(default_factory=list)


class Connector(Protocol):
    def __call__(
        self, spec: DatasetSpec, settings: Settings, partition: str | None
    ) -> Iterator[Delivery]: ...


def connector_for(spec: DatasetSpec) -> Connector:
    """The connector that reads ``spec.source``; imported lazily to keep definitions light."""
    kind = spec.source.kind
    if kind == "landing":
        from ingestion.sources.landing import fetch_landing

        return fetch_landing
    if kind == "file":
        from ingestion.sources.files import fetch_file

        return fetch_file
    if kind == "url":
        from ingestion.sources.http import fetch_url

        return fetch_url
    if kind == "s3":
        from ingestion.sources.s3 import fetch_s3

        return fetch_s3
    if kind == "socrata":
        from ingestion.sources.socrata import fetch_socrata

        return fetch_socrata
    if kind == "ckan":
        from ingestion.sources.ckan import fetch_ckan

        return fetch_ckan
    raise SourceError(f"unknown source kind '{kind}'")
