"""The ``ada`` command as a user runs it: real processes, real output, one-line errors."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import REALDATA, REPO, make_spec, write_spec


def ada(*args: str, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ada", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def env(ada_home: Path) -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200"}


def test_datasets_lists_every_spec_with_its_state(env: dict[str, str]) -> None:
    result = ada("datasets", env=env)
    assert result.returncode == 0, result.stderr
    assert "salud/covid19_casos_osb" in result.stdout
    assert "sin entregas" in result.stdout


def test_run_a_selection_then_datasets_shows_it_up_to_date(env: dict[str, str]) -> None:
    result = ada("run", "--select", "key:*/salud/covid19_casos_osb", env=env)
    assert result.returncode == 0, result.stderr
    assert "✓ salud/covid19_casos_osb" in result.stderr
    # Its publication reads its conformed model: the models and the publication run after it.
    assert "✓ modelos SQLMesh y publicación" in result.stderr
    assert "2/2 runs succeeded" in result.stderr
    _assert_in_the_catalog("covid19_casos_osb")
    listing = ada("datasets", env=env).stdout
    line = next(x for x in listing.splitlines() if "salud/covid19_casos_osb" in x)
    # 2,345 rows delivered; 200 break the spec's allowed case types and are quarantined.
    assert "2,145 filas" in line and "al día" in line
    assert "sin sello" in line or "plata" in line or "bronce" in line

    report = ada("quality", "covid19_casos_osb", env=env)
    assert report.returncode == 0, report.stderr
    assert "completitud" in report.stdout and "trazabilidad" in report.stdout
    assert "cuarentena: 200 filas" in report.stdout
    assert ".html" in report.stdout  # the run's Data Docs


def _assert_in_the_catalog(name: str) -> None:
    """The run ended with the catalog asset: the record is in the store, with its release."""
    from ada.settings import load_settings
    from catalog.store import CatalogStore

    store = CatalogStore.open(load_settings())
    try:
        package = store.package(name)
    finally:
        store.close()
    assert package is not None
    assert package["version"] == "v1"
    assert {"CSV", "Parquet", "JSON"} <= {r["format"] for r in package["resources"]}
    assert package["quality_level"] and package["privacy"]


def test_errors_are_one_line_and_debug_shows_the_traceback(env: dict[str, str]) -> None:
    result = ada("run", "--select", "key:no/such/asset", env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len([x for x in result.stderr.splitlines() if x.strip()]) <= 6
    debug = ada("--debug", "run", "--select", "key:no/such/asset", env=env)
    assert debug.returncode != 0


def test_failing_dataset_is_reported_and_others_still_run(
    env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "specs"
    write_spec(folder, make_spec(id="roto", source={"kind": "file", "path": "/no/such/file.csv"}))
    shutil.copytree(REPO / "catalog/datasets/salud", folder / "salud")
    result = ada("run", env={**env, "ADA_DATASETS_DIR": str(folder)})
    assert result.returncode == 1
    assert "✗ gobierno/roto" in result.stderr and "does not exist" in result.stderr
    assert "✓ salud/covid19_casos_osb" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_spec_is_reported_with_file_and_field(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "specs" / "salud"
    folder.mkdir(parents=True)
    (folder / "malo.yaml").write_text("id: malo\nsector: salud\nupdate_frequency: a veces\n")
    result = ada("datasets", env={**env, "ADA_DATASETS_DIR": str(tmp_path / "specs")})
    assert result.returncode == 1
    assert "malo.yaml" in result.stdout and "update_frequency" in result.stdout


def test_ingest_infers_a_spec_and_the_dataset_runs(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    source = REALDATA / "movilidad_siniestros_viales" / "datos_siniestralidad-small.csv"
    file = tmp_path / "siniestros.csv"
    shutil.copy(source, file)
    local = {**env, "ADA_DATASETS_DIR": str(folder)}
    result = ada(
        "ingest",
        str(file),
        "--dataset",
        "siniestros_nuevos",
        "--sector",
        "movilidad",
        "--run",
        env=local,
    )
    assert result.returncode == 0, result.stderr
    spec_text = (folder / "movilidad" / "siniestros_nuevos.yaml").read_text(encoding="utf-8")
    assert "codigo_accidente" in spec_text and "status: draft" in spec_text
    assert "✓ movilidad/siniestros_nuevos" in result.stderr
    again = ada(
        "ingest", str(file), "--dataset", "siniestros_nuevos", "--sector", "movilidad", env=local
    )
    assert again.returncode != 0 and "--force" in again.stderr


def test_ingest_rejects_unknown_sector(env: dict[str, str], tmp_path: Path) -> None:
    file = tmp_path / "x.csv"
    file.write_text("a\n1\n")
    result = ada("ingest", str(file), "--dataset", "x", "--sector", "deportes", env=env)
    assert result.returncode == 2 and "salud" in result.stderr


def _graphql(port: int, query: str) -> str:
    import json

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return urllib.request.urlopen(request, timeout=30).read().decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _assert_one_lineage_graph(port: int) -> None:
    """In the graph the UI draws, every dataset the indicators read flows from its raw file
    through staging, its privacy-treated table and its conformed model to the indicators."""
    import json

    from catalog.registry import load_registry
    from transformations.manifest import load_manifest

    nodes = json.loads(
        _graphql(port, "{ assetNodes { assetKey { path } dependencyKeys { path } } }")
    )["data"]["assetNodes"]
    children: dict[str, set[str]] = {}
    for node in nodes:
        for parent in node["dependencyKeys"]:
            key = "/".join(node["assetKey"]["path"])
            children.setdefault("/".join(parent["path"]), set()).add(key)

    def shortest_path(start: str, goal: str) -> list[str] | None:
        paths = [[start]]
        while paths:
            current = paths.pop(0)
            if current[-1] == goal:
                return current
            paths += [[*current, child] for child in sorted(children.get(current[-1], ()))]
        return None

    mart = next(
        m for m in load_manifest()["models"] if m["name"] == "indicadores.localidad_periodo"
    )
    read = [dataset for schema, dataset in mart["depends_on"] if schema == "conformado"]
    sectors = {
        spec.id: spec.sector.value for spec in load_registry(REPO / "catalog/datasets").specs
    }
    assert len(read) >= 9
    for dataset in read:
        sector = sectors[dataset]
        assert shortest_path(
            f"raw/{sector}/{dataset}", "curated/indicadores/localidad_periodo"
        ) == [
            f"raw/{sector}/{dataset}",
            f"staging/{sector}/{dataset}",
            f"curated/{sector}/{dataset}",
            f"curated/conformado/{dataset}",
            "curated/indicadores/localidad_periodo",
        ]


@pytest.mark.slow
def test_ui_serves_the_assets(env: dict[str, str]) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ada", "ui", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        query = b'{"query": "{ assetNodes { assetKey { path } } }"}'
        deadline = time.monotonic() + 180
        body = ""
        while time.monotonic() < deadline:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=query,
                    headers={"Content-Type": "application/json"},
                )
                body = urllib.request.urlopen(request, timeout=5).read().decode()
                if "covid19_casos_osb" in body:
                    break
            except OSError:
                time.sleep(1)
        assert '"staging", "salud", "covid19_casos_osb"' in body.replace('","', '", "')
        automation = _graphql(
            port,
            "{ workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError {"
            " ... on RepositoryLocation { repositories { schedules { name } sensors { name } }"
            " } } } } } }",
        )
        assert "ingest_covid19_casos_osb_schedule" in automation
        assert "landing_sensor" in automation
        metadata = _graphql(
            port,
            '{ assetNodeOrError(assetKey: {path: ["staging", "salud", "covid19_casos_osb"]}) {'
            " ... on AssetNode { owners { ... on TeamAssetOwner { team } } kinds"
            " metadataEntries { label } } } }",
        )
        assert "dagster/column_schema" in metadata and '"salud"' in metadata
        _assert_one_lineage_graph(port)
    finally:
        os.killpg(process.pid, 15)
        output = process.communicate(timeout=60)[0]
    assert f"http://127.0.0.1:{port}" in output
