"""CO_PASAPORTE: Colombian passports, ``AX1234567`` (two letters, seven digits) since 2015, and
the older all-digit ones (8-9 digits), which only count next to the word ``pasaporte``."""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer


class PasaporteRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("passport_letters", r"\b[A-Z]{2}\d{7}\b", 0.4),
        Pattern("passport_digits", r"(?<![\d.])\d{8,9}(?![\d.]\d)", 0.05),
    ]
    CONTEXT: ClassVar[list[str]] = ["pasaporte", "passport", "pas"]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CO_PASAPORTE",
            name="ColombianPasaporteRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            # Case-sensitive: ``ax1234567`` in running text is rarely a passport.
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        return None if len(set(digits)) > 1 else False
