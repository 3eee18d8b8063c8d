"""Header clean-up: what real district files put in their first row.

Real files repeat header names (``latitud_decimal`` twice in RMCAB exports), leave headers
blank, put units in them (``pm25 (µg/m3)``) and mix accents and case. Readers de-duplicate
and fill headers here; specs and inference match them through :func:`header_key`.
"""

from __future__ import annotations

import re
import unicodedata

_UNIT = re.compile(r"^(?P<name>.*?)\s*[\(\[](?P<unit>[^\)\]]+)[\)\]]\s*$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def clean_headers(raw: list[str | None]) -> list[str]:
    """Strip BOM and spaces, name blank headers ``columna_<n>``, suffix repeats ``_2``, ``_3``."""
    cleaned: list[str] = []
    seen: dict[str, int] = {}
    for position, value in enumerate(raw, start=1):
        name = (value or "").replace("\ufeff", "").strip()
        if not name:
            name = f"columna_{position}"
        count = seen.get(name, 0) + 1
        seen[name] = count
        cleaned.append(name if count == 1 else f"{name}_{count}")
    return cleaned


def split_unit(header: str) -> tuple[str, str | None]:
    """``'pm25 (µg/m3)'`` → ``('pm25', 'µg/m3')``; headers without a unit come back whole."""
    match = _UNIT.match(header)
    if match and match["name"]:
        return match["name"], match["unit"].strip()
    return header, None


def slug(text: str) -> str:
    """ASCII snake_case: ``'Fecha de diagnóstico'`` → ``'fecha_de_diagnostico'``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("_", ascii_text.lower()).strip("_")


def header_key(header: str) -> str:
    """The form under which a header matches a spec column (unit dropped, slugged)."""
    name, _unit = split_unit(header)
    return slug(name) or slug(header)
