"""The dataset page (``/dataset/<name>``): what a catalog record says, arranged for a reader.

Everything comes from the record (:class:`~catalog.records.Package`) the service holds in
memory, except the rows of the preview (the curated table behind the release, through the
same read-only ``datastore_search`` the API runs) and the sizes and hashes of earlier
releases (their manifests in the catalog store). Reports are shown through an allow-list of
their fields: the quality report's observed values and examples, and the privacy report's
evidence, are never read here, so no published value can reach the page through them.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from catalog.packages import version_number
from catalog.portal.charts import LineChart, line_chart
from catalog.portal.formatting import Formatter
from catalog.portal.i18n import N_
from catalog.portal.labels import (
    CONTENT_LANGUAGES,
    CRITERIA,
    FREQUENCIES,
    GENERALIZATIONS,
    METADATA_CHECKS,
    SEALS,
    STAGES,
    dimension_slug,
)
from catalog.records import Package, Resource
from catalog.service import datastore
from catalog.service.ckan import ActionError
from catalog.service.params import DatastoreRequest
from catalog.service.state import Service

log = logging.getLogger("ada.catalog")

PREVIEW_ROWS = 20
#: Seal thresholds drawn on the quality trend (``expectations.score.SEALS``).
SEAL_LINES = ((9.0, N_("Oro")), (7.5, N_("Plata")), (6.0, N_("Bronce")))
_OPERATOR = re.compile(r"^(?P<op>[a-z]+)(?:\s*→\s*(?P<to>[a-z]+)(?:\s+(?P<size>[\d.]+))?)?")


# ------------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class MetadataRow:
    label: str  # msgid
    value: str
    href: str | None = None
    published: bool = True  # the entity's text (keeps its language), not the portal's
    translated: bool = False  # ``value`` is one of the portal's own words (a msgid)


def metadata_rows(package: Package, fmt: Formatter) -> list[MetadataRow]:
    """The table CKAN and datos.gov.co readers expect: entidad, sector, dimensión, licencia,
    frecuencia, coberturas, versión, fechas, contacto."""
    organization = package["organization"]
    slug = dimension_slug(package["dimension"])
    temporal = " – ".join(
        fmt.date(day) for day in (package["temporal_start"], package["temporal_end"]) if day
    )
    contact = package["maintainer"]
    rows = [
        MetadataRow(N_("Entidad"), organization["title"], f"/organization/{organization['name']}"),
        MetadataRow(N_("Sector"), package["sector_title"], f"/group/{package['sector']}"),
        MetadataRow(
            N_("Dimensión MinTIC"), package["dimension"], f"/dimension/{slug}" if slug else None
        ),
        MetadataRow(N_("Licencia"), package["license_title"], package["license_url"] or None),
        _word(N_("Frecuencia de actualización"), package["frequency"], FREQUENCIES),
        MetadataRow(N_("Cobertura espacial"), package["spatial_text"]),
        MetadataRow(N_("Cobertura temporal"), temporal, published=False),
        MetadataRow(N_("Versión"), package["version"], "#descargas", published=False),
        MetadataRow(
            N_("Publicado por primera vez"), fmt.date(package["metadata_created"]), None, False
        ),
        MetadataRow(
            N_("Última actualización"), fmt.date(package["metadata_modified"]), None, False
        ),
        _word(N_("Idioma"), package["language"], CONTENT_LANGUAGES),
        MetadataRow(
            N_("Contacto"),
            contact,
            f"mailto:{package['maintainer_email']}" if package["maintainer_email"] else None,
        ),
    ]
    if package["url"]:
        rows.append(MetadataRow(N_("Documentación"), package["url"], package["url"]))
    return [row for row in rows if row.value]


def _word(label: str, value: str, vocabulary: Mapping[str, str]) -> MetadataRow:
    """A row whose value is a word of a controlled vocabulary, shown in the reader's language
    when the portal knows it."""
    if value in vocabulary:
        return MetadataRow(label, vocabulary[value], published=False, translated=True)
    return MetadataRow(label, value)


# -------------------------------------------------------------------------------- quality


@dataclass(frozen=True)
class CriterionView:
    key: str
    name: str  # msgid, or the report's own word for a criterion the portal does not know
    known: bool
    explanation: str | None  # msgid
    score: float | None
    how: str  # the report's own sentences (Spanish, published as is)
    detail: str


@dataclass(frozen=True)
class QualityView:
    seal: str
    seal_label: str  # msgid
    score: float | None
    generated_at: str
    rows_delivered: int | None
    rows_quarantined: int | None
    criteria: tuple[CriterionView, ...]
    checks: tuple[tuple[str, bool, bool], ...]  # (label, known msgid?, passed)
    failed_rules: tuple[tuple[str, int | None], ...]  # (description, rows breaking it)
    rules_evaluated: int | None
    trend: tuple[tuple[str, float | None, str], ...]  # (when, score, seal)
    chart: LineChart | None


def quality_view(quality: Mapping[str, Any] | None, fmt: Formatter) -> QualityView | None:
    """The quality section: the seal, the criteria in plain words and the trend."""
    if not quality:
        return None
    seal = str(quality.get("sello") or "sin sello")
    criteria = []
    for item in quality.get("criterios") or []:
        key = str(item.get("criterio", ""))
        name, explanation = CRITERIA.get(key, (key, None))
        criteria.append(
            CriterionView(
                key=key,
                name=name,
                known=key in CRITERIA,
                explanation=explanation,
                score=item.get("puntaje"),
                how=str(item.get("como_se_calcula") or ""),
                detail=str(item.get("detalle") or ""),
            )
        )
    checks = tuple(
        (METADATA_CHECKS.get(label, label), label in METADATA_CHECKS, bool(passed))
        for label, passed in ((quality.get("metadatos") or {}).get("criterios") or {}).items()
    )
    failed = tuple(
        (str(rule.get("rule", {}).get("description", "")), rule.get("unexpected"))
        for rule in quality.get("reglas") or []
        if not rule.get("success", False)
    )
    trend = tuple(
        (str(point.get("generated_at", "")), point.get("puntaje"), str(point.get("sello", "")))
        for point in quality.get("tendencia") or []
    )
    return QualityView(
        seal=seal,
        seal_label=SEALS.get(seal, seal),
        score=quality.get("puntaje"),
        generated_at=str(quality.get("generated_at") or ""),
        rows_delivered=quality.get("filas_entregadas"),
        rows_quarantined=quality.get("filas_en_cuarentena"),
        criteria=tuple(criteria),
        checks=checks,
        failed_rules=failed,
        rules_evaluated=quality.get("reglas_evaluadas"),
        trend=trend,
        chart=_trend_chart(trend, fmt) if trend else None,
    )


def _trend_chart(trend: Sequence[tuple[str, float | None, str]], fmt: Formatter) -> LineChart:
    return line_chart(
        [fmt.short_date(when) for when, _, _ in trend],
        [("score", [score for _, score, _ in trend])],
        fmt=fmt.score,
        y_min=0.0,
        y_max=10.0,
        thresholds=SEAL_LINES,
        height=240,
    )


# -------------------------------------------------------------------------------- privacy


@dataclass(frozen=True)
class Treatment:
    column: str
    how: str | None  # msgid of the generalisation (or masking) in plain words
    size: str | None  # the band width, grid cell or visible characters


@dataclass(frozen=True)
class PrivacyView:
    removed: tuple[str, ...]
    pseudonymised: tuple[str, ...]
    generalised: tuple[Treatment, ...]
    hidden: tuple[Treatment, ...]  # masked, redacted free text, rare values suppressed
    quasi_identifiers: tuple[tuple[str, str], ...]  # (column, final level, Spanish)
    sensitive: tuple[str, ...]
    k_required: int | None
    k_achieved: int | None
    l_required: int | None
    l_achieved: int | None
    rows_in: int | None
    rows_suppressed: int | None
    rows_out: int | None
    steps: tuple[str, ...]
    published: bool
    generated_at: str


def _treatment(column: str, operator: str) -> tuple[str, Treatment] | None:
    """Which group a column's operator belongs to, read from the report's short notation
    (``drop``, ``pseudonym``, ``generalize → band 5``, ``mask (visibles 2)``...)."""
    match = _OPERATOR.match(operator.strip())
    if match is None:
        return None
    op, to, size = match["op"], match["to"], match["size"]
    if op == "drop":
        return "removed", Treatment(column, None, None)
    if op == "pseudonym":
        return "pseudonymised", Treatment(column, None, None)
    if op == "generalize":
        return "generalised", Treatment(column, GENERALIZATIONS.get(to or ""), size)
    if op == "mask":
        visible = re.search(r"\d+", operator)
        return "hidden", Treatment(
            column, N_("caracteres ocultos salvo los últimos"), visible.group() if visible else None
        )
    if op == "redact":
        return "hidden", Treatment(
            column, N_("datos personales del texto reemplazados por marcas como <PERSONA>"), None
        )
    if op == "suppress":
        return "hidden", Treatment(column, N_("valores poco frecuentes retirados"), None)
    return None


def privacy_view(privacy: Mapping[str, Any] | None) -> PrivacyView | None:
    """The privacy section, from the report's decisions and counts (never its evidence)."""
    if not privacy:
        return None
    groups: dict[str, list[Any]] = {
        "removed": [],
        "pseudonymised": [],
        "generalised": [],
        "hidden": [],
    }
    for column in privacy.get("columns") or []:
        found = _treatment(str(column.get("columna", "")), str(column.get("operador", "")))
        if found is None:
            continue
        group, treatment = found
        groups[group].append(
            treatment.column if group in ("removed", "pseudonymised") else treatment
        )
    gate = privacy.get("gate") or {}
    levels = gate.get("final_levels") or {}
    return PrivacyView(
        removed=tuple(groups["removed"]),
        pseudonymised=tuple(groups["pseudonymised"]),
        generalised=tuple(groups["generalised"]),
        hidden=tuple(groups["hidden"]),
        quasi_identifiers=tuple(
            (str(name), str(levels.get(name, ""))) for name in gate.get("quasi_identifiers") or []
        ),
        sensitive=tuple(str(name) for name in gate.get("sensitive") or []),
        k_required=privacy.get("k_required"),
        k_achieved=privacy.get("k_achieved"),
        l_required=privacy.get("l_required"),
        l_achieved=privacy.get("l_achieved"),
        rows_in=privacy.get("rows_in"),
        rows_suppressed=privacy.get("rows_suppressed"),
        rows_out=privacy.get("rows_out"),
        steps=tuple(str(step) for step in gate.get("steps") or []),
        published=bool(privacy.get("published")),
        generated_at=str(privacy.get("generated_at") or ""),
    )


