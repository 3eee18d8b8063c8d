"""Benchmark: a full SQLMesh run of the project against the same SQL run directly in DuckDB.

Setup (not timed): the sample datasets are generated at ``--rows`` and run through the pipeline
up to the curated zone (``ada run`` without the transformations), then SQLMesh builds the
project once so every model exists.

- **SQLMesh**: ``transformations.project.refresh``, what the pipeline's step runs: the SQLMesh
  unit tests, then one plan restating every model, in dependency order, with every audit
  (context creation included, the Python imports not).
- **DuckDB**: the same models' SQL, rendered by SQLMesh beforehand, run as ``CREATE OR REPLACE
  TABLE ... AS`` in dependency order on one DuckDB session with the same DuckLake catalog, into
  schemas of their own (no audits, no state, no virtual layer).

Each measurement runs in a fresh process; the ratio is SQLMesh / DuckDB.

    python bench/transformations.py [--rows 1000000] [--repeat 1]

Target (issue 5): SQLMesh's overhead within 1.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BENCH_PREFIX = "bench_"


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "ADA_HOME": str(home), "PYTHONPATH": str(REPO)}


#: Days of the daily-partitioned sample (calidad_aire_rmcab) loaded for the benchmark: each day
#: is its own Dagster run, and a year of them would take the preparation past an hour.
PARTITION_DAYS = 30


def _prepare(rows: int, home: Path) -> None:
    """Generate the samples at ``rows`` and run them up to the curated zone, then build the
    project once so every model exists (none of this is timed)."""
    import datetime as dt

    env = _env(home)
    ada = [sys.executable, "-m", "ada"]
    subprocess.run([*ada, "samples", "--rows", str(rows)], env=env, check=True, capture_output=True)
    days = [str(dt.date(2025, 6, 1) + dt.timedelta(days=n)) for n in range(PARTITION_DAYS)]
    partitions = [arg for day in days for arg in ("--partition", day)]
    selection = "not group:transformaciones and not key:open/*"
    subprocess.run([*ada, "run", "--select", selection, *partitions], env=env, capture_output=True)
    code = "from ada.settings import load_settings; from transformations.project import build; "
    code += "build(load_settings())"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)


def _source_rows(home: Path) -> dict[str, int]:
    """Rows of every privacy-treated source table the models read."""
    code = (
        "import json; from ada.settings import load_settings, Zone; from lake import tables; "
        "con = tables.connect(load_settings(), [Zone.CURATED], read_only=True); "
        'names = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE '
        "database_name = 'curated' AND schema_name NOT IN ('dim', 'conformado', 'indicadores') "
        "AND schema_name NOT LIKE 'sqlmesh%' AND schema_name NOT LIKE 'bench%'\").fetchall(); "
        "print(json.dumps({t: con.execute(f'SELECT count(*) FROM curated.{s}.{t}').fetchone()[0] "
        "for s, t in names}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(home), capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _in_child(mode: str, home: Path) -> dict[str, float]:
    code = f"from bench.transformations import _child; _child({mode!r})"
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(home), capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"the {mode} measurement failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _direct_statements() -> list[str]:
    """Every non-seed, non-external model as CREATE TABLE AS, in order, into bench_ schemas."""
    from ada.settings import load_settings
    from transformations.project import is_external, sqlmesh_context

    context = sqlmesh_context(load_settings())
    names = [n for n in context.dag.sorted if n in context.models]
    built = [n for n in names if not is_external(context.models[n])]
    statements = []
    for name in built:
        model = context.models[name]
        catalog, schema, table = (part.strip('"') for part in name.split("."))
        target = f'"{catalog}"."{BENCH_PREFIX}{schema}"."{table}"'
        if model.kind.is_seed:
            statements.append(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {name}")
            continue
        sql = context.render(name).sql(dialect="duckdb")
        for other in built:  # read the direct run's own upstream tables
            o_catalog, o_schema, o_table = (part.strip('"') for part in other.split("."))
            sql = sql.replace(
                f'"{o_catalog}"."{o_schema}"."{o_table}"',
                f'"{o_catalog}"."{BENCH_PREFIX}{o_schema}"."{o_table}"',
            )
        statements.append(f"CREATE OR REPLACE TABLE {target} AS {sql}")
    return statements


def _child(mode: str) -> None:
    from ada.settings import Zone, load_settings

    settings = load_settings()
    if mode == "sqlmesh":
        import sqlmesh  # noqa: F401  (imports are not timed)

        from transformations.project import refresh

        start = time.perf_counter()
        result = refresh(settings, run_tests=True)  # what the pipeline step runs
        seconds = time.perf_counter() - start
        rows = sum(result.rows.values())
    else:
        from lake import tables

        statements = _direct_statements()  # rendering is not timed
        con = tables.connect(settings, [Zone.CURATED])
        schemas = sorted({re.findall(r'"curated"\."([^"]+)"', s)[0] for s in statements})
        for schema in schemas:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS curated."{schema}"')
        start = time.perf_counter()
        for statement in statements:
            con.execute(statement)
        seconds = time.perf_counter() - start
        rows = 0
        for statement in statements:
            target = statement.split(" AS ", 1)[0].removeprefix("CREATE OR REPLACE TABLE ")
            row = con.execute(f"SELECT count(*) FROM {target}").fetchone()
            rows += int(row[0]) if row else 0
    print(json.dumps({"seconds": seconds, "rows": rows}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs")
    parser.add_argument(
        "--home", type=Path, help="keep the prepared installations here and reuse them"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ada-bench-sqlmesh-") as tmp:
        for rows in args.rows:
            home = (args.home or Path(tmp)) / f"home-{rows}"
            if not (home / "metadata").exists():
                _prepare(rows, home)
            sources = _source_rows(home)
            print(f"sources at --rows {rows:,}: {sum(sources.values()):,} rows in", end=" ")
            print(", ".join(f"{t} {n:,}" for t, n in sorted(sources.items())))
            # Interleaved, so that a change in the machine's load hits both sides alike.
            runs = [
                (_in_child("duckdb", home), _in_child("sqlmesh", home)) for _ in range(args.repeat)
            ]
            direct = min((r[0] for r in runs), key=lambda r: r["seconds"])
            mesh = min((r[1] for r in runs), key=lambda r: r["seconds"])
            ratio = mesh["seconds"] / direct["seconds"]
            print(f"{'rows':>10} {'duckdb s':>9} {'sqlmesh s':>10} {'ratio':>6} {'model rows':>11}")
            print(
                f"{rows:>10,} {direct['seconds']:>9.2f} {mesh['seconds']:>10.2f} "
                f"{ratio:>5.2f}x {int(mesh['rows']):>11,}"
            )
    print("target: sqlmesh / duckdb <= 1.50x (same models, same lake)")


if __name__ == "__main__":
    main()
