"""The dataset spec: one YAML file describes a dataset once, and everything else follows from it.

Assets, schedules, the landing sensor, parsing, quality rules, the privacy policy and the
catalog entry are all derived from a :class:`DatasetSpec`. Specs live in
``catalog/datasets/<sector>/<id>.yaml`` and are validated on load; a bad spec yields an error
that names the file and the field (see :mod:`catalog.registry`).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from privacy.policy import PrivacyPolicy

IDENTIFIER = r"^[a-z][a-z0-9_]*$"


class Sector(StrEnum):
    """The district's 15 administrative sectors (slug → official name in :data:`SECTOR_NAMES`)."""

    GESTION_PUBLICA = "gestion_publica"
    GOBIERNO = "gobierno"
    HACIENDA = "hacienda"
    PLANEACION = "planeacion"
    DESARROLLO_ECONOMICO = "desarrollo_economico"
    EDUCACION = "educacion"
    SALUD = "salud"
    INTEGRACION_SOCIAL = "integracion_social"
    CULTURA = "cultura"
    AMBIENTE = "ambiente"
    MOVILIDAD = "movilidad"
    HABITAT = "habitat"
    MUJER = "mujer"
    SEGURIDAD = "seguridad"
    GESTION_JURIDICA = "gestion_juridica"


SECTOR_NAMES: dict[Sector, str] = {
    Sector.GESTION_PUBLICA: "Gestión Pública",
    Sector.GOBIERNO: "Gobierno",
    Sector.HACIENDA: "Hacienda",
    Sector.PLANEACION: "Planeación",
    Sector.DESARROLLO_ECONOMICO: "Desarrollo Económico, Industria y Turismo",
    Sector.EDUCACION: "Educación",
    Sector.SALUD: "Salud",
    Sector.INTEGRACION_SOCIAL: "Integración Social",
    Sector.CULTURA: "Cultura, Recreación y Deporte",
    Sector.AMBIENTE: "Ambiente",
    Sector.MOVILIDAD: "Movilidad",
    Sector.HABITAT: "Hábitat",
    Sector.MUJER: "Mujer",
    Sector.SEGURIDAD: "Seguridad, Convivencia y Justicia",
    Sector.GESTION_JURIDICA: "Gestión Jurídica",
}


class Dimension(StrEnum):
    """The six dimensions of MinTIC's smart-territory maturity model."""

    PERSONAS = "Personas"
    GOBERNANZA = "Gobernanza"
    CALIDAD_DE_VIDA = "Calidad de Vida"
    DESARROLLO_ECONOMICO = "Desarrollo Económico"
    MEDIO_AMBIENTE = "Medio Ambiente"
    HABITAT = "Hábitat"


class Frequency(StrEnum):
    """Declared update frequency; drives the schedule and the freshness ('actualidad') check."""

    HORARIA = "horaria"
    DIARIA = "diaria"
    SEMANAL = "semanal"
    MENSUAL = "mensual"
    TRIMESTRAL = "trimestral"
    SEMESTRAL = "semestral"
    ANUAL = "anual"
    EVENTUAL = "eventual"


#: Cron expression (America/Bogota) per frequency; ``None`` means no schedule.
FREQUENCY_CRON: dict[Frequency, str | None] = {
    Frequency.HORARIA: "15 * * * *",
    Frequency.DIARIA: "0 6 * * *",
    Frequency.SEMANAL: "0 6 * * 1",
    Frequency.MENSUAL: "0 6 1 * *",
    Frequency.TRIMESTRAL: "0 6 1 1,4,7,10 *",
    Frequency.SEMESTRAL: "0 6 1 1,7 *",
    Frequency.ANUAL: "0 6 15 1 *",
    Frequency.EVENTUAL: None,
}

