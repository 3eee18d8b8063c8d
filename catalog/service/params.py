"""The parameters of each CKAN action, as CKAN clients send them.

The same model reads a GET query string and a POST JSON body (``ckanapi`` POSTs by default,
harvesters and browsers GET). Values arrive as CKAN accepts them: ``"10"`` or ``10`` for a
number, ``"true"`` or ``true`` for a flag, and a list either repeated in the query string
(``facet.field=tags&facet.field=groups``), JSON-encoded in one value
(``facet.field=["tags","groups"]``) or as a JSON list in a body. Unknown parameters are
ignored, as CKAN does. ``datastore_search`` has a GET model and a POST model, because its
``filters`` and ``q`` are JSON objects inside a query string but plain objects in a body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_origin

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from catalog.search.fields import KEYWORD_FIELDS, SORT_FIELDS
from catalog.search.index import DEFAULT_FACET_LIMIT, MAX_ROWS
from catalog.service import limits
from catalog.service.ckan import BadRequest, ValidationFailed

#: CKAN's ``ckan.datastore.search.rows_default`` and ``rows_max``.
DATASTORE_DEFAULT_LIMIT = 100
DATASTORE_MAX_LIMIT = 32_000


_TRUE = ("true", "True", "1", "yes")
_FALSE = ("false", "False", "0", "no")


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("Debe ser true o false.")


#: A flag as CKAN clients send it: a JSON boolean, or text (``requests`` writes ``True``).
Flag = Annotated[
    bool,
    BeforeValidator(_flag),
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "string", "enum": [*_TRUE, *_FALSE]}]}),
]


@dataclass(frozen=True)
class _Whole:
    """An integer as CKAN takes it: a JSON integer or its digits as text (``rows=20`` in a
    query string), never a flag nor a fraction, at least ``minimum`` and with at most
    ``digits`` digits. :meth:`schema` tells the OpenAPI document exactly that."""

    minimum: int
    digits: int | None = None

    @property
    def maximum(self) -> int | None:
        return 10**self.digits - 1 if self.digits else None

    @property
    def pattern(self) -> str:
        count = f"{{1,{self.digits}}}" if self.digits else "+"
        negative = f"-[1-{-self.minimum}]|" if self.minimum < 0 else ""
        return f"^({negative}[0-9]{count})$"

    def check(self, value: Any) -> int:
        if isinstance(value, str) and re.match(self.pattern, value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("Debe ser un número entero.")
        if value < self.minimum:
            raise ValueError(f"Debe ser mayor o igual a {self.minimum}.")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"Debe ser menor o igual a {self.maximum}.")
        return value

    def schema(self) -> dict[str, Any]:
        bounds: dict[str, int] = {"minimum": self.minimum}
        if self.maximum is not None:
            bounds["maximum"] = self.maximum
        text = {"type": "string", "pattern": self.pattern}
        return {"anyOf": [{"type": "integer", **bounds}, text]}


_NATURAL = _Whole(0)
#: Where a page starts: bounded so that numpy and DuckDB can always index with it.
_OFFSET = _Whole(0, digits=9)
_FACET_LIMIT = _Whole(-1)
Natural = Annotated[int, BeforeValidator(_NATURAL.check), WithJsonSchema(_NATURAL.schema())]
Offset = Annotated[int, BeforeValidator(_OFFSET.check), WithJsonSchema(_OFFSET.schema())]
FacetLimit = Annotated[
    int, BeforeValidator(_FACET_LIMIT.check), WithJsonSchema(_FACET_LIMIT.schema())
]


class ActionParams(BaseModel):
    """Unknown parameters are ignored; names with dots (``facet.field``) are aliases."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class NoParams(ActionParams):
    pass


