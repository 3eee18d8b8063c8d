"""PHONE_NUMBER in Colombian formats: mobiles ``3XX XXX XXXX`` and Bogotá landlines
``601 XXX XXXX``, with or without ``+57``, with spaces, dots or dashes between groups."""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

_SEP = r"[\s.-]?"
_COUNTRY = r"(?:\(?\+?57\)?[\s.-]?)?"


class ColombianPhoneRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("co_mobile", rf"(?<!\d){_COUNTRY}3\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{4}}(?!\d)", 0.5),
        Pattern(
            "co_bogota_landline",
            rf"(?<!\d){_COUNTRY}\(?601\)?{_SEP}\d{{3}}{_SEP}\d{{4}}(?!\d)",
            0.5,
        ),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "teléfono",
        "telefono",
        "tel",
        "celular",
        "cel",
        "móvil",
        "movil",
        "whatsapp",
        "contacto",
        "llamar",
        "número",
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="PHONE_NUMBER",
            name="ColombianPhoneRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject wrong lengths; otherwise keep the pattern's score for context to raise."""
        digits = re.sub(r"\D", "", pattern_text)
        if digits.startswith("57") and len(digits) == 12:
            digits = digits[2:]
        return None if len(digits) == 10 else False
