"""Typed redaction: each detected span becomes a placeholder that says what was there.

``<PERSONA>`` rather than ``***`` keeps redacted text readable and countable (how many
petitions mention a phone) without the value itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from privacy.text.detector import Span, detect

if TYPE_CHECKING:
    import pyarrow as pa

_DOCUMENT = "<DOCUMENTO>"
PLACEHOLDERS: dict[str, str] = {
    "PERSON": "<PERSONA>",
    "CO_CEDULA": _DOCUMENT,
    "CO_CEDULA_EXTRANJERIA": _DOCUMENT,
    "CO_TARJETA_IDENTIDAD": _DOCUMENT,
    "CO_PEP_PPT": _DOCUMENT,
    "CO_PASAPORTE": _DOCUMENT,
    "CO_NIT": _DOCUMENT,
    "ID_NUMBER": _DOCUMENT,
    "PHONE_NUMBER": "<TELEFONO>",
    "EMAIL_ADDRESS": "<CORREO>",
    "CO_ADDRESS": "<DIRECCION>",
    "DATE_TIME": "<FECHA>",
    "CO_PLACA": "<PLACA>",
    "LOCATION": "<LUGAR>",
}


def apply_placeholders(text: str, spans: Sequence[Span]) -> str:
    """``text`` with each (non-overlapping) span replaced by its type's placeholder."""
    parts = []
    position = 0
    for span in sorted(spans, key=lambda s: s.start):
        parts.append(text[position : span.start])
        parts.append(PLACEHOLDERS.get(span.type, f"<{span.type}>"))
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def redact_texts(texts: Sequence[str], *, threshold: float = 0.4) -> list[str]:
    """Each text with its personal data replaced by typed placeholders, the rest untouched."""
    found = detect(texts, threshold=threshold)
    return [apply_placeholders(t, s) for t, s in zip(texts, found, strict=True)]


def redact_array(values: pa.Array | pa.ChunkedArray, *, threshold: float = 0.4) -> pa.Array:
    """A redacted copy of a string column, in order, nulls kept.

    Columns repeat values (categories, templates, the same complaint pasted twice), so only the
    distinct non-null values are detected (dictionary encoding) and the result is mapped back
    with ``take`` on the indices.
    """
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = values.dictionary_encode()
    dictionary = encoded.dictionary.to_pylist()
    redacted = pa.array(redact_texts(dictionary, threshold=threshold), type=values.type)
    return redacted.take(encoded.indices)
