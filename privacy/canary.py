"""The leak canary: re-scan published files for direct identifiers.

It reads every data file under a prefix of the open zone (CSV, Parquet, JSON and GeoJSON, in
every release version) and runs the text detector over the distinct values of each column,
looking only for direct identifiers (documents, phones, e-mails, addresses, names said with
context). Any hit fails the check. The findings say
file, column, kind of data and how many values, never the values themselves.

Files are read in batches (pyarrow's streaming CSV and Parquet readers, DuckDB's JSON reader),
so memory does not grow with a file's rows, and two files are read at a time (the readers
release the GIL). Each distinct value is run through the detector once per scan: a release
carries the same values in every format.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from ada.settings import Settings, Zone

if TYPE_CHECKING:
    from lake.storage import ObjectStore

#: Direct identifiers: one of these alone points at a person.
DIRECT_IDENTIFIERS = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CO_CEDULA",
    "CO_CEDULA_EXTRANJERIA",
    "CO_TARJETA_IDENTIDAD",
    "CO_PEP_PPT",
    "CO_PASAPORTE",
    "CO_ADDRESS",
)
#: Minimum score per entity. Formats alone (a mobile number, a dotted cédula, an e-mail) are
#: enough in a published file; a street mention (``Calle 40``) scores 0.5 and is not an address
#: of anyone, so addresses need a plate number or unit (0.6 and up).
THRESHOLDS = {"CO_ADDRESS": 0.6}
DEFAULT_THRESHOLD = 0.4
MAX_VALUES_PER_COLUMN = 200_000


@dataclass(frozen=True)
class Leak:
    file: str | None
    column: str
    entity: str
    values: int

    def describe(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}column '{self.column}' has {self.values} value(s) of type {self.entity}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "column": self.column,
            "entity": self.entity,
            "values": self.values,
        }


#: What the ``pseudonym`` operator writes: a keyed token, not personal data (its hex digits
#: can look like a phone number to a detector).
PSEUDONYM_TOKEN = r"^p_[0-9a-f]{16}$"


def _distinct_values(column: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """The column's distinct texts, in order of first appearance, pseudonyms left out;
    ``None`` for a column that cannot hold a direct identifier."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        # Numbers can be documents or phones written without separators.
        if not pa.types.is_integer(column.type):
            return None
        column = column.cast(pa.string())
    distinct = pc.unique(column.drop_null())
    return distinct.filter(pc.invert(pc.match_substring_regex(distinct, PSEUDONYM_TOKEN)))


def _distinct_texts(column: pa.ChunkedArray) -> list[str]:
    distinct = _distinct_values(column)
    if distinct is None:
        return []
    return [v for v in distinct.to_pylist()[:MAX_VALUES_PER_COLUMN] if v]


class _DistinctTexts:
    """The distinct texts of each column of a file read in batches: the same values, in the
    same order, that :func:`_distinct_texts` gives for the whole file."""

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, None]] = {}

    def add(self, batch: pa.RecordBatch) -> None:
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            seen = self.columns.setdefault(name, {})
            room = MAX_VALUES_PER_COLUMN - len(seen)
            if room <= 0:
                continue
            distinct = _distinct_values(column)
            if distinct is None:
                continue
            if len(seen) == 0 and len(distinct) <= room:
                seen.update(dict.fromkeys(distinct.to_pylist()))
                continue
            for value in distinct.to_pylist():
                if value not in seen:
                    seen[value] = None
                    room -= 1
                    if room == 0:
                        break

    def texts(self) -> dict[str, list[str]]:
        return {name: [v for v in seen if v] for name, seen in self.columns.items()}


def _detected(texts: list[str], memo: dict[str, frozenset[str]]) -> list[frozenset[str]]:
    """The direct identifiers found in each text; ``memo`` keeps what earlier columns or files
    found (the detector looks at each text alone, so a value's result does not change)."""
    from privacy.text.detector import detect

    new = list(dict.fromkeys(t for t in texts if t not in memo))
    if new:
        found = detect(new, entities=list(DIRECT_IDENTIFIERS), threshold=DEFAULT_THRESHOLD)
        for text, spans in zip(new, found, strict=True):
            kept = (s for s in spans if s.score >= THRESHOLDS.get(s.type, DEFAULT_THRESHOLD))
            memo[text] = frozenset(span.type for span in kept)
    return [memo[t] for t in texts]


def _leaks(
    columns: dict[str, list[str]], file: str | None, memo: dict[str, frozenset[str]]
) -> list[Leak]:
    leaks: list[Leak] = []
    for name, texts in columns.items():
        if not texts:
            continue
        counts: dict[str, int] = {}
        for entities in _detected(texts, memo):
            for entity in entities:
                counts[entity] = counts.get(entity, 0) + 1
        leaks += [Leak(file, name, entity, n) for entity, n in sorted(counts.items())]
    return leaks


def scan_table(table: pa.Table, file: str | None = None) -> list[Leak]:
    """Direct identifiers in any column of ``table``."""
    columns = {name: _distinct_texts(table.column(name)) for name in table.column_names}
    return _leaks(columns, file, {})


#: Files that describe a release (its manifest, pointer, withdrawal record, Data Package): they
#: hold metadata written by the platform, including the publisher's institutional contact
#: e-mail, not released rows.
RELEASE_METADATA = frozenset(
    {"_release.json", "_withdrawn.json", "current.json", "datapackage.json"}
)


#: Rows per batch when a file is read in batches.
BATCH_ROWS = 65_536
#: Files read at the same time (the readers release the GIL; detection stays on one thread).
READERS = 2


