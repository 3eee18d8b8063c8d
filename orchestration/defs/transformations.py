"""SQLMesh models as Dagster assets, from the project's manifest (``transformations/``).

One asset per model, keyed like the table it writes (``curated/<schema>/<model>``), with its
dependencies: other models, and the privacy-treated tables ``curated/<sector>/<dataset>`` that
the pipeline's curated assets write, so the UI's lineage runs from the raw file to the
indicators. The definitions read only the manifest (JSON); SQLMesh is imported when the assets
run.

The models materialize through one step, ``sqlmesh_modelos``, which can run any subset (a
dataset's job selects its conformed model and what depends on it): one SQLMesh plan restates
the selected models in dependency order and runs every audit. Each model carries the check
``auditorias``; a model whose audits fail (or that cannot be built) reports the failed check
and is **not** materialized, so the open-zone publication that depends on it does not run,
while the models and publications of every other dataset go on. A model whose dataset has not
been published yet waits (logged), it does not fail.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg

from orchestration.defs.resources import LakeResource
from transformations.manifest import load_manifest

GROUP = "transformaciones"
AUDIT_CHECK = "auditorias"


def model_key(parts: list[str]) -> dg.AssetKey:
    """``["curated", "dim", "localidad"]`` (catalog, schema, table) → ``curated/dim/localidad``."""
    return dg.AssetKey(parts)


def conformed_key(dataset_id: str) -> dg.AssetKey | None:
    """The conformed model of a dataset (``curated/conformado/<id>``), if the project has one:
    what the open zone publishes for it."""
    key = model_key(["curated", "conformado", dataset_id])
    models = load_manifest()["models"]
    return key if any(model_key(m["key"]) == key for m in models) else None


def _dependency(parts: list[str]) -> dg.AssetKey:
    """A model dependency without its catalog (``["salud", "notificaciones_salud"]``)."""
    return dg.AssetKey(["curated", *parts])


def _column_lineage(model: dict[str, Any]) -> dg.TableColumnLineage | None:
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
    return dg.TableColumnLineage(deps_by_column=deps_by_column) if deps_by_column else None


def _spec(model: dict[str, Any]) -> dg.AssetSpec:
    columns = [
        dg.TableColumn(
            column["name"], type=column["type"].lower(), description=column["description"] or None
        )
        for column in model["columns"]
    ]
    metadata: dict[str, Any] = {
        "dagster/column_schema": dg.TableSchema(columns=columns),
        "dagster/table_name": ".".join(model["key"]),
        "sqlmesh/model": model["name"],
        "sqlmesh/kind": model["kind"],
        "sqlmesh/audits": dg.MetadataValue.json(model["audits"]),
    }
    lineage = _column_lineage(model)
    if lineage is not None:
        metadata["dagster/column_lineage"] = lineage
    return dg.AssetSpec(
        key=model_key(model["key"]),
        skippable=True,  # not materialized when it waits, fails its audits or its upstream fails
        deps=[_dependency(dep) for dep in model["depends_on"]],
        description=model["description"] or None,
        group_name=GROUP,
        kinds={"sqlmesh", "ducklake"},
        metadata=metadata,
    )


def _audit_check(model: dict[str, Any]) -> dg.AssetCheckSpec:
    audits = model["audits"]
    return dg.AssetCheckSpec(
        AUDIT_CHECK,
        asset=model_key(model["key"]),
        # Not Dagster-blocking: that would fail the whole step and hold back every model. A
        # failed model is simply not materialized, which stops what depends on it.
        blocking=False,
        description=(
            f"Las {len(audits)} auditorías de SQLMesh del modelo ({', '.join(sorted(set(audits)))})"
            "; si una falla, el modelo no se publica"
            if audits
            else "El modelo se construye sin errores; si falla, no se publica"
        ),
    )


def _results(context: dg.AssetExecutionContext, outcomes: dict[str, Any]) -> Iterator[Any]:
    """A materialization with a passed check for each model built; a failed check for each
    model that failed; a log line for the ones that wait or were skipped."""
    selected = {".".join(key.path): key for key in context.selected_asset_keys}
    for table, outcome in outcomes.items():  # in dependency order, as Dagster requires
        key = selected.get(table)
        if key is None:
            continue
        if outcome.status == "built":
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={"dagster/row_count": dg.MetadataValue.int(outcome.rows)},
                check_results=[
                    dg.AssetCheckResult(
                        asset_key=key,
                        check_name=AUDIT_CHECK,
                        passed=True,
                        description=outcome.describe(),
                        metadata={"audits_passed": outcome.audits_passed},
                    )
                ],
            )
        elif outcome.status == "failed":
            context.log.error(f"{table}: {outcome.describe()}")
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=AUDIT_CHECK,
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                description=outcome.describe(),
                metadata={
                    "failed_audits": dg.MetadataValue.json(
                        [vars(failure) for failure in outcome.failed_audits]
                    ),
                    "error": outcome.error or "",
                },
            )
        else:
            context.log.warning(f"{table}: {outcome.describe()}")


def build_transformation_assets() -> list[dg.AssetsDefinition]:
    models = load_manifest()["models"]
    if not models:
        return []

    @dg.multi_asset(
        specs=[_spec(model) for model in models],
        check_specs=[_audit_check(model) for model in models],
        name="sqlmesh_modelos",
        can_subset=True,
    )
    def _models(context: dg.AssetExecutionContext, lake: LakeResource) -> Any:
        from transformations.project import ModelFailure, refresh

        selected = [".".join(key.path) for key in context.selected_asset_keys]
        try:
            result = refresh(lake.settings(), selected, run_tests=True)
        except ModelFailure as err:
            raise dg.Failure(description=str(err)) from None
        yield from _results(context, result.outcomes)

    return [_models]
