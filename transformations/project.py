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


def build(settings: Settings) -> None:
    """Plan and apply the production environment: create or update every model, run audits."""
    context = sqlmesh_context(settings)
    context.plan(auto_apply=True, no_prompts=True)


def run_unit_tests(settings: Settings) -> tuple[int, int]:
    """``sqlmesh test``: returns (tests run, failures + errors)."""
    result = sqlmesh_context(settings).test()
    return result.testsRun, len(result.failures) + len(result.errors)
