"""JSON: an array of records, NDJSON, or records nested under a path (CKAN's ``result.records``).

Socrata and CKAN deliveries arrive as pages of at most 50,000 records, so a page is parsed
whole; values become strings so that typing follows the same rules as CSV.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from catalog.specs import FileFormat
from ingestion.readers.base import BATCH_ROWS, FileParseError, MalformedRow, ReaderState
from ingestion.readers.headers import clean_headers
from lake.storage import ObjectStore


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _records(document: Any, path: str | None) -> list[Any]:
    node = document
    for part in (path or "").split(".") if path else []:
        if not isinstance(node, dict) or part not in node:
            raise FileParseError(f"'format.records_path' {path!r} is not in the document")
        node = node[part]
    if isinstance(node, dict):
        node = [node]
    if not isinstance(node, list):
        raise FileParseError("the JSON holds no list of records; set 'format.records_path'")
    return node


class JsonReader(ReaderState):
    def __init__(self, store: ObjectStore, key: str, fmt: FileFormat) -> None:
        super().__init__()
        text = store.get_bytes(key).decode(fmt.encoding if fmt.encoding != "auto" else "utf-8")
        text = text.lstrip("\ufeff")
        try:
            records = _records(json.loads(text), fmt.records_path)
        except json.JSONDecodeError as err:
            records = self._ndjson(text, err)
        keys: dict[str, None] = {}
        for record in records:
            if isinstance(record, dict):
                keys.update(dict.fromkeys(record))
        self._raw_keys = list(keys)
        self.headers = clean_headers(list(self._raw_keys))
        self._records = records

    def _ndjson(self, text: str, first_error: json.JSONDecodeError) -> list[Any]:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise FileParseError(
                f"not valid JSON (line {first_error.lineno}, column {first_error.colno}: "
                f"{first_error.msg})"
            ) from None
        records: list[Any] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                self.malformed.append(MalformedRow(number, f"JSON inválido: {err.msg}", line))
        return records

    def batches(self) -> Iterator[pa.RecordBatch]:
        for start in range(0, len(self._records), BATCH_ROWS):
            chunk = self._records[start : start + BATCH_ROWS]
            columns: dict[str, list[str | None]] = {h: [] for h in self.headers}
            for offset, record in enumerate(chunk):
                if not isinstance(record, dict):
                    self.malformed.append(
                        MalformedRow(None, f"el registro {start + offset + 1} no es un objeto", "")
                    )
                    continue
                for raw_key, header in zip(self._raw_keys, self.headers, strict=True):
                    columns[header].append(_as_text(record.get(raw_key)))
            yield pa.record_batch(
                [pa.array(values, pa.string()) for values in columns.values()],
                names=self.headers,
            )