def json_list(value: Any, name: str) -> list[str]:
    """A list parameter as CKAN takes it: a list, repeated values, or a JSON-encoded list."""
    values = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in values:
        if isinstance(item, str) and item.strip().startswith("["):
            try:
                decoded = limits.loads(item)
            except limits.TooDeep:
                raise ValueError(limits.too_deep_message()) from None
            except orjson.JSONDecodeError:
                raise ValueError(
                    f'{name} no es una lista JSON válida; p. ej. ["tags", "groups"]'
                ) from None
            if not isinstance(decoded, list) or not all(isinstance(v, str) for v in decoded):
                raise ValueError(f"{name} debe ser una lista de textos")
            found.extend(decoded)
        elif isinstance(item, str):
            found.extend(part.strip() for part in item.split(",") if part.strip())
        else:
            raise ValueError(f"{name} debe ser una lista de textos")
    return found


#: A facet field: any keyword field of the search index (others are a Search Query Error).
FacetField = Annotated[str, WithJsonSchema({"type": "string", "enum": list(KEYWORD_FIELDS)})]
_SORT_KEY = rf"({'|'.join(SORT_FIELDS)})\s+([aA][sS][cC]|[dD][eE][sS][cC])"
#: ``sort``'s form, for the OpenAPI document (the search library is what checks it).
_SORT_PATTERN = rf"^\s*({_SORT_KEY}\s*(,\s*{_SORT_KEY}\s*)*)?$"  # empty: the default


class PackageSearchParams(ActionParams):
    q: str | None = Field(
        None,
        description="Búsqueda en texto (sintaxis de Solr/CKAN): palabras, frases entre "
        'comillas, campo:valor, AND/OR/NOT. Vacío o "*:*" devuelve todo.',
        examples=["movilidad bogota"],
    )
    fq: str | None = Field(
        None,
        description="Filtros con la misma sintaxis, que no afectan la relevancia.",
        examples=['groups:salud res_format:"CSV"'],
    )
    facet_field: list[FacetField] = Field(
        default_factory=list,
        alias="facet.field",
        description="Campos de facetas: lista JSON, valores repetidos o separados por comas "
        "(organization, groups, tags, res_format, license_id, sector, dimension, "
        "frequency, quality_level...).",
        examples=[["organization", "groups", "tags"]],
    )
    facet_limit: FacetLimit = Field(
        DEFAULT_FACET_LIMIT,
        alias="facet.limit",
        description="Valores por faceta; -1 todos, 0 ninguno.",
    )
    facet: Flag = Field(True, description="false no calcula facetas.")
    rows: Natural = Field(10, description=f"Resultados por página (máximo {MAX_ROWS}).")
    start: Offset = Field(0, description="Resultados que se saltan.")
    sort: str | None = Field(
        None,
        description="Orden: campo asc|desc separados por comas (score, metadata_modified, "
        "metadata_created, title_string, name, downloads, quality_score).",
        examples=["score desc, metadata_modified desc"],
        json_schema_extra={"pattern": _SORT_PATTERN},
    )
    include_private: Flag = Field(False, description="Se acepta y se ignora: todo es público.")
    include_drafts: Flag = Field(False, description="Se acepta y se ignora.")

    @field_validator("facet_field", mode="before")
    @classmethod
    def _facet_fields(cls, value: Any) -> list[str]:
        return json_list(value, "facet.field")


class IdParams(ActionParams):
    id: str = Field(min_length=1, description="Nombre o identificador (UUID).")


class PackageShowParams(IdParams):
    use_default_schema: Flag = Field(False, description="Se acepta y se ignora.")
    include_tracking: Flag = Field(False, description="Se acepta y se ignora.")


class ResourceShowParams(ActionParams):
    id: str = Field(min_length=1, description="Identificador del recurso (UUID).")


class PackageListParams(ActionParams):
    limit: Natural | None = Field(None, description="Máximo de nombres.")
    offset: Offset = Field(0, description="Nombres que se saltan.")


class GroupListParams(ActionParams):
    """``organization_list`` and ``group_list``."""

    all_fields: Flag = Field(False, description="Devuelve objetos completos, no solo nombres.")
    sort: str = Field(
        "title asc",
        description="name, title o package_count, con asc o desc.",
        pattern=r"^\s*(name|title|package_count)(\s+(asc|desc))?\s*$",
    )
    limit: Natural | None = Field(None, description="Máximo de elementos.")
    offset: Offset = Field(0, description="Elementos que se saltan.")
    include_dataset_count: Flag = Field(True, description="Incluye package_count (all_fields).")


