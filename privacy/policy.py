"""The privacy policy a dataset spec declares (its ``privacy:`` section), validated by pydantic.

It says, per column, which operator turns the staging value into what analysts and citizens may
see, and which columns are quasi-identifiers or sensitive attributes for the re-identification
gate. A column the spec does not mention is classified from its header and a sample of values;
one that looks personal blocks publication until the spec gives it a policy.

Example (``catalog/datasets/salud/notificaciones_salud.yaml``)::

    privacy:
      columns:
        nombre_paciente: {operator: drop}
        numero_documento: {operator: pseudonym, entity: CO_CEDULA}
        fecha_nacimiento: {operator: generalize, to: year}
        edad: {operator: generalize, to: band, size: 5}
        telefono: {operator: mask, visible: 2}
        direccion: {operator: generalize, to: grid, size: 10}
        eps: {operator: suppress}
      quasi_identifiers: [edad, sexo, localidad]
      sensitive: [evento]
      k: 5
      l: 2
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Operator = Literal["keep", "drop", "redact", "mask", "pseudonym", "generalize", "suppress"]
"""keep: as is (the spec vouches it is not personal); drop: the column is removed; redact:
personal spans in free text become typed placeholders (``<PERSONA>``...), a structured value
becomes its placeholder; mask: all but the last ``visible`` characters become ``*``; pseudonym:
keyed HMAC-SHA256 (secret ``ADA_PSEUDONYM_KEY``), stable across datasets; generalize: coarser
values (``to``); suppress: values seen fewer than ``min_count`` times (default: k) become null."""

Generalization = Literal["band", "month", "year", "grid", "decade"]
"""band: numbers to ``size``-wide bands (``20-24``); month/year: dates to ``2024-03``/``2024``;
decade: dates or years to ``1980-1989``; grid: a Bogotá grid address to its ``size``-street cell
(``Calle 40-49 x Carrera 10-19``), or coordinates rounded to a ``size``-degree cell."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnPolicy(_Strict):
    """What happens to one column on its way from staging to curated."""

    operator: Operator
    entity: str | None = Field(
        None,
        description="declared entity type (CO_CEDULA, PERSON...), overriding the classification",
    )
    visible: int = Field(4, ge=0, le=8, description="mask: trailing characters left visible")
    to: Generalization | None = Field(None, description="generalize: the coarser form")
    size: float | None = Field(None, gt=0, description="generalize: band width or grid cell")
    min_count: int | None = Field(None, ge=2, description="suppress: rarer values become null")

    @model_validator(mode="after")
    def _generalize_says_how(self) -> ColumnPolicy:
        if self.operator == "generalize" and self.to is None:
            raise ValueError("operator 'generalize' needs 'to' (band, month, year, decade, grid)")
        if self.operator != "generalize" and self.to is not None:
            raise ValueError(f"'to' only applies to operator 'generalize', not '{self.operator}'")
        return self


class PrivacyPolicy(_Strict):
    """A dataset's whole privacy section."""

    columns: dict[str, ColumnPolicy] = Field(default_factory=dict)
    quasi_identifiers: list[str] = Field(
        default_factory=list,
        description="columns that together could single someone out (age, sex, localidad...)",
    )
    sensitive: list[str] = Field(
        default_factory=list, description="attributes that need l-diversity (diagnosis...)"
    )
    k: int = Field(5, ge=2, description="minimum size of a group of identical quasi-identifiers")
    l: int = Field(2, ge=1, description="minimum distinct sensitive values per group")  # noqa: E741
    max_suppression: float = Field(
        0.05, ge=0, le=0.5, description="largest share of rows the gate may suppress"
    )

    @model_validator(mode="after")
    def _no_column_in_two_roles(self) -> PrivacyPolicy:
        both = set(self.quasi_identifiers) & set(self.sensitive)
        if both:
            raise ValueError(f"{sorted(both)} cannot be quasi-identifier and sensitive at once")
        dropped = {n for n, p in self.columns.items() if p.operator == "drop"}
        gated = (set(self.quasi_identifiers) | set(self.sensitive)) & dropped
        if gated:
            raise ValueError(f"{sorted(gated)} are dropped, so they cannot be gated")
        return self
