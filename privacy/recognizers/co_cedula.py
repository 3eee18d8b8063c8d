"""CO_CEDULA: the cédula de ciudadanía, 6 to 10 digits, often written ``1.020.345.678``.

A bare number is weak evidence (it may be an amount or a code), so undotted numbers score low
and need a context word (``cédula``, ``C.C.``, ``identificado con``...) to pass the threshold;
the dotted thousands form is how people write their cédula and scores higher.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer


class CedulaRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("cedula_dotted", r"\b(?:1\.\d{3}|[1-9]\d{0,2})(?:\.\d{3}){2}\b", 0.4),
        # 10-digit cédulas start with 1 (a 10-digit number starting with 3 is a mobile phone).
        Pattern("cedula_plain", r"\b(?:[1-9]\d{5,7}|1\d{9})\b", 0.05),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "cédula",
        "cedula",
        "cc",
        "c.c",
        "ciudadanía",
        "documento",
        "identificado",
        "identificada",
        "identificación",
        "identidad",
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CO_CEDULA",
            name="ColombianCedulaRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """No checksum exists: reject impossible values (``False``), otherwise keep the pattern's
        score (``None``; ``True`` would make Presidio report full certainty)."""
        digits = re.sub(r"\D", "", pattern_text)
        if not 6 <= len(digits) <= 10 or len(set(digits)) == 1:
            return False
        return None