class OrganizationShowParams(IdParams):
    include_datasets: Flag = Field(False, description="Incluye sus conjuntos (hasta 1000).")


class TagListParams(ActionParams):
    query: str | None = Field(None, description="Solo etiquetas que contienen este texto.")
    all_fields: Flag = Field(False, description="Devuelve objetos completos, no solo nombres.")


class HelpShowParams(ActionParams):
    name: str = Field(min_length=1, description="Nombre de la acción.")


# ---------------------------------------------------------------------------- datastore_search


@dataclass(frozen=True)
class DatastoreRequest:
    """A ``datastore_search`` call once its parameters are decoded (GET or POST)."""

    resource_id: str
    filters: dict[str, Any]
    q: str | dict[str, str] | None
    fields: list[str] | None
    sort: str | None
    limit: int
    offset: int
    include_total: bool


_LIMIT_HELP = f"Filas (por omisión {DATASTORE_DEFAULT_LIMIT}, máximo {DATASTORE_MAX_LIMIT})."


class _DatastoreCommon(ActionParams):
    resource_id: str = Field(min_length=1, description="Recurso con datastore_active.")
    sort: str | None = Field(
        None, description="Columnas con asc|desc separadas por comas.", examples=["fecha desc"]
    )
    limit: Natural = Field(DATASTORE_DEFAULT_LIMIT, description=_LIMIT_HELP)
    offset: Offset = Field(0, description="Filas que se saltan.")
    include_total: Flag = Field(True, description="Cuenta el total de filas que coinciden.")
    records_format: Literal["objects"] = Field(
        "objects", description="Solo objects (una fila = un objeto)."
    )

    def _request(
        self, filters: dict[str, Any], q: str | dict[str, str] | None, fields: list[str] | None
    ) -> DatastoreRequest:
        return DatastoreRequest(
            resource_id=self.resource_id,
            filters=filters,
            q=q,
            fields=fields,
            sort=self.sort,
            limit=min(self.limit, DATASTORE_MAX_LIMIT),
            offset=self.offset,
            include_total=self.include_total,
        )


class DatastoreSearchQuery(_DatastoreCommon):
    """``datastore_search`` by GET: objects and lists arrive JSON-encoded."""

    filters: str | None = Field(
        None,
        description="Objeto JSON columna → valor o lista de valores.",
        examples=['{"localidad": ["Kennedy", "Bosa"]}'],
    )
    q: str | None = Field(
        None,
        description="Texto en todas las columnas de texto, u objeto JSON columna → texto.",
        examples=["dengue"],
    )
    fields: list[str] = Field(
        default_factory=list,
        description="Columnas: repetidas, separadas por comas o como lista JSON.",
        examples=[["fecha", "valor"]],
    )

    def request(self) -> DatastoreRequest:
        q: str | dict[str, str] | None = self.q
        if self.q is not None and self.q.strip().startswith("{"):
            q = _text_object(_decode_json(self.q, "q"), "q")
        filters = _filters_object(_decode_json(self.filters, "filters")) if self.filters else {}
        return self._request(filters, q, _fields(self.fields))


class DatastoreSearchBody(_DatastoreCommon):
    """``datastore_search`` by POST (what ``ckanapi`` sends): a JSON body."""

    filters: dict[str, Any] | str | None = Field(
        None, description="Columna → valor o lista de valores (o el mismo objeto como texto JSON)."
    )
    q: str | dict[str, str] | None = Field(
        None, description="Texto en todas las columnas de texto, u objeto columna → texto."
    )
    fields: list[str] | str | None = Field(
        None, description="Lista de columnas, o texto separado por comas."
    )

    def request(self) -> DatastoreRequest:
        filters = self.filters
        if isinstance(filters, str):
            filters = _decode_json(filters, "filters") if filters.strip() else {}
        q = self.q
        if isinstance(q, str) and q.strip().startswith("{"):
            q = _text_object(_decode_json(q, "q"), "q")
        return self._request(_filters_object(filters or {}), q, _fields(self.fields))


