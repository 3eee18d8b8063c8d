"""CO_TARJETA_IDENTIDAD: the identity card of minors (7 to 17 years), 10 or 11 digits.

Ten digits starting with 1 is also how recent cédulas look, so the number needs its own
context (``tarjeta de identidad``, ``T.I.``) to win over ``CO_CEDULA``.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer


class TarjetaIdentidadRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("ti_digits", r"(?<![\d.])(?:\d{10,11}|1\.\d{3}\.\d{3}\.\d{3})(?![\d.]\d)", 0.1),
    ]
    CONTEXT: ClassVar[list[str]] = ["tarjeta de identidad", "tarjeta", "t.i", "ti"]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CO_TARJETA_IDENTIDAD",
            name="ColombianTarjetaIdentidadRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        return None if len(set(digits)) > 1 and not digits.startswith("3") else False
