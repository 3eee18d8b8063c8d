"""Benchmark: the catalog service's ``package_search`` with 50 concurrent clients, at 1,000 and
10,000 datasets.

For each catalog size: a fresh ``ADA_HOME`` whose store (SQLite) holds the deterministic
synthetic records (``tests.fixtures.packages``; writing them is not timed), ``ada serve
--workers 2`` started as a real process, and `wrk <https://github.com/wg/wrk>`_ (C, Debian's
``wrk`` package) in a second process, with a Lua script, keeping 50 connections busy (each sends
its next request as soon as the answer arrives: a closed loop, no think time) for
``--seconds`` after a warm-up of ``--warmup`` seconds; each configuration runs ``--repeat``
times (in rounds) and the best run (lowest p95) is shown with the range of the others.

The requests are a realistic mix of what the portal and CKAN clients send (see
:func:`request_mix`): CKAN's five default facets on every request, 20 rows, free text drawn
with a long-tailed (Zipf) popularity from Spanish topic words and localidades (35% browse
with no text), sector/format/entity/tag filters, sorts and later pages, 20% as ckanapi's JSON
POST. Each size runs twice: with the service's response cache (the default) and without it
(``ADA_CATALOG_CACHE_MB=0``: every request searched and rendered).

Printed: p50, p95, p99 latency and throughput, the growth from 1k to 10k, the cache's hit
ratio, and the machine's load average when the run started (the 2-core machine is shared:
other work changes the figures, by up to 2x in throughput). Target (issue 6): p95 <= 50 ms.

    python bench/catalog_api.py [--sizes 1000 10000] [--seconds 20] [--warmup 5]
                                [--repeat 3] [--cache both|on|off]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from catalog.catalog_info import slug  # noqa: E402
from catalog.specs import Sector  # noqa: E402
from tests.fixtures.packages import (  # noqa: E402
    ENTIDADES,
    FORMATS,
    LOCALIDADES,
    TOPICS,
    synthetic_packages,
)
from tests.fixtures.service import ServiceProcess  # noqa: E402

CLIENTS = 50
WORKERS = 2
TARGET_P95_MS = 50.0
FACETS = ["organization", "groups", "tags", "res_format", "license_id"]
MIX_SIZE = 20_000

LUA = """
local requests = %(requests)s
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  formatted = {}
  for i, r in ipairs(requests) do
    if r[1] == "GET" then
      formatted[i] = wrk.format("GET", r[2])
    else
      formatted[i] = wrk.format("POST", r[2], {["Content-Type"] = "application/json"}, r[3])
    end
  end
  position = (id * 7919) %% #formatted
end

function request()
  position = position %% #formatted + 1
  return formatted[position]
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"p50": %%d, "p95": %%d, "p99": %%d, "max": %%d, "requests": %%d, "duration_us": %%d, ' ..
    '"bytes": %%d, "status_errors": %%d, "socket_errors": %%d}\\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.requests, summary.duration, summary.bytes, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _zipf(rnd: random.Random, items: list[Any], exponent: float = 1.1) -> Any:
    """An item with probability proportional to 1 / rank**exponent (the first is the most
    popular): a few searches are very common, most are rare."""
    weights = [1 / (rank**exponent) for rank in range(1, len(items) + 1)]
    return rnd.choices(items, weights)[0]


def _vocabulary() -> tuple[list[str], list[str]]:
    """Topic words and tags (popular first, deterministic) and the localidades."""
    words: list[str] = []
    for topics in TOPICS.values():
        for title, tags in topics:
            words.extend(tag.lower() for tag in tags)
            words.append(title.lower())
    unique = list(dict.fromkeys(words))
    random.Random(6).shuffle(unique)
    return unique, [loc.lower() for loc in LOCALIDADES]


