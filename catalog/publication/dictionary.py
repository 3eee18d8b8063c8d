"""The data dictionary of a release: each column's Table Schema type, description and unit, and
the primary key.

Types come from the Arrow table actually published (not from the spec), so the dictionary
always says what the files hold. Descriptions come from the SQLMesh model's column descriptions
(``transformations/manifest.json``) when the release is the dataset's conformed model, and from
the spec's columns otherwise (or where the model leaves a column undescribed). The primary key
is the model's grain or the spec's ``primary_key``, claimed only when the rows really have no
duplicate and no missing key: Frictionless validators (and the catalog) take it at its word.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from catalog.publication.model import ColumnSchema
from catalog.specs import DatasetSpec


def table_schema_type(data_type: pa.DataType) -> str:
    """The Table Schema (Frictionless) type of an Arrow type."""
    if pa.types.is_dictionary(data_type):
        return table_schema_type(data_type.value_type)
    checks = (
        (pa.types.is_boolean, "boolean"),
        (pa.types.is_integer, "integer"),
        (pa.types.is_floating, "number"),
        (pa.types.is_decimal, "number"),
        (pa.types.is_date, "date"),
        (pa.types.is_timestamp, "datetime"),
        (pa.types.is_time, "time"),
        (pa.types.is_list, "array"),
        (pa.types.is_large_list, "array"),
        (pa.types.is_fixed_size_list, "array"),
        (pa.types.is_struct, "object"),
        (pa.types.is_map, "object"),
    )
    return next((name for check, name in checks if check(data_type)), "string")


def conformed_model_name(spec: DatasetSpec) -> str:
    return f"curated.conformado.{spec.id}"


def _model(spec: DatasetSpec, source_table: str) -> dict[str, Any] | None:
    """The SQLMesh model behind the release, when the release is the conformed model."""
    if source_table != conformed_model_name(spec):
        return None
    from transformations.manifest import load_manifest

    key = source_table.split(".")
    return next((m for m in load_manifest()["models"] if m["key"] == key), None)


def describe_columns(spec: DatasetSpec, source_table: str, schema: pa.Schema) -> list[ColumnSchema]:
    """Every published column with its type, description (model, else spec) and unit."""
    model = _model(spec, source_table)
    from_model = {c["name"]: c["description"] for c in model["columns"]} if model else {}
    spec_columns = {c.name: c for c in spec.schema_.columns}
    described = []
    for arrow_field in schema:
        spec_column = spec_columns.get(arrow_field.name)
        description = from_model.get(arrow_field.name) or (
            spec_column.description if spec_column else ""
        )
        described.append(
            ColumnSchema(
                name=arrow_field.name,
                type=table_schema_type(arrow_field.type),
                description=description,
                unit=spec_column.unit if spec_column else None,
            )
        )
    return described


def _grain_columns(grain: list[str]) -> list[str]:
    """SQLMesh writes a composite grain as one expression: ``(estacion, fecha_hora)``."""
    columns: list[str] = []
    for expression in grain:
        columns += [part.strip().strip('"') for part in expression.strip("() ").split(",")]
    return [c for c in columns if c]


def declared_primary_key(spec: DatasetSpec, source_table: str) -> list[str]:
    """The key the model's grain (or else the spec) declares for the released rows."""
    model = _model(spec, source_table)
    if model and model.get("grain"):
        return _grain_columns(model["grain"])
    return list(spec.schema_.primary_key)
