"""Recognizers for Colombian personal data, one small module per entity.

Each is a Presidio ``PatternRecognizer`` for Spanish: regular expressions with a base score,
context words that raise it (``cédula``, ``celular``...), and a checksum where the format has
one (the NIT's check digit). Entity names follow Presidio where it has one (``PHONE_NUMBER``,
``PERSON``, ``EMAIL_ADDRESS``, ``DATE_TIME``) and use a ``CO_`` prefix for Colombian documents.
The same classes feed Presidio's analyzer (``privacy.engine``) and the batch detector
(``privacy.text.detector``): their ``PATTERNS``, ``CONTEXT`` and ``validate_result`` are the
single source of truth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presidio_analyzer import PatternRecognizer


def colombian_recognizers() -> list[PatternRecognizer]:
    """Every pattern recognizer of this package, documents first (they win ties)."""
    from privacy.recognizers.birth_date import BirthDateRecognizer
    from privacy.recognizers.co_address import AddressRecognizer
    from privacy.recognizers.co_cedula import CedulaRecognizer
    from privacy.recognizers.co_cedula_extranjeria import CedulaExtranjeriaRecognizer
    from privacy.recognizers.co_nit import NitRecognizer
    from privacy.recognizers.co_pasaporte import PasaporteRecognizer
    from privacy.recognizers.co_pep_ppt import PepPptRecognizer
    from privacy.recognizers.co_phone import ColombianPhoneRecognizer
    from privacy.recognizers.co_placa import PlacaRecognizer
    from privacy.recognizers.co_tarjeta_identidad import TarjetaIdentidadRecognizer
    from privacy.recognizers.email import SpanishEmailRecognizer
    from privacy.recognizers.intl_phone import InternationalPhoneRecognizer
    from privacy.recognizers.labelled_id import LabelledIdRecognizer
    from privacy.recognizers.person_context import PersonContextRecognizer
    from privacy.recognizers.street_address import StreetAddressRecognizer

    return [
        CedulaRecognizer(),
        NitRecognizer(),
        CedulaExtranjeriaRecognizer(),
        TarjetaIdentidadRecognizer(),
        PepPptRecognizer(),
        PasaporteRecognizer(),
        LabelledIdRecognizer(),
        ColombianPhoneRecognizer(),
        InternationalPhoneRecognizer(),
        AddressRecognizer(),
        StreetAddressRecognizer(),
        PlacaRecognizer(),
        BirthDateRecognizer(),
        PersonContextRecognizer(),
        SpanishEmailRecognizer(),
    ]
