"""The catalog service's parts on their own: the response cache, how parameters are read, the
datastore's identifier checks, and the worker supervisor (real processes)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from catalog.service.cache import ResponseCache
from catalog.service.ckan import BadRequest, NotFound, ValidationFailed
from catalog.service.datastore import TableRef, ckan_type, fold
from catalog.service.params import (
    DatastoreSearchBody,
    DatastoreSearchQuery,
    PackageSearchParams,
    body_values,
    json_list,
    query_values,
)
from catalog.service.server import listening_socket
from catalog.store import CatalogStore
from tests.fixtures.packages import synthetic_packages
from tests.fixtures.service import REPO, free_port

# ------------------------------------------------------------------------------------- cache


def test_the_cache_keeps_the_most_recent_answers_within_its_bytes() -> None:
    cache = ResponseCache(max_bytes=400)
    for key in "abcd":
        cache.put(1, key, b"x" * 100)
    assert cache.get(1, "a") == b"x" * 100  # "a" is now the most recent
    cache.put(1, "e", b"y" * 100)  # over 400 bytes: the least recent ("b") goes
    assert cache.get(1, "b") is None
    assert [cache.get(1, k) is not None for k in "acde"] == [True] * 4
    cache.put(1, "huge", b"z" * 101)  # more than a quarter of the cache: not kept
    assert cache.get(1, "huge") is None
    assert (cache.hits, cache.misses) == (5, 2)


def test_the_cache_forgets_everything_when_the_catalog_moves() -> None:
    cache = ResponseCache(max_bytes=1000)
    cache.put(1, "q", b"old")
    assert cache.get(2, "q") is None  # version 2: everything from 1 is gone
    cache.put(1, "q", b"old")  # an answer computed before the change is not kept
    assert cache.get(2, "q") is None
    cache.put(2, "q", b"new")
    assert cache.get(1, "q") is None and cache.get(2, "q") == b"new"
    assert not ResponseCache(0).enabled


# -------------------------------------------------------------------------------- parameters


def test_query_strings_collect_lists_and_keep_the_last_scalar() -> None:
    items = [("q", "a"), ("q", "b"), ("facet.field", "tags"), ("facet.field", '["groups"]')]
    values = query_values(items, PackageSearchParams)
    assert values == {"q": "b", "facet.field": ["tags", '["groups"]']}
    params = PackageSearchParams.model_validate(values)
    assert params.facet_field == ["tags", "groups"]
    by_field_name = query_values([("facet_field", "tags")], PackageSearchParams)
    assert PackageSearchParams.model_validate(by_field_name).facet_field == ["tags"]
    fields = query_values([("fields", "a,b"), ("fields", "c")], DatastoreSearchQuery)
    assert DatastoreSearchQuery.model_validate({"resource_id": "r", **fields}).request().fields == [
        "a",
        "b",
        "c",
    ]


def test_list_parameters_take_ckans_forms() -> None:
    assert json_list('["tags", "groups"]', "x") == ["tags", "groups"]
    assert json_list(["tags", "groups,res_format"], "x") == ["tags", "groups", "res_format"]
    with pytest.raises(ValueError, match="lista JSON válida"):
        json_list('["tags"', "facet.field")
    with pytest.raises(ValueError, match="lista de textos"):
        json_list("[1, 2]", "facet.field")


def test_bodies_must_be_json_objects() -> None:
    assert body_values(b"") == {} and body_values(b"  \n") == {}
    assert body_values(b'{"q": "salud"}') == {"q": "salud"}
    with pytest.raises(BadRequest):
        body_values(b"{q: salud}")
    with pytest.raises(ValidationFailed):
        body_values(b'["q", "salud"]')


def test_datastore_parameters_decode_json_by_get_and_accept_objects_by_post() -> None:
    by_get = DatastoreSearchQuery.model_validate(
        {"resource_id": "r", "filters": '{"a": [1, 2]}', "q": '{"b": "x"}', "limit": "40000"}
    ).request()
    by_post = DatastoreSearchBody.model_validate(
        {"resource_id": "r", "filters": {"a": [1, 2]}, "q": {"b": "x"}, "limit": 40000}
    ).request()
    assert by_get == by_post
    assert by_get.limit == 32_000  # CKAN's maximum
    with pytest.raises(ValidationFailed):
        DatastoreSearchQuery.model_validate({"resource_id": "r", "filters": "[1]"}).request()
    with pytest.raises(ValidationFailed):
        DatastoreSearchBody.model_validate({"resource_id": "r", "filters": {"a": [[1]]}}).request()


# --------------------------------------------------------------------------------- datastore


@pytest.mark.parametrize(
    "source",
    [
        "staging.salud.notificaciones_salud",  # another zone
        "curated.salud",  # not three parts
        'curated.conformado."x"; DROP TABLE y',
        "curated.conformado.x y",
        "raw.conformado.x",
    ],
)
def test_only_curated_tables_with_plain_names_are_queried(source: str) -> None:
    with pytest.raises(NotFound):
        TableRef.parse(source)


def test_table_names_are_quoted_and_types_named_as_ckan_does() -> None:
    assert TableRef.parse("curated.conformado.siniestros").sql == (
        'curated."conformado"."siniestros"'
    )
    assert fold("Ciudad BOLÍVAR, Engativá, Niño") == "ciudad bolivar, engativa, nino"
    assert [ckan_type(t) for t in ("VARCHAR", "INTEGER", "BIGINT", "DOUBLE")] == [
        "text",
        "int4",
        "int8",
        "float8",
    ]
    assert [ckan_type(t) for t in ("DECIMAL(18,3)", "TIMESTAMP WITH TIME ZONE", "INTEGER[]")] == [
        "numeric",
        "timestamptz",
        "json",
    ]


# -------------------------------------------------------------------------------- supervisor


def test_a_taken_port_fails_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            listening_socket("127.0.0.1", port).close()


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()} if path.exists() else set()


def _spawned_workers(pid: int) -> set[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    return {
        child
        for child in _children(pid)
        if "spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
    }


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/3/action/status_show", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _until(condition, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_the_supervisor_replaces_a_dead_worker_and_stops_them_all(ada_home: Path) -> None:
    from ada.settings import load_settings

    store = CatalogStore.open(load_settings())
    store.write_catalog(synthetic_packages(20))
    store.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    code = (
        "from catalog.service.server import Supervisor; "
        f"Supervisor('127.0.0.1', {port}, 2, 'warning', startup_seconds=1).run()"
    )
    env = {**os.environ, "ADA_PUBLIC_URL": url}
    supervisor = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env)
    try:
        _until(lambda: _answers(url) and len(_spawned_workers(supervisor.pid)) == 2)
        first = _spawned_workers(supervisor.pid)
        time.sleep(1.5)  # past the startup window: a death now is a crash, not a failed start
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        _until(lambda: len(_spawned_workers(supervisor.pid) - {victim}) == 2)
        _until(lambda: _answers(url))
        workers = _spawned_workers(supervisor.pid)
        assert victim not in workers and len(workers & first) == 1
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=60) == 0
        for pid in workers:
            assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait(timeout=10)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


# ------------------------------------------------------------------- whole-catalog documents


def test_catalog_documents_are_the_graph_of_the_whole_catalog() -> None:
    """Assembled from per-dataset pieces, Turtle and JSON-LD are the same graph as the whole
    catalog serialized at once; after a change only that dataset's piece is rebuilt."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from catalog.dcat import catalog_graph
    from catalog.service.documents import CatalogDocuments
    from tests.helpers import make_catalog_info

    info = make_catalog_info()
    packages = synthetic_packages(40)
    expected = catalog_graph(info, packages)
    documents = CatalogDocuments()
    turtle = Graph().parse(data=documents.turtle(info, packages), format="turtle")
    jsonld = Graph().parse(data=documents.jsonld(info, packages), format="json-ld")
    assert len(turtle) == len(expected)
    assert isomorphic(turtle, expected) and isomorphic(jsonld, expected)

    changed = [dict(p) for p in packages[:39]]
    changed[0]["title"] = "Un título nuevo"
    built: list[str] = []
    original = CatalogDocuments._piece

    def counting(self, kind, package, build, info):  # type: ignore[no-untyped-def]
        before = self._pieces.get((kind, package["name"]))
        value = original(self, kind, package, build, info)
        if before is None or self._pieces[(kind, package["name"])] is not before:
            built.append(package["name"])
        return value

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CatalogDocuments, "_piece", counting)
        again = Graph().parse(data=documents.turtle(info, changed), format="turtle")
    assert built == [changed[0]["name"]]
    assert isomorphic(again, catalog_graph(info, changed))
