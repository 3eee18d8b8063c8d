"""CO_CEDULA_EXTRANJERIA: the cédula de extranjería of foreign residents, 6 or 7 digits.

A 6-7 digit number alone is anything (an amount, a code), so it only counts next to its name
(``cédula de extranjería``, ``C.E.``); the score then beats the plain cédula's.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer


class CedulaExtranjeriaRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("ce_digits", r"(?<![\d.])(?:\d{1,3}\.\d{3}|\d{6,7})(?![\d.]\d)", 0.1),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "cédula de extranjería",
        "cedula de extranjeria",
        "extranjería",
        "extranjeria",
        "c.e",
        "ce",
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CO_CEDULA_EXTRANJERIA",
            name="ColombianCedulaExtranjeriaRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        return None if 6 <= len(digits) <= 7 and len(set(digits)) > 1 else False
