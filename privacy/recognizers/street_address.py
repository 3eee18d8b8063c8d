"""CO_ADDRESS written with a street name and a number rather than the Bogotá grid:
``Calle Carmen Romero, 23, 1D``, ``Av. Pedro Rubio, 36``, ``C/ Manuel Silvela nº 2, 6º A``,
``Avenida Boyacá 45``, ``Vereda El Hato Km 9``, ``Plaza de la Encarnación, 32``, ``s/n``.

Rural Colombian addresses and other Spanish-speaking cities write them this way. A street type
followed by words is a place; the number (or ``s/n``, *sin número*) makes it an address.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

_TYPE = (
    r"(?:Calle|C/|Avenida|Avda\.?|Av\.|Plaza|Pza\.?|Paseo|P[º°]|Carretera|Ctra\.?|Camino"
    r"|Ronda|Traves[ií]a|Rambla|Glorieta|Urbanizaci[oó]n|Urb\.|Pasaje|Vereda|Barrio|Parque"
    r"|Carrer|Rúa|Rua)"
)
_NAME_WORD = r"(?:[A-Za-zÁÉÍÓÚÑáéíóúñüç][\wÁÉÍÓÚÑáéíóúñüç'.ª]*)"
_NUMBER = r"(?:(?:n[º°]|no\.?|km\.?)[ \t]*)?(?:\d{1,4}(?:[ \t]?[A-Za-z](?![\w]))?|s/n)"
_UNIT = (
    r"(?:[ \t]*(?:,|-)[ \t]*"
    r"(?:\d{1,2}[º°ª]?[ \t]*\d?[A-Za-zªº]?|[A-Z]{1,2}\d?|Bajo(?:[ \t][A-Z])?|\d{1,2}[ \t]?[A-Z]))"
)


class StreetAddressRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "street_name_number",
            rf"\b{_TYPE}[ \t]*{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,5}}?[ \t]*,?[ \t]*{_NUMBER}"
            rf"(?:{_UNIT}){{0,2}}(?![\w/])",
            0.5,
        ),
    ]
    CONTEXT: ClassVar[list[str]] = ["dirección", "direccion", "domicilio", "residencia", "vive"]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CO_ADDRESS",
            name="StreetAddressRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )
