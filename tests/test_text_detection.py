"""The batch text detector and typed redaction: offsets, placeholders, columns, the pool."""

from __future__ import annotations

import contextlib
import itertools

import pyarrow as pa
import pytest

from privacy.text.detector import Span, detect, may_hold_name, resolve
from privacy.text.redaction import PLACEHOLDERS, redact_array, redact_texts

TEXTS = [
    "Mi cédula es 1.121.887.207 y mi celular 310 555 1234.",
    "Buenas tardes, mi nombre es María Fernanda Rodríguez Gómez, correo mafe.rg@gmail.com",
    "Vivo en la Calle 45 # 12-30 y el carro de placa ABC-123 está mal parqueado.",
    "Fecha de nacimiento: 10/10/1963, tarjeta de identidad 1012345678.",
    "Solicito la revisión del caso.",
    "",
]


@pytest.fixture(scope="module")
def found() -> list[list[Span]]:
    return detect(TEXTS)


def _typed(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    return [(s.type, text[s.start : s.end]) for s in spans]


def test_spans_have_the_right_offsets_and_types(found: list[list[Span]]) -> None:
    assert _typed(TEXTS[0], found[0]) == [
        ("CO_CEDULA", "1.121.887.207"),
        ("PHONE_NUMBER", "310 555 1234"),
    ]
    assert ("PERSON", "María Fernanda Rodríguez Gómez") in _typed(TEXTS[1], found[1])
    assert ("EMAIL_ADDRESS", "mafe.rg@gmail.com") in _typed(TEXTS[1], found[1])
    assert _typed(TEXTS[2], found[2]) == [
        ("CO_ADDRESS", "Calle 45 # 12-30"),
        ("CO_PLACA", "ABC-123"),
    ]
    assert _typed(TEXTS[3], found[3]) == [
        ("DATE_TIME", "10/10/1963"),
        ("CO_TARJETA_IDENTIDAD", "1012345678"),
    ]
    assert found[4] == [] and found[5] == []


def test_spans_do_not_overlap_and_respect_the_threshold(found: list[list[Span]]) -> None:
    for spans in found:
        assert all(s.score >= 0.4 for s in spans)
        assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_entities_filter() -> None:
    (spans,) = detect([TEXTS[0]], entities=["PHONE_NUMBER"])
    assert [s.type for s in spans] == ["PHONE_NUMBER"]
    with pytest.raises(ValueError, match="unknown"):
        detect(["x"], entities=["NOPE"])


def test_overlaps_go_to_the_higher_score_then_the_longer_span() -> None:
    spans = [
        Span(0, 10, "PHONE_NUMBER", 0.5),
        Span(2, 12, "CO_CEDULA", 0.75),
        Span(20, 25, "PERSON", 0.85),
    ]
    assert resolve(spans) == [Span(2, 12, "CO_CEDULA", 0.75), Span(20, 25, "PERSON", 0.85)]
    assert resolve([Span(0, 4, "PERSON", 0.85), Span(0, 9, "PERSON", 0.85)]) == [
        Span(0, 9, "PERSON", 0.85)
    ]


def test_ner_gate_skips_texts_without_a_possible_name() -> None:
    assert may_hold_name("ayer llamó Juan")
    assert may_hold_name("Juan llamó ayer")
    assert may_hold_name("la señora pidió ayuda")
    assert not may_hold_name("Solicito la revisión del caso.")
    assert not may_hold_name("el contrato 123 está vencido. Nadie responde.")


def test_redact_texts_uses_typed_placeholders() -> None:
    redacted = redact_texts(TEXTS)
    assert redacted[0] == "Mi cédula es <DOCUMENTO> y mi celular <TELEFONO>."
    assert redacted[1] == "Buenas tardes, mi nombre es <PERSONA>, correo <CORREO>"
    assert redacted[2] == "Vivo en la <DIRECCION> y el carro de placa <PLACA> está mal parqueado."
    assert redacted[3] == "Fecha de nacimiento: <FECHA>, tarjeta de identidad <DOCUMENTO>."
    assert redacted[4:] == TEXTS[4:]
    assert PLACEHOLDERS["CO_PASAPORTE"] == PLACEHOLDERS["CO_NIT"] == "<DOCUMENTO>"


def test_redact_array_keeps_order_and_nulls() -> None:
    values = pa.chunked_array([[TEXTS[0], None, "sin datos"], [TEXTS[0], None, TEXTS[2]]])
    result = redact_array(values)
    assert result.type == pa.string()
    assert result.to_pylist() == [
        "Mi cédula es <DOCUMENTO> y mi celular <TELEFONO>.",
        None,
        "sin datos",
        "Mi cédula es <DOCUMENTO> y mi celular <TELEFONO>.",
        None,
        "Vivo en la <DIRECCION> y el carro de placa <PLACA> está mal parqueado.",
    ]
    large = redact_array(pa.array([TEXTS[3], None], type=pa.large_string()))
    assert large.type == pa.large_string() and large[1].as_py() is None


def test_the_pool_gives_the_same_spans_as_one_process() -> None:
    texts = TEXTS * 40
    assert detect(texts, workers=2) == detect(texts, workers=1)


def test_names_in_capitals_and_lists_are_found_whole() -> None:
    texts = ["FIDEL TORRES RIVAS", "LUZ BERMÚDEZ MEDINA", "EDILMA JUANA OSPINA BENAVIDES"]
    for text, spans in zip(texts, detect(texts), strict=True):
        assert _typed(text, spans) == [("PERSON", text)]
    (spans,) = detect(["CONSTRUCTORA SUAREZ CORTES SAS y Hospital San José"])
    assert spans == []


def test_overlapping_person_spans_merge() -> None:
    spans = [
        Span(0, 6, "PERSON", 0.85),
        Span(0, 29, "PERSON", 0.7),
        Span(40, 50, "CO_CEDULA", 0.75),
    ]
    assert resolve(spans) == [Span(0, 29, "PERSON", 0.85), Span(40, 50, "CO_CEDULA", 0.75)]


def _detect_with_the_pool(texts: list[str]) -> None:
    detect(texts, workers=2)


def _descendants(pid: int) -> list[int]:
    from pathlib import Path

    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")")[-1].split()[1]
                )
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def test_a_multiprocessing_child_that_used_the_pool_exits() -> None:
    """Dagster's multiprocess executor runs each step in a spawned child process. A child that
    used the pool must still exit when its work is done: multiprocessing children skip atexit
    and join their own children on the way out, so idle pool workers used to keep the step
    (the open zone's leak scan of a large dataset) and its run waiting forever."""
    import multiprocessing
    import os
    import signal

    child = multiprocessing.get_context("spawn").Process(
        target=_detect_with_the_pool, args=(TEXTS * 2,)
    )
    child.start()
    child.join(timeout=300)  # a deadline for a hang, not a measure of speed
    hung = child.is_alive()
    if hung:
        for pid in [*_descendants(child.pid or 0), child.pid or 0]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        child.join(10)
    assert not hung, "the child process never exited: its pool workers kept it waiting"
    assert child.exitcode == 0
