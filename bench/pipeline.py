"""Benchmark: the whole pipeline, stage by stage, on a generated dataset at several sizes.

For each size the sample dataset (``--dataset``, the health notifications by default) is
generated into the landing area of a fresh ``ADA_HOME`` (generation is not timed), then every
stage runs as production runs it, calling the same functions the Dagster assets call, each
stage in its own fresh process (so peak memory, the child's max RSS, is that stage's own):

- **ingest**: ``receive_deliveries`` (landing → raw) and ``load_staging`` (raw → staging);
- **quality**: ``assess_staging`` (Great Expectations, quarantine split, score, Data Docs);
- **privacy**: ``protect_dataset`` (operators, k-anonymity gate, curated write) and its report;
- **sqlmesh**: ``transformations.project.refresh`` of the dataset's conformed model and the
  models built on it, with the unit tests (the first run of a fresh installation: it deploys);
- **publish**: ``publish_dataset`` from the conformed model (CSV, Parquet, JSON, GeoJSON,
  Data Package, atomic commit);
- **canary**: the open asset's blocking ``leak_canary`` check (``scan_open_zone``);
- **index**: ``refresh_catalog`` then a service worker's ``LiveCatalog.load`` (search index).

Each stage reports the seconds of its work and, apart, the seconds of importing the libraries it
imports lazily (GX, SQLMesh, Presidio...; paid once per process: ``ada run`` pays each once, a
process per step pays them every time). The total against the target counts both. The growth
exponent between two sizes is ``log(t2/t1) / log(n2/n1)`` on the work seconds: 1 is linear, a
stage above 1.1 is flagged; at small sizes fixed costs dominate, so the exponent that matters is
the one between the two largest sizes.

    python bench/pipeline.py [--sizes 10000 100000 1000000] [--dataset notificaciones_salud]
                             [--home DIR] [--save-baseline]

Target (issue 8): 1M rows of the health dataset through every stage in under 2 minutes on the
project's 2-core machine, no stage growing worse than linearly. The run also prints the
comparison with the baseline stored in ``bench/pipeline_baseline.json`` (with its commit).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

STAGES = ("ingest", "quality", "privacy", "sqlmesh", "publish", "canary", "index")
TARGET_SECONDS = 120.0
WORSE_THAN_LINEAR = 1.1
BASELINE_FILE = Path(__file__).with_name("pipeline_baseline.json")
STATE_FILE = "bench_pipeline_state.json"
PACKAGES = ("ada", "catalog", "expectations", "ingestion", "lake", "orchestration", "privacy")
PACKAGES += ("samples", "transformations")


# ------------------------------------------------------------------------------- in the child


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _state(settings: Any) -> dict[str, Any]:
    path = Path(settings.home) / STATE_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def _save_state(settings: Any, **values: Any) -> None:
    path = Path(settings.home) / STATE_FILE
    path.write_text(json.dumps({**_state(settings), **values}))


def _models_of(dataset: str) -> list[str]:
    """The dataset's conformed model and every model built on it (what its job selects)."""
    from transformations.manifest import load_manifest

    models = load_manifest()["models"]
    chosen = {("conformado", dataset)}
    grown = True
    while grown:
        grown = False
        for model in models:
            key = tuple(model["key"][1:])
            if key not in chosen and any(tuple(d) in chosen for d in model["depends_on"]):
                chosen.add(key)
                grown = True
    return [f"curated.{schema}.{table}" for schema, table in sorted(chosen)]


def _ingest(settings: Any, spec: Any) -> int:
    from ingestion.delivery import receive_deliveries
    from ingestion.staging import load_staging

    receive_deliveries(settings.for_ingestion(), spec, None)
    result = load_staging(settings, spec, None)
    _save_state(settings, rows_unparsed=result.quarantined_rows, staged=result.rows)
    return int(result.rows + result.quarantined_rows)


def _quality(settings: Any, spec: Any) -> int:
    from expectations.assessment import assess_staging

    unparsed = int(_state(settings).get("rows_unparsed", 0))
    assess_staging(settings, spec, None, rows_unparsed=unparsed, run_id="bench")
    return int(_state(settings).get("staged", 0))


def _privacy(settings: Any, spec: Any) -> int:
    from privacy.protection import protect_dataset
    from privacy.report import build_report, store_report

    result = protect_dataset(settings, spec, None)
    store_report(settings, spec, build_report(spec, result, None))
    if not result.released:
        raise SystemExit(f"{spec.key}: the re-identification gate blocked the release")
    return int(result.rows_out)


def _sqlmesh(settings: Any, spec: Any) -> int:
    from transformations.project import refresh

    result = refresh(settings, _models_of(spec.id), run_tests=True)
    failed = [o.describe() for o in result.failed]
    if failed:
        raise SystemExit(f"SQLMesh failed: {failed}")
    return int(result.rows.get(f"curated.conformado.{spec.id}", 0))


def _publish(settings: Any, spec: Any) -> int:
    from catalog.publication import publish_dataset

    published = publish_dataset(settings, spec, f"curated.conformado.{spec.id}")
    return int(published.release.rows)


