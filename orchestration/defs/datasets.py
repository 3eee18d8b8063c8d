"""The asset factory: per dataset spec, a raw asset and a staging asset.

``raw/<sector>/<id>`` fetches the source and keeps the bytes, immutable, in the raw zone;
``staging/<sector>/<id>`` types them into a DuckLake table, quarantining what cannot be parsed.
Periodic sources get daily partitions in America/Bogota.
"""

from typing import Any

import dagster as dg

from catalog.specs import DatasetSpec, LandingSource
from orchestration.defs import metadata as md
from orchestration.defs.quality import quality_check_results, quality_check_specs, quality_metadata
from orchestration.defs.resources import LakeResource

TIMEZONE = "America/Bogota"

#: What ``dg.define_asset_job`` returns (its class is not part of Dagster's public API).
AssetJob = Any


def partitions_for(spec: DatasetSpec) -> dg.DailyPartitionsDefinition | None:
    if spec.partitioning is None:
        return None
    return dg.DailyPartitionsDefinition(
        start_date=spec.partitioning.start.isoformat(), timezone=TIMEZONE
    )


def raw_key(spec: DatasetSpec) -> dg.AssetKey:
    return dg.AssetKey(["raw", spec.sector.value, spec.id])


def staging_key(spec: DatasetSpec) -> dg.AssetKey:
    return dg.AssetKey(["staging", spec.sector.value, spec.id])


def _reasons_table(reasons: dict[str, int]) -> dg.MetadataValue:
    rows: list[list[object]] = [[reason, count] for reason, count in list(reasons.items())[:20]]
    return md.markdown_table(["motivo", "casos"], rows, right=frozenset({1}))


def _where_to_deliver(spec: DatasetSpec, partition: str | None) -> str:
    source = spec.source
    if isinstance(source, LandingSource):
        folder = f"landing/{spec.id}/" + (f"{partition}/" if partition else "")
        return f"deje un archivo que cumpla '{source.pattern}' en {folder}"
    return "revise 'source' en la ficha"


