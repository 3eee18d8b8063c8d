"""CO_NIT: the tax id of companies, ``900.123.456-7``: nine digits and a DIAN check digit."""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

#: DIAN's weights, applied to the digits from right to left.
WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)


def check_digit(number: str) -> int:
    """The DIAN check digit of a NIT's digits (without the check digit itself)."""
    total = sum(int(d) * w for d, w in zip(reversed(number), WEIGHTS, strict=False))
    remainder = total % 11
    return remainder if remainder in (0, 1) else 11 - remainder


class NitRecognizer(PatternRecognizer):
    """A NIT is only reported when its check digit is right: that removes near-misses such as
    phone numbers and account numbers written with a dash."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("nit_with_check_digit", r"\b\d{3}\.?\d{3}\.?\d{3}\s?-\s?\d\b", 0.5),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "nit",
        "n.i.t",
        "tributario",
        "identificación tributaria",
        "empresa",
        "razón social",
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CO_NIT",
            name="ColombianNitRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        return check_digit(digits[:-1]) == int(digits[-1])
