"""The thin layer between ADA and SQLMesh: one ``sqlmesh.Context`` on ADA's settings.

Dagster, ``ada`` and the tests go through here, never through SQLMesh's CLI, so the
configuration (catalogs, state, secrets) always comes from the same environment variables.
SQLMesh is imported lazily: it takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ada.settings import Settings

if TYPE_CHECKING:
    from sqlmesh import Context

PROJECT_DIR = Path(__file__).resolve().parent


def sqlmesh_context(settings: Settings) -> Context:
    """A SQLMesh context for this installation (gateway ``ada``, see ``config.py``)."""
    from sqlmesh import Context

    from transformations.config import build_config

    return Context(paths=str(PROJECT_DIR), config=build_config(settings), gateway="ada")


class ModelFailure(RuntimeError):
    """A model or one of its audits failed; the message names them (never data values)."""


@dataclass
class BuildResult:
    """Which models were built (with their row counts) and which waited for a missing source."""

    rows: dict[str, int] = field(default_factory=dict)
    waiting: dict[str, list[str]] = field(default_factory=dict)


def _table_name(fqn: str) -> str:
    """``"curated"."dim"."localidad"`` → ``curated.dim.localidad``."""
    return ".".join(part.strip('"') for part in fqn.split("."))


def is_external(model: Any) -> bool:
    """A source table the project reads but does not build (``external_models.yaml``)."""
    return bool(model.kind.name.value == "EXTERNAL")


def buildable_models(context: Context) -> tuple[list[str], dict[str, list[str]]]:
    """Models whose sources all exist, in order, and for the others what they wait for: a
    dataset that has not been published yet (its curated table is missing) must not stop the
    models of the datasets that have."""
    ready: list[str] = []
    available: set[str] = set()  # models built in this plan, and sources that exist
    waiting: dict[str, list[str]] = {}
    for fqn in context.dag.sorted:
        model = context.models.get(fqn)
        if model is None or is_external(model):
            if context.engine_adapter.table_exists(fqn):
                available.add(fqn)
            continue
        missing = [_table_name(dep) for dep in sorted(model.depends_on) if dep not in available]
        if missing:
            waiting[_table_name(fqn)] = missing
        else:
            ready.append(fqn)
            available.add(fqn)
    return ready, waiting


def build(settings: Settings, *, restate: bool = False) -> BuildResult:
    """Plan and apply the production environment for every model whose sources exist: create
    or update them and run every audit. ``restate`` recomputes them from the current sources
    (what a pipeline run needs: the sources change, the models do not)."""
    from sqlmesh.utils.errors import PlanError

    context = sqlmesh_context(settings)
    ready, waiting = buildable_models(context)
    result = BuildResult(waiting=waiting)
    if not ready:
        return result
    restatements = [name for name in ready if not context.models[name].kind.is_seed]
    # A first plan builds everything anyway; SQLMesh can only restate an existing environment.
    exists = context.state_reader.get_environment("prod") is not None
    selection = ready if waiting else None
    try:
        # First apply any new or changed model versions, then (an existing environment) restate:
        # SQLMesh refuses a plan that both deploys new versions and restates them.
        context.plan(auto_apply=True, no_prompts=True, select_models=selection)
        if restate and exists and restatements:
            context.plan(
                auto_apply=True,
                no_prompts=True,
                select_models=selection,
                restate_models=restatements,
            )
    except PlanError as err:
        raise ModelFailure(
            f"SQLMesh: {err}; vea el registro de SQLMesh para el modelo o la auditoría que falló"
        ) from None
    for fqn in ready:
        frame = context.fetchdf(f"SELECT count(*) AS n FROM {fqn}")
        result.rows[_table_name(fqn)] = int(frame["n"].iloc[0])
    return result


def refresh(settings: Settings) -> BuildResult:
    """What a pipeline run does: build with restatement."""
    return build(settings, restate=True)


def run_unit_tests(settings: Settings) -> tuple[int, int]:
    """``sqlmesh test``: returns (tests run, failures + errors)."""
    result = sqlmesh_context(settings).test()
    return result.testsRun, len(result.failures) + len(result.errors)
