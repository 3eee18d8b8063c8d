"""Curated → open: the files citizens download (CSV and Parquet), written to the open zone.

What is published is the dataset's conformed SQLMesh model (``curated.conformado.<id>``), or,
for a dataset without one, its privacy-treated table; either exists only once the privacy gate
(and the model's audits) let it through. Before a file is
made visible it is scanned by the leak canary (``privacy.canary``); a file with any direct
identifier is never written, and the run fails saying which column and which kind of data,
never the values.

Layout in the open zone (folder or bucket)::

    downloads/<sector>/<id>/<id>.csv            # UTF-8, comma, header
    downloads/<sector>/<id>/<id>.parquet        # zstd (the whole dataset, every partition)
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pyarrow as pa

from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec

DOWNLOADS_PREFIX = "downloads"


class PublicationError(RuntimeError):
    """Publication refused (a leak was found or there is nothing released to publish)."""


@dataclass(frozen=True)
class Published:
    keys: list[str]
    rows: int
    columns: list[str]


def dataset_prefix(spec: DatasetSpec) -> str:
    return f"{DOWNLOADS_PREFIX}/{spec.sector.value}/{spec.id}/"


def download_keys(spec: DatasetSpec) -> dict[str, str]:
    return {fmt: f"{dataset_prefix(spec)}{spec.id}.{fmt}" for fmt in ("csv", "parquet")}


def read_release(settings: Settings, spec: DatasetSpec, table: str | None = None) -> pa.Table:
    """The rows to publish: ``table`` (the dataset's conformed model, a ``curated.*`` name) or
    by default the privacy-treated table, without the pipeline's lineage columns."""
    from ingestion.staging import LINEAGE_PREFIX
    from lake.tables import connect

    table = table or f"curated.{spec.table_name}"
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


def _csv_bytes(table: pa.Table) -> bytes:
    import pyarrow.csv as pacsv

    sink = io.BytesIO()
    pacsv.write_csv(table, sink)
    return sink.getvalue()


def _parquet_bytes(table: pa.Table) -> bytes:
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def publish_dataset(settings: Settings, spec: DatasetSpec, table: str | None = None) -> Published:
    """Write the dataset's open files from ``table`` (see :func:`read_release`), after the
    canary has found nothing in them."""
    from lake.storage import store_for
    from privacy.canary import scan_table

    release = read_release(settings, spec, table)
    leaks = scan_table(release)
    if leaks:
        found = "; ".join(leak.describe() for leak in leaks)
        raise PublicationError(
            f"{spec.key}: publication refused, personal data found in the released table "
            f"({found}); give those columns a policy in the spec's 'privacy' section"
        )
    store = store_for(settings, Zone.OPEN)
    keys = download_keys(spec)
    store.put_bytes(keys["parquet"], _parquet_bytes(release))
    store.put_bytes(keys["csv"], _csv_bytes(release))
    return Published(list(keys.values()), release.num_rows, release.column_names)