def _decode_json(text: str | None, name: str) -> Any:
    """JSON inside a query string, decoded as a POST body is (orjson: integers beyond 64 bits
    become floats, so GET and POST answer alike)."""
    if text is None:
        return None
    try:
        return limits.loads(text)
    except limits.TooDeep:
        message = limits.too_deep_message()
        raise ValidationFailed(message, {name: [message]}) from None
    except orjson.JSONDecodeError:
        raise ValidationFailed(
            f"{name} no es JSON válido.", {name: ["Debe ser un objeto JSON."]}
        ) from None


def _filters_object(value: Any) -> dict[str, Any]:
    """Column → a scalar or a list of scalars (an object or list inside is refused)."""
    if not isinstance(value, dict):
        raise ValidationFailed(
            "filters debe ser un objeto columna → valor.", {"filters": ["Debe ser un objeto."]}
        )
    for column, wanted in value.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values or any(isinstance(v, dict | list) for v in values):
            raise ValidationFailed(
                f"El filtro de «{column}» debe ser un valor o una lista de valores.",
                {"filters": [f"Valor no válido para «{column}»."]},
            )
    return value


def _text_object(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValidationFailed(
            f"{name} debe ser un texto o un objeto columna → texto.",
            {name: ["Debe ser un texto o un objeto columna → texto."]},
        )
    return value


def _fields(value: list[str] | str | None) -> list[str] | None:
    if value is None or value == "" or value == []:
        return None
    try:
        return json_list(value, "fields")
    except ValueError as err:
        raise ValidationFailed(str(err), {"fields": [str(err)]}) from None


# ------------------------------------------------------------------------ reading a request
#
# FastAPI can read these models itself (``Annotated[Model, Query()]``), but measured on
# ``package_search`` its dependency machinery cost as much as the search over 1,000 datasets.
# Reading the query string or body here and validating once with pydantic does the same work
# in microseconds; the OpenAPI document gets the same description from the same models
# (:func:`query_parameters`, :func:`request_body`).


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(get_origin(arg) is list for arg in get_args(annotation))


@cache
def _list_names(model: type[ActionParams]) -> frozenset[str]:
    """Query names (aliases and field names) whose repeated values make a list."""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        if _is_list(info.annotation):
            names.update({name, info.alias or name})
    return frozenset(names)


def query_values(items: Iterable[tuple[str, str]], model: type[ActionParams]) -> dict[str, Any]:
    """A query string as the model reads it: repeated list parameters collected, any other
    parameter's last value kept (as FastAPI does)."""
    lists = _list_names(model)
    data: dict[str, Any] = {}
    for key, value in items:
        if key in lists:
            data.setdefault(key, []).append(value)
        else:
            data[key] = value
    return data


def body_values(raw: bytes) -> dict[str, Any]:
    """A POST body: empty means no parameters; anything but a JSON object is refused."""
    if not raw.strip():
        return {}
    try:
        data = limits.loads(raw)
    except limits.TooDeep:
        raise BadRequest(limits.too_deep_message()) from None
    except orjson.JSONDecodeError:
        raise BadRequest("El cuerpo de la petición no es JSON válido.") from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            "El cuerpo debe ser un objeto JSON.", {"body": ["Debe ser un objeto JSON."]}
        )
    return data


def query_parameters(model: type[ActionParams]) -> list[dict[str, Any]]:
    """The model's fields as OpenAPI query parameters (names as clients send them)."""
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        described = {k: v for k, v in prop.items() if k not in ("title", "description")}
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": described,
        }
        if prop.get("description"):
            parameter["description"] = prop["description"]
        parameters.append(parameter)
    return parameters


def request_body(model: type[ActionParams], *, required: bool = False) -> dict[str, Any]:
    """The model as a JSON request body (optional: CKAN accepts an empty one where every
    parameter has a default)."""
    return {
        "required": required,
        "content": {"application/json": {"schema": model.model_json_schema(by_alias=True)}},
    }
