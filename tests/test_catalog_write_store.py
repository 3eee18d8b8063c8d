"""The write side of the catalog store, on SQLite and on the real Postgres: the migration from
schema version 1, API tokens (and ``ada token``), the audit log, metadata overrides through
the refresh, and republish requests."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ada.settings import Settings, load_settings
from catalog.registry import load_registry
from catalog.specs import DatasetSpec
from catalog.store import CatalogStore, refresh_catalog
from catalog.store import schema as store_schema
from catalog.store.access import (
    TokenError,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
)
from catalog.store.audit import AuditEntry, AuditQuery, list_entries, write_entry
from catalog.store.editing import (
    mark_requests,
    overrides,
    pending_requests,
    request_republish,
    save_override,
)
from catalog.store.engine import catalog_engine, is_postgres
from catalog.store.refresh import read_release_manifests
from tests.fixtures.packages import synthetic_packages
from tests.fixtures.releases import release_manifest, write_release
from tests.helpers import BASE_URL, REPO

EDITED = "covid19_casos_osb"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_settings(request: pytest.FixtureRequest, ada_home: Path) -> Settings:
    if request.param == "postgres":
        request.getfixturevalue("postgres_env")
    return load_settings()


@pytest.fixture
def store(backend_settings: Settings) -> Iterator[CatalogStore]:
    opened = CatalogStore.open(backend_settings)
    yield opened
    opened.close()


def _table_names(engine: sa.Engine) -> set[str]:
    schema = store_schema.SCHEMA if is_postgres(engine) else None
    return set(sa.inspect(engine).get_table_names(schema=schema))


# ---------------------------------------------------------------------------------- migration


def test_a_version_1_store_is_migrated_and_keeps_its_catalog(backend_settings: Settings) -> None:
    engine = catalog_engine(backend_settings)
    with engine.begin() as connection:  # what the first release left: step 1, version 1
        if is_postgres(connection):
            connection.execute(sa.text(f'CREATE SCHEMA "{store_schema.SCHEMA}"'))
        store_schema.MIGRATIONS[0](connection)
        connection.execute(sa.update(store_schema.catalog_state).values(schema_version=1))
    version_1 = {"catalog_state", "packages", "organizations", "releases", "downloads"}
    assert _table_names(engine) == version_1
    written = CatalogStore(engine).write_catalog(synthetic_packages(3))
    engine.dispose()

    store = CatalogStore.open(backend_settings)
    try:
        assert store.version() == written.version
        assert len(store.snapshot()[1]) == 3
        with store.engine.connect() as connection:
            version = connection.execute(sa.select(store_schema.catalog_state.c.schema_version))
            assert version.scalar_one() == store_schema.SCHEMA_VERSION == 2
        assert {t.name for t in store_schema.VERSION_2_TABLES} <= _table_names(store.engine)
        token = create_token(store, "migrada", "admin")  # the new tables work
        assert authenticate(store, token) is not None
    finally:
        store.close()


# ------------------------------------------------------------------------------------ tokens


def test_tokens_are_random_and_stored_only_as_their_sha256(store: CatalogStore) -> None:
    tokens = [create_token(store, f"persona{i}", "editor") for i in range(20)]
    assert len(set(tokens)) == 20
    assert all(t.startswith("ada_") and len(t) == 47 for t in tokens)
    table = store_schema.api_tokens
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(table)).mappings().all()
    stored = {row["token_sha256"] for row in rows}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    dumped = " ".join(str(dict(row)) for row in rows)
    assert not any(t in dumped or t[4:] in dumped for t in tokens)


def test_authenticate_notes_the_use_and_revocation_stops_the_token(store: CatalogStore) -> None:
    token = create_token(store, "maria.rodriguez", "admin")
    (info,) = list_tokens(store)
    assert (info.name, info.role, info.last_used_at, info.revoked_at) == (
        "maria.rodriguez",
        "admin",
        None,
        None,
    )
    caller = authenticate(store, token)
    assert caller is not None and (caller.name, caller.role) == ("maria.rodriguez", "admin")
    assert list_tokens(store)[0].last_used_at is not None
    assert authenticate(store, token[:-1]) is None
    assert authenticate(store, "") is None and authenticate(store, "x" * 10_000) is None

    with pytest.raises(TokenError, match="ya hay un token activo"):
        create_token(store, "maria.rodriguez", "editor")
    assert revoke_token(store, "maria.rodriguez")
    assert authenticate(store, token) is None
    assert not revoke_token(store, "maria.rodriguez")
    assert list_tokens(store) == []
    again = create_token(store, "maria.rodriguez", "editor")  # the name can be issued again
    assert [t.role for t in list_tokens(store, include_revoked=True)] == ["admin", "editor"]
    assert authenticate(store, again) is not None and authenticate(store, token) is None


@pytest.mark.parametrize(
    ("name", "role"), [("con espacio", "admin"), ("", "admin"), ("ok", "root")]
)
def test_token_names_and_roles_are_checked(store: CatalogStore, name: str, role: str) -> None:
    with pytest.raises(TokenError):
        create_token(store, name, role)


def _ada(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ada", "token", *args],
        cwd=REPO,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_ada_token_command(backend_settings: Settings) -> None:
    created = _ada("create", "--name", "sistema.sdm", "--role", "editor")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("ada_") and "Authorization" in created.stderr
    listed = _ada("list")
    assert "sistema.sdm" in listed.stdout and "editor" in listed.stdout
    assert token not in listed.stdout + listed.stderr
    assert _ada("create", "--name", "sistema.sdm", "--role", "admin").returncode != 0
    assert _ada("revoke", "sistema.sdm").returncode == 0
    assert _ada("revoke", "sistema.sdm").returncode == 1
    assert "sistema.sdm" not in _ada("list").stdout
    assert "revocado" in _ada("list", "--all").stdout
    store = CatalogStore.open(backend_settings)
    try:
        assert authenticate(store, token) is None
    finally:
        store.close()


# ------------------------------------------------------------------------------------- audit


def test_the_audit_log_filters_and_pages_newest_first(store: CatalogStore) -> None:
    for i in range(7):
        write_entry(
            store,
            AuditEntry(
                request_id=f"r{i}",
                action="package_patch" if i % 2 else "ada_release_withdraw",
                outcome="ok" if i < 5 else "refused",
                status=200 if i < 5 else 403,
                token_name="ana" if i % 3 else None,
                role="admin" if i % 3 else None,
                target=f"conjunto_{i % 2}",
                before={"title": f"antes {i}"},
                after={"title": f"después {i}", "tags": ["á", "b"]},
            ),
        )
    count, rows = list_entries(store, AuditQuery(limit=3))
    assert count == 7 and [r["request_id"] for r in rows] == ["r6", "r5", "r4"]
    assert rows[2]["after"] == {"title": "después 4", "tags": ["á", "b"]}
    count, rows = list_entries(store, AuditQuery(limit=2, offset=1, action="package_patch"))
    assert count == 3 and [r["request_id"] for r in rows] == ["r3", "r1"]
    count, rows = list_entries(store, AuditQuery(outcome="refused", token_name="ana"))
    assert count == 1 and rows[0]["request_id"] == "r5"
    assert list_entries(store, AuditQuery(target="conjunto_0"))[0] == 4


# --------------------------------------------------------------------------------- overrides


def _spec(settings: Settings, name: str) -> DatasetSpec:
    return load_registry(settings.datasets_dir).get(name)


def _edit(store: CatalogStore, changes: dict[str, object]) -> dict[str, object]:
    with store.writer.begin() as connection:
        return save_override(connection, EDITED, changes, "ana")


def test_an_override_is_applied_by_every_refresh_until_dropped(
    backend_settings: Settings, store: CatalogStore
) -> None:
    spec = _spec(backend_settings, EDITED)
    write_release(backend_settings, spec, release_manifest(spec, "v1", "2025-05-01T10:00:00Z"))
    first = refresh_catalog(backend_settings, BASE_URL, store=store)
    assert _edit(store, {"title": "Título editado", "tags": ["uno", "dos"]}) == {
        "title": "Título editado",
        "tags": ["uno", "dos"],
    }
    edited = refresh_catalog(backend_settings, BASE_URL, store=store)
    assert edited.version == first.version + 1
    package = store.package(EDITED)
    assert package is not None and package["title"] == "Título editado"
    assert [t["name"] for t in package["tags"]] == ["uno", "dos"]
    assert package["notes"] == spec.publication.description  # untouched fields: the spec's
    again = refresh_catalog(backend_settings, BASE_URL, store=store)
    assert (again.version, again.written) == (edited.version, 0)  # still idempotent

    assert _edit(store, {"title": None}) == {"tags": ["uno", "dos"]}
    assert _edit(store, {"tags": None}) == {}
    assert overrides(store) == {}
    refresh_catalog(backend_settings, BASE_URL, store=store)
    restored = store.package(EDITED)
    assert restored is not None and restored["title"] == spec.publication.title


def test_a_refresh_that_read_before_an_edit_still_writes_it(
    backend_settings: Settings, store: CatalogStore
) -> None:
    """The refresh reads releases and reports first, then builds the records under the
    store's lock with the overrides as they are then: an edit saved while a (slow) refresh
    was reading is not written away by it."""
    spec = _spec(backend_settings, EDITED)
    write_release(backend_settings, spec, release_manifest(spec, "v1", "2025-05-01T10:00:00Z"))
    reading, edited = threading.Event(), threading.Event()

    def slow_reader(settings: Settings, wanted: DatasetSpec):  # type: ignore[no-untyped-def]
        found = read_release_manifests(settings, wanted)
        if wanted.id == EDITED:
            reading.set()
            assert edited.wait(60)
        return found

    results: list[object] = []
    refresh = threading.Thread(
        target=lambda: results.append(
            refresh_catalog(backend_settings, BASE_URL, releases=slow_reader)
        )
    )
    refresh.start()
    assert reading.wait(60)
    _edit(store, {"title": "Editado durante la lectura"})
    edited.set()
    refresh.join(120)
    assert results, "the refresh did not finish"
    package = store.package(EDITED)
    assert package is not None and package["title"] == "Editado durante la lectura"


# ------------------------------------------------------------------------ republish requests


def test_republish_requests_wait_once_per_dataset_and_partition(store: CatalogStore) -> None:
    with store.writer.begin() as connection:
        first, new = request_republish(connection, "uno", None, "ana")
        same, again = request_republish(connection, "uno", None, "eduardo")
        day, _ = request_republish(connection, "diario", "2025-06-03", "ana")
        other_day, _ = request_republish(connection, "diario", "2025-06-04", "ana")
    assert new and not again and same.id == first.id
    assert day.id != other_day.id
    assert [r.id for r in pending_requests(store)] == [first.id, day.id, other_day.id]
    mark_requests(store, [first.id], "launched", run_key="ada-republish-1")
    mark_requests(store, [day.id], "rejected", message="ya no existe")
    mark_requests(store, [first.id], "rejected")  # a closed request stays as it was
    assert [r.id for r in pending_requests(store)] == [other_day.id]
    with store.writer.begin() as connection:
        fresh, new = request_republish(connection, "uno", None, "ana")
    assert new and fresh.id != first.id
    table = store_schema.republish_requests
    with store.engine.connect() as connection:
        status = dict(connection.execute(sa.select(table.c.id, table.c.status)).all())
    assert status[first.id] == "launched" and status[day.id] == "rejected"
