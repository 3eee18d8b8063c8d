"""Keep libraries' own retry chatter off the terminal of ``ada run`` (``--debug`` shows it).

While a database or the S3 server is briefly away, dagster-postgres logs each reconnection
attempt through the root logger (with the failing SQL and its parameters) and Dagster writes
"Exception while writing logger call to event log: ..." straight to stderr. Both are retries in
progress, not the outcome: the outcome is the one line per failed step that ``ada run`` prints
(see :mod:`lake.faults`), so without ``--debug`` these are dropped.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from typing import TextIO

#: The beginnings of what Dagster writes to stderr by itself while its storage is away.
NOISE = ("Exception while writing logger call to event log",)


class _Filtered:
    """A text stream that passes everything through except the lines in :data:`NOISE`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if text.startswith(NOISE):
            return len(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


@contextlib.contextmanager
def library_noise_hidden() -> Iterator[None]:
    """Within the block: the root logger drops warnings (a handler of its own, so that
    ``logging.warning`` does not install one that prints), and stderr drops Dagster's noise."""
    root = logging.getLogger()
    handler = logging.NullHandler()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.ERROR)
    stderr = sys.stderr
    sys.stderr = _Filtered(stderr)
    try:
        yield
    finally:
        sys.stderr = stderr
        root.removeHandler(handler)
        root.setLevel(level)
