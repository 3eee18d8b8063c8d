"""PERSON from the words that introduce a name: ``Sr.``, ``señora``, ``doña``, ``Dr.``,
``paciente``, ``mi nombre es``, ``me llamo``, ``Nombre:``, ``Apellidos:``, ``Médico:`` before it,
or ``identificado con`` after it.

The statistical model misses names in forms and short petitions (``Nombre: Pedro.``); these
cues are nearly certain there, and they delimit the name better than the model (which often
takes ``Sr.`` or the next label with it), so they score above spaCy's 0.85. The match is 1 to 4
capitalised words with the particles of Spanish surnames (``de``, ``del``, ``de la``...). The
cue is a look-behind (variable width, which the ``regex`` module used by Presidio supports) so
only the name is reported.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

_UPPER = "A-ZÁÉÍÓÚÑÜ"
_LOWER = "a-záéíóúñüç"
_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_PARTICLE = r"(?:de|del|la|las|los|y|da|di|van|von)"
#: One to four capitalised words, particles allowed between them, on one line.
NAME = rf"{_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_WORD}){{0,3}}"
_TITLE = r"(?i:sr|sra|srta|dr|dra|lic|ing|prof)(?:\.[ \t]*|[ \t]+)"
_CUE_WORD = (
    r"(?i:señor|señora|señorita|don|doña|doctor|doctora|paciente|ciudadano|ciudadana"
    r"|peticionario|peticionaria|mi nombre es|me llamo|mi hijo|mi hija|mi esposo|mi esposa)"
)
_CUE_LABEL = (
    r"(?i:nombres?|apellidos?|nombre completo|m[ée]dico|enfermer[oa]|firmado|firma"
    r"|atentamente|remitente|solicitante|contacto|responsable(?: cl[ií]nico)?|acudiente"
    r"|(?:remitid|emitid|firmad|atendid|realizad|elaborad|revisad|informad)[oa] por)[ \t]*:?"
)


class PersonContextRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("person_after_title", rf"(?<=\b{_TITLE}){NAME}", 0.9),
        Pattern("person_after_cue", rf"(?<=\b{_CUE_WORD}[ \t]+){NAME}", 0.9),
        Pattern("person_after_label", rf"(?<=\b{_CUE_LABEL}[ \t]*(?:{_TITLE})?){NAME}", 0.9),
        Pattern(
            "person_before_id",
            rf"\b{NAME}(?=,?[ \t]+(?i:identificad[oa]|con c\.?c\.?|con cédula|mayor de edad))",
            0.9,
        ),
    ]
    CONTEXT: ClassVar[list[str]] = []
    #: Capitalised words that follow the cues without being names (``Nombre: No consta``).
    NOT_NAMES: ClassVar[frozenset[str]] = frozenset(
        {"no", "el", "un", "una", "en", "por", "para", "con", "que", "se", "su", "sus", "mi"}
        | {"este", "esta", "sin", "consta", "desconocido", "anónimo", "anonimo", "n/a"}
        | {"dr", "dra", "sr", "sra", "srta", "doctor", "doctora", "mujer", "varón", "hombre"}
    )

    def __init__(self) -> None:
        super().__init__(
            supported_entity="PERSON",
            name="PersonContextRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            # Case matters: a name is capitalised; the cues carry their own (?i:...) flag.
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        first = pattern_text.split()[0].lower()
        return False if first in self.NOT_NAMES else None