# -------------------------------------------------------------------------------- lineage


@dataclass(frozen=True)
class LineageStep:
    stage: str
    title: str  # msgid
    known: bool
    description: str  # the record's sentence (Spanish, as published)
    where: str  # a table, a folder or the release's files
    inputs: tuple[str, ...]


def lineage_steps(package: Package) -> list[LineageStep]:
    steps = []
    for step in package["lineage"]:
        stage = str(step.get("stage", ""))
        where = step.get("table") or step.get("location") or ""
        if stage == "release":
            where = ", ".join(step.get("files") or [])
        steps.append(
            LineageStep(
                stage=stage,
                title=STAGES.get(stage, str(step.get("title", stage))),
                known=stage in STAGES,
                description=str(step.get("description") or ""),
                where=str(where),
                inputs=tuple(str(i) for i in step.get("inputs") or []),
            )
        )
    return steps


# ------------------------------------------------------------------------------ downloads


@dataclass(frozen=True)
class DownloadFile:
    format: str
    name: str
    url: str
    size: int | None
    sha256: str | None


@dataclass(frozen=True)
class DownloadRelease:
    version: str
    published: str
    rows: int
    current: bool
    files: tuple[DownloadFile, ...]


def _hex(hash_value: str) -> str:
    return hash_value.split(":", 1)[1] if hash_value.startswith("sha256:") else hash_value


