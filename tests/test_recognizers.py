"""Colombian recognizers: what must be found (with context and checksums) and what must not."""

from __future__ import annotations

import pytest

from privacy.recognizers.co_nit import check_digit


@pytest.fixture(scope="module")
def analyzer():  # type: ignore[no-untyped-def]
    from privacy.engine import spanish_analyzer

    return spanish_analyzer()


def _found(analyzer, text: str, entity: str) -> list[str]:  # type: ignore[no-untyped-def]
    results = analyzer.analyze(text, language="es", entities=[entity], score_threshold=0.4)
    return [text[r.start : r.end] for r in results]


@pytest.mark.parametrize(
    ("nit", "dv"),
    [("900123456", 8), ("860002964", 4), ("899999034", 1), ("800197268", 4)],
)
def test_nit_check_digit_follows_dian(nit: str, dv: int) -> None:
    assert check_digit(nit) == dv


def test_nit_is_found_only_with_a_valid_check_digit(analyzer) -> None:  # type: ignore[no-untyped-def]
    assert _found(analyzer, "La empresa con NIT 900.123.456-8 radicó.", "CO_NIT") == [
        "900.123.456-8"
    ]
    assert _found(analyzer, "La empresa con NIT 900.123.456-7 radicó.", "CO_NIT") == []


@pytest.mark.parametrize(
    "text",
    [
        "identificada con CC 1.020.345.678 de Bogotá",
        "mi cédula es 52123456",
        "C.C. 79.845.112",
        "documento de identidad No. 1010265315",
    ],
)
def test_cedulas_in_free_text(analyzer, text: str) -> None:  # type: ignore[no-untyped-def]
    found = _found(analyzer, text, "CO_CEDULA")
    assert len(found) == 1 and found[0].replace(".", "").isdigit()


@pytest.mark.parametrize(
    "text",
    ["El contrato vale 52123456 pesos", "Radicado 20241015 del sistema", "Año 2024, 150 casos"],
)
def test_bare_numbers_without_context_are_not_cedulas(analyzer, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _found(analyzer, text, "CO_CEDULA") == []


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("mi celular es 310 555 1234", "310 555 1234"),
        ("llamar al +57 315-222-3344", "+57 315-222-3344"),
        ("Tel: 601 275 1405", "601 275 1405"),
        ("whatsapp 3001234567", "3001234567"),
    ],
)
def test_colombian_phones(analyzer, text: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    assert phone in _found(analyzer, text, "PHONE_NUMBER")


def test_a_mobile_is_not_a_cedula(analyzer) -> None:  # type: ignore[no-untyped-def]
    assert _found(analyzer, "celular 3001234567", "CO_CEDULA") == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("vivo en la Calle 45 # 12-30 de Chapinero", "Calle 45 # 12-30"),
        ("Dirección: Cra. 7 No. 32-16 Int 3 Apto 502", "Cra. 7 No. 32-16 Int 3 Apto 502"),
        ("sede en la AK 68 # 13-50", "AK 68 # 13-50"),
        ("residencia Diagonal 2 Bis Sur # 3-45", "Diagonal 2 Bis Sur # 3-45"),
        ("Transversal 78H # 5-20, barrio Kennedy", "Transversal 78H # 5-20"),
        ("siniestro en KR 80-CL 34 S", "KR 80-CL 34 S"),
        ("invaden el andén de la CL 132 S No. 19-86 E y", "CL 132 S No. 19-86 E"),
        ("vivo en la Cll 29 A Sur # 8 Bis-2 Este Apto 301", "Cll 29 A Sur # 8 Bis-2 Este Apto 301"),
        (
            "Av. Calle 97 Sur # 1A-89 Este Torre 2 Apto 1904",
            "Av. Calle 97 Sur # 1A-89 Este Torre 2 Apto 1904",
        ),
    ],
)
def test_bogota_grid_addresses(analyzer, text: str, address: str) -> None:  # type: ignore[no-untyped-def]
    assert address in _found(analyzer, text, "CO_ADDRESS")


