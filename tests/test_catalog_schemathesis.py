"""Schemathesis over the catalog's OpenAPI document, against a real ``ada serve`` process.

Every operation of ``/api/openapi.json`` gets generated requests (its examples, the coverage
phase's edge values, then Hypothesis' fuzzing) and every answer is checked: no 5xx, status,
content type, headers and body as the document says, valid-looking requests accepted (with
the answers ``schemathesis.toml`` names: 400 for an unparseable search, 404 for an unknown id,
409 for an unknown column, 403 for a writing action without a token). The catalog is realistic:
a real dataset with its curated table, release and quality report, plus synthetic ones.

Bounded for CI: :data:`MAX_EXAMPLES` per operation, and only the versioned prefix (the
unversioned ``/api/action/`` routes are the same endpoints, checked by the other tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from catalog.registry import load_registry
from catalog.store import CatalogStore, refresh_catalog
from expectations.assessment import report_key as quality_key
from lake import reports
from tests.fixtures.packages import synthetic_packages
from tests.fixtures.service import (
    REPO,
    ServiceProcess,
    isolated_env,
    publish_siniestros,
    settings_of,
    siniestros_rows,
)

REAL = "siniestros_viales_sdm"
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    home: Path = tmp_path_factory.mktemp("schemathesis") / "ada-home"
    env = isolated_env(home)
    settings = settings_of(env)
    spec = load_registry(settings.datasets_dir).get(REAL)
    assert spec is not None
    manifest, _ = publish_siniestros(settings, spec, siniestros_rows())
    quality = {"generated_at": "2025-06-01T09:00:00+00:00", "puntaje": 8.4, "sello": "plata"}
    reports.write_report(settings, quality_key(spec), quality, "r1")
    with ServiceProcess(env) as service:
        refresh_catalog(settings, service.url)
        store = CatalogStore.open(settings)
        try:
            real = store.snapshot()[1]
            store.write_catalog([*real, *synthetic_packages(60, service.url)], {REAL: [manifest]})
        finally:
            store.close()
        for _ in range(300):
            answer = httpx.get(f"{service.url}/api/3/action/package_list").json()
            if len(answer["result"]) == 61:
                break
        yield service


def _schema() -> Any:
    """The document the service serves, built from the app itself at collection time (so
    pytest can name one test per operation); the served copy is checked to be the same.
    ``schemathesis.pytest.from_fixture`` would load it from the server instead, but it does
    not work under pytest 9 (it sets a node attribute pytest no longer has)."""
    from catalog.service.app import create_app
    from catalog.service.config import ServiceConfig

    document = create_app(config=ServiceConfig()).openapi()
    config = schemathesis.Config.from_path(REPO / "schemathesis.toml")
    loaded = schemathesis.openapi.from_dict(document, config=config)
    return loaded.exclude(path_regex=r"^/api/action/")


schema = _schema()


def test_the_served_document_is_the_one_tested(served: ServiceProcess) -> None:
    served_document = httpx.get(f"{served.url}/api/openapi.json").json()
    assert served_document == schema.raw_schema


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_conforms_to_the_openapi_document(
    case: Any, served: ServiceProcess
) -> None:
    case.call_and_validate(base_url=served.url, timeout=60)
