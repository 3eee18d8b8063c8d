"""The catalog asset: after each publication, the catalog store (and through it the search index
of every running ``ada serve`` worker) is brought in step with what the open zone holds.

One asset, ``catalogo``, downstream of every ``open/<sector>/<id>``: a dataset's job ends with
it, and ``ada run`` runs it once after all publications. It rebuilds the records from the specs,
the release manifests, the quality and privacy reports and the models' data dictionary, and
writes only what changed (``catalog.store.refresh_catalog``), so running it after every job is
cheap. Links in the records start with ``ADA_PUBLIC_URL``, the same as the service's.
"""

from collections.abc import Sequence

import dagster as dg

from catalog.specs import DatasetSpec
from orchestration.defs.release import open_key
from orchestration.defs.resources import LakeResource

CATALOG_KEY = dg.AssetKey(["catalogo"])
GROUP = "catalogo"


def build_catalog_asset(specs: Sequence[DatasetSpec]) -> dg.AssetsDefinition:
    @dg.asset(
        key=CATALOG_KEY,
        deps=[open_key(spec) for spec in specs],
        group_name=GROUP,
        description=(
            "Catálogo de datos abiertos: el registro de cada conjunto publicado (CKAN, DCAT-AP, "
            "data.json) con sus versiones, diccionario de datos, calidad, privacidad y linaje; "
            "lo sirven el portal y la API (ada serve)"
        ),
        kinds={"catalog"},
    )
    def _catalog(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        from catalog.service.config import public_url_from_env
        from catalog.store import refresh_catalog

        result = refresh_catalog(lake.settings(), public_url_from_env())
        if result.unreleased:
            context.log.info(f"aún sin publicar: {', '.join(result.unreleased)}")
        return dg.MaterializeResult(
            metadata={
                "datasets": result.datasets,
                "catalog_version": result.version,
                "records_written": result.written,
                "records_removed": result.removed,
                "unreleased": dg.MetadataValue.json(list(result.unreleased)),
            }
        )

    return _catalog
