"""Raw to staging: parse the raw files of a dataset, type them, and load one table atomically.

The load streams: a reader yields Arrow batches, :mod:`ingestion.coercion` types each batch,
bad rows go to the quarantine sink, good rows stream into DuckDB which writes the DuckLake
table's Parquet files. Memory stays bounded by the batch size whatever the file size.

Re-running is idempotent: the table (or the partition) is rebuilt from the raw zone inside one
transaction, so the result is the same and rows never duplicate; earlier states remain
reachable through DuckLake snapshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from ada.settings import Settings, Zone
from catalog.specs import Column, DatasetSpec
from ingestion.coercion import ARROW_TYPES, coerce
from ingestion.quarantine import DDL_COLUMNS, QuarantineSink, record_json
from ingestion.readers import FileParseError, FileReader, open_reader
from ingestion.readers.csv import CsvReader
from ingestion.readers.headers import header_key
from lake import tables
from lake.raw import MANIFEST, RawVersion, list_versions
from lake.storage import store_for

LINEAGE_COLUMNS: list[tuple[str, pa.DataType]] = [
    ("_ada_raw_version", pa.string()),
    ("_ada_source_file", pa.string()),
    ("_ada_record", pa.int64()),
]
PARTITION_COLUMN = "_ada_partition"

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "time": "TIME",
}


class StagingError(RuntimeError):
    """Nothing could be loaded; the message says what to do (details are in quarantine)."""


@dataclass
class StagingResult:
    table: str
    rows: int
    quarantined_rows: int
    reasons: dict[str, int]
    raw_versions: list[str]
    files: list[str]
    failed_files: list[str]
    snapshot_id: int | None
    missing_columns: list[str] = field(default_factory=list)
    undeclared_headers: list[str] = field(default_factory=list)


def staging_schema(spec: DatasetSpec) -> pa.Schema:
    fields = [pa.field(c.name, ARROW_TYPES[c.type]) for c in spec.schema_.columns]
    fields += [pa.field(name, dtype) for name, dtype in LINEAGE_COLUMNS]
    if spec.is_partitioned:
        fields.append(pa.field(PARTITION_COLUMN, pa.string()))
    return pa.schema(fields)


def match_headers(columns: list[Column], headers: list[str]) -> dict[str, str | None]:
    """For each spec column, the file header that holds it (or ``None`` when absent)."""
    by_exact = {h: h for h in headers}
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(header_key(h), h)
    matched: dict[str, str | None] = {}
    for column in columns:
        wanted = column.source or column.name
        matched[column.name] = (
            by_exact.get(wanted) or by_key.get(header_key(wanted)) or by_key.get(column.name)
        )
    return matched


def versions_to_load(
    settings: Settings, spec: DatasetSpec, partition: str | None
) -> list[RawVersion]:
    versions = list_versions(store_for(settings, Zone.RAW), spec.id, partition)
    if spec.load == "snapshot":
        versions = versions[-1:]
    return versions


@dataclass
class _FileLoad:
    """Typing state for one raw file."""

    spec: DatasetSpec
    version: RawVersion
    name: str
    reader: FileReader
    mapping: dict[str, str | None]
    partition: str | None
    sink: QuarantineSink
    rows: int = 0

    def batches(self, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        record_offset = 0
        for batch in self.reader.batches():
            yield self._typed(batch, schema, record_offset)
            record_offset += batch.num_rows
        self._quarantine_malformed()

    def _typed(self, batch: pa.RecordBatch, schema: pa.Schema, offset: int) -> pa.RecordBatch:
        n = batch.num_rows
        arrays: list[pa.Array] = []
        bad = np.zeros(n, dtype=bool)
        problems: list[tuple[np.ndarray, str, str]] = []
        for column in self.spec.schema_.columns:
            header = self.mapping[column.name]
            if header is None:
                arrays.append(pa.nulls(n, ARROW_TYPES[column.type]))
                continue
            typed = coerce(batch.column(header), column, self.spec.format)
            invalid = typed.invalid.to_numpy(zero_copy_only=False)
            if invalid.any():
                problems.append((invalid, column.name, typed.expected))
                bad |= invalid
            arrays.append(typed.values)
        records = np.arange(offset + 1, offset + n + 1, dtype=np.int64)
        if problems:
            self._quarantine_values(batch, problems, records)
        arrays += [
            pa.array(np.full(n, self.version.version, dtype=object), pa.string()),
            pa.array(np.full(n, self.name, dtype=object), pa.string()),
            pa.array(records),
        ]
        if self.spec.is_partitioned:
            arrays.append(pa.array(np.full(n, self.partition, dtype=object), pa.string()))
        typed_batch = pa.record_batch(arrays, schema=schema)
        if bad.any():
            typed_batch = typed_batch.filter(pa.array(~bad))
        self.rows += typed_batch.num_rows
        return typed_batch

    def _quarantine_values(
        self,
        batch: pa.RecordBatch,
        problems: list[tuple[np.ndarray, str, str]],
        records: np.ndarray,
    ) -> None:
        header_row = self.spec.format.header_row
        rec: list[int | None] = []
        lines: list[int | None] = []
        cols: list[str | None] = []
        expected: list[str | None] = []
        reasons: list[str] = []
        raws: list[str | None] = []
        for invalid, column, wanted in problems:
            for index in np.flatnonzero(invalid):
                rec.append(int(records[index]))
                lines.append(int(records[index]) + header_row)  # shifted in _write if needed
                cols.append(column)
                expected.append(wanted)
                reasons.append(f"se esperaba {wanted}")
                raws.append(record_json(batch, int(index)))
        self.sink.add_rows(
            self.version.version, self.name, rec, lines, cols, expected, reasons, raws
        )

    def _quarantine_malformed(self) -> None:
        rows = self.reader.malformed
        if rows and isinstance(self.reader, CsvReader):
            skipped = self.reader.locate_skipped_lines(self.spec.format.header_row)
            self.sink.add_skipped_lines(self.version.version, self.name, skipped)
        if rows:
            self.sink.add_rows(
                self.version.version,
                self.name,
                [None] * len(rows),
                [r.line for r in rows],
                [None] * len(rows),
                [None] * len(rows),
                [r.reason for r in rows],
                [r.text for r in rows],
            )


def _open_files(
    settings: Settings,
    spec: DatasetSpec,
    versions: list[RawVersion],
    sink: QuarantineSink,
    partition: str | None,
    result: StagingResult,
) -> list[_FileLoad]:
    raw = store_for(settings, Zone.RAW)
    loads: list[_FileLoad] = []
    required = {c.name for c in spec.schema_.columns if not c.nullable}
    for version in versions:
        for raw_file in version.files:
            if raw_file.name == MANIFEST:
                continue
            result.files.append(raw_file.name)
            try:
                reader = open_reader(raw, version.key(raw_file.name), spec.format)
                mapping = match_headers(list(spec.schema_.columns), reader.headers)
                missing = [name for name, header in mapping.items() if header is None]
                if required & set(missing):
                    raise FileParseError(
                        "faltan columnas obligatorias: "
                        + ", ".join(sorted(required & set(missing)))
                        + f" (encabezados del archivo: {', '.join(reader.headers)})"
                    )
            except FileParseError as err:
                sink.add_file(version.version, raw_file.name, str(err))
                continue
            used = {h for h in mapping.values() if h}
            result.missing_columns += [m for m in missing if m not in result.missing_columns]
            result.undeclared_headers += [h for h in reader.headers if h not in used]
            loads.append(_FileLoad(spec, version, raw_file.name, reader, mapping, partition, sink))
    return loads


def _column_ddl(schema: pa.Schema, spec: DatasetSpec) -> str:
    types = {c.name: DUCKDB_TYPES[c.type] for c in spec.schema_.columns}
    types.update({"_ada_raw_version": "VARCHAR", "_ada_source_file": "VARCHAR"})
    types.update({"_ada_record": "BIGINT", PARTITION_COLUMN: "VARCHAR"})
    return ", ".join(f'"{f.name}" {types[f.name]}' for f in schema)


def _existing_columns(con: duckdb.DuckDBPyConnection, spec: DatasetSpec) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'staging' "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [spec.sector.value, spec.id],
    ).fetchall()
    return [r[0] for r in rows]


def _write(
    con: duckdb.DuckDBPyConnection,
    spec: DatasetSpec,
    schema: pa.Schema,
    incoming: pa.RecordBatchReader | None,
    sink: QuarantineSink,
    partition: str | None,
) -> None:
    table = f'staging."{spec.sector.value}"."{spec.id}"'
    quarantine = f'staging.quarantine."{spec.id}"'
    con.execute(f'CREATE SCHEMA IF NOT EXISTS staging."{spec.sector.value}"')
    con.execute("CREATE SCHEMA IF NOT EXISTS staging.quarantine")
    con.execute("BEGIN TRANSACTION")
    try:
        if incoming is not None:
            if _existing_columns(con, spec) != schema.names:
                con.execute(f"CREATE OR REPLACE TABLE {table} ({_column_ddl(schema, spec)})")
            elif partition is None:
                con.execute(f"DELETE FROM {table}")
            else:
                con.execute(f"DELETE FROM {table} WHERE {PARTITION_COLUMN} = ?", [partition])
            con.register("incoming", incoming)
            con.execute(f"INSERT INTO {table} SELECT * FROM incoming")
            con.unregister("incoming")
        sink.close()
        con.execute(f"CREATE TABLE IF NOT EXISTS {quarantine} ({DDL_COLUMNS})")
        if partition is None:
            con.execute(f"DELETE FROM {quarantine}")
        else:
            con.execute(f'DELETE FROM {quarantine} WHERE "partition" = ?', [partition])
        if sink.entries:
            _insert_quarantine(con, quarantine, sink)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _insert_quarantine(con: duckdb.DuckDBPyConnection, table: str, sink: QuarantineSink) -> None:
    """Insert the sink's entries, moving each record's line past the skipped lines before it.

    A record ``r`` sits on line ``header + r + #{i : m_i - i < header + r}`` where ``m_i`` is
    the i-th skipped (malformed or blank) line: the provisional line is ``header + r``.
    """
    skipped = sink.skipped_lines_table()
    con.register("skipped_lines", skipped)
    try:
        con.execute(
            f"""INSERT INTO {table}
            SELECT q.* REPLACE (
                CASE WHEN q.record IS NULL THEN q.line ELSE q.line + (
                    SELECT count(*) FROM skipped_lines s
                    WHERE s.raw_version = q.raw_version AND s.source_file = q.source_file
                      AND s.line - s.idx < q.line) END AS line)
            FROM read_parquet(?) q""",
            [str(sink.path)],
        )
    finally:
        con.unregister("skipped_lines")


def _current_snapshot(con: duckdb.DuckDBPyConnection) -> int | None:
    row = con.execute("SELECT max(snapshot_id) FROM ducklake_snapshots('staging')").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def load_staging(
    settings: Settings, spec: DatasetSpec, partition: str | None = None
) -> StagingResult:
    """Rebuild the dataset's staging table (or one partition of it) from the raw zone."""
    versions = versions_to_load(settings, spec, partition)
    if not versions:
        where = f"landing/{spec.id}/" if spec.source.kind == "landing" else "its source"
        raise StagingError(
            f"{spec.key}: no raw delivery yet{f' for partition {partition}' if partition else ''};"
            f" materialize the raw asset first (files come from {where})"
        )
    result = StagingResult(
        table=f"staging.{spec.table_name}",
        rows=0,
        quarantined_rows=0,
        reasons={},
        raw_versions=[v.version for v in versions],
        files=[],
        failed_files=[],
        snapshot_id=None,
    )
    sink = QuarantineSink(spec.id, partition)
    schema = staging_schema(spec)
    try:
        loads = _open_files(settings, spec, versions, sink, partition, result)

        failure: list[tuple[_FileLoad, FileParseError]] = []

        def typed_batches() -> Iterator[pa.RecordBatch]:
            for load in loads:
                try:
                    yield from load.batches(schema)
                except FileParseError as err:
                    failure.append((load, err))
                    raise

        incoming = pa.RecordBatchReader.from_batches(schema, typed_batches()) if loads else None
        con = tables.connect(settings, [Zone.STAGING])
        try:
            try:
                _write(con, spec, schema, incoming, sink, partition)
            except duckdb.Error:
                if not failure:
                    raise
                load, err = failure[0]
                sink.add_file(load.version.version, load.name, str(err))
                _write(con, spec, schema, None, sink, partition)
                raise StagingError(
                    f"{spec.key}: {load.name} could not be read ({err}); staging keeps its "
                    f"previous state and the reason is in staging.quarantine.{spec.id}"
                ) from None
            result.snapshot_id = _current_snapshot(con)
        finally:
            con.close()
        result.rows = sum(load.rows for load in loads)
        result.quarantined_rows = sink.rows
        result.reasons = dict(sink.reasons.most_common())
        result.failed_files = sink.failed_files
    finally:
        sink.cleanup()
    if not loads:
        raise StagingError(
            f"{spec.key}: no file could be read ({'; '.join(result.reasons)}); the raw bytes are "
            f"kept and the reasons are in staging.quarantine.{spec.id}"
        )
    return result