#: The EU frequency vocabulary used by DCAT-AP (dct:accrualPeriodicity): the code after
#: ``http://publications.europa.eu/resource/authority/frequency/``. Twice a year is ``ANNUAL_2``
#: ("semiannual") in that vocabulary; it has no ``BIANNUAL``.
FREQUENCY_EU: dict[Frequency, str] = {
    Frequency.HORARIA: "HOURLY",
    Frequency.DIARIA: "DAILY",
    Frequency.SEMANAL: "WEEKLY",
    Frequency.MENSUAL: "MONTHLY",
    Frequency.TRIMESTRAL: "QUARTERLY",
    Frequency.SEMESTRAL: "ANNUAL_2",
    Frequency.ANUAL: "ANNUAL",
    Frequency.EVENTUAL: "IRREG",
}


class _Strict(BaseModel):
    """Unknown keys are errors: a typo in a spec must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


# --------------------------------------------------------------------------------------------
# Source: where the bytes come from


class LandingSource(_Strict):
    """Files dropped into the landing area (``landing/<dataset id>/``, folder or bucket)."""

    kind: Literal["landing"] = "landing"
    pattern: str = Field("*", description="glob over file names in the dataset's landing folder")


class FileSource(_Strict):
    """A file on the local filesystem; ``${VAR:-default}`` is expanded, relative paths resolve
    against the project root. ``{partition}`` is replaced by the partition key."""

    kind: Literal["file"]
    path: str


class UrlSource(_Strict):
    """A file served over HTTP(S)."""

    kind: Literal["url"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)


class S3Source(_Strict):
    """An object in an S3 bucket reachable with the lake's credentials."""

    kind: Literal["s3"]
    bucket: str
    key: str


class SocrataSource(_Strict):
    """A Socrata dataset (datos.gov.co) read through the SODA API, paged."""

    kind: Literal["socrata"]
    domain: str = Field(description="e.g. https://www.datos.gov.co")
    dataset_id: str = Field(pattern=r"^[a-z0-9]{4}-[a-z0-9]{4}$")
    where: str | None = Field(None, description="SoQL $where; may use {partition}")
    page_size: int = Field(50_000, gt=0, le=50_000)
    app_token_env: str | None = Field(
        None, description="name of the environment variable that holds the app token"
    )


class CkanSource(_Strict):
    """A CKAN resource (datosabiertos.bogota.gov.co): the datastore if active, else its file."""

    kind: Literal["ckan"]
    base_url: str
    resource_id: str
    page_size: int = Field(10_000, gt=0, le=32_000)
    api_key_env: str | None = None


Source = Annotated[
    LandingSource | FileSource | UrlSource | S3Source | SocrataSource | CkanSource,
    Field(discriminator="kind"),
]


# --------------------------------------------------------------------------------------------
# Format: how the bytes are parsed


class FileFormat(_Strict):
    """Parsing hints. ``ada ingest`` infers them; a publisher can correct them by hand."""

    type: Literal["csv", "json", "xlsx", "parquet"] = "csv"
    encoding: str = Field("utf-8", description="utf-8 (BOM tolerated), latin-1, cp1252 or auto")
    delimiter: str = Field(",", min_length=1, max_length=1)
    quote: str = Field('"', min_length=1, max_length=1)
    decimal: Literal[".", ","] = "."
    thousands: Literal["", ".", ",", " "] = ""
    header_row: int = Field(1, ge=1, description="1-based line of the header")
    sheet: str | None = Field(None, description="xlsx: sheet name (default: the first)")
    records_path: str | None = Field(None, description="json: dotted path to the record list")
    date_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d"])
    datetime_formats: list[str] = Field(
        default_factory=lambda: ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
    )
    null_values: list[str] = Field(
        default_factory=lambda: ["", "NA", "N/A", "NULL", "null", "Sin dato", "SIN DATO"]
    )

    @model_validator(mode="after")
    def _separators_differ(self) -> FileFormat:
        if self.decimal == self.thousands:
            raise ValueError("decimal and thousands separators must differ")
        return self


# --------------------------------------------------------------------------------------------
# Schema


ColumnType = Literal["string", "integer", "number", "boolean", "date", "datetime", "time"]


