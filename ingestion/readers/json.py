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
from ingestion.readers import encoding as enc
from ingestion.readers.base import BATCH_ROWS, FileParseError, MalformedRow, ReaderState
from ingestion.readers.headers import clean_headers
from ingestion.readers.sniff import check_text, line_at
from lake.storage import ObjectStore

#: The decoder's messages a publisher may meet, in Spanish (others are kept as they are).
_REASONS = {
    "Expecting value": "falta un valor",
    "Expecting property name enclosed in double quotes": "se esperaba un nombre entre comillas",
    "Expecting ',' delimiter": "falta una coma",
    "Expecting ':' delimiter": "faltan los dos puntos",
    "Unterminated string starting at": "texto sin comilla de cierre",
    "Extra data": "hay datos después del final del documento",
    "Invalid control character at": "carácter de control dentro de un texto",
}


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
            raise FileParseError(
                f"el JSON no tiene la ruta format.records_path '{path}' (falta '{part}'); "
                "corrija format.records_path en la ficha"
            )
        node = node[part]
    if isinstance(node, dict):
        node = [node]
    if not isinstance(node, list):
        raise FileParseError(
            f"el JSON no tiene una lista de registros (su contenido es {type(node).__name__}); "
            "entregue una lista de objetos o declare format.records_path en la ficha"
        )
    return node


class JsonReader(ReaderState):
    def __init__(self, store: ObjectStore, key: str, fmt: FileFormat) -> None:
        super().__init__()
        data = store.get_bytes(key)
        check_text(data[: 1 << 16], "JSON", fmt.encoding)
        encoding = enc.resolve(fmt.encoding, data[: 1 << 16])
        try:
            text = data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError as err:
            raise FileParseError(
                f"el JSON no es {encoding.upper()} válido (byte 0x{data[err.start]:02x} en la "
                f"línea {line_at(data, err.start)}); entréguelo en UTF-8 o declare "
                "format.encoding en la ficha"
            ) from None
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
                f"el JSON no es válido (línea {first_error.lineno}, columna "
                f"{first_error.colno}: {_REASONS.get(first_error.msg, first_error.msg)}); "
                "suele ser un archivo cortado o una coma de más: vuelva a exportarlo"
            ) from None
        records: list[Any] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                reason = _REASONS.get(err.msg, err.msg)
                self.malformed.append(MalformedRow(number, f"JSON inválido: {reason}", line))
        return records

    def batches(self) -> Iterator[pa.RecordBatch]:
        for start in range(0, len(self._records), BATCH_ROWS):
            chunk = self._records[start : start + BATCH_ROWS]
            columns: dict[str, list[str | None]] = {h: [] for h in self.headers}
            for offset, record in enumerate(chunk):
                if not isinstance(record, dict):
                    number = start + offset + 1
                    self.malformed.append(
                        MalformedRow(
                            None,
                            f"el registro {number} no es un objeto (es {type(record).__name__})",
                            _as_text(record) or "",
                        )
                    )
                    continue
                for raw_key, header in zip(self._raw_keys, self.headers, strict=True):
                    columns[header].append(_as_text(record.get(raw_key)))
            yield pa.record_batch(
                [pa.array(values, pa.string()) for values in columns.values()],
                names=self.headers,
            )
