"""What a text file really is, told from its first bytes before any parser sees it.

Publishers send empty files, gzip or ZIP archives renamed ``.csv``, UTF-16 exports from Excel
and plain binary garbage. Parsers answer those with an obscure error (or, worse, load garbage
as text); looking at the first bytes gives each one a message that says what the file is and
what to send instead.
"""

from __future__ import annotations

import codecs

from ingestion.readers.base import FileParseError

#: Share of control bytes (other than tab, CR, LF, FF) above which a sample is not text.
_CONTROL_SHARE = 0.05
_TEXT_CONTROLS = {9, 10, 12, 13, 27}


def line_at(sample: bytes, offset: int) -> int:
    """The 1-based line that the byte at ``offset`` is on."""
    return sample.count(b"\n", 0, offset) + 1


def check_text(sample: bytes, kind: str, encoding: str = "utf-8") -> None:
    """Refuse a sample that is not text a ``kind`` (CSV, JSON) reader can parse.

    A declared UTF-16 or UTF-32 encoding is taken at its word: zero bytes are then text.
    """
    if not sample:
        raise FileParseError(
            "el archivo está vacío (0 bytes); vuelva a exportarlo y entréguelo de nuevo"
        )
    if sample.startswith(b"\x1f\x8b"):
        raise FileParseError(
            f"el archivo está comprimido con gzip, no es un {kind} de texto; descomprímalo y "
            "entregue el archivo de datos"
        )
    if sample.startswith(b"PK\x03\x04"):
        raise FileParseError(
            f"el archivo es un ZIP (o un libro de Excel), no un {kind} de texto; descomprímalo, "
            "o si es un libro de Excel declare format.type: xlsx en la ficha"
        )
    if encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32", "utf16", "utf32")):
        return
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(sample):
        raise FileParseError(
            'el archivo está en UTF-16 ("Texto Unicode" de Excel); expórtelo como '
            '"CSV UTF-8" o declare format.encoding: utf-16 en la ficha'
        )
    if not sample.strip():
        raise FileParseError("el archivo solo tiene líneas en blanco: no hay encabezado ni datos")
    nul = sample.find(b"\x00")
    if nul >= 0:
        raise FileParseError(
            f"el archivo parece binario o dañado: tiene bytes nulos (0x00) desde la línea "
            f"{line_at(sample, nul)}; entregue el {kind} exportado de nuevo"
        )
    controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
    if controls > _CONTROL_SHARE * len(sample):
        raise FileParseError(
            f"el archivo parece binario, no un {kind} de texto ({controls} bytes de control en "
            f"los primeros {len(sample)}); revise que sea el archivo correcto"
        )


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 without BOM: ASCII text with a zero byte in every other position."""
    head = sample[:512]
    if len(head) < 8:
        return False
    zeros_odd = head[1::2].count(0)
    zeros_even = head[0::2].count(0)
    half = len(head) // 2
    return max(zeros_odd, zeros_even) > 0.8 * half