def build_raw_asset(spec: DatasetSpec) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(spec),
        group_name=spec.sector.value,
        description=md.description(spec, "zona raw: bytes tal como se recibieron"),
        owners=md.owners(spec),
        kinds={spec.format.type, "raw"},
        tags=md.tags(spec),
        partitions_def=partitions_for(spec),
        metadata={"source_kind": spec.source.kind, "spec_version": spec.spec_version},
        code_version=str(spec.spec_version),
    )
    def _raw(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        from ingestion.delivery import DeliveryRefused, receive_deliveries

        settings = lake.ingestion_settings()
        partition = context.partition_key if spec.is_partitioned else None
        try:
            result = receive_deliveries(settings, spec, partition)
        except DeliveryRefused as err:  # a message for the publisher, not a crash
            raise dg.Failure(description=str(err)) from None
        versions = result.versions
        if not versions:
            raise dg.Failure(
                description=(
                    f"No hay entregas para {spec.key}"
                    + (f" en la partición {partition}" if partition else "")
                    + f": {_where_to_deliver(spec, partition)}"
                )
            )
        latest = versions[-1]
        context.log.info(
            f"{spec.key}: {len(result.new)} new raw version(s), {len(result.unchanged)} unchanged"
        )
        return dg.MaterializeResult(
            metadata={
                "raw_version": latest.version,
                "sha256": latest.sha256,
                "size_bytes": dg.MetadataValue.int(latest.size),
                "files": dg.MetadataValue.json([f.name for f in latest.files]),
                "received_at": latest.received_at,
                "source": latest.source,
                "new_versions": dg.MetadataValue.int(len(result.new)),
                "versions_kept": dg.MetadataValue.int(len(versions)),
            },
            data_version=dg.DataVersion(latest.sha256),
        )

    return _raw


def build_staging_asset(spec: DatasetSpec) -> dg.AssetsDefinition:
    key = staging_key(spec)

    @dg.asset(
        key=key,
        deps=[raw_key(spec)],
        group_name=spec.sector.value,
        description=md.description(spec, "zona staging: tabla tipada y normalizada"),
        owners=md.owners(spec),
        kinds={"ducklake", "duckdb", "pyarrow"},
        tags=md.tags(spec),
        partitions_def=partitions_for(spec),
        check_specs=quality_check_specs(spec, key),
        metadata={
            "dagster/column_schema": md.column_schema(spec),
            "dagster/table_name": f"staging.{spec.table_name}",
        },
        code_version=str(spec.spec_version),
    )
    def _staging(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        from expectations.assessment import assess_staging
        from ingestion.staging import StagingError, load_staging

        partition = context.partition_key if spec.is_partitioned else None
        settings = lake.settings()
        try:
            result = load_staging(settings, spec, partition)
        except StagingError as err:
            raise dg.Failure(description=str(err)) from None
        assessment = assess_staging(
            settings,
            spec,
            partition,
            rows_unparsed=result.quarantined_rows,
            run_id=context.run.run_id,
        )
        if assessment.quarantine.rows_quarantined:
            context.log.warning(
                f"{spec.key}: {assessment.quarantine.rows_quarantined} row(s) broke a blocking "
                f"rule and were quarantined in staging.quarantine.{spec.id}"
            )
        if result.quarantined_rows:
            context.log.warning(
                f"{spec.key}: {result.quarantined_rows} row(s) quarantined in "
                f"staging.quarantine.{spec.id}"
            )
        metadata: dict[str, object] = {
            "dagster/row_count": dg.MetadataValue.int(
                result.rows - assessment.quarantine.rows_quarantined
            ),
            "quarantined_rows": dg.MetadataValue.int(
                result.quarantined_rows + assessment.quarantine.rows_quarantined
            ),
            "quarantine_table": f"staging.quarantine.{spec.id}",
            "raw_versions": dg.MetadataValue.json(result.raw_versions),
            "files": dg.MetadataValue.json(result.files),
            "snapshot_id": dg.MetadataValue.int(result.snapshot_id or 0),
        }
        if result.reasons:
            metadata["quarantine_reasons"] = _reasons_table(result.reasons)
        if result.failed_files:
            metadata["failed_files"] = dg.MetadataValue.json(result.failed_files)
        if result.missing_columns:
            metadata["missing_columns"] = dg.MetadataValue.json(result.missing_columns)
        if result.undeclared_headers:
            metadata["undeclared_headers"] = dg.MetadataValue.json(result.undeclared_headers)
        metadata.update(quality_metadata(assessment))
        return dg.MaterializeResult(
            metadata=metadata,  # type: ignore[arg-type]
            check_results=quality_check_results(assessment, key),
        )

    return _staging


def ingest_job_name(spec: DatasetSpec) -> str:
    return f"ingest_{spec.id}"


def dataset_keys(spec: DatasetSpec) -> list[dg.AssetKey]:
    """Every asset of the dataset, source to publication."""
    zones = ("raw", "staging", "curated", "open")
    return [dg.AssetKey([zone, spec.sector.value, spec.id]) for zone in zones]


def dataset_selection(spec: DatasetSpec) -> dg.AssetSelection:
    """Every asset of the dataset, source to publication, the SQLMesh models its data flows
    into (its conformed model and the indicators built on it), so one run refreshes them
    before the open zone publishes, and the catalog, updated after the publication."""
    from orchestration.defs.catalog import CATALOG_KEY
    from orchestration.defs.transformations import GROUP, conformed_key

    keys = [*dataset_keys(spec), CATALOG_KEY]
    selection: dg.AssetSelection = dg.AssetSelection.assets(*keys)
    conformed = conformed_key(spec.id)
    if conformed is not None:
        models = dg.AssetSelection.assets(conformed).downstream() & dg.AssetSelection.groups(GROUP)
        selection = selection | models
    return selection


def build_ingest_job(spec: DatasetSpec) -> AssetJob:
    """The name says ingest (schedules and scripts use it); it runs through to publication, and
    the blocking privacy checks and the models' audits stop it before the open zone when a
    release is unsafe or wrong."""
    return dg.define_asset_job(
        ingest_job_name(spec),
        selection=dataset_selection(spec),
        description=(
            f"Ingesta y publicación de {spec.publication.title}: "
            "fuente → raw → staging → curada → modelos SQLMesh → abierta → catálogo"
        ),
        tags={"sector": spec.sector.value},
    )
