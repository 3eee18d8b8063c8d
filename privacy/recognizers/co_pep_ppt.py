"""CO_PEP_PPT: the permits of Venezuelan migrants.

The PEP (*permiso especial de permanencia*) is 15 digits; the PPT (*permiso por protección
temporal*) 6 to 8 digits, too short to mean anything without its name next to it. Fifteen
digits may also be a filing number (*radicado*), so the PEP scores below the threshold alone.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer


class PepPptRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("pep_15_digits", r"(?<!\d)\d{15}(?!\d)", 0.3),
        Pattern("ppt_digits", r"(?<![\d.])\d{6,8}(?![\d.]\d)", 0.05),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "pep",
        "ppt",
        "permiso especial de permanencia",
        "permiso por protección temporal",
        "permiso por proteccion temporal",
        "permiso",
        "protección temporal",
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CO_PEP_PPT",
            name="ColombianPepPptRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if len(set(pattern_text)) > 1 else False
