"""The quick start's main path: `ada demo` brings every sample and real dataset into the lake."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from ada.settings import Zone, load_settings
from catalog.registry import load_registry
from lake import tables
from tests.helpers import REPO


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
def test_demo_runs_every_dataset_and_serves_the_ui_and_the_portal(ada_home) -> None:  # type: ignore[no-untyped-def]
    """``ada demo`` runs the whole pipeline, then serves the Dagster UI and the portal and
    prints both addresses; Ctrl+C stops both."""
    env = {**os.environ, "COLUMNS": "200"}
    ui_port, portal_port = _free_port(), _free_port()
    ports = ["--port", str(ui_port), "--portal-port", str(portal_port)]
    log = ada_home.parent / "demo.log"  # a file, not a pipe: minutes of output must not block
    process = subprocess.Popen(
        [sys.executable, "-m", "ada", "demo", "--rows", "400", *ports],
        cwd=REPO,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    portal = f"http://127.0.0.1:{portal_port}"
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(f"{portal}/api/3/action/package_list") and _answers(
                f"http://127.0.0.1:{ui_port}/server_info"
            ):
                break
            time.sleep(2)
        listed = httpx.get(f"{portal}/api/3/action/package_list", timeout=10).json()["result"]
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=120)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in output, output[-3000:]
    assert f"http://127.0.0.1:{ui_port}" in output and portal in output
    assert len(listed) == len(load_registry(REPO / "catalog" / "datasets").active)

    specs = load_registry(REPO / "catalog" / "datasets").active
    con = tables.connect(load_settings(), [Zone.STAGING], read_only=True)
    try:
        for spec in specs:
            rows = con.execute(f"SELECT count(*) FROM staging.{spec.table_name}").fetchone()[0]
            assert rows > 0, spec.key
            quarantined = con.execute(
                f'SELECT count(*) FROM staging.quarantine."{spec.id}"'
            ).fetchone()[0]
            # The generated samples carry dirt on purpose; the real files parse cleanly, and
            # only the COVID-19 export breaks a quality rule (200 case types the spec does
            # not allow, see expectations/suites/covid19_casos_osb.yaml).
            if spec.source.kind == "landing":
                assert quarantined > 0, f"{spec.key}: the sample's dirt was not caught"
            else:
                assert quarantined == (200 if spec.id == "covid19_casos_osb" else 0), spec.key
    finally:
        con.close()

    listing = subprocess.run(
        [sys.executable, "-m", "ada", "datasets"],  # the pipeline's state, after the demo
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    for spec in specs:
        line = next(x for x in listing.stdout.splitlines() if spec.key[:38] in x)
        assert "al día" in line, line

    _assert_models_and_indicators_built(specs)


def _assert_models_and_indicators_built(specs) -> None:  # type: ignore[no-untyped-def]
    """Every conformed model holds rows, the mart has all 20 localidades in every period, and
    every dataset was published from its conformed model."""
    from lake.storage import store_for

    con = tables.connect(load_settings(), [Zone.CURATED], read_only=True)
    try:
        for spec in specs:
            rows = con.execute(f"SELECT count(*) FROM curated.conformado.{spec.id}").fetchone()[0]
            assert rows > 0, spec.id
        periods = con.execute(
            "SELECT periodo, count(DISTINCT codigo_localidad) FROM "
            "curated.indicadores.localidad_periodo GROUP BY periodo"
        ).fetchall()
        definitions = con.execute("SELECT count(*) FROM curated.indicadores.definiciones")
        assert definitions.fetchone()[0] >= 8
    finally:
        con.close()
    assert len(periods) >= 12
    assert {count for _, count in periods} == {20}
    published = {o.key.rsplit("/", 1)[-1] for o in store_for(load_settings(), Zone.OPEN).list()}
    for spec in specs:
        assert f"{spec.id}.csv" in published, spec.id
