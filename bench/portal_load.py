"""Load: 100 concurrent clients on the catalog service for 5 minutes, mixing what readers do
(searches, dataset pages, previews, downloads); zero errors, latency per kind, memory flat.

The catalog is generated in a fresh ``ADA_HOME``: a real dataset (``siniestros_viales_sdm``:
its curated table with ``--rows`` rows, a release with its CSV, its quality report) and
``--datasets`` synthetic records (``tests.fixtures.packages``). ``ada serve --workers 2`` runs
as a real process (the rate limit off: every client comes from 127.0.0.1), and ``--clients``
asyncio tasks with ``httpx`` keep one request each in flight (a closed loop without think time:
harsher than real readers, who pause between pages). Each request is drawn from a fixed mix:

========== ===== ============================================================================
kind       share requests
========== ===== ============================================================================
search      35 % ``package_search`` (text, filters, facets; GET and ckanapi's POST), and the
                 portal's results page ``/dataset?q=...``
page        30 % the portal's dataset page (synthetic datasets, and the real one), home,
                 entidades, sectores
preview     20 % ``datastore_search`` on the real table (filters, text, sort, later pages),
                 and the dataset page's preview at page N
download    15 % the real release's CSV, read to its last byte and its length checked
========== ===== ============================================================================

An error is any answer other than 200 (or a transport failure or timeout, 60 s). The server's
memory (RSS of the supervisor and its workers, from ``/proc``) is sampled every 5 s; printed:
requests, throughput, errors, p50/p95/p99 per kind and overall, and RSS in the first and the
last minute (their ratio shows whether memory stays flat). The 2-core machine is shared with
the client itself and whatever else runs: the load average at the start is printed too.

    python bench/portal_load.py [--duration 300] [--clients 100] [--datasets 1000]
                                [--rows 5000] [--workers 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fixtures.service import ServiceProcess  # noqa: E402

REAL = "siniestros_viales_sdm"
FACETS = ["organization", "groups", "tags", "res_format", "license_id"]
WORDS = [
    "movilidad",
    "salud",
    "accidentes",
    "calidad del aire",
    "colegios",
    "kennedy",
    "bosa",
    "presupuesto",
    "vivienda",
    "transporte",
    "engativa",
    "seguridad",
    "dengue",
    "parques",
]
LOCALIDADES = ["Kennedy", "Bosa", "Usaquén", "Engativá", "Ciudad Bolívar"]
SAMPLE_SECONDS = 5.0
TIMEOUT = 60.0


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    html: bool = False
    #: Bytes the answer must have (downloads), if known.
    size: int | None = None


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 10:
            self.examples.append(f"{kind}: {what}")


# ------------------------------------------------------------------------------ the catalog


def build_catalog(home: Path, datasets: int, rows: int, url: str) -> dict[str, Any]:
    """The real dataset's table, release and report; the records of the synthetic ones."""
    os.environ["ADA_HOME"] = str(home)
    from ada.settings import load_settings
    from catalog.registry import load_registry
    from catalog.store import CatalogStore, refresh_catalog
    from expectations.assessment import report_key as quality_key
    from lake import reports
    from tests.fixtures.packages import synthetic_packages
    from tests.fixtures.service import publish_siniestros, siniestros_rows

    settings = load_settings()
    spec = load_registry(settings.datasets_dir).get(REAL)
    assert spec is not None
    manifest, contents = publish_siniestros(settings, spec, siniestros_rows(rows))
    quality = {"generated_at": "2025-06-01T09:00:00+00:00", "puntaje": 8.4, "sello": "plata"}
    reports.write_report(settings, quality_key(spec), quality, "r1")
    refresh_catalog(settings, url)
    store = CatalogStore.open(settings)
    try:
        real = store.snapshot()[1]
        synthetic = synthetic_packages(datasets, url)
        store.write_catalog([*real, *synthetic], {REAL: [manifest]})
        version = store.version()
    finally:
        store.close()
    resource = next(r["id"] for r in real[0]["resources"] if r["datastore_active"])
    return {
        "names": [p["name"] for p in synthetic],
        "resource": resource,
        "csv_bytes": len(contents["CSV"]),
        "version": version,
    }


# ----------------------------------------------------------------------------------- the mix


def _search(rnd: random.Random) -> Call:
    params: dict[str, Any] = {"rows": 20, "facet.field": FACETS}
    if rnd.random() < 0.7:
        params["q"] = rnd.choice(WORDS)
    if rnd.random() < 0.3:
        params["fq"] = rnd.choice(["groups:movilidad", "groups:salud", 'res_format:"CSV"'])
    if rnd.random() < 0.2:
        params["sort"] = "metadata_modified desc"
    roll = rnd.random()
    if roll < 0.2:
        return Call("search", "POST", "/api/3/action/package_search", params)
    if roll < 0.6:
        query = {**params, "facet.field": json.dumps(FACETS)}
        return Call("search", "GET", "/api/3/action/package_search?" + urlencode(query))
    return Call("search", "GET", "/dataset?" + urlencode({"q": params.get("q", "")}), html=True)


