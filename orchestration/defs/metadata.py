"""How a spec shows up in the Dagster UI: owners, kinds, tags, column schema, descriptions."""

from __future__ import annotations

import dagster as dg

from catalog.specs import DatasetSpec
from ingestion.readers.headers import slug

_DAGSTER_TYPES = {
    "string": "string",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
}


def link(uri: str) -> dg.MetadataValue:
    """A clickable link for an object URI: a URL in S3 mode, a file path on local disk."""
    return dg.MetadataValue.url(uri) if "://" in uri else dg.MetadataValue.path(uri)


def owners(spec: DatasetSpec) -> list[str]:
    """Spec owners, or the entity's institutional contact plus the sector team."""
    return list(spec.owners) or [spec.publication.contact.email, f"team:{spec.sector.value}"]


def tags(spec: DatasetSpec) -> dict[str, str]:
    return {
        "sector": spec.sector.value,
        "dimension": slug(spec.publication.dimension.value),
        "frequency": spec.update_frequency.value,
        "source": spec.source.kind,
    }


def column_schema(spec: DatasetSpec) -> dg.TableSchema:
    pk = set(spec.schema_.primary_key)
    columns = []
    for column in spec.schema_.columns:
        description = column.description + (f" [{column.unit}]" if column.unit else "")
        columns.append(
            dg.TableColumn(
                name=column.name,
                type=_DAGSTER_TYPES[column.type],
                description=description or None,
                constraints=dg.TableColumnConstraints(
                    nullable=column.nullable, unique=column.name in pk and len(pk) == 1
                ),
            )
        )
    return dg.TableSchema(columns=columns)


def markdown_table(
    header: list[str], rows: list[list[object]], right: frozenset[int] = frozenset()
) -> dg.MetadataValue:
    """A Markdown table for the UI; columns whose index is in ``right`` are right-aligned."""
    rule = "".join("---:|" if i in right else "---|" for i in range(len(header)))
    lines = ["| " + " | ".join(header) + " |", "|" + rule]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return dg.MetadataValue.md("\n".join(lines))


def description(spec: DatasetSpec, zone: str) -> str:
    pub = spec.publication
    return (
        f"**{pub.title}** ({zone})\n\n{pub.description}\n\n"
        f"Entidad: {pub.entidad} · Dimensión: {pub.dimension.value} · "
        f"Frecuencia: {spec.update_frequency.value} · Licencia: {pub.license}"
    )
