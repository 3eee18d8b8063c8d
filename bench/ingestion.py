"""Benchmark: raw-to-staging ingestion of the generated health dataset against its floor.

The floor is what a hand-written script would do with the same file: ``pyarrow.csv.read_csv``
(told the encoding and delimiter) then ``pyarrow.parquet.write_table``. The pipeline's step is
``ingestion.staging.load_staging``: streamed parsing, typing with quarantine, and a DuckLake
commit. Each measurement runs in a fresh process so peak memory (max RSS) is its own.

    python bench/ingestion.py [--rows 100000 1000000] [--repeat 2]

Target (issue 2): pipeline within 3x of the floor, and peak memory that does not grow with the
file size beyond a bounded batch.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DATASET = "notificaciones_salud"


def _measure_in_child(mode: str, home: Path, path: Path) -> dict[str, float]:
    """Run one measurement in a child process; returns seconds, rows and peak RSS in MiB."""
    env = {**os.environ, "ADA_HOME": str(home), "PYTHONPATH": str(REPO)}
    code = f"from bench.ingestion import _child; _child({mode!r}, {str(path)!r})"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, path: str) -> None:
    from catalog.registry import load_registry

    settings_mod = __import__("ada.settings", fromlist=["load_settings"])
    settings = settings_mod.load_settings()
    spec = load_registry(REPO / "catalog" / "datasets").get(DATASET)
    if mode == "floor":
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        fmt = spec.format
        start = time.perf_counter()
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=fmt.encoding, skip_rows=fmt.header_row - 1),
            parse_options=pacsv.ParseOptions(delimiter=fmt.delimiter),
        )
        pq.write_table(table, Path(path).with_suffix(".parquet"))
        seconds = time.perf_counter() - start
        rows = table.num_rows
    else:
        from ingestion.staging import load_staging

        start = time.perf_counter()
        result = load_staging(settings, spec)
        seconds = time.perf_counter() - start
        rows = result.rows + result.quarantined_rows
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mib": _peak_mib()}))


def _prepare(rows: int, workdir: Path) -> tuple[Path, Path]:
    """Generate the file into a fresh landing area and receive it into raw (not timed)."""
    home = workdir / f"home-{rows}"
    env = {**os.environ, "ADA_HOME": str(home), "PYTHONPATH": str(REPO)}
    code = (
        "from pathlib import Path; from ada.settings import load_settings, Zone; "
        "from samples.generator import generate; from catalog.registry import load_registry; "
        "from ingestion.delivery import receive_deliveries; "
        "s = load_settings(); "
        f"files = generate(s.local_zone_dir(Zone.LANDING), rows={rows}, only=[{DATASET!r}]); "
        f"spec = load_registry(Path({str(REPO / 'catalog' / 'datasets')!r})).get({DATASET!r}); "
        "receive_deliveries(s, spec); "
        "print(s.local_zone_dir(Zone.LANDING) / files[0].relative_path)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout
    return home, Path(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs")
    args = parser.parse_args()
    print(
        f"{'rows':>10} {'floor s':>8} {'ada s':>8} {'ratio':>6} {'ada rows/s':>11} "
        f"{'floor MiB':>10} {'ada MiB':>8}  file MiB"
    )
    with tempfile.TemporaryDirectory(prefix="ada-bench-") as tmp:
        for rows in args.rows:
            home, path = _prepare(rows, Path(tmp))
            floor = min(
                (_measure_in_child("floor", home, path) for _ in range(args.repeat)),
                key=lambda r: r["seconds"],
            )
            ada = min(
                (_measure_in_child("pipeline", home, path) for _ in range(args.repeat)),
                key=lambda r: r["seconds"],
            )
            ratio = ada["seconds"] / floor["seconds"]
            size = path.stat().st_size / 2**20
            print(
                f"{rows:>10,} {floor['seconds']:>8.2f} {ada['seconds']:>8.2f} {ratio:>5.2f}x "
                f"{ada['rows'] / ada['seconds']:>11,.0f} {floor['peak_mib']:>10.0f} "
                f"{ada['peak_mib']:>8.0f}  {size:.0f}"
            )
    print("target: ratio <= 3.00x; ada peak memory roughly flat as rows grow")


if __name__ == "__main__":
    main()
