"""``python -m samples --out DIR --rows N --seed S [--only id,...]``: write the sample datasets."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from samples.generator import DATASETS, DEFAULT_ROWS, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m samples",
        description="Write deterministic, realistic (and realistically dirty) sample datasets "
        "of Bogotá's district sectors in the landing-area layout.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output (landing) folder")
    parser.add_argument(
        "--rows",
        type=int,
        default=DEFAULT_ROWS,
        help=f"rows of the main table (default {DEFAULT_ROWS}); others scale",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--only", default=None, help=f"comma-separated dataset ids (known: {', '.join(DATASETS)})"
    )
    args = parser.parse_args(argv)
    only = args.only.split(",") if args.only else None
    started = time.perf_counter()
    try:
        files = generate(args.out, rows=args.rows, seed=args.seed, only=only)
    except ValueError as err:
        parser.error(str(err))
    for f in files:
        print(f"{f.rows:>10,}  {f.relative_path}")
    total = sum(f.rows for f in files)
    print(
        f"{len(files)} files, {total:,} rows in {time.perf_counter() - started:.1f}s "
        f"under {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
