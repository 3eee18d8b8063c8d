"""DATE_TIME for dates of birth only: ``10/10/1963``, ``1985-03-12``, ``12 de marzo de 1985``.

Dates in district text are mostly event dates (filing, incident), which are not personal on
their own; a date of birth is a quasi-identifier. So dates score far below the threshold and
only a birth context (``fecha de nacimiento``, ``nació el``, ``F. nac.``) lifts them.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

_MONTHS = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|sept?iembre|octubre|noviembre"
    r"|diciembre)"
)


class BirthDateRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("date_numeric", r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)", 0.05),
        Pattern("date_iso", r"(?<!\d)(?:19|20)\d{2}-\d{2}-\d{2}(?!\d)", 0.05),
        Pattern("date_words", rf"\b\d{{1,2}}\s+de\s+{_MONTHS}(?:\s+(?:de|del)\s+\d{{4}})?", 0.05),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "fecha de nacimiento",
        "nacimiento",
        "nació",
        "nacio",
        "nacido",
        "nacida",
        "f. nac",
        "nac",
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="DATE_TIME",
            name="BirthDateRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
        )
