"""Raw to staging: parse the raw files of a dataset, type them, and load one table atomically.

The load streams: a reader yields Arrow batches, :mod:`ingestion.coercion` types each batch,
bad rows go to the quarantine sink, good rows stream into DuckDB which writes the DuckLake
table's Parquet files. Memory stays bounded by the batch size whatever the file size.

Re-running is idempotent: the table (or the partition) is rebuilt from the raw zone inside one
transaction, so the result is the same and rows never duplicate; earlier states remain
reachable through DuckLake snapshots.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ada.settings import Settings, Zone
from catalog.specs import Column, DatasetSpec
from ingestion.coercion import ARROW_TYPES, BatchTyping
from ingestion.limits import MAX_VALUE_BYTES
from ingestion.prefetch import prefetch
from ingestion.quarantine import DDL_COLUMNS, QuarantineSink, record_json
from ingestion.readers import FileParseError, FileReader, open_reader
from ingestion.readers.csv import CsvReader
from ingestion.readers.headers import header_key
from lake import tables
from lake.raw import MANIFEST, RawVersion, list_versions
from lake.storage import ObjectStore, store_for

#: Every column the pipeline adds (lineage and partition) starts with this prefix.
LINEAGE_PREFIX = "_ada_"
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


class _FileFailed(Exception):
    """A raw file turned out unreadable part-way through (e.g. a wrong encoding)."""

    def __init__(self, load: _FileLoad, error: FileParseError) -> None:
        super().__init__(str(error))
        self.load = load
        self.error = error


def _constant(value: str, length: int) -> pa.Array:
    """A column holding one value, without materialising ``length`` Python strings."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(length, dtype=np.int32)), pa.array([value], pa.string())
    ).cast(pa.string())


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

    def __post_init__(self) -> None:
        columns = list(self.spec.schema_.columns)
        sources = [self.mapping[c.name] for c in columns]
        self.typing = BatchTyping.build(columns, sources, self.spec.format)

    def batches(self, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        record_offset = 0
        try:
            for batch in prefetch(self.reader.batches()):
                yield self._typed(batch, schema, record_offset)
                record_offset += batch.num_rows
        except FileParseError as error:
            raise _FileFailed(self, error) from None
        self._quarantine_malformed()

    def _typed(self, batch: pa.RecordBatch, schema: pa.Schema, offset: int) -> pa.RecordBatch:
        n = batch.num_rows
        arrays: list[pa.Array] = []
        bad = np.zeros(n, dtype=bool)
        problems: list[tuple[np.ndarray, str, str]] = []
        for column, typed in zip(self.spec.schema_.columns, self.typing.run(batch), strict=True):
            invalid = typed.invalid.to_numpy(zero_copy_only=False)
            if invalid.any():
                problems.append((invalid, column.name, typed.expected))
                bad |= invalid
            arrays.append(typed.values)
        outside = self._outside_partition(arrays)
        if outside is not None:
            problems.append(outside)
            bad |= outside[0]
        for oversized in _oversized_values(self.spec, arrays):
            problems.append(oversized)
            bad |= oversized[0]
        records = np.arange(offset + 1, offset + n + 1, dtype=np.int64)
        if problems:
            self._quarantine_values(batch, problems, records)
        arrays += [_constant(self.version.version, n), _constant(self.name, n), pa.array(records)]
        if self.spec.is_partitioned:
            arrays.append(_constant(self.partition or "", n))
        typed_batch = pa.record_batch(arrays, schema=schema)
        if bad.any():
            typed_batch = typed_batch.filter(pa.array(~bad))
        self.rows += typed_batch.num_rows
        return typed_batch

    def _outside_partition(self, arrays: list[pa.Array]) -> tuple[np.ndarray, str, str] | None:
        """Rows whose partitioning column falls on another day than the partition's."""
        part = self.spec.partitioning
        if part is None or part.column is None or self.partition is None:
            return None
        index = [c.name for c in self.spec.schema_.columns].index(part.column)
        days = pc.cast(arrays[index], pa.date32())
        day = dt.date.fromisoformat(self.partition)
        other = pc.and_(pc.is_valid(days), pc.not_equal(days, pa.scalar(day, pa.date32())))
        mask = other.to_numpy(zero_copy_only=False)
        if not mask.any():
            return None
        return mask, part.column, f"una fecha del día {self.partition} (la partición)"

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
                lines.append(int(records[index]) + header_row)  # see _insert_quarantine
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


def _oversized_values(
    spec: DatasetSpec, arrays: list[pa.Array]
) -> Iterator[tuple[np.ndarray, str, str]]:
    """Text values longer than :data:`MAX_VALUE_BYTES`, per column (cheap: Arrow lengths)."""
    for column, values in zip(spec.schema_.columns, arrays, strict=False):
        if column.type != "string":
            continue
        lengths = pc.binary_length(values)
        longest = pc.max(lengths).as_py()
        if longest is None or longest <= MAX_VALUE_BYTES:
            continue
        mask = pc.fill_null(pc.greater(lengths, MAX_VALUE_BYTES), False)
        yield (
            mask.to_numpy(zero_copy_only=False),
            column.name,
            f"un texto de hasta {MAX_VALUE_BYTES >> 10} KB (el valor es más largo: suele ser "
            "un documento pegado en la celda o una comilla sin cerrar)",
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
                reader = _open_reader(raw, version.key(raw_file.name), spec)
                mapping = match_headers(list(spec.schema_.columns), reader.headers)
                missing = [name for name, header in mapping.items() if header is None]
                if required & set(missing):
                    raise FileParseError(_missing_required(spec, required & set(missing), reader))
            except FileParseError as err:
                sink.add_file(version.version, raw_file.name, str(err))
                continue
            used = {h for h in mapping.values() if h}
            result.missing_columns += [m for m in missing if m not in result.missing_columns]
            result.undeclared_headers += [h for h in reader.headers if h not in used]
            loads.append(_FileLoad(spec, version, raw_file.name, reader, mapping, partition, sink))
    return loads


def _open_reader(raw: ObjectStore, key: str, spec: DatasetSpec) -> FileReader:
    """The file's reader; an unexpected failure of a parsing library becomes a file error
    naming the format (never a traceback), so the other files and datasets go on."""
    try:
        return open_reader(raw, key, spec.format)
    except FileParseError:
        raise
    except (ValueError, OSError, RuntimeError, LookupError, pa.ArrowException) as err:
        raise FileParseError(
            f"no se pudo leer como {spec.format.type.upper()} ({type(err).__name__}); revise "
            "format.type y format.encoding en la ficha, o vuelva a exportar el archivo"
        ) from None


def _missing_required(spec: DatasetSpec, missing: set[str], reader: FileReader) -> str:
    """Which required columns are absent, the headers found, and the likely cause."""
    headers = reader.headers
    hint = "revise los encabezados del archivo o 'source' de cada columna en la ficha"
    fmt = spec.format
    if fmt.type == "csv" and len(headers) == 1 and any(d in headers[0] for d in ";,\t|"):
        hint = f"el encabezado no se separa con '{fmt.delimiter}': revise format.delimiter"
    elif len(headers) == 1 or sum(h.startswith("columna_") for h in headers) > len(headers) / 2:
        hint = "la línea leída no parece el encabezado: revise format.header_row"
    shown = ", ".join(headers[:20]) + (" …" if len(headers) > 20 else "")
    return (
        f"faltan columnas obligatorias: {', '.join(sorted(missing))} (encabezados del archivo: "
        f"{shown}); {hint}"
    )


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


def _data_file_key(spec: DatasetSpec, load: _FileLoad, partition: str | None) -> str:
    folder = f"{spec.sector.value}/{spec.id}/"
    if partition:
        folder += f"{PARTITION_COLUMN}={partition}/"
    return f"{folder}ada-{load.version.version}-{uuid.uuid4().hex[:12]}.parquet"


def _write_data_files(
    settings: Settings,
    spec: DatasetSpec,
    schema: pa.Schema,
    loads: list[_FileLoad],
    partition: str | None,
) -> list[str]:
    """Stream each raw file's typed rows into a Parquet file in the staging zone.

    Files are written before the catalog transaction and only become part of the table when
    it commits (``ducklake_add_data_files``); Arrow writes them as fast as a hand-written
    script would. On any failure the files written so far are removed.
    """
    store = store_for(settings, Zone.STAGING)
    written: list[str] = []
    try:
        for load in loads:
            key = _data_file_key(spec, load, partition)
            with (
                store.open_output(key) as sink,
                pq.ParquetWriter(sink, schema, compression="snappy") as writer,
            ):
                written.append(key)
                for batch in prefetch(load.batches(schema)):
                    writer.write_batch(batch)
    except BaseException:
        _remove(settings, written)
        raise
    return written


def _remove(settings: Settings, keys: list[str]) -> None:
    store = store_for(settings, Zone.STAGING)
    for key in keys:
        store.delete(key)


def _commit(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    spec: DatasetSpec,
    schema: pa.Schema,
    data_files: list[str] | None,
    sink: QuarantineSink,
    partition: str | None,
) -> None:
    """One transaction: replace the table's (or partition's) files and its quarantine rows.

    ``data_files=None`` leaves the table as it was (a delivery that could not be read).
    """
    sector = spec.sector.value
    table = f'staging."{sector}"."{spec.id}"'
    quarantine = f'staging.quarantine."{spec.id}"'
    store = store_for(settings, Zone.STAGING)
    con.execute(f'CREATE SCHEMA IF NOT EXISTS staging."{sector}"')
    con.execute("CREATE SCHEMA IF NOT EXISTS staging.quarantine")
    con.execute("BEGIN TRANSACTION")
    try:
        if data_files is not None:
            if _existing_columns(con, spec) != schema.names:
                con.execute(f"CREATE OR REPLACE TABLE {table} ({_column_ddl(schema, spec)})")
            elif partition is None:
                con.execute(f"DELETE FROM {table}")
            else:
                con.execute(f"DELETE FROM {table} WHERE {PARTITION_COLUMN} = ?", [partition])
            for key in data_files:
                con.execute(
                    "CALL ducklake_add_data_files('staging', ?, ?, schema => ?)",
                    [spec.id, store.uri(key), sector],
                )
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
        with contextlib.suppress(duckdb.Error):  # a failed COMMIT has already rolled back
            con.execute("ROLLBACK")
        raise


def _commit_with_retry(*args: Any) -> None:
    """The data files are already written: only the short catalog transaction is retried."""
    tables.retry_when_busy(_commit, *args)


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


def _close_when_ready(connecting: Future[duckdb.DuckDBPyConnection]) -> None:
    with contextlib.suppress(Exception):
        connecting.result().close()


def _current_snapshot(con: duckdb.DuckDBPyConnection) -> int | None:
    row = con.execute("SELECT max(snapshot_id) FROM ducklake_snapshots('staging')").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def load_staging(
    settings: Settings, spec: DatasetSpec, partition: str | None = None
) -> StagingResult:
    """Rebuild the dataset's staging table (or one partition of it) from the raw zone."""
    versions = versions_to_load(settings, spec, partition)
    if not versions:
        where = f"landing/{spec.id}/" if spec.source.kind == "landing" else "su fuente"
        raise StagingError(
            f"{spec.key}: todavía no hay entregas en la zona raw"
            f"{f' para la partición {partition}' if partition else ''}; materialice primero el "
            f"asset raw (los archivos llegan de {where})"
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

        data_files: list[str] | None = None
        failed: tuple[_FileLoad, FileParseError] | None = None
        # Opening the catalog (loading DuckDB extensions) overlaps with writing the data.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ada-catalog") as pool:
            connecting = pool.submit(tables.connect, settings, [Zone.STAGING])
            try:
                if loads:
                    data_files = _write_data_files(settings, spec, schema, loads, partition)
            except _FileFailed as err:
                failed = (err.load, err.error)
            except BaseException:
                _close_when_ready(connecting)
                raise
            con = connecting.result()
        try:
            if failed is not None:
                load, error = failed
                sink.add_file(load.version.version, load.name, str(error))
                _commit_with_retry(con, settings, spec, schema, None, sink, partition)
                raise StagingError(
                    f"{spec.key}: {load.name} no se pudo leer: {error}. El archivo original se "
                    "conserva en la zona raw, la tabla de staging conserva su estado anterior y "
                    f"el motivo queda en staging.quarantine.{spec.id}"
                )
            try:
                _commit_with_retry(con, settings, spec, schema, data_files, sink, partition)
            except BaseException:
                _remove(settings, data_files or [])
                raise
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
            f"{spec.key}: ningún archivo se pudo leer: {'; '.join(result.reasons)}. Los archivos "
            "originales se conservan en la zona raw y los motivos quedan en "
            f"staging.quarantine.{spec.id}"
        )
    return result