def _page(rnd: random.Random, catalog: dict[str, Any]) -> Call:
    roll = rnd.random()
    if roll < 0.7:
        return Call("page", "GET", f"/dataset/{rnd.choice(catalog['names'])}", html=True)
    if roll < 0.8:
        return Call("page", "GET", f"/dataset/{REAL}", html=True)
    return Call("page", "GET", rnd.choice(["/", "/organization", "/group"]), html=True)


def _preview(rnd: random.Random, catalog: dict[str, Any]) -> Call:
    if rnd.random() < 0.3:
        return Call("preview", "GET", f"/dataset/{REAL}?pagina={rnd.randint(1, 20)}", html=True)
    body: dict[str, Any] = {"resource_id": catalog["resource"], "limit": 50}
    roll = rnd.random()
    if roll < 0.3:
        body["filters"] = {"localidad": rnd.choice(LOCALIDADES)}
    elif roll < 0.5:
        body["q"] = rnd.choice(["choque", "atropello", "kennedy", "heridos"])
    if rnd.random() < 0.4:
        body["sort"] = "fecha_ocurrencia desc"
    body["offset"] = 50 * rnd.randint(0, 10)
    if rnd.random() < 0.5:
        return Call("preview", "POST", "/api/3/action/datastore_search", body)
    query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in body.items()}
    return Call("preview", "GET", "/api/3/action/datastore_search?" + urlencode(query))


def _download(catalog: dict[str, Any]) -> Call:
    path = f"/dataset/{REAL}/download/v1/{REAL}.csv"
    return Call("download", "GET", path, size=catalog["csv_bytes"])


def draw(rnd: random.Random, catalog: dict[str, Any]) -> Call:
    roll = rnd.random()
    if roll < 0.35:
        return _search(rnd)
    if roll < 0.65:
        return _page(rnd, catalog)
    if roll < 0.85:
        return _preview(rnd, catalog)
    return _download(catalog)


# ---------------------------------------------------------------------------------- the load


async def _one(client: Any, call: Call, tally: Tally, recording: bool) -> None:
    headers = {"Accept": "text/html"} if call.html else {}
    start = time.perf_counter()
    try:
        if call.method == "POST":
            answer = await client.post(call.path, json=call.body, headers=headers)
        else:
            answer = await client.get(call.path, headers=headers)
        taken = time.perf_counter() - start
    except Exception as err:  # a transport failure or a timeout is an error too
        if recording:
            tally.error(call.kind, f"{type(err).__name__} on {call.path[:80]}")
        return
    if not recording:
        return
    if answer.status_code != 200:
        tally.error(call.kind, f"HTTP {answer.status_code} on {call.path[:80]}")
    elif call.size is not None and len(answer.content) != call.size:
        tally.error(call.kind, f"{len(answer.content)} bytes instead of {call.size}")
    else:
        tally.latencies[call.kind].append(taken)


async def _client(
    url: str, seed: int, catalog: dict[str, Any], until: float, warm: float, tally: Tally
) -> None:
    import httpx

    rnd = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
        while (now := time.monotonic()) < until:
            await _one(client, draw(rnd, catalog), tally, recording=now >= warm)


