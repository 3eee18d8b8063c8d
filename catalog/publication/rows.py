"""The rows a release publishes, read from the curated zone.

What is published is the dataset's conformed SQLMesh model (``curated.conformado.<id>``), or,
for a dataset without one, its privacy-treated table; either exists only once the privacy gate
(and the model's audits) let it through. The pipeline's lineage columns (``_ada_*``) stay in
curated for traceability and are never published.
"""

from __future__ import annotations

import pyarrow as pa

from ada.settings import Settings, Zone
from catalog.publication.model import PublicationError
from catalog.specs import DatasetSpec


def default_source_table(spec: DatasetSpec) -> str:
    """The privacy-treated table, for a dataset that has no conformed model."""
    return f"curated.{spec.table_name}"


def read_rows(settings: Settings, spec: DatasetSpec, table: str | None = None) -> pa.Table:
    """The rows to publish: ``table`` (a ``curated.*`` name, normally the conformed model) or
    by default the privacy-treated table, without the pipeline's lineage columns."""
    from ingestion.staging import LINEAGE_PREFIX
    from lake.tables import connect

    table = table or default_source_table(spec)
    catalog, schema, name = table.split(".")
    con = connect(settings, [Zone.CURATED], read_only=True)
    try:
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
            "AND table_name = ? UNION ALL SELECT count(*) FROM duckdb_views() "
            "WHERE database_name = ? AND schema_name = ? AND view_name = ?",
            [catalog, schema, name] * 2,
        ).fetchall()
        if not any(count for (count,) in exists):
            raise PublicationError(
                f"{spec.key}: there is nothing to publish yet ({table} does not exist: the "
                "privacy gate or the SQLMesh model has not released it)"
            )
        result = con.execute(f'SELECT * FROM "{catalog}"."{schema}"."{name}"').to_arrow_table()
    finally:
        con.close()
    return result.select([n for n in result.column_names if not n.startswith(LINEAGE_PREFIX)])