class Column(_Strict):
    """One column of the staging table."""

    name: str = Field(pattern=IDENTIFIER, description="column name in the lake (snake_case)")
    source: str | None = Field(None, description="header as written in the file, if different")
    type: ColumnType = "string"
    description: str = ""
    unit: str | None = None
    nullable: bool = True
    allowed_values: list[str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = Field(None, description="regular expression values must match")
    formats: list[str] | None = Field(None, description="date/datetime formats for this column")
    percent: bool = Field(False, description="values like '12,5%' become 0.125")
    true_values: list[str] = Field(default_factory=lambda: ["true", "1", "si", "sí", "s", "yes"])
    false_values: list[str] = Field(default_factory=lambda: ["false", "0", "no", "n"])

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


class Schema(_Strict):
    columns: list[Column] = Field(min_length=1)
    primary_key: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_are_unique_and_keys_exist(self) -> Schema:
        names = [c.name for c in self.columns]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"duplicated column names: {', '.join(duplicated)}")
        unknown = [k for k in self.primary_key if k not in names]
        if unknown:
            raise ValueError(f"primary_key names unknown columns: {', '.join(unknown)}")
        return self

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# --------------------------------------------------------------------------------------------
# Publication metadata (feeds the catalog, CKAN and DCAT-AP)


class Contact(_Strict):
    name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class TemporalCoverage(_Strict):
    start: dt.date | None = None
    end: dt.date | None = None


class Publication(_Strict):
    title: str = Field(min_length=3)
    description: str = Field(min_length=10)
    entidad: str = Field(description="district entity that publishes the data")
    dimension: Dimension
    license: str = "CC-BY-4.0"
    tags: list[str] = Field(default_factory=list)
    spatial: str = "Bogotá D.C."
    temporal: TemporalCoverage = Field(default_factory=TemporalCoverage)
    contact: Contact
    language: str = "es"
    documentation: str | None = None


# --------------------------------------------------------------------------------------------
# Partitioning and loading


class Partitioning(_Strict):
    """Daily partitions in America/Bogota for sources that deliver periodically."""

    type: Literal["daily"] = "daily"
    start: dt.date
    column: str | None = Field(None, description="column whose date must fall in the partition")


class DatasetSpec(_Strict):
    """Everything the platform knows about one dataset."""

    id: str = Field(pattern=IDENTIFIER, max_length=63)
    spec_version: int = Field(1, ge=1, description="bump on every change; stored with raw data")
    sector: Sector
    status: Literal["active", "draft", "retired"] = "active"
    publication: Publication
    source: Source = Field(default_factory=LandingSource)
    format: FileFormat = Field(default_factory=FileFormat)
    schema_: Schema = Field(alias="schema")
    load: Literal["snapshot", "append"] = Field(
        "snapshot",
        description="snapshot: the newest delivery is the table; append: every delivery adds up",
    )
    update_frequency: Frequency
    partitioning: Partitioning | None = None
    privacy: PrivacyPolicy = Field(
        default_factory=PrivacyPolicy, description="privacy policy (see docs/privacy.md)"
    )
    owners: list[str] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _privacy_names_schema_columns(self) -> DatasetSpec:
        policy = self.privacy
        named = set(policy.columns) | set(policy.quasi_identifiers) | set(policy.sensitive)
        unknown = sorted(named - {c.name for c in self.schema_.columns})
        if unknown:
            raise ValueError(f"privacy names columns that are not in the schema: {unknown}")
        return self

    @model_validator(mode="after")
    def _partition_column_exists(self) -> DatasetSpec:
        part = self.partitioning
        if part and part.column and part.column not in {c.name for c in self.schema_.columns}:
            raise ValueError(f"partitioning.column '{part.column}' is not a schema column")
        return self

    @property
    def key(self) -> str:
        """``<sector>/<id>``: how the dataset is addressed in the UI and on the command line."""
        return f"{self.sector.value}/{self.id}"

    @property
    def table_name(self) -> str:
        """Schema-qualified name of the dataset's table in a table zone."""
        return f"{self.sector.value}.{self.id}"

    @property
    def is_partitioned(self) -> bool:
        return self.partitioning is not None
