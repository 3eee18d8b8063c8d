"""The catalog store on SQLite (the embedded default) and on the real Postgres, and the
refresh that fills it from specs, release manifests and reports."""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ada.settings import Settings, load_settings
from catalog.records import Package
from catalog.registry import load_registry
from catalog.store import CatalogStore, StoreError, refresh_catalog
from catalog.store import schema as store_schema
from expectations.assessment import report_key as quality_key
from lake import reports
from privacy.report import report_key as privacy_key
from tests.fixtures.packages import synthetic_packages
from tests.fixtures.releases import release_manifest, write_release
from tests.helpers import BASE_URL


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


def _edited(package: Package, title: str) -> Package:
    changed = copy.deepcopy(package)
    changed["title"] = title
    return changed


def test_the_store_lives_where_the_settings_say(backend_settings: Settings) -> None:
    store = CatalogStore.open(backend_settings)
    try:
        if backend_settings.database_url is None:
            assert (backend_settings.metadata_dir / "catalog.sqlite").exists()
            assert store.engine.dialect.name == "sqlite"
        else:
            with store.engine.connect() as connection:
                tables = set(
                    connection.execute(
                        sa.text(
                            "SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'catalog'"
                        )
                    ).scalars()
                )
            assert {"packages", "organizations", "releases", "downloads"} <= tables
    finally:
        store.close()


def test_a_write_bumps_the_version_once_and_the_same_write_does_nothing(
    store: CatalogStore,
) -> None:
    packages = synthetic_packages(40)
    assert store.version() == 0
    first = store.write_catalog(packages)
    assert (first.version, first.written, first.removed) == (1, 40, 0)
    version, stored = store.snapshot()
    assert version == 1
    assert sorted(stored, key=lambda p: p["name"]) == sorted(packages, key=lambda p: p["name"])

    again = store.write_catalog(packages)
    assert (again.version, again.written, again.unchanged) == (1, 0, 40)
    assert store.changes_since(1).upserted == []


def test_workers_follow_the_changes_since_the_version_they_saw(store: CatalogStore) -> None:
    packages = synthetic_packages(10)
    store.write_catalog(packages)
    edited = _edited(packages[3], "Título nuevo")
    result = store.write_catalog([*packages[:3], edited, *packages[4:9]])  # drops the 10th
    assert (result.version, result.written, result.removed) == (2, 1, 1)

    changes = store.changes_since(1)
    assert changes.version == 2
    assert [p["title"] for p in changes.upserted] == ["Título nuevo"]
    assert changes.removed == [packages[9]["name"]]
    assert not store.changes_since(2)
    assert store.package(packages[9]["name"]) is None

    store.write_catalog(packages)  # the dataset comes back
    back = store.changes_since(2)
    assert {p["name"] for p in back.upserted} == {packages[3]["name"], packages[9]["name"]}
    assert back.removed == []


def test_organizations_and_releases_follow_the_packages(store: CatalogStore) -> None:
    packages = synthetic_packages(30)
    manifest = {
        "version": "v1",
        "published_at": "2025-01-01T00:00:00Z",
        "rows": 1,
        "columns": ["a"],
        "source_table": "curated.conformado.x",
        "spec_version": 1,
        "files": [],
    }
    store.write_catalog(packages, {packages[0]["name"]: [manifest]})  # type: ignore[list-item]
    organizations = {o["name"] for o in store.organizations()}
    assert organizations == {p["organization"]["name"] for p in packages}
    assert store.release(packages[0]["name"], "v1") == manifest
    assert store.release(packages[0]["name"], "v2") is None

    store.write_catalog(packages[1:])
    assert store.release(packages[0]["name"], "v1") is None
    assert {o["name"] for o in store.organizations()} == {
        p["organization"]["name"] for p in packages[1:]
    }


def test_downloads_are_counted_per_file_and_day_without_moving_the_version(
    store: CatalogStore,
) -> None:
    packages = synthetic_packages(3)
    store.write_catalog(packages)
    name = packages[0]["name"]
    day = dt.date(2025, 6, 7)
    for _ in range(3):
        store.record_download(name, "v1", f"{name}.csv", day)
    store.record_download(name, "v1", f"{name}.parquet", day)
    store.record_download(name, "v1", f"{name}.csv", day + dt.timedelta(days=1))
    assert store.download_totals() == {name: 5}
    assert store.download_counts(name) == [
        {"version": "v1", "file": f"{name}.csv", "day": "2025-06-07", "count": 3},
        {"version": "v1", "file": f"{name}.parquet", "day": "2025-06-07", "count": 1},
        {"version": "v1", "file": f"{name}.csv", "day": "2025-06-08", "count": 1},
    ]
    assert store.version() == 1


