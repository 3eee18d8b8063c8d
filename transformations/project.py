"""The thin layer between ADA and SQLMesh: one ``sqlmesh.Context`` on ADA's settings.

Dagster, ``ada`` and the tests go through here, never through SQLMesh's CLI, so the
configuration (catalogs, state, secrets) always comes from the same environment variables.
SQLMesh is imported lazily: it takes seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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


def build(settings: Settings, *, restate: bool = False) -> None:
    """Plan and apply the production environment: create or update every model and run every
    audit. ``restate`` recomputes every model from the current sources (what a pipeline run
    needs: the sources change without the models changing)."""
    from sqlmesh.utils.errors import PlanError

    context = sqlmesh_context(settings)
    restatements = [name for name, model in context.models.items() if not model.kind.is_seed]
    # A first plan builds everything anyway; SQLMesh can only restate an existing environment.
    exists = context.state_reader.get_environment("prod") is not None
    try:
        context.plan(
            auto_apply=True,
            no_prompts=True,
            restate_models=restatements if restate and exists else None,
        )
    except PlanError as err:
        raise ModelFailure(
            f"SQLMesh: {err}; vea el registro de SQLMesh para el modelo o la auditoría que falló"
        ) from None


def refresh(settings: Settings) -> dict[str, int]:
    """Build with restatement and return the row count of every model's table."""
    build(settings, restate=True)
    context = sqlmesh_context(settings)
    counts: dict[str, int] = {}
    for fqn in context.models:
        table = ".".join(part.strip('"') for part in fqn.split("."))
        frame = context.fetchdf(f"SELECT count(*) AS n FROM {fqn}")
        counts[table] = int(frame["n"].iloc[0])
    return counts


def run_unit_tests(settings: Settings) -> tuple[int, int]:
    """``sqlmesh test``: returns (tests run, failures + errors)."""
    result = sqlmesh_context(settings).test()
    return result.testsRun, len(result.failures) + len(result.errors)
