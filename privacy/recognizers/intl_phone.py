"""PHONE_NUMBER beyond the Colombian formats: Spanish 9-digit numbers (``915 20 22 00``,
``633 349 565``, ``+34 93 693 29 05``), international numbers with a ``+`` prefix, and short
landlines (7-8 digits, e.g. Bogotá's old ``275 1405``) when a phone word precedes them.

It replaces Presidio's generic ``PhoneRecognizer`` (libphonenumber), which reads dotted cédulas
such as ``1.121.887.207`` as phone numbers. Presidio serves Spanish text from many countries, so
Spain's formats belong here too.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

_START = r"(?<![\w.,/+-])"
_END = r"(?![\w/]|[.,-]\d)"
_ES_PREFIX = r"(?:(?:\+|00)?\s?34[\s.-]*)?"
_ES_GROUPED = (
    r"[6-9]\d{2}(?:[\s.]\d{3}[\s.]\d{3}|[\s.]\d{2}[\s.]\d{2}[\s.]\d{2}|[\s.]\d{6})"
    r"|[6-9]\d[\s.]\d{3}[\s.]\d{2}[\s.]\d{2}"
)


class InternationalPhoneRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("es_grouped", rf"{_START}{_ES_PREFIX}(?:{_ES_GROUPED}){_END}", 0.4),
        Pattern("es_plain", rf"{_START}{_ES_PREFIX}[6-9]\d{{8}}{_END}", 0.2),
        Pattern("intl_plus", rf"(?<![\w+])\+\d{{1,3}}(?:[\s.-]?\d{{2,4}}){{2,5}}{_END}", 0.4),
        Pattern("short_landline", rf"{_START}\d{{3}}[\s.-]?\d{{4,5}}{_END}", 0.05),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "teléfono",
        "telefono",
        "tel",
        "telf",
        "tfno",
        "fax",
        "celular",
        "cel",
        "móvil",
        "movil",
        "whatsapp",
        "llamar",
        "llamó",
        "contacto",
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="PHONE_NUMBER",
            name="InternationalPhoneRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        return None if 7 <= len(digits) <= 15 and len(set(digits)) > 2 else False