@pytest.mark.parametrize(
    "text", ["La carrera 7 es muy transitada", "Calle larga sin salida", "Calle 26 está cerrada"]
)
def test_street_names_alone_are_not_addresses(analyzer, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _found(analyzer, text, "CO_ADDRESS") == []


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("cédula de extranjería 1234567", "CO_CEDULA_EXTRANJERIA", "1234567"),
        ("C.E. 654321 expedida en Bogotá", "CO_CEDULA_EXTRANJERIA", "654321"),
        ("tarjeta de identidad 1012345678", "CO_TARJETA_IDENTIDAD", "1012345678"),
        ("T.I. 10123456789", "CO_TARJETA_IDENTIDAD", "10123456789"),
        ("PEP 123456789012345", "CO_PEP_PPT", "123456789012345"),
        ("permiso por protección temporal PPT 1234567", "CO_PEP_PPT", "1234567"),
        ("pasaporte AX1234567", "CO_PASAPORTE", "AX1234567"),
        ("pasaporte No. 12345678", "CO_PASAPORTE", "12345678"),
        ("el vehículo de placa ABC-123", "CO_PLACA", "ABC-123"),
        ("la moto de placas XYZ12D", "CO_PLACA", "XYZ12D"),
        ("Fecha de nacimiento: 10/10/1963", "DATE_TIME", "10/10/1963"),
        ("nació el 12 de marzo de 1985", "DATE_TIME", "12 de marzo de 1985"),
        ("NHC: 2569870.", "ID_NUMBER", "2569870"),
        ("NASS: 47 39047534 02", "ID_NUMBER", "47 39047534 02"),
        ("Tel.: 963 862 500", "PHONE_NUMBER", "963 862 500"),
        ("Domicilio: Calle Carmen Romero, 23, 1D.", "CO_ADDRESS", "Calle Carmen Romero, 23, 1D"),
        ("correo mafe.rg@gmail.com", "EMAIL_ADDRESS", "mafe.rg@gmail.com"),
        ("Apellidos: De Miguel Rivera.", "PERSON", "De Miguel Rivera"),
        ("El Sr. Juan Pérez de la Torre llamó", "PERSON", "Juan Pérez de la Torre"),
    ],
)
def test_more_documents_and_context_entities(analyzer, text: str, entity: str, value: str) -> None:  # type: ignore[no-untyped-def]
    assert value in _found(analyzer, text, entity)


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("El contrato 1234567 se firmó", "CO_CEDULA_EXTRANJERIA"),
        ("radicado 123456789012345", "CO_PEP_PPT"),
        ("el código 1234567 del trámite", "CO_PEP_PPT"),
        ("la norma ISO 9001 y el código ABC123", "CO_PLACA"),
        ("la reunión fue el 10/10/2023", "DATE_TIME"),
        ("el número 12345678 del contrato", "CO_PASAPORTE"),
        ("Nombre: No consta", "PERSON"),
    ],
)
def test_numbers_and_dates_without_their_context_are_not_reported(
    analyzer, text: str, entity: str
) -> None:  # type: ignore[no-untyped-def]
    assert _found(analyzer, text, entity) == []


def test_a_dotted_cedula_is_not_a_phone(analyzer) -> None:  # type: ignore[no-untyped-def]
    text = "Mi cédula es 1.121.887.207 y mi celular 3101234567"
    assert _found(analyzer, text, "CO_CEDULA") == ["1.121.887.207"]
    assert _found(analyzer, text, "PHONE_NUMBER") == ["3101234567"]


def test_every_recognizer_is_registered() -> None:
    from privacy.recognizers import colombian_recognizers

    entities = {e for r in colombian_recognizers() for e in r.supported_entities}
    assert {
        "CO_CEDULA",
        "CO_NIT",
        "CO_CEDULA_EXTRANJERIA",
        "CO_TARJETA_IDENTIDAD",
        "CO_PEP_PPT",
        "CO_PASAPORTE",
        "CO_PLACA",
        "CO_ADDRESS",
        "DATE_TIME",
        "PERSON",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
    } <= entities
