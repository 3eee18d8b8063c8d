"""Types shared by the generator and the dataset modules (kept apart to avoid import cycles)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from samples.pools import Pools, rng_for

#: Rows generated per chunk: large enough for numpy to pay off, small enough that a million-row
#: table never holds more than ~100k rows of Python strings in memory.
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class GeneratedFile:
    """One file written by the generator, relative to the output (landing) folder."""

    dataset_id: str
    relative_path: str
    rows: int


@dataclass(frozen=True)
class Context:
    """What a dataset writer needs: where to write, the seed and the shared name pools."""

    out_dir: Path
    seed: int
    pools: Pools

    def rng(self, dataset_id: str) -> np.random.Generator:
        return rng_for(self.seed, dataset_id)


@dataclass(frozen=True)
class DatasetDef:
    """A sample dataset: its id, the sector folder of its spec, and how to write it."""

    id: str
    sector: str
    size: Callable[[int], int]  # rows of the main (benchmark) table -> rows of this dataset
    write: Callable[[Context, int], list[GeneratedFile]]


def chunks(total: int, size: int = CHUNK_ROWS) -> Iterator[tuple[int, int]]:
    """(offset, length) pairs covering ``total`` rows."""
    for start in range(0, total, size):
        yield start, min(size, total - start)
