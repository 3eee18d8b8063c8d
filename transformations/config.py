"""SQLMesh configuration, built from ADA's settings (the same environment variables).

- **Gateway ``ada``**: DuckDB in memory with the lake's ``curated`` DuckLake catalog attached
  (metadata in SQLite under ``$ADA_HOME/metadata`` or in Postgres, data on local disk or S3),
  so models read the privacy-treated tables ``curated.<sector>.<dataset>`` and write theirs to
  ``curated.<schema>.<model>``. Extensions load offline from ADA's extension folder.
- **State**: in Postgres (schema ``sqlmesh``) when ``ADA_DATABASE_URL`` is set, else in a DuckDB
  file under ``$ADA_HOME/metadata``.
- **Tests**: ``sqlmesh test`` runs on an in-memory DuckDB, no lake needed.

Paths are absolute, from the settings: SQLMesh resolves relative DuckDB paths against the
working directory, not this file.
"""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from sqlmesh.core.config import (
    Config,
    DuckDBConnectionConfig,
    GatewayConfig,
    ModelDefaultsConfig,
    PostgresConnectionConfig,
)
from sqlmesh.core.config.connection import DuckDBAttachOptions

from ada.settings import Settings, Zone, load_settings
from lake.storage import store_for
from lake.tables import ensure_extensions, metadata_target

#: Where SQLMesh keeps its state when ADA_DATABASE_URL is set.
STATE_SCHEMA = "sqlmesh"


def curated_catalog(settings: Settings) -> DuckDBAttachOptions:
    """The ``curated`` DuckLake catalog, attached exactly as ``lake.tables`` attaches it."""
    target, _ = metadata_target(settings, Zone.CURATED)
    data_path = store_for(settings, Zone.CURATED).uri("")
    if settings.s3 is None:
        from pathlib import Path

        Path(data_path).mkdir(parents=True, exist_ok=True)
    return DuckDBAttachOptions(
        type="ducklake",
        path=target,
        data_path=data_path,
        metadata_schema=f"ducklake_{Zone.CURATED.value}" if settings.database_url else None,
    )


def _s3_secrets(settings: Settings) -> list[dict[str, object]]:
    s3 = settings.s3
    if s3 is None:
        return []
    return [
        {
            "type": "s3",
            "key_id": s3.access_key.get_secret_value(),
            "secret": s3.secret_key.get_secret_value(),
            "endpoint": s3.host,
            "region": s3.region,
            "url_style": "path",
            "use_ssl": s3.secure,
        }
    ]


def lake_connection(settings: Settings) -> DuckDBConnectionConfig:
    extension_dir = ensure_extensions(settings)
    return DuckDBConnectionConfig(
        catalogs={Zone.CURATED.value: curated_catalog(settings)},
        connector_config={
            "extension_directory": str(extension_dir),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": True,
        },
        secrets=_s3_secrets(settings),
        concurrent_tasks=1,
        # DuckLake refuses COMMENT ON COLUMN; descriptions reach Dagster and the catalog
        # through the manifest instead.
        register_comments=False,
    )


def state_connection(settings: Settings) -> PostgresConnectionConfig | DuckDBConnectionConfig:
    if settings.database_url is None:
        settings.metadata_dir.mkdir(parents=True, exist_ok=True)
        return DuckDBConnectionConfig(database=str(settings.metadata_dir / "sqlmesh_state.db"))
    url = urlparse(settings.database_url.get_secret_value())
    return PostgresConnectionConfig(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=unquote(url.username or "postgres"),
        password=unquote(url.password or ""),
        database=(url.path or "/postgres").lstrip("/") or "postgres",
    )


def build_config(settings: Settings | None = None) -> Config:
    settings = settings or load_settings()
    return Config(
        gateways={
            "ada": GatewayConfig(
                connection=lake_connection(settings),
                state_connection=state_connection(settings),
                state_schema=STATE_SCHEMA,
                test_connection=DuckDBConnectionConfig(),
            )
        },
        default_gateway="ada",
        model_defaults=ModelDefaultsConfig(dialect="duckdb", start="2015-01-01"),
        project="ada",
    )


config = build_config()
