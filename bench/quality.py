"""Benchmark: validating the generated health table with its full suite against one DuckDB read.

The baseline is reading the staging table once with DuckDB (``SELECT *`` into Arrow: every
column, every row). The measured step is ``expectations.validation.validate``: the dataset's
whole suite (derived rules, the hand-written suite and the delivery rules) run by Great
Expectations on its DuckDB datasource. Also shown, not part of the target: the quarantine split
(``split_quarantine``) and the whole assessment (validation, quarantine, profile, score, Data
Docs, report), and the one-off cost of importing GX in a fresh process.

Each measurement runs in a fresh process, with GX already imported (the import is timed apart).

    python bench/quality.py [--rows 1000000] [--repeat 2]

Target (issue 4): validation within 5x of the read.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DATASET = "notificaciones_salud"


def _in_child(mode: str, home: Path) -> dict[str, float]:
    env = {**os.environ, "ADA_HOME": str(home), "PYTHONPATH": str(REPO)}
    code = f"from bench.quality import _child; _child({mode!r})"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the {mode} measurement failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(mode: str) -> None:
    import datetime as dt

    from ada.settings import Zone, load_settings
    from catalog.registry import load_registry
    from lake import tables

    settings = load_settings()
    spec = load_registry(REPO / "catalog" / "datasets").get(DATASET)
    table = f'staging."{spec.sector.value}"."{spec.id}"'
    start = time.perf_counter()
    import great_expectations  # noqa: F401  (timed apart: a once-per-process cost)

    import_seconds = time.perf_counter() - start
    con = tables.connect(settings, [Zone.STAGING])
    rows_row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    rows = int(rows_row[0]) if rows_row else 0
    start = time.perf_counter()
    if mode == "read":
        con.execute(f"SELECT * FROM {table}").fetch_arrow_table()
    elif mode == "validate":
        from expectations.rules import delivery_rules, load_suite, merged_rules
        from expectations.validation import validate

        suite = load_suite(spec.id)
        rules = merged_rules(spec, suite) + delivery_rules(
            spec, suite, previous_rows=rows, reference_day=dt.date.today()
        )
        validation = validate(
            con, table, rules, suite_name=spec.id, personal_columns=set(spec.privacy.columns)
        )
        assert len(validation.outcomes) == len(rules)
    elif mode == "assess":
        from expectations.assessment import assess_staging

        assess_staging(settings, spec, con=con)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": rows, "import_seconds": import_seconds}))


def _prepare(rows: int, workdir: Path) -> Path:
    """Generate the health file and load it into staging (not timed)."""
    home = workdir / f"home-{rows}"
    env = {**os.environ, "ADA_HOME": str(home), "PYTHONPATH": str(REPO)}
    code = (
        "from pathlib import Path; from ada.settings import load_settings, Zone; "
        "from samples.generator import generate; from catalog.registry import load_registry; "
        "from ingestion.delivery import receive_deliveries; "
        "from ingestion.staging import load_staging; "
        "s = load_settings(); "
        f"generate(s.local_zone_dir(Zone.LANDING), rows={rows}, only=[{DATASET!r}]); "
        f"spec = load_registry(Path({str(REPO / 'catalog' / 'datasets')!r})).get({DATASET!r}); "
        "receive_deliveries(s, spec); load_staging(s, spec)"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return home


def _snapshot(home: Path) -> Path:
    """A copy of the freshly loaded lake: the assessment quarantines rows, so it gets its own."""
    copy = home.with_name(home.name + "-pristine")
    shutil.copytree(home, copy)
    return copy


def _restore(pristine: Path, home: Path) -> None:
    shutil.rmtree(home)
    shutil.copytree(pristine, home)


def _best(mode: str, home: Path, repeat: int, pristine: Path | None = None) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        if pristine is not None:
            _restore(pristine, home)
        runs.append(_in_child(mode, home))
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs")
    args = parser.parse_args()
    print(
        f"{'rows':>10} {'read s':>7} {'validate s':>10} {'ratio':>6} {'rows/s':>11} "
        f"{'assess s':>9} {'GX import s':>11}"
    )
    with tempfile.TemporaryDirectory(prefix="ada-bench-quality-") as tmp:
        for rows in args.rows:
            # DuckLake's catalog remembers its data path: the copy is restored in place.
            home = _prepare(rows, Path(tmp))
            pristine = _snapshot(home)
            read = _best("read", home, args.repeat)
            validated = _best("validate", home, args.repeat)
            assessed = _best("assess", home, 1, pristine)
            ratio = validated["seconds"] / read["seconds"]
            print(
                f"{validated['rows']:>10,} {read['seconds']:>7.2f} {validated['seconds']:>10.2f} "
                f"{ratio:>5.2f}x {validated['rows'] / validated['seconds']:>11,.0f} "
                f"{assessed['seconds']:>9.2f} {validated['import_seconds']:>11.2f}"
            )
    print("target: validate / read <= 5.00x (the full suite in Great Expectations on DuckDB)")


if __name__ == "__main__":
    main()
