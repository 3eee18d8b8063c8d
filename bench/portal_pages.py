"""Benchmark: how long the portal's pages take on the server (routing, search, DuckDB reads,
template rendering), one request at a time, p50 and p95.

Requests go through the ASGI app in-process (FastAPI's TestClient: no network, no uvicorn), so
the figures are the server's own time for a page. Two catalogs:

- ``--home DIR`` (default ``$ADA_HOME`` or ``.ada``): a lake the pipeline produced (``ada demo``);
  the dataset page includes its preview, read through the read-only DuckDB session, and the
  territory page the indicators mart;
- ``--synthetic N`` (default 1000): a fresh store with N synthetic records
  (``tests.fixtures.packages``), to see home and results at a catalog's real size (the dataset
  page has no lake behind it there, so no preview).

    python bench/portal_pages.py [--home DIR] [--synthetic 1000] [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HTML = {"accept": "text/html"}


@contextmanager
def portal(home: Path) -> Iterator[TestClient]:
    os.environ["ADA_HOME"] = str(home)
    from ada.settings import load_settings
    from catalog.service.app import create_app
    from catalog.service.config import ServiceConfig

    app = create_app(load_settings(), ServiceConfig(public_url="http://127.0.0.1:8080"))
    with TestClient(app) as client:
        yield client


def timings(client: TestClient, path: str, requests: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        client.get(path, headers=HTML)
    taken = []
    for _ in range(requests):
        start = time.perf_counter()
        answer = client.get(path, headers=HTML)
        taken.append(time.perf_counter() - start)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: HTTP {answer.status_code}")
    return taken


def report(label: str, taken: list[float]) -> None:
    cuts = statistics.quantiles(taken, n=100)
    print(f"  {label:<42} p50 {cuts[49] * 1000:6.1f} ms   p95 {cuts[94] * 1000:6.1f} ms")


def pages_of(client: TestClient) -> list[tuple[str, str]]:
    names = client.get("/api/3/action/package_list").json()["result"]
    first = names[0] if names else "none"
    return [
        ("home /", "/"),
        ("results /dataset (all, 8 facets)", "/dataset"),
        ("results ?q=salud", "/dataset?q=salud"),
        ("results ?q=accidentes&groups=movilidad", "/dataset?q=accidentes&groups=movilidad"),
        (f"dataset /dataset/{first[:20]}", f"/dataset/{first}"),
        ("dataset, preview page 3", f"/dataset/{first}?pagina=3"),
        ("territory /territorio", "/territorio"),
        ("localidad /territorio/20", "/territorio/20"),
        ("home in English", "/?lang=en"),
    ]


def run_lake(home: Path, requests: int) -> None:
    print(f"lake produced by the pipeline ({home}), {requests} requests per page:")
    with portal(home) as client:
        pages = pages_of(client)
        for label, path in pages:
            if client.get(path, headers=HTML).status_code == 200:
                report(label, timings(client, path, requests))
            else:
                print(f"  {label:<42} not available on this lake")
        client.app.state.portal.previews.capacity = 0  # type: ignore[attr-defined]
        label, path = pages[4]
        report(f"{label} (preview not cached)", timings(client, path, requests))


def run_synthetic(size: int, requests: int) -> None:
    from ada.settings import load_settings
    from catalog.store import CatalogStore
    from tests.fixtures.packages import synthetic_packages

    with tempfile.TemporaryDirectory() as folder:
        os.environ["ADA_HOME"] = folder
        store = CatalogStore.open(load_settings())
        try:
            store.write_catalog(synthetic_packages(size))
        finally:
            store.close()
        print(f"synthetic catalog of {size} datasets, {requests} requests per page:")
        with portal(Path(folder)) as client:
            for label, path in pages_of(client)[:5]:
                report(label, timings(client, path, requests))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("ADA_HOME", ".ada")))
    parser.add_argument("--synthetic", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2-core shared machine)")
    if (arguments.home / "metadata" / "catalog.sqlite").exists():
        run_lake(arguments.home.resolve(), arguments.requests)
    if arguments.synthetic:
        run_synthetic(arguments.synthetic, arguments.requests)


if __name__ == "__main__":
    main()
