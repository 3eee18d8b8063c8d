"""Connectors: each turns a spec's ``source`` into the files of one delivery."""

from __future__ import annotations

from ingestion.sources.base import DeliveredFile, Delivery, SourceError, connector_for

__all__ = ["DeliveredFile", "Delivery", "SourceError", "connector_for"]
