"""Entry point of the sample district data generator, and the registry of sample datasets.

``generate(out_dir, rows, seed)`` writes every dataset under ``out_dir/<dataset_id>/`` (the
partitioned air-quality dataset under ``out_dir/<dataset_id>/<YYYY-MM-DD>/``), which is the
platform's landing-area layout, so ``out_dir`` can be the landing folder itself. The output is
a pure function of ``(rows, seed)``: same arguments, byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from samples.base import Context, DatasetDef, GeneratedFile
from samples.datasets import (
    ambiente,
    desarrollo_economico,
    educacion,
    gestion_publica,
    integracion_social,
    movilidad,
    salud,
)
from samples.pools import build_pools

__all__ = ["DATASETS", "DEFAULT_ROWS", "REGISTRY", "GeneratedFile", "generate", "sizes"]

#: Demo size of the main table (``notificaciones_salud``); the others scale from it:
#: siniestros_viales and beneficiarios_subsidios get rows/2, pqrs_peticiones,
#: matricula_escolar and registro_empresas rows/4, calidad_aire_rmcab 480 rows per day with
#: 7 days at the demo size (proportionally more, at most 366).
DEFAULT_ROWS = 2000

REGISTRY: dict[str, DatasetDef] = {
    d.id: d
    for d in (
        salud.DATASET,
        movilidad.DATASET,
        ambiente.DATASET,
        gestion_publica.DATASET,
        integracion_social.DATASET,
        educacion.DATASET,
        desarrollo_economico.DATASET,
    )
}

DATASETS: tuple[str, ...] = tuple(REGISTRY)


def sizes(rows: int = DEFAULT_ROWS) -> dict[str, int]:
    """Rows each dataset gets for a given size of the main table."""
    return {d.id: d.size(rows) for d in REGISTRY.values()}


def _selected(only: Iterable[str] | None) -> list[DatasetDef]:
    if only is None:
        return list(REGISTRY.values())
    if isinstance(only, str):  # "a,b" from a command line
        only = only.split(",")
    wanted = [w.strip() for w in only if w.strip()]
    unknown = [w for w in wanted if w not in REGISTRY]
    if unknown:
        raise ValueError(
            f"unknown sample dataset(s) {', '.join(unknown)}; known: {', '.join(DATASETS)}"
        )
    return [REGISTRY[w] for w in DATASETS if w in wanted]


def generate(
    out_dir: Path, rows: int = DEFAULT_ROWS, seed: int = 42, only: Iterable[str] | None = None
) -> list[GeneratedFile]:
    """Write every (or the selected) sample dataset under ``out_dir/<dataset_id>/...``.

    ``rows`` is the size of the main table; every dataset draws from its own random stream
    derived from ``seed``, so selecting a subset with ``only`` writes the same bytes as a full
    run would for those datasets.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context(out_dir=out_dir, seed=seed, pools=build_pools(seed))
    written: list[GeneratedFile] = []
    for dataset in _selected(only):
        written.extend(dataset.write(ctx, dataset.size(rows)))
    return written
