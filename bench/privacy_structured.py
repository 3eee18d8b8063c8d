"""Benchmark: classifying and anonymising a structured table, ADA against presidio-structured.

One deterministic table of personal records (``--rows``, default 1,000,000): name, cédula (some
dotted), phone, e-mail, Bogotá address, birth date, age, sex, localidad, and non-personal columns
(case id, event, amount, registration date).

- **ADA**: ``sample_table`` (1,000 rows) → ``classify_columns`` → a policy derived from the
  findings (pseudonym for documents and e-mails, drop for names, mask for phones, grid cells for
  addresses, year for birth dates, 5-year bands for ages, month for other dates) →
  ``apply_operator`` on every column, all vectorised.
- **presidio-structured**: ``PandasAnalysisBuilder(analyzer=spanish_analyzer())
  .generate_analysis(df, n=<same sample size>, language="es")`` then
  ``StructuredEngine(PandasDataProcessor()).anonymize(df, analysis, operators=...)`` (replace,
  mask, hash: its closest operators). It runs one Python call per cell; on more than
  ``--presidio-rows`` rows (default 20,000) it is timed on that prefix and its rows/s
  extrapolated (the analysis on the sample is a fixed cost and is counted once).

Both are timed after their engines are built (spaCy and recognizer loading excluded on both
sides). Prints rows/s, the ratio (target >= 50x) and each column's expected, ADA and presidio
classes.

    python bench/privacy_structured.py [--rows 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pyarrow as pa  # noqa: E402

SAMPLE = 1000
EXPECTED = {
    "id_caso": None,
    "nombre": "PERSON",
    "numero_documento": "CO_CEDULA",
    "telefono": "PHONE_NUMBER",
    "correo": "EMAIL_ADDRESS",
    "direccion": "CO_ADDRESS",
    "fecha_nacimiento": "BIRTH_DATE",
    "edad": "AGE",
    "sexo": "SEX",
    "localidad": "CO_LOCALIDAD",
    "evento": None,
    "valor": None,
    "fecha_registro": "DATE",
}


def build_table(rows: int, seed: int = 7) -> pa.Table:
    """A deterministic table, built with numpy and Arrow kernels (seconds for a million rows)."""
    import datetime as dt

    import numpy as np
    import pyarrow.compute as pc

    from privacy.structured.classification import LOCALIDADES
    from privacy.structured.names import GIVEN_NAMES, SURNAMES

    rng = np.random.default_rng(seed)
    given = pa.array(sorted(w.title() for w in GIVEN_NAMES))
    surnames = pa.array(sorted(w.title() for w in SURNAMES))

    def pick(values: pa.Array) -> pa.Array:
        return values.take(pa.array(rng.integers(0, len(values), rows)))

    def text(numbers: Any) -> pa.Array:
        return pc.cast(pa.array(numbers), pa.string())

    first, second, last1, last2 = pick(given), pick(given), pick(surnames), pick(surnames)
    nombre = pc.binary_join_element_wise(first, second, last1, last2, " ")
    # cédulas: 8 digits (issued before 2004) or 10 digits starting with 10
    old = rng.random(rows) < 0.5
    cedula = np.where(
        old,
        rng.integers(10_000_000, 99_999_999, rows),
        rng.integers(1_000_000_000, 1_099_999_999, rows),
    )
    plain = text(cedula)
    dotted = pc.binary_join_element_wise(
        text(cedula // 1_000_000), pc.utf8_lpad(text(cedula // 1000 % 1000), 3, "0"),
        pc.utf8_lpad(text(cedula % 1000), 3, "0"), ".",
    )  # fmt: skip
    documento = pc.if_else(pa.array(rng.random(rows) < 0.3), dotted, plain)
    mobile = rng.integers(3_000_000_000, 3_509_999_999, rows)
    telefono = pc.if_else(
        pa.array(rng.random(rows) < 0.5),
        text(mobile),
        pc.binary_join_element_wise(
            text(mobile // 10_000_000), text(mobile // 10_000 % 1000),
            pc.utf8_lpad(text(mobile % 10_000), 4, "0"), " ",
        ),
    )  # fmt: skip
    domains = pa.array(["gmail.com", "hotmail.com", "outlook.com", "yahoo.es", "correo.gov.co"])
    suffix = text(rng.integers(1, 99, rows))
    user = pc.utf8_lower(pc.binary_join_element_wise(first, last1, suffix, "."))
    correo = pc.binary_join_element_wise(user, pick(domains), "@")
    kinds = pa.array(["Calle", "Carrera", "CL", "KR", "Diagonal", "Transversal", "Cra.", "AK"])
    seps = pa.array([" # ", " No. ", " # "])
    plate = text(rng.integers(1, 120, rows))
    direccion = pc.binary_join_element_wise(
        pick(kinds), text(rng.integers(1, 180, rows)), pick(seps),
        pc.binary_join_element_wise(plate, text(rng.integers(1, 99, rows)), "-"),
        "",
    )  # fmt: skip
    birth_days = rng.integers(0, 365 * 90, rows)
    epoch = (dt.date(2025, 6, 1) - dt.date(1970, 1, 1)).days
    fecha_nacimiento = pa.array(epoch - birth_days - 1, pa.int32()).cast(pa.date32())
    edad = pa.array(birth_days // 365, pa.int64())
    return pa.table(
        {
            "id_caso": pa.array(np.arange(100_001, 100_001 + rows)),
            "nombre": nombre,
            "numero_documento": documento,
            "telefono": telefono,
            "correo": correo,
            "direccion": direccion,
            "fecha_nacimiento": fecha_nacimiento,
            "edad": edad,
            "sexo": pick(pa.array(["F", "M"])),
            "localidad": pick(
                pa.array([f"{i:02d} - {n.title()}" for i, n in enumerate(LOCALIDADES, 1)])
            ),
            "evento": pick(
                pa.array(["Dengue", "Varicela individual", "IRAG inusitado", "Tuberculosis"])
            ),
            "valor": pa.array(np.round(rng.random(rows) * 1000, 2)),
            "fecha_registro": pa.array(epoch - rng.integers(0, 500, rows), pa.int32()).cast(
                pa.date32()
            ),
        }
    )


def policy_for(entity: str | None) -> Any:
    """The operator a reviewer would choose for each kind of column (what the bench applies)."""
    from privacy.policy import ColumnPolicy

    table = {
        "PERSON": {"operator": "drop"},
        "PHONE_NUMBER": {"operator": "mask", "visible": 2},
        "CO_ADDRESS": {"operator": "generalize", "to": "grid", "size": 10},
        "BIRTH_DATE": {"operator": "generalize", "to": "year"},
        "DATE": {"operator": "generalize", "to": "month"},
        "AGE": {"operator": "generalize", "to": "band", "size": 5},
        "SEX": {"operator": "keep"},
        "CO_LOCALIDAD": {"operator": "keep"},
    }
    if entity is None:
        return ColumnPolicy(operator="keep")
    return ColumnPolicy.model_validate(
        table.get(entity, {"operator": "pseudonym", "entity": entity})
    )


def run_ada(table: pa.Table) -> tuple[float, dict[str, str | None], pa.Table]:
    from privacy.structured.classification import classify_columns, sample_table
    from privacy.structured.operators import apply_operator

    key = b"clave-de-benchmark-no-secreta-32b"
    classify_columns(sample_table(table.slice(0, 2000), SAMPLE))  # build the detectors
    start = time.perf_counter()
    findings = classify_columns(sample_table(table, SAMPLE))
    out: dict[str, pa.Array] = {}
    for finding in findings:
        treated = apply_operator(table[finding.column], policy_for(finding.entity), key=key)
        if treated is not None:
            out[finding.column] = treated
    seconds = time.perf_counter() - start
    return seconds, {f.column: f.entity for f in findings}, pa.table(out)


def run_presidio(table: pa.Table, rows: int) -> tuple[float, float, dict[str, str | None]]:
    """(analysis seconds on the sample, anonymisation seconds on ``rows`` rows, classes)."""
    import logging

    from presidio_anonymizer.entities import OperatorConfig
    from presidio_structured import PandasAnalysisBuilder, StructuredEngine
    from presidio_structured.data.data_processors import PandasDataProcessor

    from privacy.engine import spanish_analyzer

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    analyzer = spanish_analyzer()
    # presidio's analyzer takes no dates and its operators write strings (an int64 column it
    # flags cannot take "<None>"): it gets every column as text, as a CSV would give it.
    prefix = table.slice(0, rows)
    df = prefix.cast(pa.schema([(f.name, pa.string()) for f in prefix.schema])).to_pandas()
    builder = PandasAnalysisBuilder(analyzer=analyzer)
    start = time.perf_counter()
    analysis = builder.generate_analysis(df, n=SAMPLE, language="es")
    analysis_seconds = time.perf_counter() - start
    operators = {
        "PERSON": OperatorConfig("replace", {"new_value": "<PERSONA>"}),
        "PHONE_NUMBER": OperatorConfig(
            "mask", {"masking_char": "*", "chars_to_mask": 8, "from_end": False}
        ),
        "CO_CEDULA": OperatorConfig("hash", {"hash_type": "sha256"}),
        "EMAIL_ADDRESS": OperatorConfig("hash", {"hash_type": "sha256"}),
        "DEFAULT": OperatorConfig("replace", {}),
    }
    start = time.perf_counter()
    StructuredEngine(data_processor=PandasDataProcessor()).anonymize(df, analysis, operators)
    anonymize_seconds = time.perf_counter() - start
    return analysis_seconds, anonymize_seconds, dict(analysis.entity_mapping)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--presidio-rows", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, presidio on 5,000")
    args = parser.parse_args()
    rows, presidio_rows = args.rows, args.presidio_rows
    if args.quick:
        rows, presidio_rows = 100_000, 5_000
    presidio_rows = min(presidio_rows, rows)

    start = time.perf_counter()
    table = build_table(rows)
    print(
        f"table: {rows:,} rows, {table.num_columns} columns, "
        f"built in {time.perf_counter() - start:.1f} s"
    )

    ada_seconds, ada_classes, treated = run_ada(table)
    ada_rate = rows / ada_seconds
    print(
        f"ADA: sample {SAMPLE} + classify + anonymise {rows:,} rows: "
        f"{ada_seconds:.2f} s = {ada_rate:,.0f} rows/s"
    )
    print(f"     output columns: {', '.join(treated.column_names)}")

    analysis_s, anonymize_s, presidio_classes = run_presidio(table, presidio_rows)
    per_row = anonymize_s / presidio_rows
    presidio_total = analysis_s + per_row * rows
    presidio_rate = rows / presidio_total
    measured = "measured" if presidio_rows == rows else (
        f"EXTRAPOLATED from {presidio_rows:,} rows (analysis {analysis_s:.2f} s once + "
        f"anonymise {anonymize_s:.2f} s per {presidio_rows:,} rows)"
    )  # fmt: skip
    print(
        f"presidio-structured: {presidio_total:.1f} s for {rows:,} rows = "
        f"{presidio_rate:,.0f} rows/s ({measured})"
    )
    ratio = ada_rate / presidio_rate
    print(f"ratio: {ratio:,.1f}x (target >= 50x: {'met' if ratio >= 50 else 'NOT met'})")

    print(f"\n{'column':<18} {'expected':<14} {'ADA':<14} {'presidio-structured':<20}")
    wrong = []
    for column, expected in EXPECTED.items():
        ours, theirs = ada_classes.get(column), presidio_classes.get(column)
        mark = "" if ours == expected else "  <-- ADA wrong"
        if ours != expected:
            wrong.append(column)
        print(f"{column:<18} {expected or '-':<14} {ours or '-':<14} {theirs or '-':<20}{mark}")
    right = sum(presidio_classes.get(c) == e for c, e in EXPECTED.items())
    print(
        f"\nADA: {len(EXPECTED) - len(wrong)}/{len(EXPECTED)} columns right; "
        f"presidio-structured: {right}/{len(EXPECTED)} (same names)"
    )
    if wrong:
        raise SystemExit(f"ADA misclassified: {', '.join(wrong)}")


if __name__ == "__main__":
    main()
