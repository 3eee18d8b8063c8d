"""CO_PLACA: vehicle plates, ``ABC123`` / ``ABC-123`` (cars) and ``ABC12D`` (motorbikes).

Three capitals and three digits also spell codes (``ISO 9001`` is not one, ``RUT-123`` could
be), so plates score below the threshold alone and pass with ``placa``, ``vehículo``...
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer


class PlacaRecognizer(PatternRecognizer):
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("car_plate", r"\b[A-Z]{3}[\s-]?\d{3}\b", 0.3),
        Pattern("motorbike_plate", r"\b[A-Z]{3}[\s-]?\d{2}[A-Z]\b", 0.3),
    ]
    CONTEXT: ClassVar[list[str]] = [
        "placa",
        "placas",
        "vehículo",
        "vehiculo",
        "carro",
        "moto",
        "motocicleta",
        "automóvil",
        "automovil",
        "taxi",
        "camioneta",
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CO_PLACA",
            name="ColombianPlacaRecognizer",
            supported_language="es",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            global_regex_flags=re.DOTALL | re.MULTILINE,  # plates are written in capitals
        )