def download_releases(service: Service, package: Package) -> list[DownloadRelease]:
    """Every published version, current first, with each file's size and SHA-256."""
    releases = []
    for release in sorted(package["releases"], key=lambda r: -version_number(r["version"])):
        current = release["version"] == package["version"]
        files = (
            tuple(_resource_file(r) for r in package["resources"])
            if current
            else _earlier_files(service, package["name"], release["version"], release["files"])
        )
        releases.append(
            DownloadRelease(
                release["version"], release["published"], release["rows"], current, files
            )
        )
    return releases


def _earlier_files(
    service: Service, name: str, version: str, urls: Mapping[str, str]
) -> tuple[DownloadFile, ...]:
    """An earlier release's files; sizes and hashes from its manifest in the store, read once
    per catalog version (a release never changes once published)."""

    def read() -> dict[str, tuple[int, str]]:
        manifest = service.store.release(name, version)
        listed = manifest["files"] if manifest else []
        return {f["name"]: (int(f["bytes"]), f["sha256"]) for f in listed}

    known: dict[str, tuple[int, str]] = service.live.view.cached(("release", name, version), read)
    files = []
    for fmt, url in urls.items():
        file_name = url.rsplit("/", 1)[-1]
        size, sha256 = known.get(file_name, (None, None))
        files.append(DownloadFile(fmt, file_name, url, size, sha256))
    return tuple(files)


def _resource_file(resource: Resource) -> DownloadFile:
    return DownloadFile(
        resource["format"],
        resource["name"],
        resource["url"],
        resource["size"],
        _hex(resource["hash"]),
    )