def _query(rnd: random.Random, words: list[str], places: list[str]) -> str:
    roll = rnd.random()
    if roll < 0.35:
        return ""
    if roll < 0.60:
        return str(_zipf(rnd, words))
    if roll < 0.80:
        return f"{_zipf(rnd, words)} {_zipf(rnd, places)}"
    if roll < 0.90:
        return str(_zipf(rnd, places))
    word = str(_zipf(rnd, words))
    return f'"{word}"' if " " in word else f"{word[:4]}*"


def _filter(rnd: random.Random, organizations: list[str], words: list[str]) -> str:
    roll = rnd.random()
    if roll < 0.45:
        return ""
    if roll < 0.70:
        return f"groups:{_zipf(rnd, [s.value for s in Sector])}"
    if roll < 0.80:
        return f'res_format:"{_zipf(rnd, [fmt for fmt, _ in FORMATS])}"'
    if roll < 0.90:
        return f'organization:"{_zipf(rnd, organizations)}"'
    if roll < 0.95:
        return f'tags:"{_zipf(rnd, words)}"'
    return f"quality_level:{rnd.choice(['oro', 'plata'])} -license_id:ODbL-1.0"


def request_mix(count: int = MIX_SIZE, seed: int = 6) -> list[tuple[str, str, str]]:
    """``count`` requests (method, path, JSON body), deterministic for a seed."""
    rnd = random.Random(seed)
    words, places = _vocabulary()
    organizations = [slug(name) for names in ENTIDADES.values() for name in names]
    mix: list[tuple[str, str, str]] = []
    for _ in range(count):
        params: dict[str, Any] = {"rows": 20, "facet.limit": 50, "facet.field": FACETS}
        if q := _query(rnd, words, places):
            params["q"] = q
        if fq := _filter(rnd, organizations, words):
            params["fq"] = fq
        roll = rnd.random()
        if roll < 0.2:
            params["sort"] = "metadata_modified desc"
        elif roll < 0.3:
            params["sort"] = "title_string asc"
        if rnd.random() < 0.25:
            params["start"] = 20 * rnd.randint(1, 3)
        if rnd.random() < 0.2:  # ckanapi: POST with a JSON body
            mix.append(("POST", "/api/3/action/package_search", json.dumps(params)))
        else:
            query = {**params, "facet.field": json.dumps(FACETS)}
            mix.append(("GET", "/api/3/action/package_search?" + urlencode(query), ""))
    return mix


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def write_script(mix: list[tuple[str, str, str]], folder: Path) -> Path:
    rows = ",\n".join(
        "{" + ", ".join(_lua_string(part) for part in request) + "}" for request in mix
    )
    script = folder / "package_search.lua"
    script.write_text(LUA % {"requests": "{\n" + rows + "\n}"}, encoding="utf-8")
    return script


def run_wrk(url: str, script: Path, seconds: int) -> dict[str, Any]:
    command = [
        "wrk",
        f"--threads={WORKERS}",
        f"--connections={CLIENTS}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={script}",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("{"))
    figures: dict[str, Any] = json.loads(line)
    return figures


@dataclass
class Run:
    size: int
    cached: bool
    p50: float
    p95: float
    p99: float
    throughput: float
    errors: int
    hit_ratio: float | None
    load: str


@dataclass
class Measured:
    """The repeats of one configuration; the figures shown are the best run's (lowest p95),
    as the other benchmarks here show the best of N: on a shared machine the best run is the
    one other work disturbed least. The spread shows how much it did."""

    runs: list[Run]

    @property
    def best(self) -> Run:
        return min(self.runs, key=lambda run: run.p95)

    def row(self) -> str:
        best = self.best
        cache = "on" if best.cached else "off"
        ratio = f"{best.hit_ratio:.0%}" if best.hit_ratio is not None else "-"
        spread = f"{min(r.p95 for r in self.runs):.0f}-{max(r.p95 for r in self.runs):.0f}"
        return (
            f"| {best.size:,} | {cache} | {best.p50:.1f} | {best.p95:.1f} | {best.p99:.1f} | "
            f"{best.throughput:,.0f} | {best.errors} | {ratio} | {spread} | {best.load} |"
        )


