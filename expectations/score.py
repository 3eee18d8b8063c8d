"""The quality score per dataset and run, on MinTIC's ISO/IEC 25012-based open-data guide.

Each criterion the guide names that a machine can measure gets 0-10 with the computation
written next to it, so a publisher can see what to fix; criteria with nothing to measure say
so (``None``) and do not count. The total is their mean, and a seal follows from it:

===========  =========================================================
oro          total ≥ 9 and no blocking rule failed
plata        total ≥ 7.5
bronce       total ≥ 6
sin sello    below, or the delivery broke its contract
===========  =========================================================

Beside it, a metadata score in the manner of data.gouv.fr: nine yes/no questions about the
metadata (licence, coverage, frequency, timeliness, description, formats, access, docs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from catalog.specs import DatasetSpec, Frequency
from expectations.rules import MAX_AGE_DAYS, Criterion
from expectations.validation import RuleOutcome

SEALS: list[tuple[str, float]] = [("oro", 9.0), ("plata", 7.5), ("bronce", 6.0)]
NO_SEAL = "sin sello"

#: Licences that make data open (Open Definition conformant), as written in specs.
OPEN_LICENSES = {"CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "ODC-BY-1.0", "ODbL-1.0", "PDDL-1.0"}


@dataclass(frozen=True)
class Profile:
    """What the staging table measured, besides the rules (see ``expectations.assessment``)."""

    rows_delivered: int  # rows that reached staging, before rule quarantine
    rows_unparsed: int  # rows ingestion could not parse or type (its quarantine)
    rows_quarantined: int  # rows moved out by blocking row rules
    cells: int  # declared columns x rows delivered
    null_cells: int
    traced_rows: int  # rows whose raw version, file and record number are all known


@dataclass
class CriterionScore:
    criterion: str
    score: float | None
    how: str
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterio": self.criterion,
            "puntaje": None if self.score is None else round(self.score, 2),
            "como_se_calcula": self.how,
            "detalle": self.detail,
        }


@dataclass
class QualityScore:
    criteria: list[CriterionScore]
    total: float | None
    seal: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "puntaje": None if self.total is None else round(self.total, 2),
            "sello": self.seal,
            "criterios": [c.as_dict() for c in self.criteria],
            "metadatos": self.metadata,
        }


def _clamp(value: float) -> float:
    return max(0.0, min(10.0, value))


def _pass_share(outcome: RuleOutcome) -> float:
    """1 if the rule passed; for a row rule, the share of rows that meet it; else 0."""
    if outcome.success:
        return 1.0
    share = outcome.unexpected_share
    return 1.0 - share if share is not None and outcome.error is None else 0.0


def _rules_criterion(criterion: Criterion, outcomes: list[RuleOutcome], how: str) -> CriterionScore:
    mine = [o for o in outcomes if o.rule.quality_criterion == criterion]
    if not mine:
        return CriterionScore(criterion, None, how, "sin reglas que lo midan")
    shares = [_pass_share(o) for o in mine]
    failed = sum(1 for o in mine if not o.success)
    detail = f"{len(mine) - failed} de {len(mine)} reglas se cumplen"
    return CriterionScore(criterion, _clamp(10 * sum(shares) / len(shares)), how, detail)


def _completeness(profile: Profile) -> CriterionScore:
    how = "10 × (1 − celdas vacías / celdas) en las columnas de la ficha"
    if not profile.cells:
        return CriterionScore("completitud", None, how, "tabla vacía")
    share = profile.null_cells / profile.cells
    return CriterionScore(
        "completitud", _clamp(10 * (1 - share)), how, f"{share:.1%} de celdas vacías"
    )


def _freshness(
    spec: DatasetSpec, outcomes: list[RuleOutcome], reference: dt.date
) -> CriterionScore:
    how = (
        "10 si el registro más reciente tiene la edad que permite la frecuencia declarada; "
        "baja linealmente hasta 0 al triple de esa edad"
    )
    rule = next(
        (
            o
            for o in outcomes
            if o.rule.rule == "ExpectColumnMaxToBeBetween"
            and o.rule.quality_criterion == "actualidad"
        ),
        None,
    )
    max_age = MAX_AGE_DAYS.get(spec.update_frequency)
    if rule is None or max_age is None:
        return CriterionScore("actualidad", None, how, "sin columna de fecha o frecuencia eventual")
    if rule.success:
        return CriterionScore("actualidad", 10.0, how, f"al día (≤ {max_age} días)")
    try:
        newest = dt.date.fromisoformat(str(rule.observed)[:10])
    except ValueError:
        return CriterionScore("actualidad", 0.0, how, "sin fecha reciente legible")
    age = (reference - newest).days
    score = _clamp(10 * (1 - (age / max_age - 1) / 2))
    return CriterionScore(
        "actualidad", score, how, f"registro más reciente de {newest}: {age} días (máx. {max_age})"
    )


def _uniqueness(outcomes: list[RuleOutcome]) -> CriterionScore:
    return _rules_criterion(
        "unicidad", outcomes, "10 × proporción de filas cuya clave no se repite"
    )


def _conformity(profile: Profile, outcomes: list[RuleOutcome]) -> CriterionScore:
    how = (
        "mitad: reglas de esquema y tipos cumplidas; mitad: filas que se pudieron leer y "
        "tipar según la ficha"
    )
    schema = [o for o in outcomes if o.rule.quality_criterion == "conformidad"]
    schema_share = sum(_pass_share(o) for o in schema) / len(schema) if schema else 1.0
    read = profile.rows_delivered + profile.rows_unparsed
    parsed_share = profile.rows_delivered / read if read else 0.0
    detail = f"{profile.rows_unparsed} filas sin leer de {read}"
    return CriterionScore("conformidad", _clamp(5 * schema_share + 5 * parsed_share), how, detail)


def _understandability(spec: DatasetSpec) -> CriterionScore:
    how = (
        "10 × proporción cumplida de: descripción de 100+ caracteres, etiquetas, contacto, "
        "documentación, y cada columna descrita (y con unidad si es numérica)"
    )
    columns = spec.schema_.columns
    described = sum(1 for c in columns if c.description.strip()) / len(columns)
    numeric = [c for c in columns if c.type in ("integer", "number")]
    with_units = (
        sum(
            1
            for c in numeric
            if c.unit
            or "identificador" in c.description.lower()
            or c.name.startswith(("id_", "cod"))
            or c.name in ("anio", "mes")
        )
        / len(numeric)
        if numeric
        else 1.0
    )
    pub = spec.publication
    checks = [
        len(pub.description) >= 100,
        bool(pub.tags),
        bool(pub.contact.email),
        bool(pub.documentation),
    ]
    parts = [*map(float, checks), described, with_units]
    detail = f"{described:.0%} de columnas descritas"
    return CriterionScore("comprensibilidad", _clamp(10 * sum(parts) / len(parts)), how, detail)


def _traceability(profile: Profile) -> CriterionScore:
    how = "10 × proporción de filas con versión raw, archivo y número de registro de origen"
    if not profile.rows_delivered:
        return CriterionScore("trazabilidad", None, how, "tabla vacía")
    share = profile.traced_rows / profile.rows_delivered
    return CriterionScore("trazabilidad", _clamp(10 * share), how, f"{share:.1%} trazables")


def metadata_score(spec: DatasetSpec, outcomes: list[RuleOutcome]) -> dict[str, Any]:
    """data.gouv.fr-style: nine yes/no questions, reported with the share answered yes."""
    pub = spec.publication
    freshness = next((o for o in outcomes if o.rule.quality_criterion == "actualidad"), None)
    answers = {
        "licencia abierta": pub.license in OPEN_LICENSES,
        "cobertura temporal": pub.temporal.start is not None,
        "cobertura espacial": bool(pub.spatial),
        "frecuencia de actualización declarada": spec.update_frequency is not None,
        "actualizado según su frecuencia": bool(freshness and freshness.success)
        or spec.update_frequency is Frequency.EVENTUAL,
        "descripción de más de 100 caracteres": len(pub.description) > 100,
        # Downloads are CSV and Parquet (non-proprietary) and served by the platform itself.
        "formatos abiertos": True,
        "recursos disponibles": True,
        "documentación": bool(pub.documentation),
    }
    yes = sum(answers.values())
    return {
        "puntaje": round(10 * yes / len(answers), 2),
        "cumplidos": yes,
        "total": len(answers),
        "criterios": answers,
    }


def seal_for(total: float | None, *, contract_broken: bool, blocking_failed: bool) -> str:
    """The seal for a total; a broken contract gets none, and oro needs no blocking failure
    at all (not even rows sent to quarantine)."""
    if total is None or contract_broken:
        return NO_SEAL
    for seal, threshold in SEALS:
        if total >= threshold and not (seal == "oro" and blocking_failed):
            return seal
    return NO_SEAL


def score(
    spec: DatasetSpec,
    outcomes: list[RuleOutcome],
    profile: Profile,
    *,
    reference_day: dt.date,
    contract_broken: bool,
) -> QualityScore:
    """Score one run. ``contract_broken``: a blocking rule failed for the whole table, or the
    quarantine went over its limit: the delivery gets no seal whatever its average."""
    criteria = [
        _completeness(profile),
        _rules_criterion(
            "exactitud",
            outcomes,
            "10 × proporción media de filas que cumplen las reglas de "
            "valores permitidos, rangos y formatos",
        ),
        _freshness(spec, outcomes, reference_day),
        _rules_criterion(
            "consistencia",
            outcomes,
            "10 × proporción media de filas coherentes entre columnas "
            "y de volumen coherente con la entrega anterior",
        ),
        _uniqueness(outcomes),
        _conformity(profile, outcomes),
        _understandability(spec),
        _traceability(profile),
    ]
    measured = [c.score for c in criteria if c.score is not None]
    total = sum(measured) / len(measured) if measured else None
    return QualityScore(
        criteria=criteria,
        total=total,
        seal=seal_for(
            total,
            contract_broken=contract_broken,
            blocking_failed=any(not o.success and o.rule.severity == "blocking" for o in outcomes),
        ),
        metadata=metadata_score(spec, outcomes),
    )