# ------------------------------------------------------------------------------- snippets


@dataclass(frozen=True)
class Snippet:
    title: str  # msgid
    language: str  # for the code block's class
    code: str


def api_snippets(root: str, package: Package) -> list[Snippet]:
    """How to read this dataset from code: the CKAN API with curl and ckanapi, and the Parquet
    file with DuckDB and pandas. Built from the record's own URLs and ids."""
    name = package["name"]
    queried = next((r for r in package["resources"] if r["datastore_active"]), None)
    parquet = next((r for r in package["resources"] if r["format"] == "Parquet"), None)
    snippets = [
        Snippet(
            N_("Metadatos con curl (package_show)"),
            "shell",
            f'curl "{root}/api/3/action/package_show?id={name}"',
        )
    ]
    if queried is not None:
        snippets.append(
            Snippet(
                N_("Filas con curl (datastore_search)"),
                "shell",
                f'curl "{root}/api/3/action/datastore_search?resource_id={queried["id"]}&limit=5"',
            )
        )
    python = [
        "import ckanapi",
        "",
        f'ckan = ckanapi.RemoteCKAN("{root}")',
        f'dataset = ckan.action.package_show(id="{name}")',
    ]
    if queried is not None:
        python += [
            "rows = ckan.action.datastore_search(",
            f'    resource_id="{queried["id"]}", limit=100',
            ')["records"]',
        ]
    snippets.append(Snippet(N_("Python con ckanapi"), "python", "\n".join(python)))
    if parquet is not None:
        snippets.append(
            Snippet(
                N_("DuckDB leyendo el Parquet"),
                "python",
                "import duckdb\n\n"
                f"duckdb.sql(\"SELECT * FROM read_parquet('{parquet['url']}') LIMIT 10\").show()",
            )
        )
        snippets.append(
            Snippet(
                N_("pandas leyendo el Parquet"),
                "python",
                f'import pandas as pd\n\ndf = pd.read_parquet("{parquet["url"]}")',
            )
        )
    return snippets


# -------------------------------------------------------------------------------- preview


@dataclass(frozen=True)
class Preview:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    page: int
    pages: int
    total: int
    first_row: int


class PreviewCache:
    """The previews last shown, at most ``capacity`` pages, least recently used out first.

    Keyed by the catalog version (with the dataset and page): a new release moves the
    version, so a cached page is never older than the release the page describes. Bounded,
    because a crawler walking every page of a large dataset must not grow the worker's memory.
    An unavailable preview is not kept, so it shows as soon as the zone is readable again.
    """

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._held: OrderedDict[Hashable, Preview] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_read(self, key: Hashable, read: Callable[[], Preview | None]) -> Preview | None:
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key]
        found = read()
        if found is not None and self.capacity > 0:
            with self._lock:
                self._held[key] = found
                while len(self._held) > self.capacity:
                    self._held.popitem(last=False)
        return found


def preview_page(raw: str | None) -> int:
    try:
        return min(max(int(raw or "1"), 1), 1_000_000)
    except ValueError:
        return 1


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def preview(service: Service, package: Package, page: int) -> Preview | None:
    """One page of the curated rows behind the queryable resource, or ``None`` when they
    cannot be read (no such resource, the curated zone not reachable)."""
    resource = next((r for r in package["resources"] if r["datastore_active"]), None)
    if resource is None:
        return None
    manifest = service.store.release(package["name"], resource["release"])
    if manifest is None:
        return None
    request = DatastoreRequest(
        resource_id=resource["id"],
        filters={},
        q=None,
        fields=None,
        sort=None,
        limit=PREVIEW_ROWS,
        offset=(page - 1) * PREVIEW_ROWS,
        include_total=True,
    )
    try:
        table = datastore.TableRef.parse(manifest["source_table"])
        with service.datastore.cursor() as cursor:
            result = datastore.search(cursor, table, request, "/api/3/action/datastore_search")
    except ActionError:
        return None
    except duckdb.Error as err:  # logged by type only: a message could quote a value
        log.warning("vista previa no disponible para %s: %s", package["name"], type(err).__name__)
        return None
    columns = tuple(str(f["id"]) for f in result["fields"])
    total = int(result.get("total", 0))
    last = max(1, -(-total // PREVIEW_ROWS))
    if page > last:  # a page past the end (an old link): show the last one
        return preview(service, package, last)
    return Preview(
        columns=columns,
        rows=tuple(tuple(_cell(record[c]) for c in columns) for record in result["records"]),
        page=page,
        pages=last,
        total=total,
        first_row=(page - 1) * PREVIEW_ROWS + 1,
    )
