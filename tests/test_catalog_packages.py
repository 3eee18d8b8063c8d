"""The catalog record builder (``catalog.packages.build_package``) on every real spec."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from pydantic import TypeAdapter

from catalog.catalog_info import slug
from catalog.dcat import dataset_graph, to_turtle
from catalog.feeds.pod import pod_dataset
from catalog.packages import (
    ADA_NAMESPACE,
    ReleaseManifest,
    build_package,
    public_quality,
    table_schema_type,
)
from catalog.records import Package
from catalog.registry import load_registry
from catalog.search import SearchIndex
from catalog.specs import DatasetSpec
from tests.fixtures.releases import release_manifest
from tests.helpers import BASE_URL, REPO, make_catalog_info, make_spec
from transformations.manifest import load_manifest

SPECS = load_registry(REPO / "catalog" / "datasets").specs
MODELS = {".".join(m["key"]): m for m in load_manifest()["models"]}
PACKAGE = TypeAdapter(Package)


def _model(spec: DatasetSpec) -> dict[str, Any] | None:
    return MODELS.get(f"curated.conformado.{spec.id}")


def _releases(spec: DatasetSpec) -> list[ReleaseManifest]:
    model = _model(spec)
    columns = [c["name"] for c in model["columns"]] if model else None
    formats = {"CSV": b"a\n1\n", "Parquet": b"PAR1", "datapackage": b"{}"}
    older = release_manifest(spec, "v1", "2025-01-10T08:00:00+00:00", columns=columns)
    newer = release_manifest(
        spec, "v2", "2025-06-07T12:30:00Z", contents=formats, rows=42, columns=columns
    )
    return [older, newer]  # not newest first: the builder must order them


def _quality_report() -> dict[str, Any]:
    return {
        "dataset": "x",
        "run": "20250607T120000000000Z",
        "dagster_run_id": "a1b2",
        "generated_at": "2025-06-08T09:00:00+00:00",
        "puntaje": 8.25,
        "sello": "plata",
        "criterios": [{"criterio": "completitud", "puntaje": 9.5}],
        "reglas": [
            {"rule": {"name": "no_nulos"}, "success": True},
            {"rule": {"name": "rango_edad"}, "success": False, "unexpected": 3},
        ],
        "data_docs": "/srv/ada/lake/curated/_quality/salud/x/docs/index.html",
        "tendencia": [{"run": "r1", "puntaje": 7.9}, {"run": "r2", "puntaje": 8.25}],
    }


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_every_real_spec_builds_a_complete_record(spec: DatasetSpec) -> None:
    package = build_package(
        spec,
        _releases(spec),
        base_url=BASE_URL + "/",
        quality=_quality_report(),
        privacy={"dataset": spec.id, "k_achieved": 5, "generated_at": "2025-06-07T11:00:00Z"},
        model=_model(spec),
        downloads=7,
    )
    PACKAGE.validate_python(package, strict=True)  # exactly the record's shape and types

    assert package["name"] == spec.id
    assert package["id"] == str(uuid.uuid5(ADA_NAMESPACE, spec.id))
    assert package["title"] == spec.publication.title
    assert package["organization"]["name"] == slug(spec.publication.entidad)
    assert package["organization"]["title"] == spec.publication.entidad
    assert package["owner_org"] == package["organization"]["id"]
    assert [g["name"] for g in package["groups"]] == [spec.sector.value]
    assert [t["name"] for t in package["tags"]] == spec.publication.tags
    assert package["maintainer_email"] == spec.publication.contact.email

    assert package["version"] == "v2"
    assert [r["version"] for r in package["releases"]] == ["v2", "v1"]
    assert package["metadata_created"] == "2025-01-10T08:00:00.000000"
    # The newest input is the quality report (09:00 on the 8th), after the release.
    assert package["metadata_modified"] == "2025-06-08T09:00:00.000000"

    resources = package["resources"]
    assert [r["format"] for r in resources] == ["CSV", "Parquet", "Data Package"]
    assert [r["datastore_active"] for r in resources] == [True, False, False]
    csv = resources[0]
    assert csv["url"] == f"{BASE_URL}/dataset/{spec.id}/download/v2/{spec.id}.csv"
    assert csv["hash"].startswith("sha256:") and len(csv["hash"]) == 7 + 64
    assert csv["size"] == 4 and csv["release"] == "v2"
    assert csv["package_id"] == package["id"]
    assert package["releases"][1]["files"]["CSV"].endswith(f"/download/v1/{spec.id}.csv")

    stages = [step["stage"] for step in package["lineage"]]
    expected = ["source", "raw", "staging", "curated", "model", "release"]
    assert stages == (expected if _model(spec) else [s for s in expected if s != "model"])
    assert package["lineage"][-1]["source_table"] == f"curated.conformado.{spec.id}"
    assert spec.publication.entidad in package["lineage"][0]["description"]

    if _model(spec):
        names = [c["name"] for c in _model(spec)["columns"]]  # type: ignore[index]
        assert [c["name"] for c in package["columns"]] == names
        assert all(c["description"] for c in package["columns"])
        assert {c["type"] for c in package["columns"]} <= {
            "string",
            "integer",
            "number",
            "boolean",
            "date",
            "datetime",
            "time",
        }
    assert package["quality_score"] == 8.25 and package["quality_level"] == "plata"
    assert package["downloads"] == 7


def test_a_file_source_never_shows_a_local_path() -> None:
    with_files = [s for s in SPECS if s.source.kind == "file"]
    assert with_files, "the real specs include file sources"
    for spec in with_files:
        package = build_package(spec, _releases(spec), base_url=BASE_URL)
        text = str(package["lineage"])
        assert "ADA_REALDATA" not in text and "realdata" not in text
        assert spec.source.path not in text  # type: ignore[union-attr]


def test_the_records_feed_the_search_index_and_the_serializers() -> None:
    packages = [build_package(s, _releases(s), base_url=BASE_URL, model=_model(s)) for s in SPECS]
    index = SearchIndex.build(packages)
    found = index.search(q="siniestros", rows=50).results
    assert {"siniestros_viales", "siniestros_viales_sdm"} <= {p["name"] for p in found}
    facets = index.search(facet_fields=["organization", "groups", "res_format"]).to_ckan()
    assert facets["facets"]["res_format"]["CSV"] == len(SPECS)
    info = make_catalog_info()
    turtle = to_turtle(dataset_graph(info, packages[0]))
    assert f"{BASE_URL}/dataset/{packages[0]['name']}/download/v2/" in turtle
    pod = pod_dataset(info, packages[0])
    assert pod["distribution"][0]["downloadURL"] == packages[0]["resources"][0]["url"]


def test_the_same_inputs_build_the_same_record_and_ids_survive_new_releases() -> None:
    spec = SPECS[0]
    first = build_package(spec, _releases(spec), base_url=BASE_URL, model=_model(spec))
    again = build_package(spec, _releases(spec), base_url=BASE_URL, model=_model(spec))
    assert first == again
    v3 = release_manifest(spec, "v3", "2025-07-01T00:00:00Z", contents={"CSV": b"x\n"})
    newer = build_package(spec, [*_releases(spec), v3], base_url=BASE_URL)
    assert newer["version"] == "v3"
    assert newer["id"] == first["id"]
    assert newer["resources"][0]["id"] == first["resources"][0]["id"]  # the CSV, updated
    assert newer["resources"][0]["url"] != first["resources"][0]["url"]
    assert newer["metadata_modified"] == "2025-07-01T00:00:00.000000"


def test_versions_sort_by_number_not_text() -> None:
    spec = SPECS[0]
    releases = [release_manifest(spec, f"v{n}", f"2025-01-{n:02d}T00:00:00Z") for n in (9, 10, 2)]
    package = build_package(spec, releases, base_url=BASE_URL)
    assert [r["version"] for r in package["releases"]] == ["v10", "v9", "v2"]


def test_without_reports_the_record_says_so() -> None:
    spec = SPECS[0]
    package = build_package(spec, _releases(spec), base_url=BASE_URL)
    assert package["quality"] is None and package["privacy"] is None
    assert package["quality_score"] is None and package["quality_level"] == "sin sello"
    assert package["metadata_modified"] == "2025-06-07T12:30:00.000000"


def test_the_public_quality_report_drops_internal_fields_and_passed_rules() -> None:
    report = _quality_report()
    original = copy.deepcopy(report)
    summary = public_quality(report)
    assert summary is not None
    assert "data_docs" not in summary and "dagster_run_id" not in summary
    assert summary["reglas_evaluadas"] == 2
    assert [r["rule"]["name"] for r in summary["reglas"]] == ["rango_edad"]
    assert summary["tendencia"] == original["tendencia"]
    assert report == original  # the input is not changed


def test_without_a_model_the_dictionary_comes_from_the_spec() -> None:
    spec = make_spec(
        schema={
            "columns": [
                {"name": "id", "type": "integer", "description": "Identificador"},
                {"name": "pm25", "type": "number", "unit": "µg/m³", "description": "PM2.5"},
                {"name": "oculta", "type": "string"},
            ]
        }
    )
    release = release_manifest(spec, columns=["id", "pm25"], source_table="curated.gobierno.prueba")
    package = build_package(spec, [release], base_url=BASE_URL)
    assert package["columns"] == [
        {"name": "id", "type": "integer", "description": "Identificador", "unit": None},
        {"name": "pm25", "type": "number", "description": "PM2.5", "unit": "µg/m³"},
    ]
    assert "model" not in [step["stage"] for step in package["lineage"]]


def test_a_release_without_csv_queries_the_parquet_file() -> None:
    spec = SPECS[0]
    release = release_manifest(spec, contents={"datapackage": b"{}", "Parquet": b"PAR1"})
    package = build_package(spec, [release], base_url=BASE_URL)
    assert [(r["format"], r["datastore_active"]) for r in package["resources"]] == [
        ("Data Package", False),
        ("Parquet", True),
    ]


def test_a_record_needs_a_release() -> None:
    with pytest.raises(ValueError, match="at least one release"):
        build_package(SPECS[0], [], base_url=BASE_URL)


@pytest.mark.parametrize(
    ("duckdb_type", "expected"),
    [
        ("TEXT", "string"),
        ("VARCHAR", "string"),
        ("INT", "integer"),
        ("BIGINT", "integer"),
        ("UBIGINT", "integer"),
        ("DOUBLE", "number"),
        ("DECIMAL(18,3)", "number"),
        ("BOOLEAN", "boolean"),
        ("DATE", "date"),
        ("TIMESTAMP", "datetime"),
        ("TIMESTAMP WITH TIME ZONE", "datetime"),
        ("TIME", "time"),
        ("STRUCT(a INT)", "any"),
        ("INT[]", "any"),
    ],
)
def test_duckdb_types_map_to_table_schema(duckdb_type: str, expected: str) -> None:
    assert table_schema_type(duckdb_type) == expected
