"""Resources shared by every asset; configuration is read from the environment at run time."""

from __future__ import annotations

import dagster as dg

from ada.settings import Settings, load_settings


class LakeResource(dg.ConfigurableResource):
    """Access to the lake as configured by ``ADA_HOME``, ``ADA_S3_*`` and ``ADA_DATABASE_URL``.

    The resource holds no configuration of its own: settings (and secrets) are read from the
    environment when a step runs, so they never appear in the run config or the Dagster UI.
    """

    def settings(self) -> Settings:
        return load_settings()

    def ingestion_settings(self) -> Settings:
        """The settings with the ingestion role's S3 keys (``ADA_S3_INGEST_*``) when the
        deployment splits roles: only that role may read landing and write raw."""
        return load_settings().for_ingestion()


RESOURCES = {"lake": LakeResource()}