def test_concurrent_writers_keep_versions_increasing_and_a_follower_in_step(
    store: CatalogStore,
) -> None:
    """Two writers alternate between catalogs while a follower applies the changes it reads;
    at the end the follower's copy is exactly the store's."""
    base = synthetic_packages(30)
    store.write_catalog(base)
    seen: dict[str, Package] = {p["name"]: p for p in store.snapshot()[1]}
    follower_version = store.version()
    versions: list[int] = []
    errors: list[BaseException] = []

    def writer(label: str) -> None:
        try:
            for round_ in range(8):
                kept = base[: 20 + round_]
                catalog = [_edited(p, f"{label} {round_} {p['title']}") for p in kept]
                versions.append(store.write_catalog(catalog).version)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(label,)) for label in ("A", "B")]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        changes = store.changes_since(follower_version)
        for package in changes.upserted:
            seen[package["name"]] = package
        for name in changes.removed:
            seen.pop(name, None)
        follower_version = changes.version
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(versions)) == len(versions)  # every write got its own version
    final = store.changes_since(follower_version)
    for package in final.upserted:
        seen[package["name"]] = package
    for name in final.removed:
        seen.pop(name, None)
    _, stored = store.snapshot()
    assert seen == {p["name"]: p for p in stored}


def test_opening_twice_migrates_once_and_a_newer_schema_is_refused(
    backend_settings: Settings,
) -> None:
    first = CatalogStore.open(backend_settings)
    first.write_catalog(synthetic_packages(2))
    first.close()
    second = CatalogStore.open(backend_settings)
    assert second.version() == 1
    with second.engine.begin() as connection:
        connection.execute(
            sa.update(store_schema.catalog_state).values(
                schema_version=store_schema.SCHEMA_VERSION + 1
            )
        )
    second.close()
    with pytest.raises(StoreError, match="newer than this code"):
        CatalogStore.open(backend_settings)


def test_a_bad_database_url_fails_without_showing_the_password(
    ada_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADA_DATABASE_URL", "postgresql://ada:s3cr3t@127.0.0.1:1/nada")
    with pytest.raises(StoreError) as caught:
        CatalogStore.open(load_settings())
    assert "s3cr3t" not in str(caught.value)


# ------------------------------------------------------------------------------------ refresh


def _spec(settings: Settings, dataset_id: str):  # type: ignore[no-untyped-def]
    return load_registry(settings.datasets_dir).get(dataset_id)


def test_refresh_builds_the_released_datasets_and_is_idempotent(
    backend_settings: Settings,
) -> None:
    settings = backend_settings
    salud = _spec(settings, "notificaciones_salud")
    movilidad = _spec(settings, "siniestros_viales")
    write_release(settings, salud, release_manifest(salud, "v1", "2025-05-01T10:00:00Z"))
    write_release(settings, movilidad, release_manifest(movilidad, "v1", "2025-05-02T10:00:00Z"))
    quality = {"generated_at": "2025-05-03T00:00:00+00:00", "puntaje": 9.4, "sello": "oro"}
    reports.write_report(settings, quality_key(salud), quality, "r1")
    privacy = {"generated_at": "2025-05-01T09:00:00+00:00", "k_achieved": 7}
    reports.write_report(settings, privacy_key(salud), privacy, "r1")

    result = refresh_catalog(settings, BASE_URL)
    assert (result.datasets, result.written, result.removed) == (2, 2, 0)
    assert "covid19_casos_osb" in result.unreleased
    store = CatalogStore.open(settings)
    try:
        package = store.package("notificaciones_salud")
        assert package is not None
        assert package["quality_level"] == "oro" and package["privacy"] == privacy
        assert package["metadata_modified"] == "2025-05-03T00:00:00.000000"
        assert package["resources"][0]["url"] == (
            f"{BASE_URL}/dataset/notificaciones_salud/download/v1/notificaciones_salud.csv"
        )
        assert store.release("notificaciones_salud", "v1") is not None

        again = refresh_catalog(settings, BASE_URL)
        assert (again.version, again.written) == (result.version, 0)

        write_release(settings, salud, release_manifest(salud, "v2", "2025-06-01T10:00:00Z"))
        store.record_download("siniestros_viales", "v1", "siniestros_viales.csv", dt.date.today())
        third = refresh_catalog(settings, BASE_URL)
        assert (third.version, third.written) == (result.version + 1, 2)
        changes = store.changes_since(result.version)
        by_name = {p["name"]: p for p in changes.upserted}
        assert by_name["notificaciones_salud"]["version"] == "v2"
        assert by_name["siniestros_viales"]["downloads"] == 1
    finally:
        store.close()


def test_refresh_takes_out_what_is_no_longer_released(ada_home: Path) -> None:
    settings = load_settings()
    spec = _spec(settings, "covid19_casos_osb")
    manifests = {"covid19_casos_osb": [release_manifest(spec)]}

    def reader(_settings: Settings, wanted):  # type: ignore[no-untyped-def]
        return list(manifests.get(wanted.id, []))

    assert refresh_catalog(settings, BASE_URL, releases=reader).datasets == 1
    manifests.clear()
    gone = refresh_catalog(settings, BASE_URL, releases=reader)
    assert (gone.datasets, gone.removed) == (0, 1)
