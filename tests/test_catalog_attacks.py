"""Attacks on the catalog service and its portal, against a real ``ada serve`` process.

The catalog holds a real publication of ``siniestros_viales_sdm`` (written by
``publish_dataset`` from a curated table whose texts a spreadsheet would run as formulas),
synthetic datasets, and a curated table nobody may read (``curated.secreto.claves``, holding a
canary value). Each test tries one family of attack and checks that nothing answers 5xx, that
no byte of the secret table or of the server's files leaks, and that the catalog is intact
afterwards.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from ada.settings import Settings, Zone, load_settings
from catalog.publication import publish_dataset
from catalog.registry import load_registry
from catalog.service.limits import MAX_JSON_DEPTH, json_depth_ok
from catalog.service.throttle import RateLimiter
from catalog.store import CatalogStore, refresh_catalog
from catalog.store.access import create_token
from tests.fixtures.packages import synthetic_packages
from tests.fixtures.service import (
    SINIESTROS_COLUMNS,
    ServiceProcess,
    isolated_env,
    settings_of,
    siniestros_rows,
    write_curated_model,
)

REAL = "siniestros_viales_sdm"
CANARY = "CANARIO-SECRETO-7f3a"
#: Texts a spreadsheet would run, put in the ``clase`` column of the first rows.
FORMULAS = ['=HYPERLINK("http://x.example","clic")', "+57 300", "-5", "@SUMA(A1)", "\tTAB", "\rCR"]
PUBLISHED = [c for c in SINIESTROS_COLUMNS if not c.startswith("_ada_")]
ROWS = 40


def _hostile_rows() -> list[tuple[object, ...]]:
    rows = [list(r) for r in siniestros_rows(ROWS)]
    for position, row in enumerate(rows):
        row[9] = None  # no addresses: the leak canary would (rightly) refuse them
        if position < len(FORMULAS):
            row[11] = FORMULAS[position]
    return [tuple(r) for r in rows]


def _secret_table(settings: Settings) -> None:
    from lake.tables import connect

    con = connect(settings, [Zone.CURATED])
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS curated.secreto")
        con.execute("CREATE OR REPLACE TABLE curated.secreto.claves (clave VARCHAR)")
        con.execute("INSERT INTO curated.secreto.claves VALUES (?)", [CANARY])
    finally:
        con.close()


@dataclass
class Installation:
    settings: Settings
    env: dict[str, str]
    service: ServiceProcess
    names: list[str]
    admin_token: str

    @property
    def url(self) -> str:
        return self.service.url

    def action(self, name: str) -> str:
        return f"{self.url}/api/3/action/{name}"

    @property
    def datastore_id(self) -> str:
        package = httpx.get(self.action("package_show"), params={"id": REAL}).json()["result"]
        return str(next(r["id"] for r in package["resources"] if r["datastore_active"]))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    env = isolated_env(tmp_path_factory.mktemp("attacks") / "ada-home")
    settings = settings_of(env)
    spec = load_registry(settings.datasets_dir).get(REAL)
    assert spec is not None
    source = write_curated_model(settings, REAL, SINIESTROS_COLUMNS, _hostile_rows())
    publish_dataset(settings, spec, source)
    _secret_table(settings)
    with ServiceProcess(env) as service:
        refresh_catalog(settings, service.url)
        store = CatalogStore.open(settings)
        try:
            real = store.snapshot()[1]
            releases = {REAL: [m for m in [store.release(REAL, "v1")] if m]}
            store.write_catalog([*real, *synthetic_packages(40, service.url)], releases)
            token = create_token(store, "auditora", "admin")
        finally:
            store.close()
        names = _wait_for_names(service.url, 41)
        yield Installation(settings, env, service, names, token)


def _wait_for_names(url: str, count: int) -> list[str]:
    import time

    for _ in range(300):
        names: list[str] = httpx.get(f"{url}/api/3/action/package_list").json()["result"]
        if len(names) == count:
            return names
        time.sleep(0.1)
    raise AssertionError("the catalog did not reach the service")


def _no_leak(answer: httpx.Response) -> None:
    assert answer.status_code < 500, answer.text
    assert CANARY not in answer.text
    assert "SQLite format" not in answer.text
    assert "Traceback" not in answer.text


def _call(site: Installation, action: str, method: str, params: dict[str, Any]) -> httpx.Response:
    if method == "POST":
        return httpx.post(site.action(action), json=params, timeout=30)
    query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return httpx.get(site.action(action), params=query, timeout=30)


def _catalog_intact(site: Installation) -> None:
    names = httpx.get(site.action("package_list")).json()["result"]
    assert names == site.names
    rows = httpx.post(
        site.action("datastore_search"), json={"resource_id": site.datastore_id, "limit": 0}
    ).json()["result"]["total"]
    assert rows == ROWS
    from lake.tables import connect

    con = connect(site.settings, [Zone.CURATED], read_only=True)
    try:
        assert con.execute("SELECT clave FROM curated.secreto.claves").fetchall() == [(CANARY,)]
    finally:
        con.close()


# ------------------------------------------------------------------------------ SQL injection

SQL_PAYLOADS = [
    "' OR 1=1 --",
    "'; DROP TABLE curated.conformado.siniestros_viales_sdm; --",
    '" OR ""="',
    "1; SELECT * FROM curated.secreto.claves",
    "' UNION SELECT clave, clave FROM curated.secreto.claves --",
    "x' AND (SELECT count(*) FROM curated.secreto.claves) > 0 AND 'a'='a",
    "%' OR '%'='",
    "\\'; ATTACH '/tmp/x.db' AS x; --",
    "read_csv('/etc/passwd')",
    "name:* OR name:(a' OR 'b')",
    'title:"\\" OR 1=1"',
]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sql_injection_through_package_search(site: Installation, method: str) -> None:
    known = set(site.names)
    for payload in SQL_PAYLOADS:
        for params in (
            {"q": payload},
            {"fq": payload},
            {"sort": payload},
            {"q": "movilidad", "sort": f"name asc, {payload}"},
            {"facet.field": [payload]},
            {"fq": f"organization:{payload}"},
        ):
            answer = _call(site, "package_search", method, params)
            _no_leak(answer)
            assert answer.status_code in (200, 400, 409), (params, answer.status_code)
            body = answer.json()
            if answer.status_code == 200:
                assert {r["name"] for r in body["result"]["results"]} <= known
            else:
                assert body["error"]["__type"] in ("Search Query Error", "Validation Error")
    _catalog_intact(site)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sql_injection_through_datastore_search(site: Installation, method: str) -> None:
    rid = site.datastore_id
    for payload in SQL_PAYLOADS:
        for params in (
            {"q": payload},
            {"q": {"clase": payload}},
            {"q": {payload: "x"}},
            {"filters": {"localidad": payload}},
            {"filters": {payload: "Kennedy"}},
            {"filters": {"localidad": [payload, "Kennedy"]}},
            {"sort": payload},
            {"sort": f"hora desc, {payload}"},
            {"fields": [payload]},
            {"fields": f"clase,{payload}"},
        ):
            answer = _call(site, "datastore_search", method, {"resource_id": rid, **params})
            _no_leak(answer)
            assert answer.status_code in (200, 409), (params, answer.status_code, answer.text)
            if answer.status_code == 200:
                result = answer.json()["result"]
                assert {f["id"] for f in result["fields"]} <= set(PUBLISHED)
                for record in result["records"]:
                    assert set(record) <= set(PUBLISHED)
        answer = _call(site, "datastore_search", method, {"resource_id": payload})
        _no_leak(answer)
        assert answer.status_code == 404
    _catalog_intact(site)


def test_sql_injection_through_the_other_actions(site: Installation) -> None:
    """Every action that looks something up by a text the client sends (the store's SQL
    behind the audit log included)."""
    headers = {"Authorization": site.admin_token}
    for payload in SQL_PAYLOADS:
        for action, params in (
            ("package_show", {"id": payload}),
            ("resource_show", {"id": payload}),
            ("organization_show", {"id": payload}),
            ("group_show", {"id": payload}),
            ("tag_list", {"query": payload}),
            ("help_show", {"name": payload}),
            ("organization_list", {"sort": payload}),
            ("package_list", {"limit": payload}),
        ):
            for method in ("GET", "POST"):
                answer = _call(site, action, method, params)
                _no_leak(answer)
                assert answer.status_code in (200, 400, 404, 409), (action, answer.text)
        for field in ("id", "action", "user", "outcome"):
            answer = httpx.post(
                site.action("ada_audit_log_list"), json={field: payload}, headers=headers
            )
            _no_leak(answer)
            assert answer.status_code in (200, 409), answer.text
            if answer.status_code == 200:
                assert answer.json()["result"]["count"] == 0
    _catalog_intact(site)


# ----------------------------------------------------------------------------- path traversal

TRAVERSALS = [
    "../../../../metadata/catalog.sqlite",
    "..%2F..%2F..%2F..%2Fmetadata%2Fcatalog.sqlite",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/metadata/catalog.sqlite",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2fcurrent.json",
    "%252e%252e%252f%252e%252e%252fmetadata%252fcatalog.sqlite",
    "..%5c..%5c..%5cmetadata%5ccatalog.sqlite",
    "..\\..\\..\\metadata\\catalog.sqlite",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "siniestros_viales_sdm.csv%00.png",
    "siniestros_viales_sdm.csv%00",
    "_release.json",
    "datapackage.json/../_release.json",
    "....//....//etc/passwd",
    "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
]


def _raw(site: Installation, path: str) -> tuple[int, bytes]:
    """A GET with the path exactly as written: no client normalises ``..`` away."""
    connection = http.client.HTTPConnection("127.0.0.1", site.service.port, timeout=30)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_path_traversal_on_every_download_route(site: Installation) -> None:
    store = CatalogStore.open(site.settings)
    try:
        before = store.download_totals().get(REAL, 0)
    finally:
        store.close()
    base = f"/dataset/{REAL}/download"
    paths = [f"{base}/v1/{attempt}" for attempt in TRAVERSALS]
    paths += [f"{base}/{attempt}/{REAL}.csv" for attempt in TRAVERSALS]
    paths += [f"/dataset/{attempt}/download/v1/{REAL}.csv" for attempt in TRAVERSALS]
    paths += [f"/static/{attempt}" for attempt in TRAVERSALS]
    paths += [f"/dataset/{attempt}" for attempt in TRAVERSALS]
    paths += [f"/dataset/{attempt}.ttl" for attempt in TRAVERSALS]
    for path in paths:
        status, body = _raw(site, path)
        assert status in (400, 404), (path, status)
        assert b"SQLite format" not in body and b"root:" not in body, path
        assert b'"files"' not in body, path  # no release manifest either
    status, body = _raw(site, f"{base}/v1/{REAL}.csv")
    assert status == 200 and body.startswith(b"codigo_accidente,")
    store = CatalogStore.open(site.settings)
    try:
        assert store.download_totals()[REAL] == before + 1  # only the real download counted
    finally:
        store.close()


# ------------------------------------------------------------------------- bodies and nesting


def test_an_oversized_body_is_a_413_in_ckans_envelope(site: Installation) -> None:
    big = {"q": "x" * (2 << 20)}
    for action in ("package_search", "datastore_search", "package_patch"):
        answer = httpx.post(site.action(action), json=big, timeout=60)
        assert answer.status_code == 413, action
        body = answer.json()
        assert body["success"] is False
        assert body["error"]["__type"] == "Bad request"
        assert "demasiado grande" in body["error"]["message"]
        assert body["help"].endswith(f"help_show?name={action}")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        yield b'{"q": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}'

    answer = httpx.post(site.action("package_search"), content=chunks(), timeout=60)
    assert answer.status_code == 413
    assert answer.json()["error"]["__type"] == "Bad request"
    # A body under the limit is read as before.
    answer = httpx.post(site.action("package_search"), json={"q": "y" * 1000})
    assert answer.status_code == 200


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 2_000, 200_000])
def test_deeply_nested_json_is_a_clear_400(site: Installation, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    body = f'{{"q": "a", "facet.field": {nested}}}'.encode()
    for action in ("package_search", "datastore_search", "package_patch"):
        answer = httpx.post(
            site.action(action),
            content=body,
            headers={"Content-Type": "application/json", "Authorization": site.admin_token},
        )
        assert answer.status_code == 400, (action, answer.text)
        error = answer.json()["error"]
        assert error["__type"] == "Bad request"
        assert "profundidad" in error["message"]
    if depth < 20_000:  # in a query string (the URL stays under the server's line limit)
        for params in (
            {"facet.field": nested},
            {"resource_id": site.datastore_id, "filters": '{"a":' + nested + "}"},
            {"resource_id": site.datastore_id, "q": '{"a":' + nested + "}"},
        ):
            action = "datastore_search" if "resource_id" in params else "package_search"
            answer = httpx.get(site.action(action), params=params)
            assert answer.status_code == 409, answer.text
            assert "profundidad" in answer.text
    assert httpx.get(site.action("status_show")).status_code == 200


def test_json_depth_is_measured_without_recursion() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    assert not json_depth_ok(deep)
    assert json_depth_ok({"a": [{"b": 1}]}, limit=3)
    assert not json_depth_ok({"a": [{"b": []}]}, limit=3)


# ---------------------------------------------------------------------- CSV formula injection


def test_published_csv_neutralises_formulas_and_keeps_numbers(site: Installation) -> None:
    answer = httpx.get(f"{site.url}/dataset/{REAL}/download/v1/{REAL}.csv")
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"), newline="")))
    assert len(rows) == ROWS
    by_code = {row["codigo_accidente"]: row for row in rows}
    for position, formula in enumerate(FORMULAS):
        assert by_code[f"A{position:05d}"]["clase"] == "'" + formula
    for row in rows:
        for column in PUBLISHED:
            assert not row[column].startswith(("=", "+", "@", "\t", "\r")), (column, row)
    # Real numbers stay numbers, negative ones included.
    assert float(by_code["A00000"]["longitud"]) == pytest.approx(-74.1)
    assert all(float(row["longitud"]) < 0 for row in rows)
    assert int(by_code["A00003"]["hora"]) == 3
    # The JSON keeps the text as it is: no spreadsheet opens it.
    records = httpx.get(f"{site.url}/dataset/{REAL}/download/v1/{REAL}.json").json()
    assert {r["clase"] for r in records} >= set(FORMULAS)


# -------------------------------------------------------------------------- security headers


def _pages(site: Installation) -> list[str]:
    return [
        "/",
        "/dataset",
        "/dataset?q=movilidad",
        f"/dataset/{REAL}",
        "/organization",
        "/group",
        "/dimension",
        "/territorio",
        "/dataset/no_existe",
        "/no/existe",
        "/api/docs",
    ]


def _data(site: Installation) -> list[str]:
    return [
        "/api/3/action/package_search?q=movilidad",
        f"/api/3/action/package_show?id={REAL}",
        "/api/3/action/package_show?id=no_existe",
        "/api/3/action/no_existe",
        "/api/openapi.json",
        "/data.json",
        "/feeds/dataset.atom",
        f"/dataset/{REAL}.ttl",
        f"/dataset/{REAL}/download/v1/{REAL}.csv",
        f"/dataset/{REAL}/download/v1/nada.csv",
    ]


def _assert_secure(answer: httpx.Response, path: str) -> None:
    headers = answer.headers
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), path
    assert headers.get("x-content-type-options") == "nosniff", path
    assert headers.get("x-frame-options") == "DENY", path
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", path


def test_security_headers_on_every_page_and_api_answer(site: Installation) -> None:
    for path in _pages(site):
        answer = httpx.get(f"{site.url}{path}", headers={"Accept": "text/html"}, timeout=60)
        # /territorio is 503 "not available yet" here: this lake has no indicators.
        assert answer.status_code in ((200, 404, 503) if path == "/territorio" else (200, 404))
        _assert_secure(answer, path)
        if path != "/api/docs":  # the pages run no script at all
            assert "default-src 'none'" in answer.headers["content-security-policy"]
            assert "script-src" not in answer.headers["content-security-policy"]
    for path in _data(site):
        answer = httpx.get(f"{site.url}{path}", timeout=60)
        assert answer.status_code in (200, 400, 404), path
        _assert_secure(answer, path)
        assert answer.headers["content-security-policy"].startswith("default-src 'none'"), path
    answer = httpx.post(site.action("package_search"), json={"q": "x" * (2 << 20)})
    _assert_secure(answer, "413")


def test_an_unexpected_error_answers_500_with_the_security_headers(ada_home: Path) -> None:
    """Starlette answers an unexpected exception from its outermost middleware, past
    SecurityHeaders; the handler adds them, and shows no traceback."""
    from fastapi.testclient import TestClient

    from catalog.service.app import create_app
    from catalog.service.config import ServiceConfig

    app = create_app(load_settings(), ServiceConfig())

    @app.get("/api/3/action/ada_test_boom")
    def boom() -> None:
        raise RuntimeError("secreto interno 1023456789")

    client = TestClient(app, raise_server_exceptions=False)
    answer = client.get("/api/3/action/ada_test_boom")
    assert answer.status_code == 500
    _assert_secure(answer, "500")
    assert "secreto" not in answer.text and "Traceback" not in answer.text
    assert answer.json()["success"] is False


# ------------------------------------------------------------------------------ rate limiting


def test_rate_limit_per_client_answers_429_with_retry_after(site: Installation) -> None:
    env = {**site.env, "ADA_RATE_LIMIT_PER_MINUTE": "12"}
    with ServiceProcess(env) as limited:  # its readiness probe spends one token
        api = f"{limited.url}/api/3/action/package_list"
        with httpx.Client() as client:
            statuses = [client.get(api).status_code for _ in range(11)]
            assert statuses == [200] * 11
            refused = client.get(api)
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["retry-after"]) <= 5
            body = refused.json()
            assert body["success"] is False
            assert body["error"]["__type"] == "Rate Limit Error"
            assert "Demasiadas solicitudes" in body["error"]["message"]
            assert body["help"] == f"{limited.url}/api/3/action/help_show?name=package_list"
            _assert_secure(refused, "429")

            page = client.get(f"{limited.url}/dataset", headers={"Accept": "text/html"})
            assert page.status_code == 429
            assert page.headers["content-type"].startswith("text/html")
            assert "Demasiadas solicitudes" in page.text and 'lang="es"' in page.text
            assert int(page.headers["retry-after"]) >= 1

            # Another reader behind the same (trusted, local) proxy has its own bucket.
            other = client.get(api, headers={"X-Forwarded-For": "203.0.113.7"})
            assert other.status_code == 200


def test_a_bucket_refills_at_its_rate_and_forgets_old_clients() -> None:
    now = [0.0]
    limiter = RateLimiter(60, max_clients=3, clock=lambda: now[0])
    assert all(limiter.take("a") == 0 for _ in range(60))
    assert limiter.take("a") == pytest.approx(1.0)  # one token per second
    now[0] += 2.5
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") > 0
    for client in ("b", "c", "d"):
        assert limiter.take(client) == 0
    assert len(limiter) == 3  # "a", the least recently seen, was dropped
    assert limiter.take("a") == 0  # and starts again with a full bucket