def _canary(settings: Any, spec: Any) -> int:
    from catalog.publication import current_release, dataset_prefix
    from privacy.canary import scan_open_zone

    scanned, leaks = scan_open_zone(settings, dataset_prefix(spec), remember=True)
    if not scanned or leaks:
        raise SystemExit(f"leak canary: {scanned} file(s), {len(leaks)} leak(s)")
    release = current_release(settings, spec)
    return int(release.rows) if release else 0


def _index(settings: Any, spec: Any) -> int:
    from catalog.service.config import public_url_from_env
    from catalog.service.live import LiveCatalog
    from catalog.store import CatalogStore, refresh_catalog

    result = refresh_catalog(settings, public_url_from_env())
    store = CatalogStore.open(settings)
    try:
        LiveCatalog(store).load()
    finally:
        store.close()
    if result.datasets < 1:
        raise SystemExit("the catalog holds no released dataset")
    from catalog.publication import current_release

    release = current_release(settings, spec)
    return int(release.rows) if release else 0


#: The modules each stage imports lazily (timed apart from the work).
_IMPORTS: dict[str, tuple[str, ...]] = {
    "ingest": ("ingestion.delivery", "ingestion.staging", "lake.tables"),
    "quality": ("great_expectations", "expectations.assessment"),
    "privacy": ("privacy.protection", "privacy.report", "privacy.structured.operators"),
    "sqlmesh": ("sqlmesh", "transformations.project"),
    "publish": ("catalog.publication", "lake.tables"),
    "canary": ("privacy.canary", "catalog.publication"),
    "index": ("catalog.store", "catalog.service.live", "catalog.service.config"),
}

_WORK: dict[str, Callable[[Any, Any], int]] = {
    "ingest": _ingest,
    "quality": _quality,
    "privacy": _privacy,
    "sqlmesh": _sqlmesh,
    "publish": _publish,
    "canary": _canary,
    "index": _index,
}


def _child(stage: str, dataset: str) -> None:
    """One stage in this (fresh) process: imports, then the work; prints one JSON line."""
    import importlib

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    started = time.perf_counter()
    from ada.settings import load_settings
    from catalog.registry import load_registry

    for module in _IMPORTS[stage]:
        importlib.import_module(module)
    settings = load_settings()
    spec = load_registry(settings.datasets_dir).get(dataset)
    imported = time.perf_counter() - started
    start = time.perf_counter()
    rows = _WORK[stage](settings, spec)
    seconds = time.perf_counter() - start
    usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)  # imports included; load-independent
    measured = {"seconds": seconds, "import_s": imported, "cpu_s": cpu, "rows": rows}
    print(json.dumps({**measured, "peak_mib": _peak_mib()}))


# ------------------------------------------------------------------------------ in the parent


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ADA_HOME": str(home),
        "PYTHONPATH": str(REPO),
        "GX_ANALYTICS_ENABLED": "False",
    }


def _compile_bytecode() -> None:
    """Compile the environment and ADA's packages, as the production image does
    (``UV_COMPILE_BYTECODE=1``): with ``PYTHONDONTWRITEBYTECODE`` set, as on the project's
    machine, every stage would otherwise compile its imports from source (seconds each)."""
    import site
    import sysconfig

    folders = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    packages = [str(REPO / p) for p in PACKAGES]
    command = [sys.executable, "-m", "compileall", "-q", "-j", "0", *sorted(folders), *packages]
    subprocess.run(command, check=False, capture_output=True)


def _generate(rows: int, dataset: str, cache: Path) -> Path:
    """The landing files of ``dataset`` at ``rows`` (generated once into ``cache``)."""
    folder = cache / f"samples-{dataset}-{rows}"
    if (folder / ".done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    code = (
        "from pathlib import Path; from samples.generator import generate; "
        f"generate(Path({str(folder)!r}), rows={rows}, only=[{dataset!r}])"
    )
    subprocess.run([sys.executable, "-c", code], env=_env(cache), cwd=REPO, check=True)
    (folder / ".done").touch()
    return folder


def _fresh_home(rows: int, dataset: str, cache: Path, samples: Path) -> Path:
    """An empty installation whose landing area holds the generated files."""
    home = cache / f"home-{dataset}-{rows}"
    shutil.rmtree(home, ignore_errors=True)
    landing = home / "lake" / "landing"
    landing.parent.mkdir(parents=True)
    shutil.copytree(samples, landing, ignore=shutil.ignore_patterns(".done"))
    return home


def _run_stage(stage: str, dataset: str, home: Path) -> dict[str, float]:
    code = f"from bench.pipeline import _child; _child({stage!r}, {dataset!r})"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(home), cwd=REPO, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"stage {stage} failed:\n{done.stderr[-4000:]}\n{done.stdout[-2000:]}")
    measured: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    measured["process_s"] = time.perf_counter() - started
    return measured


def _exponent(t1: float, t2: float, n1: int, n2: int) -> float:
    return math.log(t2 / t1) / math.log(n2 / n1)


