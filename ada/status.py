"""The state of each dataset in the lake, for ``ada datasets`` and the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec


@dataclass(frozen=True)
class DatasetState:
    spec: DatasetSpec
    raw_versions: int
    latest_received: str | None
    staging_rows: int | None
    staged_versions: tuple[str, ...]
    latest_version: str | None
    quarantined: int | None
    quality: dict[str, object] | None = None

    @property
    def quality_summary(self) -> str:
        """'8.6 plata' from the latest quality report, or a dash before the first one."""
        if not self.quality or self.quality.get("puntaje") is None:
            return "—"
        return f"{self.quality['puntaje']:.1f} {self.quality.get('sello', '')}".strip()

    @property
    def raw_summary(self) -> str:
        if not self.raw_versions:
            return "—"
        return f"{self.raw_versions} v · {(self.latest_received or '')[:16]}"

    @property
    def staging_summary(self) -> str:
        return "—" if self.staging_rows is None else f"{self.staging_rows:,} filas"

    @property
    def status(self) -> str:
        if self.spec.status != "active":
            return self.spec.status
        if not self.raw_versions:
            return "sin entregas"
        if self.staging_rows is None:
            return "pendiente"
        if self.latest_version and self.latest_version not in self.staged_versions:
            return "desactualizado"
        return "al día"


def dataset_states(settings: Settings, specs: Iterable[DatasetSpec]) -> list[DatasetState]:
    from expectations.assessment import load_quality
    from lake import tables
    from lake.raw import list_versions
    from lake.storage import store_for

    raw = store_for(settings, Zone.RAW)
    con = tables.connect(settings, [Zone.STAGING], read_only=False)
    states = []
    try:
        for spec in specs:
            versions = list_versions(raw, spec.id)
            rows: int | None = None
            staged: tuple[str, ...] = ()
            quarantined: int | None = None
            if tables.table_exists(con, Zone.STAGING, spec.sector.value, spec.id):
                table = f'staging."{spec.sector.value}"."{spec.id}"'
                rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
                staged = tuple(
                    r[0]
                    for r in con.execute(
                        f"SELECT DISTINCT _ada_raw_version FROM {table}"
                    ).fetchall()
                )
            if tables.table_exists(con, Zone.STAGING, "quarantine", spec.id):
                quarantined = con.execute(
                    f"SELECT count(DISTINCT (raw_version, source_file, record, line)) "
                    f'FROM staging.quarantine."{spec.id}"'
                ).fetchone()[0]  # type: ignore[index]
            states.append(
                DatasetState(
                    spec=spec,
                    raw_versions=len(versions),
                    latest_received=versions[-1].received_at if versions else None,
                    staging_rows=rows,
                    staged_versions=staged,
                    latest_version=versions[-1].version if versions else None,
                    quarantined=quarantined,
                    quality=load_quality(settings, spec),
                )
            )
    finally:
        con.close()
    return states
