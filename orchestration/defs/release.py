"""Per dataset spec, the curated asset (privacy treatment + gate) and the open asset (downloads).

``curated/<sector>/<id>`` applies the spec's privacy policy to the staging table and runs the
re-identification gate. Two blocking checks hang on it: ``privacy_policy`` (every column that
looks personal has a policy) and ``reidentification_risk`` (k-anonymity and l-diversity). If
either fails, ``open/<sector>/<id>`` does not run in that run, so nothing unsafe is published.
``open/<sector>/<id>`` publishes the next release of the whole dataset (a version folder with
CSV, Parquet, JSON, GeoJSON and ``datapackage.json``, see ``catalog.publication``) from its
conformed SQLMesh model (``curated/conformado/<id>``), so a model whose audits fail is not
published either; a dataset without a conformed model publishes its privacy-treated table.
Unchanged data publishes nothing new, and the metadata says so. Its ``leak_canary`` check
re-scans every data file the dataset has in the open zone (every version) for direct
identifiers.
"""

from typing import TYPE_CHECKING

import dagster as dg

from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec
from orchestration.defs import metadata as md
from orchestration.defs.datasets import partitions_for, staging_key
from orchestration.defs.resources import LakeResource
from orchestration.defs.transformations import conformed_key

if TYPE_CHECKING:
    from catalog.publication import Published

POLICY_CHECK = "privacy_policy"
GATE_CHECK = "reidentification_risk"
CANARY_CHECK = "leak_canary"


def curated_key(spec: DatasetSpec) -> dg.AssetKey:
    return dg.AssetKey(["curated", spec.sector.value, spec.id])


def open_key(spec: DatasetSpec) -> dg.AssetKey:
    return dg.AssetKey(["open", spec.sector.value, spec.id])


def _columns_table(report: dict[str, object]) -> dg.MetadataValue:
    columns = report["columns"]
    assert isinstance(columns, list)
    rows = [
        [c["columna"], c["entidad"] or "", c["rol"] or "", c["proporcion"], c["operador"]]
        for c in columns
    ]
    return md.markdown_table(["columna", "entidad", "rol", "proporción", "operador"], rows)


def build_curated_asset(spec: DatasetSpec) -> dg.AssetsDefinition:
    key = curated_key(spec)
    checks = [
        dg.AssetCheckSpec(
            POLICY_CHECK,
            asset=key,
            blocking=True,
            description="Toda columna que parece personal tiene una política en la ficha",
        ),
        dg.AssetCheckSpec(
            GATE_CHECK,
            asset=key,
            blocking=True,
            description=(
                f"k-anonimato (k ≥ {spec.privacy.k}) y l-diversidad (l ≥ {spec.privacy.l}) "
                "sobre los cuasi-identificadores antes de publicar"
            ),
        ),
    ]

    @dg.asset(
        key=key,
        deps=[staging_key(spec)],
        group_name=spec.sector.value,
        description=md.description(
            spec, "zona curada: datos tratados para proteger a las personas"
        ),
        owners=md.owners(spec),
        kinds={"ducklake", "presidio"},
        tags=md.tags(spec),
        partitions_def=partitions_for(spec),
        check_specs=checks,
        metadata={"dagster/table_name": f"curated.{spec.table_name}"},
        code_version=str(spec.spec_version),
    )
    def _curated(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        from privacy.protection import ProtectionError, protect_dataset
        from privacy.report import build_report, store_report

        settings = lake.settings()
        partition = context.partition_key if spec.is_partitioned else None
        try:
            result = protect_dataset(settings, spec, partition)
        except ProtectionError as err:
            raise dg.Failure(description=str(err)) from None
        report = build_report(spec, result, partition)
        report_uri = store_report(settings, spec, report)
        gate = result.gate
        if not result.released:
            context.log.warning(f"{spec.key}: re-identification gate blocked the release")
        policy_check = dg.AssetCheckResult(
            check_name=POLICY_CHECK,
            passed=result.policy_complete,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                "Todas las columnas personales tienen política."
                if result.policy_complete
                else "Columnas que parecen personales sin política en la ficha (se "
                f"eliminaron y bloquean la publicación): {', '.join(result.unresolved)}"
            ),
            metadata={"columns_without_policy": dg.MetadataValue.json(result.unresolved)},
        )
        gate_metadata: dict[str, dg.RawMetadataValue] = {
            "k_required": gate.k_required,
            "k_achieved": gate.k_achieved,
            "l_required": gate.l_required,
            "l_achieved": gate.l_achieved if gate.l_achieved is not None else "n/a",
            "rows_suppressed": gate.rows_suppressed,
            "suppressed_share": gate.suppressed_share,
            "steps": dg.MetadataValue.md("\n".join(f"- {s}" for s in gate.steps)),
            "final_levels": dg.MetadataValue.json(gate.final_levels),
        }
        if gate.rare_combinations:
            names = [*gate.quasi_identifiers, "filas"]
            gate_metadata["rare_combinations"] = md.markdown_table(
                names, [[combo.get(n) for n in names] for combo in gate.rare_combinations]
            )
            gate_metadata["rare_classes"] = gate.rare_classes
        gate_check = dg.AssetCheckResult(
            check_name=GATE_CHECK,
            passed=gate.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=gate.steps[-1] if gate.steps else None,
            metadata=gate_metadata,
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": dg.MetadataValue.int(result.rows_out),
                "released": result.released,
                "rows_suppressed": dg.MetadataValue.int(gate.rows_suppressed),
                "k_achieved": dg.MetadataValue.int(gate.k_achieved),
                "privacy_columns": _columns_table(report),
                "privacy_report": md.link(report_uri),
            },
            check_results=[policy_check, gate_check],
        )

    return _curated


