"""The shapes of the actions' answers, for the OpenAPI document (``/api/openapi.json``).

Handlers return plain dicts serialized by orjson (no validation on the way out: a 10,000-record
catalog would pay for it on every search); these types only describe them, so that clients and
schemathesis know what to expect. Records are :mod:`catalog.records`' own types, so the
document cannot drift from what the catalog stores.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field, create_model
from typing_extensions import TypedDict

from catalog.records import Group, Organization, Package, Tag


class FacetItem(TypedDict):
    name: str
    display_name: str
    count: int


class SearchFacet(TypedDict):
    title: str
    items: list[FacetItem]


class PackageSearchResult(TypedDict):
    count: int
    results: list[Package]
    facets: dict[str, dict[str, int]]
    search_facets: dict[str, SearchFacet]
    sort: str


class OrganizationItem(Organization):
    """An organization as ``organization_list(all_fields=True)`` lists it."""

    display_name: str
    image_display_url: str
    package_count: NotRequired[int]


class OrganizationDetail(OrganizationItem):
    packages: NotRequired[list[Package]]


class GroupItem(Group):
    package_count: NotRequired[int]


class LicenseItem(TypedDict):
    id: str
    title: str
    url: str
    status: str
    maintainer: str
    family: str
    od_conformance: str
    osd_conformance: str
    is_generic: bool
    is_okd_compliant: bool
    is_osi_compliant: bool
    domain_content: bool
    domain_data: bool
    domain_software: bool


class StatusResult(TypedDict):
    site_title: str
    site_description: str
    site_url: str
    ckan_version: str
    locale_default: str
    extensions: list[str]
    catalog_version: int
    datasets: int


class DatastoreField(TypedDict):
    id: str
    type: str


class DatastoreLinks(TypedDict):
    start: str
    next: str


class DatastoreResult(TypedDict):
    resource_id: str
    fields: list[DatastoreField]
    records: list[dict[str, Any]]
    records_format: str
    limit: int
    offset: int
    include_total: bool
    _links: DatastoreLinks
    total: NotRequired[int]
    total_was_estimated: NotRequired[bool]
    filters: NotRequired[dict[str, Any]]
    q: NotRequired[str | dict[str, str]]
    sort: NotRequired[str]


class ErrorDetail(BaseModel):
    """CKAN's error: its type, a message in Spanish and, for validation errors, the messages
    per parameter (extra keys)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: Literal[
        "Not Found Error",
        "Validation Error",
        "Search Query Error",
        "Authorization Error",
        "Bad request",
    ] = Field(alias="__type")
    message: str


class ErrorResponse(BaseModel):
    help: str
    success: Literal[False]
    error: ErrorDetail


def success_model(action: str, result: Any) -> type[BaseModel]:
    """``{"help", "success": true, "result": <result>}`` as a named model for the document."""
    title = "".join(part.capitalize() for part in action.split("_"))
    return create_model(
        f"{title}Response",
        help=(str, Field(description="URL de la ayuda de la acción (help_show).")),
        success=(Literal[True], ...),
        result=(result, ...),
    )


ORGANIZATION_LIST = list[str] | list[OrganizationItem]
GROUP_LIST = list[str] | list[GroupItem]
TAG_LIST = list[str] | list[Tag]
