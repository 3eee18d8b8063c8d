"""Small builders shared by tests (specs and files written on the fly)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from catalog.catalog_info import CatalogInfo
from catalog.specs import DatasetSpec

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
#: The official standards (DCAT-AP SHACL shapes) beside the checkout; ADA_STANDARDS overrides.
STANDARDS = Path(os.environ.get("ADA_STANDARDS", REPO.parent / "shared" / "standards"))
BASE_URL = "http://127.0.0.1:8080"

PUBLICATION: dict[str, Any] = {
    "title": "Conjunto de prueba",
    "description": "Un conjunto de datos creado por una prueba automática.",
    "entidad": "Agencia Analítica de Datos",
    "dimension": "Gobernanza",
    "contact": {"name": "Equipo de datos", "email": "datos@ada.gov.co"},
}


def make_spec(**overrides: Any) -> DatasetSpec:
    """A valid spec with a landing source; keyword arguments replace top-level fields."""
    data: dict[str, Any] = {
        "id": "prueba",
        "sector": "gobierno",
        "publication": PUBLICATION,
        "source": {"kind": "landing"},
        "format": {"type": "csv"},
        "schema": {"columns": [{"name": "id", "type": "integer"}]},
        "update_frequency": "diaria",
    }
    data.update(overrides)
    return DatasetSpec.model_validate(data)


def write_spec(folder: Path, spec: DatasetSpec) -> Path:
    import yaml

    path = folder / spec.sector.value / f"{spec.id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = spec.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def make_catalog_info(**overrides: Any) -> CatalogInfo:
    """The catalog description the serializer tests use; keyword arguments replace fields."""
    fields: dict[str, Any] = {
        "title": "Datos Abiertos Bogotá",
        "description": "Catálogo de datos abiertos del Distrito, publicado por la Agencia "
        "Analítica de Datos.",
        "publisher_name": "Agencia Analítica de Datos",
        "publisher_url": "https://agenciaanaliticadatos.gov.co",
        "publisher_email": "datos@ada.gov.co",
        "homepage": f"{BASE_URL}/",
        "base_url": BASE_URL,
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "issued": dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC),
    }
    fields.update(overrides)
    return CatalogInfo(**fields)
