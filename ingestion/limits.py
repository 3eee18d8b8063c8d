"""Size limits on what ADA accepts, so one bad delivery cannot fill the disk or the memory.

A publisher's export that is larger than any real district file (a sparse 2 GB file, a dump of
the wrong table) or an archive that inflates a thousandfold (a zip bomb disguised as a
workbook) is refused with a message that names the file, its size and the limit, before any
byte is copied or inflated. Both limits are environment variables, read when they are needed
(never at import), so an operator can raise them for one exceptional delivery.
"""

from __future__ import annotations

import os

MIB = 2**20
#: ``ADA_MAX_FILE_MB``: the largest file a delivery may hold (MiB).
DEFAULT_MAX_FILE_MB = 1024
#: ``ADA_MAX_UNCOMPRESSED_MB``: the most an XLSX workbook may inflate to (MiB).
DEFAULT_MAX_UNCOMPRESSED_MB = 2048
#: An inflation ratio above this, for content above :data:`RATIO_FLOOR`, is a zip bomb: real
#: workbooks compress their XML 5 to 30 times.
MAX_RATIO = 100
RATIO_FLOOR = 64 * MIB
#: The longest value a staging column takes: beyond it a value is a pasted document or a broken
#: quote, and the text steps downstream (spaCy's 1,000,000-character limit) would fail on it.
MAX_VALUE_BYTES = MIB


class LimitError(ValueError):
    """A limit variable holds something other than a positive whole number."""


def _megabytes(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) == 0:
        raise LimitError(f"{name} debe ser un número entero de MB mayor que 0 (hay {text!r})")
    return int(text)


def max_file_bytes() -> int:
    return _megabytes("ADA_MAX_FILE_MB", DEFAULT_MAX_FILE_MB) * MIB


def max_uncompressed_bytes() -> int:
    return _megabytes("ADA_MAX_UNCOMPRESSED_MB", DEFAULT_MAX_UNCOMPRESSED_MB) * MIB


def describe_size(size: int) -> str:
    """``2147483648`` → ``'2048 MB'`` (MiB, as the limits are written)."""
    return f"{size / MIB:.0f} MB" if size >= MIB else f"{size} bytes"


def too_large_message(name: str, size: int | None, limit: int) -> str:
    measured = f"pesa {describe_size(size)}" if size is not None else "supera el límite"
    return (
        f"{name}: el archivo {measured} y el límite por archivo es {describe_size(limit)}; "
        "no se copió a la zona raw y sigue en su origen. Divida la entrega en archivos más "
        "pequeños (por ejemplo, uno por mes) o, si el tamaño es correcto, pida a operaciones "
        "subir ADA_MAX_FILE_MB"
    )
