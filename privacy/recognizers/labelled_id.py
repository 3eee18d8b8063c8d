"""ID_NUMBER: an identifier written right after its label, whatever its format.

Records and forms label their numbers: ``NHC: 2569870``, ``NASS: 47 39047534 02``,
``NºCol: 28 28 20943``, ``Episodio: 4139469``, ``DNI: 12345678Z``, ``Radicado No. 2024-1234``
(``Nº`` labels also right after a word: ``MartínezNºCol: 06 06 85940``).
The label makes the number personal (a clinical record, a social-security or professional
number), so the pattern carries the label as a look-behind and scores high on its own.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

_LABEL = (
    r"(?i:n\.?h\.?c|historia cl[ií]nica|h\.?c|nass|nss|n\.?u\.?s\.?s|cipa?|sip|dni|nif|nie"
    r"|n\.?u\.?i\.?p"
    r"|n[º°o]\.?[ \t]?col(?:egiado)?|colegiado|episodio|afiliaci[oó]n|afiliado"
    r"|seguridad social|tarjeta sanitaria|registro civil|radicado|expediente|carn[eé]t?"
    r"|n[º°][ \t]?(?:de[ \t])?(?:ss|historia|afiliaci[oó]n|registro))"
)
_ID = r"[A-Z]?\d[\d \-/]{2,18}\d[A-Z]?|[A-Z]?\d{3,}[A-Z]?"


class LabelledIdRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "id_after_label",
            rf"(?<=(?:\b|(?=N[º°]))(?:{_LABEL})\.?[ \t]*(?:[:#.\-/][ \t]*)?"
            rf"(?i:n[º°o]\.?[ \t]*)?(?i:nhc[-/])?)"
            rf"(?:{_ID})(?![\w])",
            0.6,
        ),
    ]
    CONTEXT: ClassVar[list[str]] = []

    def __init__(self) -> None:
        super().__init__(
            supported_entity="ID_NUMBER",
            name="LabelledIdRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        return None if len(digits) >= 4 and len(set(digits)) > 1 else False
