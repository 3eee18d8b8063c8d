"""Curated → open: the files citizens download (CSV and Parquet), written to the open zone.

Only a curated table that passed the privacy gate exists to be published. Before a file is
made visible it is scanned by the leak canary (``privacy.canary``); a file with any direct
identifier is never written, and the run fails saying which column and which kind of data,
never the values.

Layout in the open zone (folder or bucket)::

    downloads/<sector>/<id>/<id>.csv            # UTF-8, comma, header
    downloads/<sector>/<id>/<id>.parquet        # zstd
    downloads/<sector>/<id>/<id>-<partition>.*  # partitioned datasets: one pair per day
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


def download_keys(spec: DatasetSpec, partition: str | None = None) -> dict[str, str]:
    stem = spec.id + (f"-{partition}" if partition else "")
    return {fmt: f"{dataset_prefix(spec)}{stem}.{fmt}" for fmt in ("csv", "parquet")}


def read_curated(settings: Settings, spec: DatasetSpec, partition: str | None) -> pa.Table:
    """The released rows, without the pipeline's lineage columns."""
    from ingestion.staging import LINEAGE_PREFIX, PARTITION_COLUMN
    from lake.tables import connect, table_exists

    con = connect(settings, [Zone.CURATED], read_only=True)
    try:
        if not table_exists(con, Zone.CURATED, spec.sector.value, spec.id):
            raise PublicationError(
                f"{spec.key}: there is no curated table to publish (the privacy gate has not "
                "released one yet)"
            )
        where, params = (f" WHERE {PARTITION_COLUMN} = ?", [partition]) if partition else ("", [])
        table = con.execute(f"SELECT * FROM curated.{spec.table_name}{where}", params)
        result = table.to_arrow_table()
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


def publish_dataset(
    settings: Settings, spec: DatasetSpec, partition: str | None = None
) -> Published:
    """Write the dataset's open files, after the canary has found nothing in them."""
    from lake.storage import store_for
    from privacy.canary import scan_table

    table = read_curated(settings, spec, partition)
    leaks = scan_table(table)
    if leaks:
        found = "; ".join(leak.describe() for leak in leaks)
        raise PublicationError(
            f"{spec.key}: publication refused, personal data found in the released table "
            f"({found}); give those columns a policy in the spec's 'privacy' section"
        )
    store = store_for(settings, Zone.OPEN)
    keys = download_keys(spec, partition)
    store.put_bytes(keys["parquet"], _parquet_bytes(table))
    store.put_bytes(keys["csv"], _csv_bytes(table))
    return Published(list(keys.values()), table.num_rows, table.column_names)
