"""The quick start's main path: `ada demo` brings every sample and real dataset into the lake."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ada.settings import Zone, load_settings
from catalog.registry import load_registry
from lake import tables
from tests.helpers import REPO


@pytest.mark.slow
def test_demo_runs_every_dataset_through_raw_and_staging(ada_home) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "ada", "demo", "--no-ui", "--rows", "400"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr

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
        [sys.executable, "-m", "ada", "datasets"],
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