def _json_batches(path: str, geojson: bool) -> Iterator[pa.RecordBatch | None]:
    """A JSON array of records, or a GeoJSON FeatureCollection's properties, in batches.

    DuckDB streams an array of records (or JSON Lines) with a buffer sized to its largest
    object (16 MB by default), so memory stays flat; a FeatureCollection is one object and
    must be read whole. A ``.json`` holding one object larger than the default is read again
    (after a ``None``) with the limit raised, as a FeatureCollection is."""
    import duckdb

    whole = f"maximum_object_size = {2**31 - 1}"

    def query(size: str) -> str:
        source = f"read_json(?, format = 'auto'{size})"
        if geojson:
            return (
                "SELECT unnest(feature.properties) FROM "
                f"(SELECT unnest(features) AS feature FROM {source})"
            )
        return f"SELECT * FROM {source}"

    con = duckdb.connect()
    try:
        if not geojson:
            try:
                yield from con.execute(query(""), [path]).to_arrow_reader(BATCH_ROWS)
                return
            except duckdb.Error as err:
                if "maximum_object_size" not in str(err):
                    raise
            yield None
        yield from con.execute(query(", " + whole), [path]).to_arrow_reader(BATCH_ROWS)
    finally:
        con.close()


def _json_file_batches(store: ObjectStore, key: str) -> Iterator[pa.RecordBatch | None]:
    """DuckDB reads JSON from a file: the object is copied to a local temporary one first."""
    import shutil
    import tempfile

    suffix = "." + key.rsplit(".", 1)[-1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as local:
        with store.open_input(key) as handle:
            shutil.copyfileobj(handle, local, 1 << 20)
        local.flush()
        yield from _json_batches(local.name, geojson=key.endswith(".geojson"))


def _parquet_batches(store: ObjectStore, key: str) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    with store.open_random_access(key) as handle:
        yield from pq.ParquetFile(handle).iter_batches(batch_size=BATCH_ROWS)


def _csv_batches(store: ObjectStore, key: str) -> Iterator[pa.RecordBatch | None]:
    """The streaming reader fixes each column's type on the first block; a later value that
    does not fit it (a number column with text further down) fails the read, and the file is
    then read whole, as ``read_csv`` types it (each column's type fitting all its values),
    after a ``None`` that tells the consumer to forget the batches before it."""
    import pyarrow.csv as pacsv

    try:
        with store.open_input(key) as handle:
            yield from pacsv.open_csv(handle)
        return
    except pa.ArrowInvalid:
        pass
    yield None
    with store.open_input(key) as handle:
        yield from pacsv.read_csv(handle).to_batches(BATCH_ROWS)


def read_published(settings: Settings, key: str) -> Iterator[pa.RecordBatch | None] | None:
    """A published data file's rows, in batches read as they are consumed, typed the way a
    downloader's tools would read it (``None`` in the stream: forget the batches before it);
    ``None`` for anything that is not a data file (release metadata, unknown formats)."""
    from lake.storage import store_for

    if key.rsplit("/", 1)[-1] in RELEASE_METADATA:
        return None
    store = store_for(settings, Zone.OPEN)
    if key.endswith(".parquet"):
        return _parquet_batches(store, key)
    if key.endswith(".csv"):
        return _csv_batches(store, key)
    if key.endswith((".json", ".geojson")):
        return _json_file_batches(store, key)
    return None


def _collect(batches: Iterator[pa.RecordBatch | None]) -> dict[str, list[str]]:
    """Distinct texts of each column of a file (runs on a reader thread)."""
    distinct = _DistinctTexts()
    for batch in batches:
        if batch is None:  # the file is read again from its start
            distinct = _DistinctTexts()
        else:
            distinct.add(batch)
    return distinct.texts()


#: Where the canary remembers the files it found clean (restricted curated zone).
LEDGER_PREFIX = "_canary"


def _ledger_key(prefix: str) -> str:
    return f"{LEDGER_PREFIX}/{prefix.strip('/') or 'all'}.json"


def _read_ledger(settings: Settings, prefix: str) -> dict[str, str]:
    from lake import reports

    return dict(reports.read_report(settings, _ledger_key(prefix)) or {})


def _write_ledger(settings: Settings, prefix: str, clean: dict[str, str]) -> None:
    import json

    from lake.storage import store_for

    data = json.dumps(clean, sort_keys=True).encode()
    store_for(settings, Zone.CURATED).put_bytes(_ledger_key(prefix), data)


def scan_open_zone(
    settings: Settings, prefix: str = "", *, remember: bool = False
) -> tuple[int, list[Leak]]:
    """Scan every published data file under ``prefix`` (every version of every release,
    complete or not: a file in the open zone is exposed whether or not a manifest lists it);
    returns (files checked, leaks).

    With ``remember``, files found clean are recorded with their etag in the curated zone and
    are not read again while their etag is unchanged: released files are immutable, so after
    its first scan each run reads only what is new or was rewritten, instead of every version
    ever published."""
    from lake.storage import store_for

    store = store_for(settings, Zone.OPEN)
    known = _read_ledger(settings, prefix) if remember else {}
    clean: dict[str, str] = {}
    checked = 0
    leaks: list[Leak] = []
    memo: dict[str, frozenset[str]] = {}
    with ThreadPoolExecutor(READERS, thread_name_prefix="canary") as readers:
        reading: list[tuple[str, str, Future[dict[str, list[str]]]]] = []
        for info in store.list(prefix):
            if known.get(info.key) == info.etag:
                clean[info.key] = info.etag
                checked += 1
                continue
            batches = read_published(settings, info.key)
            if batches is None:
                continue
            checked += 1
            reading.append((info.key, info.etag, readers.submit(_collect, batches)))
        for key, etag, columns in reading:
            found = _leaks(columns.result(), key, memo)
            leaks += found
            if not found:
                clean[key] = etag
    if remember and clean != known:
        _write_ledger(settings, prefix, clean)
    return checked, leaks
