"""CO_ADDRESS: addresses in Bogotá's grid nomenclature.

``Calle 45 # 12-30``, ``Cra. 7 No. 32-16 Int 3 Apto 502``, ``AK 68 # 13-50``,
``Diagonal 2 Bis Sur # 3-45``, ``Transversal 78H # 5-20`` and crossings as the mobility
files write them, ``KR 80-CL 34 S``. A street type followed by a number is not enough (``la
carrera 7`` is a place, not an address): the plate number after ``#``/``No.`` or a crossing
street is required.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer

_TYPE = (
    r"(?:Avenida\s+(?:Calle|Carrera)|Av\.?\s*(?:Calle|Cra|Carrera|Cl|Kr)|Autopista|Diagonal"
    r"|Transversal|Carrera|Calle|Diag|Trans|Cra|Kra|Cll|AC|AK|AU|Cl|Kr|Cr|Dg|Tv|Tr)\.?"
)
_NUMBER = r"\d{1,3}\s?[A-Z]?(?:\s?Bis)?(?:\s?[A-Z](?![a-z]))?(?:\s(?:Sur|S|Este|E)(?![a-z]))?"
_PLATE = r"\d{1,3}\s?[A-Z]?(?:\s?Bis)?\s?-\s?\d{1,3}"
_UNIT = (
    r"(?:\s(?:Int(?:erior)?|Apto|Apartamento|Ap|Torre|Casa|Of(?:icina)?|Bloque|Piso)\.?\s?\w{1,5})*"
)
_SUFFIX = r"(?:\s(?:Sur|Este|S|E)(?!\w))?"


class AddressRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "bogota_plate_address",
            rf"\b{_TYPE}\s?{_NUMBER}\s?(?:#|No\.?|N[°º]\.?|Nro\.?)\s?{_PLATE}{_SUFFIX}{_UNIT}",
            0.6,
        ),
        Pattern("bogota_crossing", rf"\b{_TYPE}\s?{_NUMBER}\s?-\s?{_TYPE}\s?{_NUMBER}", 0.5),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "dirección",
        "direccion",
        "vivo",
        "residencia",
        "domicilio",
        "barrio",
        "ubicado",
        "ubicada",
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CO_ADDRESS",
            name="BogotaAddressRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
        )
