"""The leak canary: re-scan published files for direct identifiers.

It reads every data file under a prefix of the open zone (CSV, Parquet, JSON and GeoJSON, in
every release version) and runs the text detector over the distinct values of each column,
looking only for direct identifiers (documents, phones, e-mails, addresses, names said with
context). Any hit fails the check. The findings say
file, column, kind of data and how many values, never the values themselves.
"""

from __future__ import annotations

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


def _distinct_texts(column: pa.ChunkedArray) -> list[str]:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        # Numbers can be documents or phones written without separators.
        if not pa.types.is_integer(column.type):
            return []
        column = column.cast(pa.string())
    distinct = pc.unique(column.drop_null())
    distinct = distinct.filter(pc.invert(pc.match_substring_regex(distinct, PSEUDONYM_TOKEN)))
    return [v for v in distinct.to_pylist()[:MAX_VALUES_PER_COLUMN] if v]


def scan_table(table: pa.Table, file: str | None = None) -> list[Leak]:
    """Direct identifiers in any column of ``table``."""
    from privacy.text.detector import detect

    leaks: list[Leak] = []
    for name in table.column_names:
        texts = _distinct_texts(table.column(name))
        if not texts:
            continue
        counts: dict[str, int] = {}
        found = detect(texts, entities=list(DIRECT_IDENTIFIERS), threshold=DEFAULT_THRESHOLD)
        for spans in found:
            kept = (s for s in spans if s.score >= THRESHOLDS.get(s.type, DEFAULT_THRESHOLD))
            for entity in {span.type for span in kept}:
                counts[entity] = counts.get(entity, 0) + 1
        leaks += [Leak(file, name, entity, n) for entity, n in sorted(counts.items())]
    return leaks


#: Files that describe a release (its manifest, pointer, withdrawal record, Data Package): they
#: hold metadata written by the platform, including the publisher's institutional contact
#: e-mail, not released rows.
RELEASE_METADATA = frozenset(
    {"_release.json", "_withdrawn.json", "current.json", "datapackage.json"}
)


def _json_rows(path: str, geojson: bool) -> pa.Table:
    """A JSON array of records, or a GeoJSON FeatureCollection's properties, as a table."""
    import duckdb

    con = duckdb.connect()
    try:
        # A FeatureCollection is one JSON object: DuckDB must be allowed to read it whole.
        source = f"read_json(?, format = 'auto', maximum_object_size = {2**31 - 1})"
        if geojson:
            query = (
                "SELECT unnest(feature.properties) FROM "
                f"(SELECT unnest(features) AS feature FROM {source})"
            )
        else:
            query = f"SELECT * FROM {source}"
        return con.execute(query, [path]).to_arrow_table()
    finally:
        con.close()


def _read_json_file(store: ObjectStore, key: str) -> pa.Table:
    """DuckDB reads JSON from a file: the object is copied to a local temporary one first."""
    import shutil
    import tempfile

    suffix = "." + key.rsplit(".", 1)[-1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as local:
        with store.open_input(key) as handle:
            shutil.copyfileobj(handle, local, 1 << 20)
        local.flush()
        return _json_rows(local.name, geojson=key.endswith(".geojson"))


def read_published(settings: Settings, key: str) -> pa.Table | None:
    """A published data file as a table, typed the way a downloader's tools would read it;
    ``None`` for anything that is not a data file (release metadata, unknown formats)."""
    from lake.storage import store_for

    if key.rsplit("/", 1)[-1] in RELEASE_METADATA:
        return None
    store = store_for(settings, Zone.OPEN)
    if key.endswith(".parquet"):
        import pyarrow.parquet as pq

        with store.open_random_access(key) as handle:
            return pq.read_table(handle)
    if key.endswith(".csv"):
        import pyarrow.csv as pacsv

        with store.open_input(key) as handle:
            return pacsv.read_csv(handle)
    if key.endswith((".json", ".geojson")):
        return _read_json_file(store, key)
    return None


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
    for info in store.list(prefix):
        if known.get(info.key) == info.etag:
            clean[info.key] = info.etag
            checked += 1
            continue
        table = read_published(settings, info.key)
        if table is None:
            continue
        checked += 1
        found = scan_table(table, info.key)
        leaks += found
        if not found:
            clean[info.key] = info.etag
    if remember and clean != known:
        _write_ledger(settings, prefix, clean)
    return checked, leaks
