"""Recognizers for Colombian personal data, one small module per entity.

Each is a Presidio ``PatternRecognizer`` for Spanish: regular expressions with a base score,
context words that raise it (``cédula``, ``celular``...), and a checksum where the format has
one (the NIT's check digit). Entity names follow Presidio where it has one (``PHONE_NUMBER``)
and use a ``CO_`` prefix for Colombian documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer


def colombian_recognizers() -> list[EntityRecognizer]:
    from privacy.recognizers.co_address import AddressRecognizer
    from privacy.recognizers.co_cedula import CedulaRecognizer
    from privacy.recognizers.co_nit import NitRecognizer
    from privacy.recognizers.co_phone import ColombianPhoneRecognizer

    return [CedulaRecognizer(), NitRecognizer(), ColombianPhoneRecognizer(), AddressRecognizer()]