def _hit_ratio(output: str) -> float | None:
    hits = misses = 0
    for found in re.finditer(r"caché de respuestas: (\d+) aciertos, (\d+) fallos", output):
        hits += int(found.group(1))
        misses += int(found.group(2))
    return hits / (hits + misses) if hits + misses else None


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def prepare_home(size: int, folder: Path) -> Path:
    """An ``ADA_HOME`` whose catalog store holds ``size`` synthetic datasets."""
    from ada.settings import load_settings
    from catalog.store import CatalogStore

    home = folder / f"home-{size}"
    previous = os.environ.get("ADA_HOME")
    os.environ["ADA_HOME"] = str(home)
    try:
        store = CatalogStore.open(load_settings())
        store.write_catalog(synthetic_packages(size))
        store.close()
    finally:
        if previous is None:
            os.environ.pop("ADA_HOME")
        else:
            os.environ["ADA_HOME"] = previous
    return home


def measure(size: int, home: Path, cached: bool, script: Path, seconds: int, warmup: int) -> Run:
    """Start the service on ``home``, warm it up, drive it for ``seconds``, stop it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADA_")}
    env.update(ADA_HOME=str(home), ADA_CATALOG_CACHE_MB="64" if cached else "0")
    service = ServiceProcess(env, workers=WORKERS, debug=True)
    with service:
        run_wrk(service.url, script, warmup)
        load = _load()
        figures = run_wrk(service.url, script, seconds)
    seconds_run = figures["duration_us"] / 1e6
    return Run(
        size=size,
        cached=cached,
        p50=figures["p50"] / 1000,
        p95=figures["p95"] / 1000,
        p99=figures["p99"] / 1000,
        throughput=figures["requests"] / seconds_run,
        errors=figures["status_errors"] + figures["socket_errors"],
        hit_ratio=_hit_ratio(service.output) if cached else None,
        load=load,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", choices=["both", "on", "off"], default="both")
    args = parser.parse_args()
    caching = {"both": (True, False), "on": (True,), "off": (False,)}[args.cache]
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk (Debian/Ubuntu)")
    mix = request_mix()
    print(
        f"mix: {len(mix):,} requests, {len(set(mix)):,} distinct; {CLIENTS} clients, "
        f"{WORKERS} workers; {args.seconds} s per run after {args.warmup} s of warm-up, "
        f"best of {args.repeat}"
    )
    configurations = [(size, cached) for size in args.sizes for cached in caching]
    measured: dict[tuple[int, bool], Measured] = {c: Measured([]) for c in configurations}
    with tempfile.TemporaryDirectory(prefix="ada-bench-api-") as folder:
        script = write_script(mix, Path(folder))
        homes = {size: prepare_home(size, Path(folder)) for size in args.sizes}
        for _ in range(args.repeat):  # rounds, so that a busy spell hits every configuration
            for size, cached in configurations:
                run = measure(size, homes[size], cached, script, args.seconds, args.warmup)
                measured[(size, cached)].runs.append(run)
    print(
        "| datasets | cache | p50 ms | p95 ms | p99 ms | req/s | errors | hits | p95 range | load |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for configuration in configurations:
        print(measured[configuration].row())
    for cached in caching:
        chosen = [measured[(size, cached)].best for size in args.sizes]
        if len(chosen) >= 2:
            first, last = chosen[0], chosen[-1]
            speed = last.throughput / first.throughput
            print(
                f"growth {first.size:,} -> {last.size:,} (cache {'on' if cached else 'off'}): "
                f"p95 x{last.p95 / first.p95:.2f}, throughput x{speed:.2f}"
            )
    for size, cached in configurations:
        best = measured[(size, cached)].best
        verdict = "met" if best.p95 <= TARGET_P95_MS else "NOT met"
        state = "on" if cached else "off"
        print(f"target p95 <= {TARGET_P95_MS:g} ms at {size:,} (cache {state}): {verdict}")


if __name__ == "__main__":
    main()
