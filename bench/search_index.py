"""Benchmark: the catalog's in-memory search index (``catalog.search``), 1,000 and 10,000 datasets.

For each catalog size, built from the deterministic synthetic records
(``tests.fixtures.packages``; generating them is not timed):

* **build**: ``SearchIndex.build`` (analysis of every dataset and the arrays), best of 3;
* **upsert**: replacing one dataset (re-analysis and a new snapshot), median of 20;
* **queries**: a mix of what the portal and CKAN clients send, each timed call by call
  (``--repeat`` calls per query, after one warm-up), with p50/p95/p99 per query and over the
  whole mix. The query parser's cache is cleared before every call, so parsing is always paid.

"8 facets" is organization, groups, tags, res_format, license_id, sector, dimension and
quality_level, CKAN's default facets plus ADA's. Everything runs in this one process.

    python bench/search_index.py [--sizes 1000 10000] [--repeat 200]

Target (issue 6): ~2 ms median for a typical query (free text, one fq, facets) and for a
match-all with facets at 10,000 datasets; building the 10,000-dataset index well under 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from catalog.search import SearchIndex  # noqa: E402
from catalog.search.query import parse_fq, parse_q  # noqa: E402
from tests.fixtures.packages import synthetic_packages  # noqa: E402

FACETS = (
    "organization",
    "groups",
    "tags",
    "res_format",
    "license_id",
    "sector",
    "dimension",
    "quality_level",
)

#: (label, search arguments); the first two are the targets.
QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        "typical: text + fq + 8 facets",
        {"q": "calidad del aire", "fq": "groups:ambiente", "facet_fields": FACETS},
    ),
    ("match-all + 8 facets", {"q": "", "facet_fields": FACETS}),
    ("text only", {"q": "accidentes"}),
    (
        "5 words (min. match) + 8 facets",
        {"q": "casos de dengue en kennedy 2019", "facet_fields": FACETS},
    ),
    (
        "UI filters: 2 fq + 8 facets",
        {"fq": 'tags:"salud" res_format:"CSV"', "facet_fields": FACETS},
    ),
    (
        "OR + negation fq + 8 facets",
        {"fq": "tags:(salud OR dengue) -license_id:ODbL-1.0", "facet_fields": FACETS},
    ),
    ("phrase", {"q": '"seguridad vial"'}),
    ("prefix", {"q": "educ*", "facet_fields": ("groups",)}),
    (
        "fq + sort + page 3",
        {"fq": "res_format:JSON", "sort": "metadata_modified desc", "rows": 20, "start": 40},
    ),
    ("text, deep page (start 500)", {"q": "bogota", "rows": 20, "start": 500}),
    (
        "range fq + sort by downloads",
        {"fq": "metadata_modified:[2021-01-01T00:00:00Z TO *]", "sort": "downloads desc"},
    ),
    (
        "text + quality sort + 100 rows",
        {"q": "movilidad", "sort": "quality_score desc, score desc", "rows": 100},
    ),
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _time_query(index: SearchIndex, arguments: dict[str, Any], repeat: int) -> list[float]:
    index.search(**arguments)  # warm-up: the sort order of a new key is computed once
    times = []
    for _ in range(repeat):
        parse_q.cache_clear()
        parse_fq.cache_clear()
        start = time.perf_counter()
        index.search(**arguments)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _build_seconds(packages: list[Any], repeat: int = 3) -> tuple[float, SearchIndex]:
    best, index = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        index = SearchIndex.build(packages)
        best = min(best, time.perf_counter() - start)
    assert index is not None
    return best, index


def _upsert_ms(index: SearchIndex, packages: list[Any], repeat: int = 20) -> float:
    times = []
    for i in range(repeat):
        changed = {**packages[i * 37 % len(packages)], "title": f"Título revisado {i}"}
        start = time.perf_counter()
        index.upsert(changed)  # type: ignore[arg-type]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=200, help="timed calls per query")
    args = parser.parse_args()

    summary: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        packages = synthetic_packages(size)
        build, index = _build_seconds(packages)
        upsert = _upsert_ms(index, packages)
        print(f"\n## {size:,} datasets: build {build:.2f} s, upsert {upsert:.0f} ms\n")
        print("| query | matches | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|")
        every: list[float] = []
        medians = {}
        for label, arguments in QUERIES:
            times = _time_query(index, arguments, args.repeat)
            every += times
            medians[label] = statistics.median(times)
            count = index.search(**{**arguments, "rows": 0}).count
            print(
                f"| {label} | {count:,} | {medians[label]:.2f} | {_percentile(times, 0.95):.2f} "
                f"| {_percentile(times, 0.99):.2f} |"
            )
        print(
            f"| **whole mix** | | {statistics.median(every):.2f} | "
            f"{_percentile(every, 0.95):.2f} | {_percentile(every, 0.99):.2f} |"
        )
        summary[size] = {
            "build": build,
            "upsert": upsert,
            "mix": statistics.median(every),
            **medians,
        }

    if len(summary) >= 2:
        small, large = min(summary), max(summary)
        print(f"\n## Growth from {small:,} to {large:,} datasets (x{large / small:.0f} data)\n")
        print("| measure | small | large | growth |\n|---|---:|---:|---:|")
        for key in ("build", "upsert", "mix", QUERIES[0][0], QUERIES[1][0]):
            unit = "s" if key == "build" else "ms"
            a, b = summary[small][key], summary[large][key]
            name = key if key in ("build", "upsert") else f"p50 {key}"
            print(f"| {name} ({unit}) | {a:.2f} | {b:.2f} | x{b / a:.1f} |")
    print(
        "\ntarget: typical query and match-all with facets ~2 ms p50 at 10,000 datasets; "
        "build well under 2 s"
    )


if __name__ == "__main__":
    main()
