"""One schedule per dataset, from its declared update frequency (America/Bogota)."""

from __future__ import annotations

import dagster as dg

from catalog.specs import FREQUENCY_CRON, DatasetSpec
from orchestration.defs.datasets import TIMEZONE, AssetJob, ingest_job_name


def build_schedule(spec: DatasetSpec, job: AssetJob) -> dg.ScheduleDefinition | None:
    """``None`` for datasets updated only when something happens (``eventual``).

    Partitioned datasets get a schedule that materializes the partition of the day that just
    ended. Schedules start stopped: an operator turns them on in the UI (or through the
    ``ADA_SCHEDULES`` setting of the deployment, see docs/operations.md).
    """
    name = f"{ingest_job_name(spec)}_schedule"
    if spec.is_partitioned:
        return dg.build_schedule_from_partitioned_job(
            job,
            name=name,
            hour_of_day=1,
            minute_of_hour=30,
            description=f"Partición diaria de {spec.publication.title}",
            default_status=_default_status(),
        )  # type: ignore[return-value]
    cron = _cron(spec)
    if cron is None:
        return None
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
        description=f"Actualización {spec.update_frequency.value} de {spec.publication.title}",
        default_status=_default_status(),
    )


def _cron(spec: DatasetSpec) -> str | None:
    """The frequency's cron, or ``ADA_SCHEDULE_CRON`` when set: one cron for every scheduled
    dataset, for an environment that must run sooner than the data's real rhythm (a test that
    waits for the daemon to fire a schedule, a catch-up). Datasets without a schedule
    (``eventual``) and daily partitions keep theirs."""
    import os

    cron = FREQUENCY_CRON[spec.update_frequency]
    override = os.environ.get("ADA_SCHEDULE_CRON", "").strip()
    # Dagster refuses an invalid expression when it builds the schedule, naming it.
    return override if cron is not None and override else cron


def _default_status() -> dg.DefaultScheduleStatus:
    import os

    running = os.environ.get("ADA_SCHEDULES", "stopped").strip().lower() == "running"
    return dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED
