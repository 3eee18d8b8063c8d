"""SQLMesh models as Dagster assets, from the project's manifest (``transformations/``).

One asset per model, keyed like the table it writes (``curated/<schema>/<model>``), with its
dependencies: other models, and the privacy-treated tables ``curated/<sector>/<dataset>`` that
the pipeline's curated assets write, so the UI's lineage runs from the raw file to the
indicators. The definitions read only the manifest (JSON); SQLMesh is imported when the assets
run.

All models materialize together through one ``sqlmesh plan`` that restates them: SQLMesh works
out the order, runs every audit, and a failing audit fails the step, so nothing downstream of it
runs. A model whose dataset has not been published yet is skipped (logged), not failed.
"""

from typing import Any

import dagster as dg

from orchestration.defs.resources import LakeResource
from transformations.manifest import load_manifest

GROUP = "transformaciones"


def model_key(parts: list[str]) -> dg.AssetKey:
    """``["curated", "dim", "localidad"]`` (catalog, schema, table) → ``curated/dim/localidad``."""
    return dg.AssetKey(parts)


def _dependency(parts: list[str]) -> dg.AssetKey:
    """A model dependency without its catalog (``["salud", "notificaciones_salud"]``)."""
    return dg.AssetKey(["curated", *parts])


def _spec(model: dict[str, Any]) -> dg.AssetSpec:
    columns = [
        dg.TableColumn(name, type=info["type"].lower(), description=info["description"] or None)
        for name, info in model["columns"].items()
    ]
    lineage = model.get("column_lineage") or {}
    deps_by_column = {
        column: [
            dg.TableColumnDep(
                asset_key=dg.AssetKey(["curated", *parent.split(".")[:-1]]),
                column_name=parent.split(".")[-1],
            )
            for parent in parents
        ]
        for column, parents in lineage.items()
        if parents
    }
    metadata: dict[str, Any] = {
        "dagster/column_schema": dg.TableSchema(columns=columns),
        "dagster/table_name": ".".join(model["key"]),
        "sqlmesh/model": model["name"],
        "sqlmesh/kind": model["kind"],
        "sqlmesh/audits": dg.MetadataValue.json(model["audits"]),
    }
    if deps_by_column:
        metadata["dagster/column_lineage"] = dg.TableColumnLineage(deps_by_column=deps_by_column)
    return dg.AssetSpec(
        key=model_key(model["key"]),
        skippable=True,  # a model waits while one of its datasets has not been published
        deps=[_dependency(dep) for dep in model["depends_on"]],
        description=model["description"] or None,
        group_name=GROUP,
        kinds={"sqlmesh", "ducklake"},
        metadata=metadata,
    )


def build_transformation_assets() -> list[dg.AssetsDefinition]:
    models = load_manifest()["models"]
    if not models:
        return []
    specs = [_spec(model) for model in models]

    @dg.multi_asset(specs=specs, name="sqlmesh_modelos")
    def _models(context: dg.AssetExecutionContext, lake: LakeResource) -> Any:
        from transformations.project import ModelFailure, refresh

        try:
            built = refresh(lake.settings())
        except ModelFailure as err:
            raise dg.Failure(description=str(err)) from None
        for table, missing in built.waiting.items():
            context.log.warning(f"{table} waits for: {', '.join(missing)}")
        for spec in specs:
            table = ".".join(spec.key.path)
            if table in built.rows:
                yield dg.MaterializeResult(
                    asset_key=spec.key,
                    metadata={"dagster/row_count": dg.MetadataValue.int(built.rows[table])},
                )

    return [_models]
