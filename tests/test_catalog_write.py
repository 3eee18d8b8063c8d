"""The catalog's write side as its clients see it: a real ``ada serve`` process, tokens made by
``ada token create``, ``ckanapi.RemoteCKAN(url, apikey=token)`` and raw HTTP.

The installation holds three real specs in the catalog: ``siniestros_viales_sdm`` with two
releases written by the real publisher (for withdrawals), ``covid19_casos_osb`` (edits and
republications) and ``calidad_aire_rmcab`` (partitioned by day). Each test makes its own
changes and reads back only what it made, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckanapi
import dagster as dg
import httpx
import pyarrow as pa
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from ada.settings import Settings, load_settings
from catalog.publication import publish_table
from catalog.registry import load_registry
from catalog.store import CatalogStore, refresh_catalog
from catalog.store import schema as store_schema
from catalog.store.access import create_token, revoke_token
from catalog.store.editing import get_request
from tests.fixtures.releases import release_manifest, write_release
from tests.fixtures.service import REPO, ServiceProcess, isolated_env, settings_of

WITHDRAWN = "siniestros_viales_sdm"
EDITED = "covid19_casos_osb"
DAILY = "calidad_aire_rmcab"
ACTIONS = ("package_patch", "ada_dataset_republish", "ada_release_withdraw", "ada_audit_log_list")
PREFIXES = ("/api/3/action", "/api/action")
#: A valid body per action (the withdrawal names a version that is never there, so a test that
#: is let through by mistake changes nothing).
BODIES: dict[str, dict[str, Any]] = {
    "package_patch": {"id": EDITED, "maintainer": "Observatorio de Salud"},
    "ada_dataset_republish": {"id": EDITED},
    "ada_release_withdraw": {"id": WITHDRAWN, "version": "v99", "reason": "Revisión de la fuente"},
    "ada_audit_log_list": {"limit": 5},
}


def _rows(count: int) -> pa.Table:
    """Rows without personal data (the publisher's leak canary would refuse addresses)."""
    return pa.table(
        {
            "codigo_accidente": [f"A{i:05d}" for i in range(count)],
            "gravedad": ["CON HERIDOS" if i % 3 else "SOLO DANOS" for i in range(count)],
            "localidad": ["Kennedy" if i % 2 else "Bosa" for i in range(count)],
            "hora": [i % 24 for i in range(count)],
        }
    )


def _cli_token(env: dict[str, str], name: str, role: str) -> str:
    """``ada token create``: the token alone on stdout, the rest on stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "ada", "token", "create", "--name", name, "--role", role],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    token = done.stdout.strip()
    assert token.startswith("ada_") and len(token) == 47 and "\n" not in token
    assert token not in done.stderr
    return token


@dataclass
class Installation:
    settings: Settings
    env: dict[str, str]
    service: ServiceProcess
    tokens: dict[str, str]
    #: Every answer the tests got, to check that no token came back in one.
    answers: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.service.url

    def post(
        self, action: str, body: Any, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": token} if token is not None else {}
        headers.update(kwargs.pop("headers", {}))
        answer = httpx.post(
            f"{self.url}/api/3/action/{action}", json=body, headers=headers, timeout=120, **kwargs
        )
        self.answers.append(answer.text)
        return answer

    def ckan(self, role: str | None) -> ckanapi.RemoteCKAN:
        return ckanapi.RemoteCKAN(self.url, apikey=self.tokens[role] if role else None)

    def store(self) -> CatalogStore:
        return CatalogStore.open(self.settings)

    def audit(self, request_id: str) -> list[dict[str, Any]]:
        table = store_schema.audit_log
        store = self.store()
        try:
            with store.engine.connect() as connection:
                rows = connection.execute(
                    sa.select(table).where(table.c.request_id == request_id).order_by(table.c.id)
                ).mappings()
                return [dict(row) for row in rows]
        finally:
            store.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    env = isolated_env(tmp_path_factory.mktemp("write") / "ada-home")
    settings = settings_of(env)
    registry = load_registry(settings.datasets_dir)
    withdrawn = registry.get(WITHDRAWN)
    source = f"curated.conformado.{WITHDRAWN}"
    assert publish_table(settings, withdrawn, _rows(10), source_table=source).is_new
    assert publish_table(settings, withdrawn, _rows(14), source_table=source).release.version == 2
    for name in (EDITED, DAILY):
        spec = registry.get(name)
        write_release(settings, spec, release_manifest(spec, "v1", "2025-05-01T10:00:00Z"))
    tokens = {"admin": _cli_token(env, "ana.admin", "admin")}
    store = CatalogStore.open(settings)
    try:
        tokens["editor"] = create_token(store, "eduardo", "editor")
        tokens["revoked"] = create_token(store, "antiguo", "admin")
        assert revoke_token(store, "antiguo")
    finally:
        store.close()
    tokens["invalid"] = "ada_" + "x" * 43
    with ServiceProcess(env, refresh=True, debug=True) as service:
        yield Installation(settings, env, service, tokens)


# ------------------------------------------------------------------------------ authorization

CREDENTIALS = ["none", "invalid", "revoked"]


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_write_action_needs_a_valid_token(
    site: Installation, action: str, credential: str
) -> None:
    token = None if credential == "none" else site.tokens[credential]
    answer = site.post(action, BODIES[action], token)
    assert answer.status_code == 403
    body = answer.json()
    assert body["success"] is False and body["error"]["__type"] == "Authorization Error"
    assert body["help"] == f"{site.url}/api/3/action/help_show?name={action}"
    with pytest.raises(ckanapi.NotAuthorized):
        site.ckan(None if credential == "none" else credential).call_action(action, BODIES[action])
    (row,) = site.audit(answer.headers["x-request-id"])
    assert (row["outcome"], row["status"], row["action"]) == ("refused", 403, action)
    assert row["token_name"] is None and row["before"] is None and row["after"] is None


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("editor", "package_patch", True),
        ("editor", "ada_dataset_republish", True),
        ("editor", "ada_release_withdraw", False),
        ("editor", "ada_audit_log_list", False),
        ("admin", "package_patch", True),
        ("admin", "ada_dataset_republish", True),
        ("admin", "ada_audit_log_list", True),
    ],
)
def test_roles(site: Installation, role: str, action: str, allowed: bool) -> None:
    answer = site.post(action, BODIES[action], site.tokens[role])
    assert answer.status_code == (200 if allowed else 403)
    if not allowed:
        assert answer.json()["error"]["__type"] == "Authorization Error"
        (row,) = site.audit(answer.headers["x-request-id"])
        assert (row["token_name"], row["role"], row["outcome"]) == (
            {"editor": "eduardo", "admin": "ana.admin"}[role],
            role,
            "refused",
        )


def test_the_token_is_taken_from_either_header(site: Installation) -> None:
    patch = {"id": EDITED, "maintainer": "Observatorio de Salud"}
    for headers in (
        {"X-CKAN-API-Key": site.tokens["editor"]},
        {"Authorization": f"Bearer {site.tokens['editor']}"},
    ):
        assert site.post("package_patch", patch, headers=headers).status_code == 200


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("action", ACTIONS)
def test_writes_are_post_only(site: Installation, prefix: str, action: str) -> None:
    url = f"{site.url}{prefix}/{action}"
    answer = httpx.get(url, params={"id": EDITED}, headers={"Authorization": site.tokens["admin"]})
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert answer.json()["error"]["__type"] == "Bad request"
    other = httpx.put(url, json={}, headers={"Authorization": site.tokens["admin"]})
    assert other.status_code == 405 and other.headers["allow"] == "POST"
    with pytest.raises(ckanapi.CKANAPIError):
        ckanapi.RemoteCKAN(site.url, apikey=site.tokens["admin"], get_only=True).call_action(
            action, {"id": EDITED}
        )


# ------------------------------------------------------------------------------ bad requests


PATCH, REPUBLISH, WITHDRAW = ACTIONS[:3]
REASON = "Revisión de la fuente"
KINDS = {409: "Validation Error", 404: "Not Found Error"}


@pytest.mark.parametrize(
    ("action", "body", "status", "field"),
    [
        (PATCH, {"id": EDITED, "title": "x"}, 409, "title"),
        (PATCH, {"id": EDITED, "license_id": "CC0-1.0"}, 409, "license_id"),
        (PATCH, {"id": EDITED}, 409, "body"),
        (PATCH, {"id": EDITED, "tags": "salud"}, 409, "tags"),
        (PATCH, {"id": EDITED, "tags": ["a,b", "A,B"]}, 409, "tags"),
        (PATCH, {"id": EDITED, "maintainer_email": "no-es-correo"}, 409, "maintainer_email"),
        (PATCH, {"id": EDITED, "url": "javascript:alert(1)"}, 409, "url"),
        (PATCH, {"title": "Sin id"}, 409, "id"),
        (PATCH, {"id": "no_existe", "title": "Algo nuevo"}, 404, None),
        (REPUBLISH, {"id": EDITED, "partition": "2025-06-01"}, 409, "partition"),
        (REPUBLISH, {"id": DAILY}, 409, "partition"),
        (REPUBLISH, {"id": DAILY, "partition": "2999-01-01"}, 409, "partition"),
        (REPUBLISH, {"id": DAILY, "partition": "ayer"}, 409, "partition"),
        (REPUBLISH, {"id": "no_existe"}, 404, None),
        (WITHDRAW, {"id": WITHDRAWN, "version": "v99", "reason": REASON}, 404, None),
        (WITHDRAW, {"id": WITHDRAWN, "version": "v1", "reason": "corto"}, 409, "reason"),
        (WITHDRAW, {"id": WITHDRAWN, "version": "tres", "reason": REASON}, 409, "version"),
        (WITHDRAW, {"id": "no_existe", "version": "v1", "reason": REASON}, 404, None),
        ("ada_audit_log_list", {"limit": -1}, 409, "limit"),
    ],
)
def test_bad_input_and_unknown_datasets(
    site: Installation, action: str, body: dict[str, Any], status: int, field: str | None
) -> None:
    answer = site.post(action, body, site.tokens["admin"])
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["__type"] == KINDS[status] and error["message"]
    if field is not None:
        assert error[field], error
    expected = ckanapi.ValidationError if status == 409 else ckanapi.NotFound
    with pytest.raises(expected):
        site.ckan("admin").call_action(action, body)
    (row,) = site.audit(answer.headers["x-request-id"])
    assert row["outcome"] == ("invalid" if status == 409 else "not_found")
    assert (row["token_name"], row["status"]) == ("ana.admin", status)


def test_a_body_that_is_not_json_is_a_bad_request(site: Installation) -> None:
    answer = site.post("package_patch", None, site.tokens["editor"], content=b"{no es json")
    assert answer.status_code == 400 and answer.json()["error"]["__type"] == "Bad request"
    (row,) = site.audit(answer.headers["x-request-id"])
    assert (row["outcome"], row["token_name"]) == ("invalid", "eduardo")


# ------------------------------------------------------------------------------------ edits


def test_an_edit_shows_at_once_and_survives_a_refresh(site: Installation) -> None:
    editor = site.ckan("editor")
    before = editor.action.package_show(id=EDITED)
    title = f"Casos de COVID-19 en Bogotá ({uuid.uuid4().hex[:6]})"
    patched = editor.action.package_patch(
        id=before["id"],  # the UUID works as the name does
        title=title,
        notes="Casos confirmados de COVID-19 reportados en Bogotá, por localidad y edad.",
        tags=[{"name": "salud pública"}, {"name": "pandemia"}],
        maintainer_email="observatorio@saludcapital.gov.co",
        url="https://saludata.saludcapital.gov.co/covid",
    )
    assert patched["title"] == title and patched["url"].endswith("/covid")
    assert [t["name"] for t in patched["tags"]] == ["salud pública", "pandemia"]
    assert patched["metadata_modified"] > before["metadata_modified"]  # harvesters see it
    shown = site.ckan(None).action.package_show(id=EDITED)
    assert shown["title"] == title
    assert shown["resources"][0]["description"].startswith(title)  # built from the edit
    found = site.ckan(None).action.package_search(q=title.split("(")[1].rstrip(")"))
    assert [p["name"] for p in found["results"]] == [EDITED]

    # The pipeline's refresh (the Dagster catalog asset) keeps the edit.
    refresh_catalog(site.settings, site.url)
    assert site.ckan(None).action.package_show(id=EDITED)["title"] == title
    page = httpx.get(f"{site.url}/dataset/{EDITED}", headers={"accept": "text/html"})
    assert BeautifulSoup(page.text, "html.parser").h1.get_text(strip=True) == title

    # null gives the field back to the spec; the rest of the edit stays.
    spec_title = load_registry(site.settings.datasets_dir).get(EDITED).publication.title
    reset = editor.action.package_patch(id=EDITED, title=None)
    assert reset["title"] == spec_title and reset["url"].endswith("/covid")


def test_the_audit_row_of_an_edit_says_who_what_when_before_and_after(
    site: Installation,
) -> None:
    shown = site.ckan(None).action.package_show(id=EDITED)
    answer = site.post(
        "package_patch",
        {"id": EDITED, "maintainer": "Secretaría de Salud - Vigilancia"},
        site.tokens["editor"],
        headers={"X-Request-ID": f"prueba-{uuid.uuid4().hex}"},
    )
    assert answer.status_code == 200
    request = answer.headers["x-request-id"]
    assert request.startswith("prueba-")  # a proxy's request id is kept
    (row,) = site.audit(request)
    assert (row["token_name"], row["role"], row["action"], row["target"]) == (
        "eduardo",
        "editor",
        "package_patch",
        EDITED,
    )
    assert row["outcome"] == "ok" and row["status"] == 200
    assert row["before"] == {"maintainer": shown["maintainer"]}
    assert row["after"] == {"maintainer": "Secretaría de Salud - Vigilancia"}
    assert row["at"].endswith("+00:00")  # UTC
    listed = site.ckan("admin").action.ada_audit_log_list(id=EDITED, user="eduardo", limit=1000)
    mine = [r for r in listed["results"] if r["request_id"] == request]
    assert mine and mine[0]["after"] == row["after"] and mine[0]["timestamp"] == row["at"]
    assert listed["count"] >= len(listed["results"])


# ------------------------------------------------------------------------------ republishing


def _republish_tick(site: Installation, monkeypatch: pytest.MonkeyPatch) -> list[dg.RunRequest]:
    """One evaluation of the real sensor of the real definitions, on this installation."""
    from orchestration.definitions import build_definitions
    from orchestration.defs.resources import LakeResource

    for name, value in site.env.items():
        if name.startswith("ADA_"):
            monkeypatch.setenv(name, value)
    defs = build_definitions()
    sensor = defs.resolve_sensor_def("republish_sensor")
    context = dg.build_sensor_context(
        resources={"lake": LakeResource()}, repository_def=defs.get_repository_def()
    )
    result = sensor.evaluate_tick(context)
    for run in result.run_requests or []:  # each names a real job, and a partition it has
        job = defs.resolve_job_def(run.job_name)
        if run.partition_key is not None:
            assert job.partitions_def is not None
            assert job.partitions_def.has_partition_key(run.partition_key)
    return list(result.run_requests or [])


def test_a_republish_request_is_launched_by_the_sensor(
    site: Installation, monkeypatch: pytest.MonkeyPatch
) -> None:
    _republish_tick(site, monkeypatch)  # whatever other tests asked for is launched first
    editor = site.ckan("editor")
    asked = editor.action.ada_dataset_republish(id=EDITED)
    assert asked["status"] == "pending" and asked["requested_by"] == "eduardo"
    again = editor.action.ada_dataset_republish(id=EDITED)
    assert again["id"] == asked["id"] and again["already_pending"] is True
    daily = site.ckan("admin").action.ada_dataset_republish(id=DAILY, partition="2025-06-03")

    runs = {run.job_name: run for run in _republish_tick(site, monkeypatch)}
    assert set(runs) == {f"ingest_{EDITED}", f"ingest_{DAILY}"}
    run = runs[f"ingest_{EDITED}"]
    assert run.run_key == f"ada-republish-{asked['id']}" and run.partition_key is None
    assert run.tags["ada/trigger"] == "republish" and run.tags["ada/requested_by"] == "eduardo"
    assert runs[f"ingest_{DAILY}"].partition_key == "2025-06-03"
    store = site.store()
    try:
        for request in (asked, daily):
            handled = get_request(store, request["id"])
            assert handled is not None and handled.status == "launched"
            assert handled.run_key == f"ada-republish-{request['id']}" and handled.handled_at
    finally:
        store.close()
    assert _republish_tick(site, monkeypatch) == []  # launched once
    fresh = editor.action.ada_dataset_republish(id=EDITED)
    assert fresh["id"] != asked["id"] and fresh["already_pending"] is False


# ------------------------------------------------------------------------------- withdrawing


def test_withdrawing_a_real_release(site: Installation) -> None:
    anyone = site.ckan(None)
    package = anyone.action.package_show(id=WITHDRAWN)
    assert [r["version"] for r in package["releases"]] == ["v2", "v1"]
    v2_files = list(package["releases"][0]["files"].values())
    v1_files = list(package["releases"][1]["files"].values())
    assert all(httpx.get(url).status_code == 200 for url in v2_files)

    withdrawn = site.ckan("admin").action.ada_release_withdraw(
        id=WITHDRAWN, version=2, reason="Retirada: la fuente corrigió los códigos de localidad"
    )
    assert withdrawn == {
        "dataset": WITHDRAWN,
        "withdrawn": "v2",
        "version": "v1",
        "releases": ["v1"],
    }
    now = anyone.action.package_show(id=WITHDRAWN)
    assert now["version"] == "v1" and [r["version"] for r in now["releases"]] == ["v1"]
    assert all(r["release"] == "v1" for r in now["resources"])
    assert all(httpx.get(url).status_code == 404 for url in v2_files)
    assert all(httpx.get(url).status_code == 200 for url in v1_files)
    assert all("/v2/" not in r["url"] for r in now["resources"])
    with pytest.raises(ckanapi.NotFound):
        site.ckan("admin").action.ada_release_withdraw(
            id=WITHDRAWN, version="v2", reason="Retirada otra vez por error"
        )
    listed = site.ckan("admin").action.ada_audit_log_list(
        id=WITHDRAWN, action="ada_release_withdraw", outcome="ok"
    )
    (row,) = listed["results"]
    assert row["user"] == "ana.admin" and row["role"] == "admin"
    assert row["before"] == {"version": "v2", "releases": ["v2", "v1"]}
    assert row["after"]["releases"] == ["v1"] and row["after"]["version"] == "v1"


# ------------------------------------------------------------------------------------ portal


def _form(site: Installation, token: str | None, **fields: str) -> httpx.Response:
    data = {"token": token or "", **fields}
    return httpx.post(
        f"{site.url}/admin/auditoria", data=data, headers={"accept": "text/html"}, timeout=60
    )


def test_the_audit_page_for_administrators(site: Installation) -> None:
    form = httpx.get(f"{site.url}/admin/auditoria", headers={"accept": "text/html"})
    assert form.status_code == 200
    soup = BeautifulSoup(form.text, "html.parser")
    field = soup.find("input", attrs={"name": "token"})
    assert field["type"] == "password" and field.get("value") is None
    assert soup.find("form")["method"] == "post" and soup.html["lang"] == "es"
    assert form.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in form.headers["content-security-policy"]
    assert form.headers["x-frame-options"] == "DENY"

    marker = f"Vigilancia {uuid.uuid4().hex[:8]}"
    site.post("package_patch", {"id": EDITED, "maintainer": marker}, site.tokens["editor"])
    page = _form(site, site.tokens["admin"], conjunto=EDITED, accion="package_patch")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert marker in page.text and "eduardo" in page.text
    assert site.tokens["admin"] not in page.text and site.tokens["admin"] not in str(page.url)
    assert "set-cookie" not in page.headers
    rows = BeautifulSoup(page.text, "html.parser").select("table.audit tbody tr")
    assert rows and all(EDITED in row.get_text() for row in rows)

    english = httpx.post(
        f"{site.url}/admin/auditoria?lang=en",
        data={"token": site.tokens["admin"], "conjunto": EDITED},
        headers={"accept": "text/html"},
    )
    assert english.status_code == 200 and marker in english.text
    assert BeautifulSoup(english.text, "html.parser").h1.get_text(strip=True) == "Audit log"

    for token, message in (
        (None, "Escriba su token"),
        (site.tokens["editor"], "no tiene el rol de administrador"),
        (site.tokens["revoked"], "no es válido o fue revocado"),
    ):
        refused = _form(site, token)
        assert refused.status_code == 403 and message in refused.text
        assert BeautifulSoup(refused.text, "html.parser").select("table.audit") == []


# ---------------------------------------------------------------------------- token secrecy


def test_no_token_is_stored_logged_or_answered(site: Installation) -> None:
    for role in ("admin", "editor", "revoked", "invalid"):
        site.post("package_patch", {"id": EDITED, "maintainer": "Contacto"}, site.tokens[role])
        site.post("ada_audit_log_list", {}, site.tokens[role])
        _form(site, site.tokens[role])
    store = site.store()
    try:
        with store.engine.connect() as connection:
            stored = [
                str(row)
                for table in store_schema.VERSION_2_TABLES
                for row in connection.execute(sa.select(table))
            ]
    finally:
        store.close()
    output = site.service.read_output()
    for token in site.tokens.values():
        assert not any(token in text for text in stored)
        assert token not in output
        assert not any(token in text for text in site.answers)
    assert re.search(r"ada_[A-Za-z0-9_-]{43}", output) is None  # nor any other token


def test_the_openapi_document_names_the_writing_actions(site: Installation) -> None:
    document = httpx.get(f"{site.url}/api/openapi.json").json()
    assert document["components"]["securitySchemes"]["ckanToken"]["name"] == "Authorization"
    for action in ACTIONS:
        for prefix in PREFIXES:
            operations = document["paths"][f"{prefix}/{action}"]
            assert set(operations) == {"post"}
            assert operations["post"]["security"] == [{"ckanToken": []}]
            assert {"200", "403"} <= set(operations["post"]["responses"])
    help_text = site.ckan(None).action.help_show(name="ada_release_withdraw")
    assert "Rol administrador" in help_text


# ------------------------------------------------------------------------------ on Postgres


@pytest.mark.postgres
def test_writes_on_postgres(postgres_env: str) -> None:
    settings = load_settings()
    spec = load_registry(settings.datasets_dir).get(EDITED)
    write_release(settings, spec, release_manifest(spec, "v1", "2025-05-01T10:00:00Z"))
    env = dict(os.environ)
    token = _cli_token(env, "pg.editor", "editor")
    with ServiceProcess(env, refresh=True) as service:
        client = ckanapi.RemoteCKAN(service.url, apikey=token)
        assert client.action.package_patch(id=EDITED, title="Casos en Postgres")["title"] == (
            "Casos en Postgres"
        )
        with pytest.raises(ckanapi.NotAuthorized):
            client.action.ada_audit_log_list()
    refresh_catalog(settings, service.url)
    store = CatalogStore.open(settings)
    try:
        package = store.package(EDITED)
        assert package is not None and package["title"] == "Casos en Postgres"
        table = store_schema.audit_log
        with store.engine.connect() as connection:
            outcomes = connection.execute(
                sa.select(table.c.action, table.c.outcome, table.c.token_name).order_by(table.c.id)
            ).all()
        assert [tuple(row) for row in outcomes] == [
            ("package_patch", "ok", "pg.editor"),
            ("ada_audit_log_list", "refused", "pg.editor"),
        ]
    finally:
        store.close()


# ------------------------------------------------------------------------ in a real browser

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.slow
def test_an_administrator_reads_the_audit_log_in_a_browser(site: Installation) -> None:
    """Debian's Chromium fills the form as a person would; axe-core checks both states of the
    page, the page runs under its CSP without complaint, and the token is nowhere after."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed at /usr/bin/chromium: `make test` installs it")
    site.post("package_patch", {"id": EDITED, "maintainer": "Navegador"}, site.tokens["editor"])
    token = site.tokens["admin"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(locale="es-CO")
            page = context.new_page()
            complaints: list[str] = []
            page.on("console", lambda message: complaints.append(message.text))
            axe = Axe()
            serious: list[str] = []
            page.goto(f"{site.url}/admin/auditoria")
            serious += _serious(axe.run(page).response["violations"])
            page.get_by_label("Token de API de administrador").fill(token)
            page.get_by_label("Acción").select_option("package_patch")
            page.get_by_role("button", name="Consultar").click()
            page.wait_for_selector("table.audit")
            assert "Navegador" in page.inner_text("table.audit")
            serious += _serious(axe.run(page).response["violations"])
            assert page.input_value("#token") == ""
            assert token not in page.content() and token not in page.url
            assert context.cookies() == []
            assert serious == [] and complaints == []
        finally:
            browser.close()


def _serious(violations: list[dict[str, Any]]) -> list[str]:
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