def _tree_rss(pid: int) -> dict[int, int]:
    """RSS in bytes of ``pid`` and its descendants."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    found: dict[int, int] = {}
    for process in processes:
        try:
            found[process.pid] = process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return found


async def _sample_memory(pid: int, until: float, samples: list[tuple[float, int]]) -> None:
    start = time.monotonic()
    while time.monotonic() < until:
        rss = _tree_rss(pid)
        samples.append((time.monotonic() - start, sum(rss.values())))
        await asyncio.sleep(SAMPLE_SECONDS)


async def run_load(
    url: str, pid: int, catalog: dict[str, Any], clients: int, duration: float, warmup: float
) -> tuple[Tally, list[tuple[float, int]], float]:
    tally = Tally()
    samples: list[tuple[float, int]] = []
    start = time.monotonic()
    warm = start + warmup
    until = warm + duration
    tasks = [_client(url, seed, catalog, until, warm, tally) for seed in range(clients)]
    await asyncio.gather(_sample_memory(pid, until, samples), *tasks)
    return tally, samples, time.monotonic() - warm


# ---------------------------------------------------------------------------------- the report


def _cuts(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        one = values[0] * 1000 if values else 0.0
        return one, one, one
    cuts = statistics.quantiles(values, n=100)
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def summarise(
    tally: Tally, samples: list[tuple[float, int]], seconds: float, warmup: float
) -> dict[str, Any]:
    kinds = sorted(tally.latencies)
    every = [x for kind in kinds for x in tally.latencies[kind]]
    per_kind = {}
    for kind in kinds:
        p50, p95, p99 = _cuts(tally.latencies[kind])
        per_kind[kind] = {
            "requests": len(tally.latencies[kind]) + tally.errors.get(kind, 0),
            "errors": tally.errors.get(kind, 0),
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "p99_ms": round(p99, 1),
        }
    p50, p95, p99 = _cuts(every)
    recorded = [(t - warmup, rss) for t, rss in samples if t >= warmup]
    first = [rss for t, rss in recorded if t < 60] or [recorded[0][1]]
    last_from = max(0.0, recorded[-1][0] - 60) if recorded else 0.0
    last = [rss for t, rss in recorded if t >= last_from] or first
    mib = 1 << 20
    return {
        "seconds": round(seconds, 1),
        "requests": len(every) + sum(tally.errors.values()),
        "throughput_rps": round((len(every) + sum(tally.errors.values())) / seconds, 1),
        "errors": sum(tally.errors.values()),
        "error_examples": tally.examples,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(p99, 1),
        "per_kind": per_kind,
        "rss_first_minute_mib": round(statistics.mean(first) / mib, 1),
        "rss_last_minute_mib": round(statistics.mean(last) / mib, 1),
        "rss_max_mib": round(max(rss for _, rss in samples) / mib, 1) if samples else 0.0,
        "rss_per_minute_mib": _per_minute(recorded),
        "rss_samples_mib": [round(rss / mib, 1) for _, rss in recorded],
    }


def _per_minute(recorded: list[tuple[float, int]]) -> list[float]:
    """Mean RSS (MiB) of each minute measured: the first holds the warm-up of the caches
    (search answers, preview pages, DuckDB's buffers); flat means the later ones stay level."""
    minutes: dict[int, list[int]] = defaultdict(list)
    for moment, rss in recorded:
        minutes[int(moment // 60)].append(rss)
    return [round(statistics.mean(minutes[m]) / (1 << 20), 1) for m in sorted(minutes)]


def print_report(summary: dict[str, Any], args: argparse.Namespace, load: float) -> None:
    print(
        f"\n{args.clients} clients, {summary['seconds']:.0f} s, {args.datasets} datasets + "
        f"{REAL} ({args.rows} rows), {args.workers} workers; load average at start {load:.2f}"
    )
    print(
        f"  requests {summary['requests']}  ({summary['throughput_rps']:.1f}/s)   "
        f"errors {summary['errors']}"
    )
    print(f"  {'kind':<10} {'requests':>9} {'errors':>7} {'p50':>9} {'p95':>9} {'p99':>9}")
    for kind, row in summary["per_kind"].items():
        print(
            f"  {kind:<10} {row['requests']:>9} {row['errors']:>7} {row['p50_ms']:>6.1f} ms "
            f"{row['p95_ms']:>6.1f} ms {row['p99_ms']:>6.1f} ms"
        )
    print(
        f"  {'all':<10} {summary['requests']:>9} {summary['errors']:>7} "
        f"{summary['p50_ms']:>6.1f} ms {summary['p95_ms']:>6.1f} ms {summary['p99_ms']:>6.1f} ms"
    )
    ratio = summary["rss_last_minute_mib"] / max(summary["rss_first_minute_mib"], 1e-9)
    print(
        f"  server RSS (supervisor + workers): first minute {summary['rss_first_minute_mib']} "
        f"MiB, last minute {summary['rss_last_minute_mib']} MiB (x{ratio:.2f}), "
        f"max {summary['rss_max_mib']} MiB"
    )
    print(f"  server RSS per minute (MiB): {summary['rss_per_minute_mib']}")
    for example in summary["error_examples"]:
        print(f"  error: {example}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds not measured")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ada-load-") as folder:
        home = Path(folder) / "ada-home"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADA_")}
        env = {**env, "ADA_HOME": str(home), "ADA_RATE_LIMIT_PER_MINUTE": "0"}
        with ServiceProcess(env, workers=args.workers) as service:
            catalog = build_catalog(home, args.datasets, args.rows, service.url)
            _wait_for_version(service.url, catalog["version"])
            assert service.process is not None
            load = os.getloadavg()[0]
            tally, samples, seconds = asyncio.run(
                run_load(
                    service.url,
                    service.process.pid,
                    catalog,
                    args.clients,
                    args.duration,
                    args.warmup,
                )
            )
    summary = summarise(tally, samples, seconds, args.warmup)
    print_report(summary, args, load)
    if args.json:
        args.json.write_text(json.dumps({**vars(args), "json": None, **summary}, indent=2))
    if summary["errors"]:
        raise SystemExit(1)


def _wait_for_version(url: str, version: int) -> None:
    """Until every worker serves the catalog just written."""
    import httpx

    deadline = time.monotonic() + 120
    streak = 0
    while time.monotonic() < deadline and streak < 10:
        status = httpx.get(f"{url}/api/3/action/status_show").json()["result"]
        streak = streak + 1 if status["catalog_version"] == version else 0
        time.sleep(0.2)
    if streak < 10:
        raise SystemExit("the service did not load the generated catalog")


if __name__ == "__main__":
    main()
