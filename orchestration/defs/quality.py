"""The quality checks on each staging asset, from the dataset's rules (``expectations/``).

Three checks hang on ``staging/<sector>/<id>``:

- ``contrato`` (blocking): columns, types and every blocking rule about the whole table.
- ``cuarentena`` (blocking): rows breaking a blocking row rule were quarantined, and their
  share is within the suite's limit.
- ``reglas`` (warning): ranges, formats, row-count change, freshness. Never blocks.

A failed blocking check stops the curated and open assets in the same run; the check's
metadata says which rule, how many rows and (for non-personal columns) which values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from catalog.specs import DatasetSpec
from orchestration.defs import metadata as md

if TYPE_CHECKING:
    from expectations.assessment import Assessment
    from expectations.validation import RuleOutcome

CONTRACT_CHECK = "contrato"
QUARANTINE_CHECK = "cuarentena"
RULES_CHECK = "reglas"


def quality_check_specs(spec: DatasetSpec, key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            CONTRACT_CHECK,
            asset=key,
            blocking=True,
            description="La entrega cumple el contrato de la ficha: columnas, tipos y reglas "
            "bloqueantes sobre la tabla completa",
        ),
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=key,
            blocking=True,
            description="Las filas que rompen una regla bloqueante quedan en cuarentena, y no "
            "superan la proporción máxima de la suite",
        ),
        dg.AssetCheckSpec(
            RULES_CHECK,
            asset=key,
            description="Reglas de advertencia: rangos, formatos, cambio en el número de filas "
            "y actualidad según la frecuencia declarada",
        ),
    ]


def _rules_table(outcomes: list[RuleOutcome]) -> dg.MetadataValue:
    rows: list[list[object]] = []
    for o in outcomes[:30]:
        share = o.unexpected_share
        rows.append(
            [
                o.rule.description or o.rule.rule,
                ", ".join(o.rule.columns),
                "" if o.unexpected is None else o.unexpected,
                "" if share is None else f"{share:.2%}",
                o.error or o.observed or ", ".join(o.examples),
            ]
        )
    return md.markdown_table(
        ["regla", "columnas", "filas que no cumplen", "proporción", "observado / ejemplos"],
        rows,
        right=frozenset({2, 3}),
    )


def _summary(outcomes: list[RuleOutcome]) -> str:
    names = [o.rule.description or o.rule.rule for o in outcomes[:3]]
    more = f" y {len(outcomes) - 3} más" if len(outcomes) > 3 else ""
    return "; ".join(names) + more


def quality_check_results(assessment: Assessment, key: dg.AssetKey) -> list[dg.AssetCheckResult]:
    contract = assessment.contract_failures
    warnings = assessment.warnings
    quarantine = assessment.quarantine
    by_rule: list[list[object]] = [[rule, n] for rule, n in quarantine.by_rule.items()]
    docs = {"data_docs": md.link(assessment.docs_uri)} if assessment.docs_uri else {}
    return [
        dg.AssetCheckResult(
            asset_key=key,
            check_name=CONTRACT_CHECK,
            passed=not contract,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                "La entrega cumple el contrato"
                if not contract
                else f"Contrato incumplido: {_summary(contract)}"
            ),
            metadata={"reglas_incumplidas": _rules_table(contract), **docs},
        ),
        dg.AssetCheckResult(
            asset_key=key,
            check_name=QUARANTINE_CHECK,
            passed=assessment.quarantine_ok,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"{quarantine.rows_quarantined} de {quarantine.rows_checked} filas en cuarentena "
                f"({quarantine.share:.2%}; máximo {assessment.max_quarantine_share:.0%})"
            ),
            metadata={
                "filas_en_cuarentena": dg.MetadataValue.int(quarantine.rows_quarantined),
                "proporcion": dg.MetadataValue.float(round(quarantine.share, 6)),
                "maximo": dg.MetadataValue.float(assessment.max_quarantine_share),
                "por_regla": md.markdown_table(["regla", "filas"], by_rule, right=frozenset({1})),
                "tabla": f"staging.quarantine.{assessment.report['dataset']}",
            },
        ),
        dg.AssetCheckResult(
            asset_key=key,
            check_name=RULES_CHECK,
            passed=not warnings,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                "Todas las reglas de advertencia se cumplen"
                if not warnings
                else f"Advertencias: {_summary(warnings)}"
            ),
            metadata={"advertencias": _rules_table(warnings), **docs},
        ),
    ]


def quality_metadata(assessment: Assessment) -> dict[str, dg.MetadataValue]:
    """Score, seal and links for the staging materialization."""
    quality = assessment.quality
    criteria: list[list[object]] = [
        [c.criterion, "n/a" if c.score is None else f"{c.score:.1f}", c.detail]
        for c in quality.criteria
    ]
    metadata: dict[str, dg.MetadataValue] = {
        "calidad_puntaje": dg.MetadataValue.float(round(quality.total or 0.0, 2)),
        "calidad_sello": dg.MetadataValue.text(quality.seal),
        "calidad_criterios": md.markdown_table(
            ["criterio", "puntaje", "detalle"], criteria, right=frozenset({1})
        ),
        "metadatos_puntaje": dg.MetadataValue.float(float(quality.metadata["puntaje"])),
        "calidad_reporte": md.link(assessment.report_uri),
    }
    if assessment.docs_uri:
        metadata["data_docs"] = md.link(assessment.docs_uri)
    return metadata
