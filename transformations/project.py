"""The thin layer between ADA and SQLMesh: one ``sqlmesh.Context`` on ADA's settings.

Dagster, ``ada`` and the tests go through here, never through SQLMesh's CLI, so the
configuration (catalogs, state, secrets) always comes from the same environment variables.
SQLMesh is imported lazily: it takes seconds.

A pipeline run is :func:`refresh`: one SQLMesh plan that restates the selected models (and,
as SQLMesh does, everything downstream of them) from the current sources, running every audit.
What happened to each model comes back as a :class:`ModelOutcome` (built with its row count,
failed with the audits that failed, skipped because an upstream model failed, or waiting for a
dataset that has not been published), captured from SQLMesh's console, so that Dagster can
publish what passed and hold back what did not.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ada.settings import Settings

if TYPE_CHECKING:
    from sqlmesh import Context

PROJECT_DIR = Path(__file__).resolve().parent

Status = Literal["built", "failed", "skipped", "waiting"]


def sqlmesh_context(settings: Settings) -> Context:
    """A SQLMesh context for this installation (gateway ``ada``, see ``config.py``)."""
    from sqlmesh import Context

    from transformations.config import build_config

    return Context(paths=str(PROJECT_DIR), config=build_config(settings), gateway="ada")


class ModelFailure(RuntimeError):
    """The plan itself could not run (not one model's audit: those are outcomes)."""


@dataclass(frozen=True)
class AuditFailure:
    """One audit that found rows breaking it (its arguments, never the rows themselves)."""

    audit: str
    arguments: str
    rows: int

    def describe(self) -> str:
        return f"{self.audit}({self.arguments}): {self.rows} fila(s) no cumplen"


@dataclass
class ModelOutcome:
    """What one refresh did to one model."""

    model: str  # the table, e.g. curated.conformado.notificaciones_salud
    status: Status
    rows: int | None = None
    audits_passed: int = 0
    failed_audits: list[AuditFailure] = field(default_factory=list)
    error: str | None = None
    waiting_for: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One Spanish line for logs, ``ada run`` and the Dagster check."""
        if self.status == "built":
            return f"{self.audits_passed} auditoría(s) aprobadas; {self.rows} filas"
        if self.status == "waiting":
            return f"espera a: {', '.join(self.waiting_for)} (aún no publicado)"
        if self.status == "skipped":
            return "no se ejecutó: falló un modelo del que depende"
        if self.failed_audits:
            return "auditorías fallidas: " + "; ".join(f.describe() for f in self.failed_audits)
        return f"error al construir el modelo: {self.error}"


@dataclass
class RefreshResult:
    """Every model the refresh was asked about, by table name."""

    outcomes: dict[str, ModelOutcome] = field(default_factory=dict)

    @property
    def rows(self) -> dict[str, int]:
        """Row counts of the models built."""
        return {
            name: outcome.rows
            for name, outcome in self.outcomes.items()
            if outcome.status == "built" and outcome.rows is not None
        }

    @property
    def waiting(self) -> dict[str, list[str]]:
        return {
            name: outcome.waiting_for
            for name, outcome in self.outcomes.items()
            if outcome.status == "waiting"
        }

    @property
    def failed(self) -> list[ModelOutcome]:
        return [o for o in self.outcomes.values() if o.status in ("failed", "skipped")]


#: Kept for callers of the first version of this module.
BuildResult = RefreshResult


def table_name(fqn: str) -> str:
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
        missing = [table_name(dep) for dep in sorted(model.depends_on) if dep not in available]
        if missing:
            waiting[fqn] = missing
        else:
            ready.append(fqn)
            available.add(fqn)
    return ready, waiting


# --------------------------------------------------------------------------------------------
# What SQLMesh did, model by model


#: Quoted literals in an engine error may hold a value from the data: they are not repeated.
_LITERAL = re.compile(r"'[^']*'")


def _safe_error(error: BaseException) -> str:
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return _LITERAL.sub("'…'", first_line)[:300]


def _audit_arguments(arguments: dict[str, Any]) -> str:
    rendered = []
    for name, value in arguments.items():
        text = value.sql(dialect="duckdb") if hasattr(value, "sql") else str(value)
        rendered.append(f"{name} := {text}")
    return ", ".join(rendered)


def _capturing_console() -> Any:
    """A silent SQLMesh console that records each model's evaluation, failure and skip."""
    from sqlmesh.core.console import NoopConsole

    class Capture(NoopConsole):
        def __init__(self) -> None:
            self.evaluated: dict[str, int] = {}  # model → audits passed
            self.failed: dict[str, BaseException] = {}
            self.skipped: set[str] = set()

        def update_snapshot_evaluation_progress(
            self, snapshot: Any, interval: Any, batch_idx: int, duration_ms: Any,
            num_audits_passed: int, num_audits_failed: int, *args: Any, **kwargs: Any,
        ) -> None:  # fmt: skip
            self.evaluated[snapshot.name] = num_audits_passed

        def log_failed_models(self, errors: list[Any]) -> None:
            for error in errors:
                self.failed[error.node.snapshot_name] = error.__cause__ or error

        def log_skipped_models(self, snapshot_names: set[str]) -> None:
            self.skipped |= set(snapshot_names)

    return Capture()


def _failure_outcome(name: str, cause: BaseException) -> ModelOutcome:
    from sqlmesh.utils.errors import AuditError, NodeAuditsErrors

    audits: list[AuditError] = []
    if isinstance(cause, NodeAuditsErrors):
        audits = list(cause.errors)
    elif isinstance(cause, AuditError):
        audits = [cause]
    if audits:
        failures = [
            AuditFailure(a.audit_name, _audit_arguments(a.audit_args), a.count) for a in audits
        ]
        return ModelOutcome(table_name(name), "failed", failed_audits=failures)
    return ModelOutcome(table_name(name), "failed", error=_safe_error(cause))


# --------------------------------------------------------------------------------------------
# One refresh at a time per installation


@contextmanager
def exclusive(settings: Settings) -> Iterator[None]:
    """Serialize SQLMesh plans of one installation: two ingest runs finishing together would
    otherwise race on SQLMesh's state and the curated catalog. A Postgres advisory lock when
    the metadata is in Postgres (runs on several hosts), else a file lock in ``ADA_HOME``."""
    if settings.database_url is not None:
        import psycopg

        with psycopg.connect(settings.database_url.get_secret_value(), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('ada.sqlmesh'))")
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext('ada.sqlmesh'))")
        return
    import fcntl

    settings.metadata_dir.mkdir(parents=True, exist_ok=True)
    with (settings.metadata_dir / "sqlmesh.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------
# Plans


def _environment_is_current(context: Context, ready: Collection[str]) -> bool:
    """Whether production already runs the local version of every buildable model and no
    model it runs has been removed (then there is nothing to deploy, only to restate)."""
    environment = context.state_reader.get_environment("prod")
    if environment is None:
        return False
    deployed = {s.name: s.fingerprint for s in environment.snapshots}
    local = {name: context.snapshots[name].fingerprint for name in ready}
    removed = set(deployed) - set(context.snapshots)
    return not removed and all(deployed.get(name) == fp for name, fp in local.items())


def _apply(context: Context, capture: Any, **plan_options: Any) -> None:
    """Apply one plan. When models fail, SQLMesh raises after evaluating everything else:
    those failures are outcomes (recorded in ``capture``), not an error of the run."""
    from sqlmesh.utils.errors import PlanError

    failures_before = len(capture.failed)
    try:
        context.plan(auto_apply=True, no_prompts=True, **plan_options)
    except PlanError:
        if len(capture.failed) == failures_before:
            raise


def _deploy(context: Context, capture: Any, ready: list[str], selection: list[str] | None,
            run_tests: bool) -> None:  # fmt: skip
    """Deploy new or changed model versions. SQLMesh promotes an environment all or nothing,
    so when a model fails, a second plan without it (and what depends on it) promotes the
    models that passed; their data is already computed."""
    _apply(context, capture, select_models=selection, skip_tests=not run_tests)
    if capture.failed:
        broken = {*capture.failed, *capture.skipped}
        healthy = [fqn for fqn in ready if fqn not in broken]
        if healthy:
            _apply(context, capture, select_models=healthy, skip_tests=True)


def _row_counts(context: Context, names: Collection[str]) -> dict[str, int]:
    if not names:
        return {}
    union = " UNION ALL ".join(
        f"SELECT '{table_name(n)}' AS modelo, count(*) AS n FROM {n}" for n in names
    )
    frame = context.fetchdf(union)
    return {str(m): int(n) for m, n in zip(frame["modelo"], frame["n"], strict=True)}


def _outcomes(
    context: Context,
    asked: list[str],
    waiting: dict[str, list[str]],
    capture: Any,
) -> RefreshResult:
    result = RefreshResult()
    failed_names = {table_name(name): cause for name, cause in capture.failed.items()}
    skipped = {table_name(name) for name in capture.skipped}
    built: list[str] = []
    for fqn in asked:
        name = table_name(fqn)
        if fqn in waiting:
            result.outcomes[name] = ModelOutcome(name, "waiting", waiting_for=waiting[fqn])
        elif name in failed_names:
            result.outcomes[name] = _failure_outcome(fqn, failed_names[name])
        elif name in skipped:
            result.outcomes[name] = ModelOutcome(name, "skipped")
        else:
            built.append(fqn)
    counts = _row_counts(context, built)
    passed = {table_name(name): n for name, n in capture.evaluated.items()}
    for fqn in built:
        name = table_name(fqn)
        audits = passed.get(name, len(context.models[fqn].audits))
        result.outcomes[name] = ModelOutcome(name, "built", rows=counts[name], audits_passed=audits)
    return result


def refresh(
    settings: Settings,
    models: Collection[str] | None = None,
    *,
    run_tests: bool = False,
) -> RefreshResult:
    """Recompute models from the current sources, running every audit: what a pipeline run
    does. ``models`` (table names such as ``curated.conformado.notificaciones_salud``; all by
    default) are restated together with everything downstream of them. New or changed model
    versions are deployed first (SQLMesh will not deploy and restate in one plan), which
    computes them; the restatement then covers the rest. ``run_tests`` runs the SQLMesh unit
    tests in the plan."""
    with exclusive(settings):
        context = sqlmesh_context(settings)
        capture = _capturing_console()
        context.console = capture
        ready, waiting = buildable_models(context)
        wanted = _selected(context, models)
        asked = [fqn for fqn in context.dag.sorted if fqn in wanted]
        # A missing source's models must stay out of the plan; otherwise every model is in it.
        selection = ready if waiting else None
        try:
            if not _environment_is_current(context, ready):
                _deploy(context, capture, ready, selection, run_tests)
                run_tests = False
            done = {*capture.evaluated, *capture.failed, *capture.skipped}
            restate = [
                fqn
                for fqn in asked
                if fqn in ready and not context.models[fqn].kind.is_seed and fqn not in done
            ]
            if restate:
                _apply(
                    context,
                    capture,
                    select_models=selection,
                    restate_models=restate,
                    skip_tests=not run_tests,
                )
        except Exception as err:  # the plan could not be made at all (state, connection)
            raise ModelFailure(f"SQLMesh: {_safe_error(err)}") from None
        return _outcomes(context, asked, waiting, capture)


def _selected(context: Context, models: Collection[str] | None) -> set[str]:
    """The fully qualified names of the models asked for (all buildable ones by default)."""
    every = {fqn for fqn, model in context.models.items() if not is_external(model)}
    if models is None:
        return every
    wanted = {table_name(m) for m in models}
    unknown = wanted - {table_name(fqn) for fqn in every}
    if unknown:
        raise ModelFailure(f"SQLMesh: modelos desconocidos: {', '.join(sorted(unknown))}")
    return {fqn for fqn in every if table_name(fqn) in wanted}


def build(settings: Settings) -> RefreshResult:
    """Deploy the project and compute every model whose sources exist (with the unit tests):
    what a first installation and the tests need."""
    return refresh(settings, run_tests=True)


def run_unit_tests(settings: Settings) -> tuple[int, int]:
    """``sqlmesh test``: returns (tests run, failures + errors)."""
    result = sqlmesh_context(settings).test()
    return result.testsRun, len(result.failures) + len(result.errors)
