"""The project's manifest: every model with its kind, dependencies, column descriptions and
column-level lineage, as JSON (``transformations/manifest.json``).

Dagster builds one asset per model from it without importing SQLMesh (which takes seconds and
loads DuckDB) when the definitions load, the way dagster-dbt reads dbt's manifest; the catalog
reads the column descriptions and lineage from it. Regenerate it after changing a model:

    python -m transformations.manifest

A test fails when the committed manifest no longer matches the project.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ada.settings import Settings, load_settings

MANIFEST = Path(__file__).resolve().parent / "manifest.json"
#: The analysts' reference of every curated table, generated from the manifest.
TABLES_DOC = Path(__file__).resolve().parents[1] / "docs" / "curated-tables.md"


def _split(fqn: str) -> list[str]:
    """``"curated"."dim"."localidad"`` → ``["curated", "dim", "localidad"]``."""
    return [part.strip('"') for part in fqn.split(".")]


def _column_lineage(context: Any, name: str, columns: list[str]) -> dict[str, list[str]]:
    from sqlmesh.core.lineage import column_dependencies

    lineage: dict[str, list[str]] = {}
    for column in columns:
        try:
            parents = column_dependencies(context, name, column)
        except Exception:
            continue
        lineage[column] = sorted(
            f"{'.'.join(_split(table)[1:])}.{parent}"
            for table, parent_columns in parents.items()
            for parent in parent_columns
        )
    return lineage


def generate_manifest(settings: Settings) -> dict[str, Any]:
    """Describe every model of the project, dependencies first (no data is read)."""
    from transformations.project import sqlmesh_context

    context = sqlmesh_context(settings)
    models = []
    # Topological order (ties by name): Dagster's multi-asset yields results in this order.
    from transformations.project import is_external

    for fqn in [name for name in context.dag.sorted if name in context.models]:
        model = context.models[fqn]
        if is_external(model):  # the pipeline's curated assets, already in Dagster
            continue
        columns = list((model.columns_to_types or {}).keys())
        models.append(
            {
                "name": model.name,
                "key": _split(fqn),
                "kind": model.kind.name.value,
                "description": model.description or "",
                "columns": [
                    {
                        "name": column,
                        "type": str(data_type.sql(dialect="duckdb")),
                        "description": model.column_descriptions.get(column, ""),
                    }
                    for column, data_type in (model.columns_to_types or {}).items()
                ],
                "grain": [grain.sql(dialect="duckdb") for grain in model.grains],
                "depends_on": sorted(_split(dep)[1:] for dep in model.depends_on),
                "audits": sorted(audit[0] for audit in model.audits),
                "column_lineage": {}
                if model.kind.is_seed
                else _column_lineage(context, fqn, columns),
            }
        )
    return {"project": "ada", "models": models}


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    """The committed manifest (plain JSON: cheap enough for the definitions to read)."""
    if not path.exists():
        return {"project": "ada", "models": []}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table_section(model: dict[str, Any]) -> list[str]:
    name = ".".join(model["key"])
    lines = [f"### `{name}`", "", _cell(model["description"]) or "(sin descripción)", ""]
    facts = [f"tipo `{model['kind']}`"]
    if model.get("grain"):
        facts.append("una fila por " + ", ".join(f"`{g}`" for g in model["grain"]))
    if model["depends_on"]:
        facts.append("lee " + ", ".join(f"`curated.{'.'.join(d)}`" for d in model["depends_on"]))
    if model["audits"]:
        facts.append("auditorías: " + ", ".join(sorted(set(model["audits"]))))
    lines += ["; ".join(facts) + ".", "", "| columna | tipo | descripción |", "|---|---|---|"]
    lines += [
        f"| `{c['name']}` | {c['type']} | {_cell(c['description'])} |" for c in model["columns"]
    ]
    return [*lines, ""]


def render_tables_doc(manifest: dict[str, Any]) -> str:
    """The curated tables as Markdown, grouped by schema, for ``docs/curated-tables.md``."""
    lines = [
        "# Curated tables (data dictionary)",
        "",
        "Generated from the SQLMesh project by `python -m transformations.manifest`; do not edit",
        "by hand (a test fails when it is stale). How the models are built is in",
        "[transformations.md](transformations.md); how to query them is in",
        "[analysts.md](analysts.md). Descriptions are in Spanish, as the catalog shows them.",
        "",
    ]
    titles = {
        "dim": "Dimensiones (`curated.dim`)",
        "conformado": "Conjuntos conformados (`curated.conformado`)",
        "indicadores": "Indicadores territoriales (`curated.indicadores`)",
    }
    models = [m for m in manifest["models"] if m["kind"] != "SEED"]
    for schema, title in titles.items():
        lines += [f"## {title}", ""]
        for model in sorted((m for m in models if m["key"][1] == schema), key=lambda m: m["name"]):
            lines += _table_section(model)
    return "\n".join(lines).rstrip() + "\n"


def render(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    manifest = generate_manifest(load_settings())
    MANIFEST.write_text(render(manifest), encoding="utf-8")
    TABLES_DOC.write_text(render_tables_doc(manifest), encoding="utf-8")
    print(f"{MANIFEST} and {TABLES_DOC} ({len(manifest['models'])} models)", file=sys.stderr)


if __name__ == "__main__":
    main()
