"""Zip-bomb guard for formats that are ZIP archives (XLSX).

A workbook is a ZIP of XML parts; one whose parts claim to inflate to gigabytes from a few
megabytes would make the reader exhaust memory or disk before any row is seen. The central
directory is read (a few KB, nothing is inflated) and the file is refused when its declared
content is too large or compresses implausibly well. Parts whose declared size lies are caught
by the ZIP reader itself, which stops at the declared size and checks the CRC.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

from ingestion.limits import MAX_RATIO, RATIO_FLOOR, describe_size, max_uncompressed_bytes
from ingestion.readers.base import FileParseError


def check_zip(stream: BinaryIO, what: str) -> None:
    """Refuse ``stream`` unless it is a ZIP whose declared content is of a sane size."""
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileParseError(
            f"no es un {what} válido (no es un archivo ZIP completo: quizá es otro formato con "
            "la extensión cambiada, o está cortado); revise format.type en la ficha o vuelva a "
            "exportarlo"
        ) from None
    inflated = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    limit = max_uncompressed_bytes()
    if inflated > limit or (inflated > RATIO_FLOOR and inflated / packed > MAX_RATIO):
        raise FileParseError(
            f"el {what} se descomprimiría a {describe_size(inflated)} desde "
            f"{describe_size(packed)} (límite: {describe_size(limit)} descomprimido y "
            f"{MAX_RATIO} veces su tamaño): parece una bomba ZIP y no se abrió; entregue el "
            "libro original o, si es legítimo, pida a operaciones subir ADA_MAX_UNCOMPRESSED_MB"
        )