def _print_table(results: dict[int, dict[str, dict[str, float]]]) -> None:
    sizes = sorted(results)
    print(
        f"{'stage':<8} {'rows':>10} {'work s':>8} {'import s':>9} {'cpu s':>7} {'rows/s':>11} "
        f"{'peak MiB':>9} {'exponent':>9}"
    )
    for stage in STAGES:
        for i, size in enumerate(sizes):
            m = results[size][stage]
            exponent = ""
            if i:
                prev = results[sizes[i - 1]][stage]
                e = _exponent(prev["seconds"], m["seconds"], sizes[i - 1], size)
                exponent = f"{e:.2f}" + (" !" if e > WORSE_THAN_LINEAR else "")
            print(
                f"{stage:<8} {size:>10,} {m['seconds']:>8.2f} {m['import_s']:>9.2f} "
                f"{m.get('cpu_s', 0):>7.1f} "
                f"{size / m['seconds']:>11,.0f} {m['peak_mib']:>9.0f} {exponent:>9}"
            )
    print(f"{'total':<8}", end="")
    for size in sizes:
        work = sum(results[size][s]["seconds"] for s in STAGES)
        imports = sum(results[size][s]["import_s"] for s in STAGES)
        cpu = sum(results[size][s].get("cpu_s", 0) for s in STAGES)
        print(
            f"  {size:,}: {work:.1f} s work + {imports:.1f} s imports = {work + imports:.1f} s"
            f" ({cpu:.0f} cpu s)",
            end="",
        )
    print()


def _compare(results: dict[int, dict[str, dict[str, float]]], baseline: dict[str, Any]) -> None:
    largest = max(results)
    total = sum(results[largest][s]["seconds"] + results[largest][s]["import_s"] for s in STAGES)
    verdict = "met" if total < TARGET_SECONDS else "NOT met"
    print(
        f"target: {largest:,} rows through every stage in < {TARGET_SECONDS:.0f} s: "
        f"{total:.1f} s ({verdict})"
    )
    worse = [
        stage
        for stage in STAGES
        for small, big in zip(sorted(results)[:-1], sorted(results)[1:], strict=True)
        if big == largest
        and _exponent(results[small][stage]["seconds"], results[big][stage]["seconds"], small, big)
        > WORSE_THAN_LINEAR
    ]
    print("worse than linear between the two largest sizes: " + (", ".join(worse) or "none"))
    base = baseline.get("results", {}).get(str(largest))
    if not base:
        print(f"no baseline at {largest:,} rows in {BASELINE_FILE.name}")
        return
    print(f"against the baseline ({baseline['label']}, commit {baseline['commit'][:10]}):")
    print(
        f"{'stage':<8} {'baseline s':>11} {'now s':>8} {'speed-up':>9} "
        f"{'baseline cpu s':>15} {'now cpu s':>10}  (s: work + import; cpu: the process's)"
    )
    for stage in [*STAGES, "total"]:
        chosen = STAGES if stage == "total" else (stage,)
        b = sum(base[s]["seconds"] + base[s]["import_s"] for s in chosen)
        n = sum(results[largest][s]["seconds"] + results[largest][s]["import_s"] for s in chosen)
        b_cpu = sum(base[s].get("cpu_s", 0) for s in chosen)
        n_cpu = sum(results[largest][s].get("cpu_s", 0) for s in chosen)
        print(f"{stage:<8} {b:>11.2f} {n:>8.2f} {b / n:>8.2f}x {b_cpu:>15.1f} {n_cpu:>10.1f}")


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dataset", default="notificaciones_salud")
    parser.add_argument(
        "--home", type=Path, help="keep the generated files (and the last installations) here"
    )
    parser.add_argument(
        "--save-baseline", metavar="LABEL", help=f"store this run in {BASELINE_FILE.name}"
    )
    args = parser.parse_args()
    _compile_bytecode()
    load = os.getloadavg()
    print(
        f"{os.cpu_count()} cores, load average {load[0]:.1f} at the start; commit {_commit()[:10]}"
    )
    results: dict[int, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="ada-bench-pipeline-") as tmp:
        cache = args.home or Path(tmp)
        cache.mkdir(parents=True, exist_ok=True)
        for rows in sorted(args.sizes):
            started = time.perf_counter()
            samples = _generate(rows, args.dataset, cache)
            took = time.perf_counter() - started
            print(f"{rows:,} rows of {args.dataset}: generated in {took:.1f} s")
            home = _fresh_home(rows, args.dataset, cache, samples)
            results[rows] = {}
            for stage in STAGES:
                results[rows][stage] = m = _run_stage(stage, args.dataset, home)
                print(
                    f"  {stage:<8} {m['seconds']:7.2f} s (+{m['import_s']:.2f} s imports) "
                    f"{m['peak_mib']:6.0f} MiB",
                    flush=True,
                )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    _print_table(results)
    baseline = json.loads(BASELINE_FILE.read_text()) if BASELINE_FILE.exists() else {}
    if args.save_baseline:
        baseline = {
            "label": args.save_baseline,
            "commit": _commit(),
            "dataset": args.dataset,
            "results": {str(k): v for k, v in results.items()},
        }
        BASELINE_FILE.write_text(json.dumps(baseline, indent=2) + "\n")
    _compare(results, baseline)


if __name__ == "__main__":
    main()
