"""In-process materialization of the same definitions the Dagster UI runs (``ada run``).

Work is split into one Dagster run per dataset (and per partition for partitioned datasets),
so progress can be shown dataset by dataset and one bad dataset never stops the others. Every
run is recorded in the instance, so the UI shows ``ada run`` runs next to its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import dagster as dg

from ada.instance import prepare_dagster_home
from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec
from orchestration.defs.transformations import AUDIT_CHECK, GROUP

#: The label of the run that materializes the SQLMesh models (assets of no single dataset).
TRANSFORMATIONS_LABEL = "modelos SQLMesh y publicación"


@dataclass(frozen=True)
class Unit:
    """One run: the selected assets of one dataset, for one partition (or none); ``spec`` is
    ``None`` for the run of the SQLMesh models, which come after every dataset."""

    spec: DatasetSpec | None
    keys: tuple[dg.AssetKey, ...]
    partition: str | None

    @property
    def label(self) -> str:
        if self.spec is None:
            return TRANSFORMATIONS_LABEL
        return self.spec.key + (f" [{self.partition}]" if self.partition else "")


@dataclass(frozen=True)
class UnitResult:
    unit: Unit
    success: bool
    message: str
    run_id: str


def _dataset_of(key: dg.AssetKey, specs: dict[tuple[str, str], DatasetSpec]) -> DatasetSpec | None:
    path = key.path
    return specs.get((path[1], path[2])) if len(path) == 3 else None


def available_partitions(settings: Settings, spec: DatasetSpec) -> list[str]:
    """Partitions with something to ingest: landed sub-folders and raw partitions."""
    from ingestion.sources.landing import landed_files, partition_of
    from lake.raw import list_versions
    from lake.storage import store_for

    found: set[str] = set()
    if spec.source.kind == "landing":
        landing = store_for(settings.for_ingestion(), Zone.LANDING)
        found |= {p for o in landed_files(landing, spec) if (p := partition_of(spec, o.key))}
    found |= {
        v.partition for v in list_versions(store_for(settings, Zone.RAW), spec.id) if v.partition
    }
    return sorted(found)


def _after_models(graph: Any, key: dg.AssetKey) -> bool:
    """Whether an asset is a SQLMesh model or comes after one (a publication that reads a
    conformed model): such assets run together once every dataset has been loaded."""
    if graph.get(key).group_name == GROUP:
        return True
    return any(graph.get(parent).group_name == GROUP for parent in graph.get(key).parent_keys)


def _catalog_after(graph: Any, keys: list[dg.AssetKey]) -> set[dg.AssetKey]:
    """The catalog asset when the selection publishes anything: publications are only
    visible to people once the catalog has them."""
    from orchestration.defs.catalog import GROUP as CATALOG_GROUP

    if not keys:
        return set()
    downstream = dg.AssetSelection.assets(*keys).downstream(depth=1)
    return set((downstream & dg.AssetSelection.groups(CATALOG_GROUP)).resolve(graph))


def _with_models_they_read(graph: Any, keys: list[dg.AssetKey]) -> list[dg.AssetKey]:
    """A publication of a conformed model is only right after the model is refreshed: add the
    model (and the models built on it) when the selection left them out."""
    models = dg.AssetSelection.groups(GROUP)
    parents = {parent for key in keys for parent in graph.get(key).parent_keys}
    read = (dg.AssetSelection.assets(*parents).downstream() & models).resolve(graph)
    return sorted(set(keys) | read, key=lambda k: k.to_user_string())


def plan_units(
    defs: dg.Definitions,
    specs: Iterable[DatasetSpec],
    settings: Settings,
    select: str | None = None,
    partitions: list[str] | None = None,
) -> list[Unit]:
    """Resolve an asset selection (Dagster's syntax, e.g. ``group:salud``) into runs: one per
    dataset (and partition) up to its curated table, then one for the SQLMesh models and the
    publications that read them."""
    graph = defs.resolve_asset_graph()
    selection = dg.AssetSelection.from_string(select) if select else dg.AssetSelection.all()
    keys = sorted(selection.resolve(graph), key=lambda k: k.to_user_string())
    by_sector_id = {(s.sector.value, s.id): s for s in specs}
    grouped: dict[str, list[dg.AssetKey]] = {}
    shared: list[dg.AssetKey] = []
    for key in keys:
        spec = _dataset_of(key, by_sector_id)
        if spec is not None and not _after_models(graph, key):
            grouped.setdefault(spec.id, []).append(key)
        else:
            shared.append(key)
    units: list[Unit] = []
    for spec_id, spec_keys in grouped.items():
        spec = next(s for s in by_sector_id.values() if s.id == spec_id)
        if spec.is_partitioned:
            for partition in partitions or available_partitions(settings, spec):
                units.append(Unit(spec, tuple(spec_keys), partition))
        else:
            units.append(Unit(spec, tuple(spec_keys), None))
    shared += sorted(_catalog_after(graph, keys) - set(shared), key=lambda k: k.to_user_string())
    if shared:
        units.append(Unit(None, tuple(_with_models_they_read(graph, shared)), None))
    return units


def _failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    """``check: description`` for every asset check that failed with ERROR severity (a
    warning never fails a run)."""
    failed = []
    for event in result.all_events:
        if event.event_type != dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            continue
        evaluation = event.event_specific_data
        if not isinstance(evaluation, dg.AssetCheckEvaluation) or evaluation.passed:
            continue
        if evaluation.severity != dg.AssetCheckSeverity.ERROR:
            continue
        description = evaluation.description or "falló"
        name = evaluation.check_name
        label = f"{name}: {description}"
        if name == AUDIT_CHECK:  # one step runs every model: say which one failed
            label = f"{'.'.join(evaluation.asset_key.path)} {label}"
        failed.append(label)
    return failed


def _fault_of(error_info: Any, settings: Settings) -> str | None:
    """The operator's one line when the error, or one it was raised from, is a known fault
    (S3 down or refusing, Postgres restarted, disk full): see :mod:`lake.faults`."""
    from lake.faults import explain

    while error_info is not None:
        fault = explain(error_info.message, settings, error_info.cls_name or "")
        if fault is not None:
            return fault.message
        error_info = error_info.cause or error_info.context
    return None


def _failure_message(result: dg.ExecuteInProcessResult, settings: Settings) -> str:
    checks = _failed_checks(result)
    if checks:
        return "; ".join(checks)
    for event in result.all_events:
        if event.event_type in (dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE):
            failure = event.step_failure_data or event.event_specific_data
            fault = _fault_of(getattr(failure, "error", None), settings)
            if fault is not None:
                return fault
        if event.event_type == dg.DagsterEventType.STEP_FAILURE and event.step_failure_data:
            error = event.step_failure_data.user_failure_data
            if error is not None and error.description:
                return error.description
            error_info = event.step_failure_data.error
            if error_info is not None:
                while error_info.cause is not None:  # the user's exception, not Dagster's wrapper
                    error_info = error_info.cause
                first_line = error_info.message.strip().splitlines()[0]
                prefix = f"{error_info.cls_name}: "
                return first_line.split(prefix, 1)[-1] if prefix in first_line else first_line
    return "the run failed (see the Dagster UI for its logs)"


def run_units(
    defs: dg.Definitions,
    units: list[Unit],
    settings: Settings,
    *,
    log_level: str = "ERROR",
    on_done: Callable[[UnitResult], None] | None = None,
) -> list[UnitResult]:
    prepare_dagster_home(settings)
    instance = dg.DagsterInstance.get()
    assets = [*(defs.assets or []), *(defs.asset_checks or [])]
    resources = dict(defs.resources or {})
    results = []
    try:
        for unit in units:
            run = dg.materialize(
                assets,  # type: ignore[arg-type]
                selection=list(unit.keys),
                partition_key=unit.partition,
                instance=instance,
                resources=resources,
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
                tags={"ada/trigger": "cli"},
            )
            # A model that failed its audits does not fail the run (the other models and their
            # publications go on), but it is a failure to report.
            success = run.success and not _failed_checks(run)
            outcome = UnitResult(
                unit, success, "ok" if success else _failure_message(run, settings), run.run_id
            )
            results.append(outcome)
            if on_done:
                on_done(outcome)
    finally:
        instance.dispose()
    return results
