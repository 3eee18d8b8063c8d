"""Render a draft spec as YAML, headed by its inference report as comments.

Keys are written in the order of the hand-written specs, values in flow style where the
hand-written specs use it; the YAML parses back (``catalog.registry.parse_spec``) to the same
spec.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from typing import Any

import yaml

from catalog.specs import Column, DatasetSpec, FileFormat, LandingSource
from ingestion.inference.sampling import show
from ingestion.inference.spec import InferenceReport


def _flow(value: Any) -> str:
    """One YAML value in flow style on one line (quoted where YAML needs it)."""
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1 << 16
    )
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.rstrip("\n")


def _privacy_lines(spec: DatasetSpec) -> list[str]:
    """The privacy section: one flow-style line per column policy, defaults left out."""
    policy = spec.privacy.model_dump(mode="json", exclude_defaults=True)
    if not policy:
        return ["privacy: {}"]
    lines = ["privacy:"]
    columns = policy.pop("columns", {})
    if columns:
        lines.append("  columns:")
        lines += [f"    {name}: {_flow(rule)}" for name, rule in columns.items()]
    lines += [f"  {key}: {_flow(value)}" for key, value in policy.items()]
    return lines


def _block_kv(key: str, value: Any, indent: str, width: int = 98) -> list[str]:
    """``key: value`` for a (long) scalar, wrapped the way YAML folds plain/quoted scalars."""
    text = yaml.safe_dump(
        {key: value}, allow_unicode=True, sort_keys=False, width=width - len(indent)
    ).rstrip("\n")
    return [indent + line for line in text.splitlines()]


def _wrapped_flow(value: dict[str, Any], first: str, rest: str, width: int = 98) -> list[str]:
    text = yaml.safe_dump(
        value,
        default_flow_style=True,
        allow_unicode=True,
        sort_keys=False,
        width=max(40, width - len(first)),
    ).rstrip("\n")
    lines = text.splitlines()
    return [first + lines[0]] + [rest + line.strip() for line in lines[1:]]


def _comment(text: str, indent: str = "") -> list[str]:
    wrapped = textwrap.wrap(text, width=96 - len(indent), break_long_words=False) or [""]
    first, *rest = wrapped
    return [f"# {indent}{first}"] + [f"# {indent}  {line}" for line in rest]


def _column_data(column: Column) -> dict[str, Any]:
    data = column.model_dump(exclude_defaults=True)
    order = [
        "name", "source", "type", "unit", "formats", "percent", "nullable", "description",
        "allowed_values", "minimum", "maximum", "pattern", "true_values", "false_values",
    ]  # fmt: skip
    data.setdefault("type", column.type)
    return {k: data[k] for k in order if k in data}


def render_spec_yaml(spec: DatasetSpec, report: InferenceReport) -> str:
    """The spec as YAML (keys in the order of the hand-written specs), headed by the report."""
    fmt = spec.format
    lines: list[str] = []
    pattern = spec.source.pattern if isinstance(spec.source, LandingSource) else spec.id
    lines += _comment(
        f"BORRADOR generado automáticamente a partir de '{pattern}' (status: draft). "
        "Revíselo y complételo antes de activarlo."
    )
    lines.append("#")
    lines.append("# Inferido de la muestra:")
    lines += _comment(f"- filas de muestra: {report.rows_sampled}", "  ")
    dialect = f"- formato: {fmt.type}"
    if fmt.type in ("csv", "json"):
        dialect += f"; codificación: {report.encoding}"
    if report.delimiter is not None:
        dialect += f"; separador: '{show(report.delimiter)}'; comillas: '{fmt.quote}'"
    if fmt.type in ("csv", "xlsx"):
        dialect += f"; encabezado en la fila {report.header_row}"
    if fmt.sheet:
        dialect += f"; hoja: '{fmt.sheet}'"
    lines += _comment(dialect, "  ")
    if fmt.type != "parquet":
        thousands = f"'{fmt.thousands}'" if fmt.thousands else "ninguno"
        lines += _comment(
            f"- marca decimal: '{fmt.decimal}'; separador de miles: {thousands}", "  "
        )
    typed = Counter(c.type for c in spec.schema_.columns)
    lines += _comment(
        f"- {len(spec.schema_.columns)} columnas: "
        + ", ".join(f"{n} {t}" for t, n in typed.most_common()),
        "  ",
    )
    keys = ", ".join(report.candidate_keys) if report.candidate_keys else "ninguna"
    lines += _comment(f"- claves candidatas: {keys}", "  ")
    lines.append("#")
    lines.append("# Qué revisar:")
    for note in report.notes:
        lines += _comment(f"- {note}", "  ")

    pub = spec.publication
    lines += [
        f"id: {_flow(spec.id)}",
        f"spec_version: {spec.spec_version}",
        f"sector: {_flow(spec.sector.value)}",
        f"status: {_flow(spec.status)}",
        "publication:",
        *_block_kv("title", pub.title, "  "),
        *_block_kv("description", pub.description, "  "),
        *_block_kv("entidad", pub.entidad, "  "),
        f"  dimension: {_flow(pub.dimension.value)}",
        f"  license: {_flow(pub.license)}",
        f"  tags: {_flow(list(pub.tags))}",
        f"  spatial: {_flow(pub.spatial)}",
    ]
    temporal = pub.temporal.model_dump(exclude_none=True, mode="json")
    if temporal:
        lines.append(f"  temporal: {_flow(temporal)}")
    lines.append(f"  contact: {_flow(pub.contact.model_dump())}")
    if pub.language != "es":
        lines.append(f"  language: {_flow(pub.language)}")
    if pub.documentation:
        lines.append(f"  documentation: {_flow(pub.documentation)}")
    lines.append("source:")
    for key, value in spec.source.model_dump().items():
        lines.append(f"  {key}: {_flow(value)}")
    lines.append("format:")
    fmt_data = fmt.model_dump(exclude_defaults=True)
    fmt_data["type"] = fmt.type
    if fmt.type == "csv":
        fmt_data.update(encoding=fmt.encoding, delimiter=fmt.delimiter, header_row=fmt.header_row)
    for key in FileFormat.model_fields:
        if key in ("delimiter", "quote") and key in fmt_data:
            lines.append(f"  {key}: {json.dumps(fmt_data[key])}")  # JSON strings are YAML too
        elif key in fmt_data:
            lines.append(f"  {key}: {_flow(fmt_data[key])}")
    lines.append("schema:")
    lines.append("  columns:")
    for column in spec.schema_.columns:
        lines += _wrapped_flow(_column_data(column), "    - ", "       ")
    if spec.schema_.primary_key:
        lines.append(f"  primary_key: {_flow(list(spec.schema_.primary_key))}")
    if spec.load != "snapshot":
        lines.append(f"load: {spec.load}")
    lines.append(f"update_frequency: {_flow(spec.update_frequency.value)}")
    if spec.partitioning is not None:
        lines.append("partitioning:")
        for key, value in spec.partitioning.model_dump(exclude_none=True, mode="json").items():
            lines.append(f"  {key}: {_flow(value)}")
    lines += _privacy_lines(spec)
    if spec.owners:
        lines.append(f"owners: {_flow(list(spec.owners))}")
    return "\n".join(lines) + "\n"
