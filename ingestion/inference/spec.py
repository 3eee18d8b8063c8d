"""Assemble the draft :class:`~catalog.specs.DatasetSpec` and its :class:`InferenceReport`.

:func:`infer_spec` samples the file (:mod:`.sampling`), infers its columns (:mod:`.columns`),
then settles what is file-wide: the number marks, the null markers, the date formats, the
primary key. Publication metadata are placeholders; the report's notes list what a reviewer
must check.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.specs import (
    Column,
    Contact,
    DatasetSpec,
    Dimension,
    FileFormat,
    Frequency,
    LandingSource,
    Publication,
    Schema,
    Sector,
)
from ingestion.inference.columns import (
    CONTEXT_NULLS,
    DATE_CANDIDATES,
    DATETIME_CANDIDATES,
    DEFAULT_NULLS,
    TEXT_NULLS,
    Inference,
    _ColumnPlan,
    candidate_keys,
    final_column,
    identifier_name,
    key_rank,
    ordered,
)
from ingestion.inference.sampling import sample_file

DIMENSION_BY_SECTOR: dict[Sector, Dimension] = {
    Sector.SALUD: Dimension.CALIDAD_DE_VIDA,
    Sector.MOVILIDAD: Dimension.HABITAT,
    Sector.AMBIENTE: Dimension.MEDIO_AMBIENTE,
    Sector.EDUCACION: Dimension.PERSONAS,
    Sector.INTEGRACION_SOCIAL: Dimension.PERSONAS,
    Sector.MUJER: Dimension.PERSONAS,
    Sector.DESARROLLO_ECONOMICO: Dimension.DESARROLLO_ECONOMICO,
    Sector.HACIENDA: Dimension.DESARROLLO_ECONOMICO,
}

PLACEHOLDER = "POR DEFINIR"
DESCRIPTION_PLACEHOLDER = (
    "POR COMPLETAR: describa qué contiene el conjunto de datos, su cobertura, su fuente y cómo "
    "se produce (más de 100 caracteres)."
)


@dataclass
class InferenceReport:
    rows_sampled: int
    encoding: str
    delimiter: str | None
    header_row: int
    candidate_keys: list[str]  # columns (or none) unique and non-null in the sample
    notes: list[str]  # things a reviewer should check, in Spanish


def _title(path: Path, dataset_id: str) -> str:
    words = re.sub(r"[_\-\s]+", " ", path.stem).strip()
    title = (words[:1].upper() + words[1:]) if words else ""
    return title if len(title) >= 3 else f"Conjunto de datos {dataset_id}"


def _proposed_privacy(plans: list[_ColumnPlan]) -> tuple[dict[str, Any], list[str]]:
    """A fail-closed privacy policy from the sample: direct identifiers dropped, free text
    redacted; quasi-identifiers are named in a note for the publisher to declare."""
    import pyarrow as pa

    from privacy.structured.classification import classify_columns

    sample = pa.table(
        [p.text if p.text is not None else p.values for p in plans], names=[p.name for p in plans]
    )
    columns: dict[str, dict[str, str]] = {}
    quasi: list[str] = []
    for finding in classify_columns(sample):
        if finding.role == "direct":
            columns[finding.column] = {"operator": "drop", "entity": finding.entity or "PERSON"}
        elif finding.role == "free_text":
            columns[finding.column] = {"operator": "redact"}
        elif finding.role == "quasi":
            quasi.append(finding.column)
    notes = []
    if columns:
        notes.append(
            "Posibles datos personales en "
            + ", ".join(columns)
            + ": se propone eliminarlos ('drop') o "
            "anonimizar el texto ('redact'); revise 'privacy' (p. ej. 'pseudonym' para unir)."
        )
    if quasi:
        notes.append(
            "Posibles cuasi-identificadores: " + ", ".join(quasi) + "; declárelos en "
            "privacy.quasi_identifiers para que la puerta de k-anonimato los revise."
        )
    return {"columns": columns}, notes


def infer_spec(
    path: Path, dataset_id: str, sector: Sector, sample_rows: int = 50_000
) -> tuple[DatasetSpec, InferenceReport]:
    """A draft spec for ``path``, inferred from at most ``sample_rows`` rows, and its report."""
    path = Path(path)
    sector = Sector(sector)
    if sample_rows < 1:
        raise ValueError("sample_rows must be positive")
    sample, format_notes = sample_file(path, sample_rows)
    inference = Inference(sample)
    inference.notes[:0] = format_notes

    plans = inference.plans()
    for plan in plans:
        inference.prepare(plan)
    decimal, thousands, number_notes = inference.number_evidence(plans).decide()
    inference.notes.extend(number_notes)
    base_fmt = dict(sample.fmt)
    if any(p.text is not None for p in plans):
        base_fmt.update(decimal=decimal, thousands=thousands)
    probe = FileFormat(
        **base_fmt, null_values=list(dict.fromkeys(DEFAULT_NULLS + TEXT_NULLS + CONTEXT_NULLS))
    )
    for plan in plans:
        inference.infer(plan, probe)

    # Null markers: every text marker seen; context markers only where the column is typed.
    nulls = list(DEFAULT_NULLS)
    seen_markers: Counter[str] = Counter()
    for plan in plans:
        for marker, count in plan.markers.items():
            if marker in CONTEXT_NULLS and plan.type == "string":
                continue
            seen_markers[marker] += count
    nulls += [m for m in seen_markers if m not in nulls]
    if seen_markers:
        inference.notes.append(
            "Marcadores de vacío vistos en la muestra (se leen como nulos): "
            + ", ".join(f"'{m}' ({seen_markers[m]})" for m in seen_markers)
            + "."
        )
    kept = {m for p in plans if p.type == "string" for m in p.markers if m in CONTEXT_NULLS}
    dropped = sorted(kept - set(nulls))
    if dropped:
        inference.notes.append(
            "Valores como " + ", ".join(f"'{m}'" for m in dropped) + " aparecen en columnas de "
            "texto y se conservaron como valores: si significan 'sin dato', agréguelos a "
            "'format.null_values'."
        )

    date_formats = ordered(
        [f for p in plans if p.type == "date" for f in p.formats or []],
        DATE_CANDIDATES + DATETIME_CANDIDATES,
    )
    datetime_formats = ordered(
        [f for p in plans if p.type == "datetime" for f in p.formats or []],
        DATETIME_CANDIDATES + DATE_CANDIDATES,
    )
    fmt_data = dict(base_fmt)
    if date_formats:
        fmt_data["date_formats"] = date_formats
    if datetime_formats:
        fmt_data["datetime_formats"] = datetime_formats
    if nulls != DEFAULT_NULLS:
        fmt_data["null_values"] = nulls
    fmt = FileFormat(**fmt_data)

    # Check every column with the final format exactly as the loader will type it.
    columns: list[Column] = []
    for plan in plans:
        columns.append(final_column(plan, fmt, inference))

    keys = candidate_keys(plans, sample.rows)
    primary = sorted((k for k in keys if identifier_name(k)), key=key_rank)[:1]
    if keys:
        inference.notes.append(
            "Claves candidatas (únicas y sin vacíos en la muestra): "
            + ", ".join(keys)
            + (f"; se propuso '{primary[0]}' como clave primaria" if primary else "")
            + ": confirme que lo son en todo el archivo."
        )
    privacy, privacy_notes = _proposed_privacy(plans)
    inference.notes.extend(privacy_notes)
    if sample.truncated:
        inference.notes.append(
            f"Los tipos se infirieron de las primeras {sample.rows} filas, no de todo el archivo."
        )
    inference.notes.append(
        "Título, descripción, entidad, contacto, etiquetas y cobertura temporal son marcadores "
        "provisionales: complételos; la frecuencia de actualización es 'eventual' por omisión."
    )

    publication = Publication.model_validate(
        {
            "title": _title(path, dataset_id),
            "description": DESCRIPTION_PLACEHOLDER,
            "entidad": PLACEHOLDER,
            "dimension": DIMENSION_BY_SECTOR.get(sector, Dimension.GOBERNANZA),
            "contact": Contact(name=PLACEHOLDER, email=f"datos@{sector.value}.gov.co"),
        }
    )
    spec = DatasetSpec.model_validate(
        {
            "id": dataset_id,
            "spec_version": 1,
            "sector": sector,
            "status": "draft",
            "publication": publication,
            "source": LandingSource(kind="landing", pattern=path.name),
            "format": fmt,
            "schema": Schema(columns=columns, primary_key=primary),
            "update_frequency": Frequency.EVENTUAL,
            "privacy": privacy,
        }
    )
    report = InferenceReport(
        rows_sampled=sample.rows,
        encoding=fmt.encoding if fmt.type in ("csv", "json") else "no aplica",
        delimiter=sample.delimiter,
        header_row=fmt.header_row,
        candidate_keys=keys,
        notes=list(dict.fromkeys(inference.notes)),
    )
    return spec, report
