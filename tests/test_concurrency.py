"""Several processes loading into the same lake at once (as Dagster's multiprocess executor and
parallel runs do) all succeed: the catalog transaction retries while another one commits."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from ada.settings import Settings, Zone
from lake import tables

DATASETS = ["covid19_casos_osb", "siniestros_viales_sdm", "rmcab_estacion_bolivia"]


def _load_twice(dataset_id: str) -> list[int]:
    from ada.settings import load_settings
    from catalog.registry import load_registry
    from ingestion.delivery import receive_deliveries
    from ingestion.staging import load_staging

    settings = load_settings()
    spec = load_registry(settings.datasets_dir).get(dataset_id)
    receive_deliveries(settings, spec)
    return [load_staging(settings, spec).rows for _ in range(2)]


def test_concurrent_loads_into_one_catalog(settings: Settings) -> None:
    with ProcessPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_load_twice, [*DATASETS, DATASETS[0]]))
    assert results[0] == results[3] == [2345, 2345]
    con = tables.connect(settings, [Zone.STAGING], read_only=True)
    try:
        counts = [
            con.execute(f"SELECT count(*) FROM staging.{schema}.{dataset}").fetchone()[0]  # type: ignore[index]
            for schema, dataset in [
                ("salud", DATASETS[0]),
                ("movilidad", DATASETS[1]),
                ("ambiente", DATASETS[2]),
            ]
        ]
    finally:
        con.close()
    assert counts == [2345, 2358, 17540]
