"""Quarantine: what could not be parsed is kept, with the reason, never silently dropped.

Each dataset has a table ``staging.quarantine.<dataset id>`` with one row per problem: a file
that could not be read, a row that could not be split into columns, or a value that could not
be typed. The offending record is kept (as JSON text) so nothing is lost; it stays in the
restricted staging zone, and only counts and reasons (never values) reach logs and the UI.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("dataset_id", pa.string()),
        ("partition", pa.string()),
        ("raw_version", pa.string()),
        ("source_file", pa.string()),
        ("record", pa.int64()),
        ("line", pa.int64()),
        ("column_name", pa.string()),
        ("expected", pa.string()),
        ("reason", pa.string()),
        ("raw_record", pa.string()),
        ("quarantined_at", pa.timestamp("us", tz="UTC")),
    ]
)

DDL_COLUMNS = """
    dataset_id VARCHAR, "partition" VARCHAR, raw_version VARCHAR, source_file VARCHAR,
    record BIGINT, line BIGINT, column_name VARCHAR, expected VARCHAR, reason VARCHAR,
    raw_record VARCHAR, quarantined_at TIMESTAMPTZ
"""


class QuarantineSink:
    """Collects quarantine entries for one load, spilling to a Parquet file to bound memory."""

    def __init__(self, dataset_id: str, partition: str | None) -> None:
        self.dataset_id = dataset_id
        self.partition = partition
        self._dir = tempfile.TemporaryDirectory(prefix="ada-quarantine-")
        self.path = Path(self._dir.name) / "quarantine.parquet"
        self._writer = pq.ParquetWriter(self.path, SCHEMA)
        self._now = dt.datetime.now(dt.UTC)
        self.reasons: Counter[str] = Counter()
        self.rows = 0
        self.entries = 0
        self.failed_files: list[str] = []
        self._closed = False
        self._skipped: list[tuple[str, str, int, int]] = []

    def _write(self, rows: dict[str, Sequence[object]]) -> None:
        count = len(rows["reason"])
        if count == 0:
            return
        rows["dataset_id"] = [self.dataset_id] * count
        rows["partition"] = [self.partition] * count
        rows["quarantined_at"] = [self._now] * count
        self._writer.write_table(pa.table(rows, schema=SCHEMA))
        self.entries += count

    def add_file(self, raw_version: str, source_file: str, reason: str) -> None:
        self.failed_files.append(source_file)
        self.reasons[f"{source_file}: {reason}"] += 1
        self._write(
            {
                "raw_version": [raw_version],
                "source_file": [source_file],
                "record": [None],
                "line": [None],
                "column_name": [None],
                "expected": [None],
                "reason": [reason],
                "raw_record": [None],
            }
        )

    def add_rows(
        self,
        raw_version: str,
        source_file: str,
        records: list[int | None],
        lines: list[int | None],
        columns: list[str | None],
        expected: list[str | None],
        reasons: list[str],
        raw_records: list[str | None],
    ) -> None:
        """One entry per problem; ``records`` may repeat when a row has several bad values."""
        self.rows += len(set(zip(records, lines, strict=True)))
        for column, reason in zip(columns, reasons, strict=True):
            label = f"columna '{column}': {reason}" if column else reason
            self.reasons[label] += 1
        self._write(
            {
                "raw_version": [raw_version] * len(reasons),
                "source_file": [source_file] * len(reasons),
                "record": records,
                "line": lines,
                "column_name": columns,
                "expected": expected,
                "reason": reasons,
                "raw_record": raw_records,
            }
        )

    def add_skipped_lines(self, raw_version: str, source_file: str, lines: list[int]) -> None:
        """Lines of a file that produced no record, so record line numbers can be exact."""
        self._skipped += [(raw_version, source_file, line, i) for i, line in enumerate(lines, 1)]

    def skipped_lines_table(self) -> pa.Table:
        columns: list[Sequence[object]] = (
            list(zip(*self._skipped, strict=True)) if self._skipped else [[], [], [], []]
        )
        return pa.table(
            {
                "raw_version": pa.array(columns[0], pa.string()),
                "source_file": pa.array(columns[1], pa.string()),
                "line": pa.array(columns[2], pa.int64()),
                "idx": pa.array(columns[3], pa.int64()),
            }
        )

    def close(self) -> None:
        if not self._closed:
            self._writer.close()
            self._closed = True

    def cleanup(self) -> None:
        self._dir.cleanup()


#: Values longer than this are cut in the quarantined record (the whole row is in raw).
KEPT_VALUE = 64 << 10


def _kept(value: object) -> object:
    if isinstance(value, str) and len(value) > KEPT_VALUE:
        return f"{value[:KEPT_VALUE]}… [{len(value)} caracteres; completo en la zona raw]"
    return value


def record_json(batch: pa.RecordBatch, index: int) -> str:
    """The original text of one row, as JSON, for the quarantine table (restricted zone only)."""
    return json.dumps(
        {name: _kept(batch.column(i)[index].as_py()) for i, name in enumerate(batch.schema.names)},
        ensure_ascii=False,
        default=str,
    )