def publication_source(spec: DatasetSpec) -> tuple[dg.AssetKey, str]:
    """What the open zone publishes for a dataset: its conformed SQLMesh model when the project
    has one (typed, deduplicated, localidad conformed, and only once its audits passed), else
    the privacy-treated table itself."""
    conformed = conformed_key(spec.id)
    if conformed is not None:
        return conformed, ".".join(conformed.path)
    return curated_key(spec), f"curated.{spec.table_name}"


def _files_metadata(published: "Published", settings: Settings) -> dg.MetadataValue:
    from lake.storage import store_for

    store = store_for(settings, Zone.OPEN)
    rows = [[f.format, f.name, f.bytes, store.uri(f.key)] for f in published.release.files]
    return md.markdown_table(["formato", "archivo", "bytes", "ubicación"], rows)


def _open_metadata(
    published: "Published", settings: Settings, source_table: str
) -> "dict[str, dg.RawMetadataValue]":
    release = published.release
    metadata: dict[str, dg.RawMetadataValue] = {
        "dagster/row_count": dg.MetadataValue.int(release.rows),
        "version": release.label,
        "new_release": published.is_new,
        "published_at": release.published_at,
        "files": _files_metadata(published, settings),
        "columns": dg.MetadataValue.json(published.columns),
        "source_table": source_table,
        "content_sha256": release.content_sha256,
    }
    if release.geojson is not None:
        metadata["geojson_rows_skipped"] = dg.MetadataValue.int(release.geojson.skipped)
    return metadata


def build_open_asset(spec: DatasetSpec) -> dg.AssetsDefinition:
    source_key, source_table = publication_source(spec)

    @dg.asset(
        key=open_key(spec),
        deps=[source_key],
        group_name=spec.sector.value,
        description=md.description(
            spec, "zona abierta: versiones publicadas (CSV, Parquet, JSON, GeoJSON y Data Package)"
        ),
        owners=md.owners(spec),
        kinds={"csv", "parquet", "json"},
        tags=md.tags(spec),
        # A release is the whole dataset (every partition), so this asset is not partitioned.
        code_version=str(spec.spec_version),
        metadata={"ada/source_table": source_table},
    )
    def _open(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        from catalog.publication import PublicationError, publish_dataset

        settings = lake.settings()

        def log_written(key: str, size: int) -> None:
            context.log.info(f"Escrito {key} ({size} bytes)")

        try:
            published = publish_dataset(settings, spec, source_table, on_written=log_written)
        except PublicationError as err:
            raise dg.Failure(description=str(err)) from None
        context.log.info(published.summary())
        return dg.MaterializeResult(
            metadata=_open_metadata(published, settings, source_table),
            # Unchanged data keeps its data version, so Dagster sees nothing new downstream.
            data_version=dg.DataVersion(published.release.content_sha256),
        )

    return _open


def build_canary_check(spec: DatasetSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=open_key(spec),
        name=CANARY_CHECK,
        blocking=True,
        description="Vuelve a leer cada archivo publicado y falla ante cualquier dato personal",
    )
    def _canary(lake: LakeResource) -> dg.AssetCheckResult:
        from catalog.publication import dataset_prefix
        from privacy.canary import scan_open_zone

        scanned, leaks = scan_open_zone(lake.settings(), dataset_prefix(spec), remember=True)
        return dg.AssetCheckResult(
            passed=scanned > 0 and not leaks,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"{scanned} archivo(s) revisados, sin datos personales"
                if scanned and not leaks
                else f"{len(leaks)} hallazgo(s) en {scanned} archivo(s)"
            ),
            metadata={
                "files_scanned": scanned,
                "leaks": dg.MetadataValue.json([leak.as_dict() for leak in leaks]),
            },
        )

    return _canary
