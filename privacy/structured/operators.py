"""The operators of a column policy (``privacy.policy.ColumnPolicy``), vectorised over Arrow.

Every operator works on a whole column at once, with Arrow compute kernels or one DuckDB query
over the Arrow array: a staging table of millions of rows is treated in seconds, never one Python
call per cell. Nulls stay null. The one exception is free text, handed to
``privacy.text.redaction.redact_array``, which runs its own detector.

Pseudonyms are keyed HMAC-SHA256 of the normalised value (``pseudonym_key``): the same person gets
the same token in every dataset (``1.020.345.678`` and ``1020345678`` alike), and without the key
nobody can recompute a token from a guessed cédula, which a plain hash would allow (there are only
~10^10 cédulas).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from ada.settings import Settings
    from privacy.policy import ColumnPolicy

PSEUDONYM_PREFIX = "p_"
PSEUDONYM_HEX = 16
"""Token = ``p_`` + the first 16 hex digits (64 bits) of the HMAC: short enough to read and
join on, and for 50 million distinct people the chance that two share a token is ~7·10^-5."""

KEY_ENV = "ADA_PSEUDONYM_KEY"
DEFAULT_GRID_STREETS = 10
DEFAULT_GRID_DEGREES = 0.01
DEFAULT_BAND = 5

_DOCUMENT_PLACEHOLDER = "<DOCUMENTO>"
_PLACEHOLDERS = {
    "PERSON": "<PERSONA>",
    "PHONE_NUMBER": "<TELEFONO>",
    "EMAIL_ADDRESS": "<CORREO>",
    "CO_ADDRESS": "<DIRECCION>",
    "CO_PLACA": "<PLACA>",
    "DATE_TIME": "<FECHA>",
    "DATE": "<FECHA>",
    "BIRTH_DATE": "<FECHA>",
}
"""Used only while ``privacy.text.redaction`` (which owns the placeholders) is not installed."""


class PseudonymKeyError(RuntimeError):
    """The pseudonym key is missing or unusable (the message never contains the key)."""


# --- the key ----------------------------------------------------------------------------------


def pseudonym_key(settings: Settings | None = None) -> bytes:
    """The secret behind every pseudonym.

    ``settings`` default to ``load_settings()``. ``ADA_PSEUDONYM_KEY`` (at least 16 characters)
    when set, or the content of the file ``ADA_PSEUDONYM_KEY_FILE`` names. When unset, a shared
    deployment (``ADA_DATABASE_URL`` or ``ADA_S3_ENDPOINT`` set) refuses to start: each worker
    would invent its own key and the same person would get different tokens. The embedded default
    instead creates a random key once, in ``$ADA_HOME/secrets/pseudonym.key`` (mode 0600), so a
    developer's installation is stable across runs without anyone choosing a key.
    """
    from ada.settings import secret_from_env

    value = secret_from_env(KEY_ENV)  # or the file ADA_PSEUDONYM_KEY_FILE names
    if value:
        if len(value) < 16:
            raise PseudonymKeyError(
                f"{KEY_ENV} es demasiado corta (mínimo 16 caracteres) / "
                f"{KEY_ENV} is too short (at least 16 characters)"
            )
        return value.encode("utf-8")
    if settings is None:
        from ada.settings import load_settings

        settings = load_settings()
    if settings.database_url is not None or settings.s3 is not None:
        raise PseudonymKeyError(
            f"Falta {KEY_ENV}: en un despliegue compartido todos los procesos deben usar la misma "
            f"clave de seudonimización / {KEY_ENV} is not set: a shared deployment needs one "
            "pseudonymisation key for every process"
        )
    return _installation_key(settings.home / "secrets" / "pseudonym.key")


def _installation_key(path: Path) -> bytes:
    """Read the installation's key, creating it atomically (O_EXCL, 0600) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    key = path.read_text().strip().encode("ascii")
    if len(key) < 16:
        raise PseudonymKeyError(f"the pseudonym key file {path} is empty or truncated")
    return key


# --- the operators ----------------------------------------------------------------------------


def apply_operator(
    values: pa.Array | pa.ChunkedArray,
    policy: ColumnPolicy,
    *,
    key: bytes | None = None,
    k: int = 5,
) -> pa.Array | None:
    """The column after its policy's operator; ``None`` when the column is dropped.

    ``key`` is the pseudonym key (default ``pseudonym_key()``); ``k`` is the dataset's k, the
    default threshold of ``suppress``.
    """
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    match policy.operator:
        case "keep":
            return array
        case "drop":
            return None
        case "redact":
            return redact(array, policy.entity)
        case "mask":
            return mask(array, policy.visible)
        case "pseudonym":
            return pseudonymize(array, key if key is not None else pseudonym_key(), policy.entity)
        case "generalize":
            return generalize(array, policy.to or "band", policy.size)
        case "suppress":
            return suppress(array, policy.min_count or k)
    raise ValueError(f"unknown operator {policy.operator!r}")


def _text(values: pa.Array) -> pa.Array:
    return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())


def redact(values: pa.Array, entity: str | None) -> pa.Array:
    """A structured value becomes its entity's placeholder (``<DOCUMENTO>``...); a column with
    no entity or ``FREE_TEXT`` is free text, whose personal spans only are replaced."""
    if entity in (None, "FREE_TEXT"):
        from privacy.text.redaction import redact_array

        return redact_array(_text(values))
    placeholder = _placeholder(entity)
    return pc.if_else(pc.is_valid(values), pa.scalar(placeholder), pa.scalar(None, pa.string()))


def _placeholder(entity: str) -> str:
    try:
        from privacy.text.redaction import PLACEHOLDERS
    except ImportError:
        PLACEHOLDERS = _PLACEHOLDERS
    if entity in PLACEHOLDERS:
        return PLACEHOLDERS[entity]
    if _is_document(entity):
        return _DOCUMENT_PLACEHOLDER
    return f"<{entity}>"


def _is_document(entity: str) -> bool:
    """CO_CEDULA, CO_NIT, CO_PASAPORTE, ID_NUMBER...: a document number (not an address or
    plate, which also carry the CO_ prefix)."""
    not_documents = ("CO_ADDRESS", "CO_PLACA", "CO_LOCALIDAD", "CO_UPZ", "CO_BARRIO")
    return (
        entity.startswith("CO_") or entity.endswith("ID_NUMBER")
    ) and entity not in not_documents


def mask(values: pa.Array, visible: int) -> pa.Array:
    """All but the last ``visible`` characters become ``*`` (``3001234567`` → ``********67``).
    A value no longer than ``visible`` is masked whole: it would otherwise be shown as is."""
    text = _text(values)
    length = pc.utf8_length(text)
    short = pc.less_equal(length, visible)
    hidden = pc.if_else(short, length, pc.subtract(length, visible))
    stars = pc.binary_repeat("*", pc.cast(hidden, pa.int64()))
    if visible:
        tail = pc.utf8_slice_codeunits(text, start=-visible)
    else:
        tail = pc.utf8_slice_codeunits(text, 0, 0)
    return pc.binary_join_element_wise(stars, pc.if_else(short, "", tail), "")


# --- pseudonyms -------------------------------------------------------------------------------


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys (RFC 2104, block size 64 for SHA-256)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def normalization_sql(entity: str | None, column: str = "v") -> str:
    """The SQL that makes different spellings of one value equal before hashing.

    Documents and NITs: digits and letters only, upper case (``1.020.345.678`` = ``1020345678``,
    ``pa-123`` = ``PA123``); phones: digits only, without the +57 prefix; e-mails: lower case;
    names and anything else: lower case without accents, single spaces. Empty results are null.
    """
    v = f"CAST({column} AS VARCHAR)"
    if entity == "PHONE_NUMBER":
        digits = f"regexp_replace({v}, '[^0-9]', '', 'g')"
        expr = (
            f"CASE WHEN length({digits}) = 12 AND {digits} LIKE '57%' "
            f"THEN substr({digits}, 3) ELSE {digits} END"
        )
    elif entity == "EMAIL_ADDRESS":
        expr = f"lower(trim({v}))"
    elif entity is not None and _is_document(entity):
        expr = f"upper(regexp_replace({v}, '[^0-9A-Za-z]', '', 'g'))"
    else:
        expr = f"regexp_replace(lower(strip_accents(trim({v}))), '\\s+', ' ', 'g')"
    return f"nullif({expr}, '')"


def pseudonymize(values: pa.Array, key: bytes, entity: str | None = None) -> pa.Array:
    """``p_`` + 16 hex digits of HMAC-SHA256(key, normalised value), computed by DuckDB:
    ``sha256(opad || unhex(sha256(ipad || value)))``, both hashes vectorised."""
    import duckdb

    if len(key) == 0:
        raise PseudonymKeyError("the pseudonym key is empty")
    inner, outer = _pads(key)
    # batches of ~100k rows: DuckDB scans an Arrow table one batch per thread
    table = pa.Table.from_batches(pa.table({"v": values}).to_batches(max_chunksize=100_000))
    normalized = normalization_sql(entity)
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("_ada_values", table)
        return (
            con.execute(
                f"""
                SELECT CASE WHEN n IS NULL THEN NULL ELSE ? || left(sha256(
                    ?::BLOB || unhex(sha256(?::BLOB || encode(n)))), {PSEUDONYM_HEX}) END AS p
                FROM (SELECT {normalized} AS n FROM _ada_values)
                """,
                [PSEUDONYM_PREFIX, outer, inner],
            )
            .to_arrow_table()
            .column("p")
            .combine_chunks()
        )
    finally:
        con.close()


def pseudonym(value: str, key: bytes, entity: str | None = None) -> str | None:
    """One pseudonym, computed in Python with ``hmac`` (for tests and one-off lookups, e.g. to
    find a person's rows by their cédula)."""
    import hmac

    import duckdb

    normalized = duckdb.execute(f"SELECT {normalization_sql(entity, '?')}", [value]).fetchone()
    if normalized is None or normalized[0] is None:
        return None
    digest = hmac.new(key, str(normalized[0]).encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX]


# --- generalisation ---------------------------------------------------------------------------


def generalize(values: pa.Array, to: str, size: float | None = None) -> pa.Array:
    """Coarser values: number bands, months, years, decades, grid cells (always text)."""
    kind = values.type
    if to == "band":
        return band(values, size or DEFAULT_BAND)
    if to in ("month", "year", "decade"):
        if pa.types.is_integer(kind) and to != "month":
            return _years(values, to)
        return period(values, to)
    if to == "grid":
        if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
            return coordinate_cell(values, size or DEFAULT_GRID_DEGREES)
        return address_cell(_text(values), int(size or DEFAULT_GRID_STREETS))
    raise ValueError(f"unknown generalization {to!r}")


def _numbers(values: pa.Array) -> pa.Array:
    """Numbers from a numeric or text column (text that is no number becomes null)."""
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        return values
    if pa.types.is_decimal(values.type):
        return pc.cast(values, pa.float64())
    text = pc.replace_substring(pc.utf8_trim_whitespace(_text(values)), ",", ".")
    valid = pc.match_substring_regex(text, r"^-?\d+(\.\d+)?$")
    return pc.cast(pc.if_else(valid, text, None), pa.float64())


def band(values: pa.Array, size: float) -> pa.Array:
    """``23`` → ``20-24`` (size 5); whole sizes on whole numbers give closed bands, otherwise
    half-open ones written ``1.5-<2.0``."""
    numbers = _numbers(values)
    whole = float(size).is_integer() and pa.types.is_integer(numbers.type)
    low = pc.multiply(pc.floor(pc.divide(pc.cast(numbers, pa.float64()), float(size))), float(size))
    if whole:
        low_int = pc.cast(low, pa.int64())
        high = pc.add(low_int, int(size) - 1)
        return pc.binary_join_element_wise(
            pc.cast(low_int, pa.string()), pc.cast(high, pa.string()), "-"
        )
    high_f = pc.add(low, float(size))
    return pc.binary_join_element_wise(
        _float_text(low), pc.binary_join_element_wise("<", _float_text(high_f), ""), "-"
    )


def _float_text(values: pa.Array) -> pa.Array:
    """Floats written without binary noise (``0.30000000000000004`` → ``0.3``)."""
    return pc.cast(pc.round(values, 6), pa.string())


def period(values: pa.Array, to: str) -> pa.Array:
    """Dates and timestamps to ``2024-03`` (month), ``2024`` (year) or ``1980-1989`` (decade).
    Text is parsed as ISO dates first (anything else becomes null)."""
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        day = pc.utf8_slice_codeunits(values, 0, 10)
        values = pc.strptime(day, "%Y-%m-%d", "s", error_is_null=True)
    if to == "month":
        return pc.strftime(values, "%Y-%m")
    return _years(pc.year(values), to)


def _years(years: pa.Array, to: str) -> pa.Array:
    years = pc.cast(years, pa.int64())
    if to == "year":
        return pc.cast(years, pa.string())
    return _range(years, 10)


def coordinate_cell(values: pa.Array, size: float) -> pa.Array:
    """A latitude or longitude to the south-west corner of its ``size``-degree cell, as text
    (``4.6097`` → ``4.6`` with 0.1; ``-74.0817`` → ``-74.09`` with 0.01)."""
    numbers = pc.cast(_numbers(values), pa.float64())
    low = pc.multiply(pc.floor(pc.divide(numbers, float(size))), float(size))
    return _float_text(low)


# Bogotá grid addresses. RE2 (Arrow's regex engine): named groups, no look-arounds.
_STREET = (
    r"avenida\s+calle|avenida\s+carrera|avenida\s+cra|av\.?\s*(?:calle|carrera|cra|cl|kr)"
    r"|calle|carrera|diagonal|transversal|autopista|cll|cra|kra|diag|trans|ac|ak|cl|kr|cr|dg|tv|tr"
)
_LETTERS = r"(?:\s?[a-h](?:\s|$|\b))?(?:\s?bis)?(?:\s?[a-h]\b)?"
_ADDRESS_RE = (
    rf"(?i)^\s*(?P<t1>{_STREET})\.?\s*(?P<n1>\d{{1,3}}){_LETTERS}\s*(?P<s1>sur|este|s|e)?\b"
    rf"\s*(?:-\s*(?P<t2>{_STREET})\.?\s*|(?:#|no\.?|n°|nº|nro\.?)?\s*)"
    rf"(?P<n2>\d{{1,3}}){_LETTERS}\s*(?P<s2a>sur|este|s|e)?\b"
    r"(?:\s*-?\s*\d{1,3}\b)?\s*(?P<s2b>sur|este|s|e)?\b"
)
_CALLE_LIKE = ["calle", "cll", "cl", "ac", "diagonal", "diag", "dg", "avenidacalle", "avcalle"]
_CALLE_LIKE += ["avcl"]


def _street_axis(types: pa.Array) -> pa.Array:
    """True for streets that run like calles (calle, diagonal, avenida calle), false for
    carreras (carrera, transversal, avenida carrera, autopista), null when absent."""
    folded = pc.replace_substring_regex(pc.utf8_lower(types), r"[^a-z]", "")
    return pc.is_in(folded, value_set=pa.array(_CALLE_LIKE))


def address_cell(values: pa.Array, size: int) -> pa.Array:
    """``Calle 45 # 12-30`` → ``CL 40-49 x KR 10-19`` (size 10), ``KR 80-CL 34 S`` →
    ``CL 30-39 Sur x KR 80-89``. Calle first whichever street the address starts from, so one
    block has one label; letters and ``Bis`` are dropped; unparseable text becomes null.

    The labels use the district's abbreviations (CL, KR) on purpose: ``Calle 40-49`` spelled out
    reads as a street address to the Spanish address recognizer, and the leak canary would (and
    should) refuse to publish it."""
    parts = pc.extract_regex(values, _ADDRESS_RE)
    ok = pc.is_valid(parts)
    t1, t2 = pc.struct_field(parts, "t1"), pc.struct_field(parts, "t2")
    n1 = pc.cast(pc.struct_field(parts, "n1"), pa.int64())
    n2 = pc.cast(pc.struct_field(parts, "n2"), pa.int64())
    s1 = pc.utf8_lower(pc.struct_field(parts, "s1"))
    s2 = pc.utf8_lower(
        pc.if_else(
            pc.not_equal(pc.struct_field(parts, "s2a"), ""),
            pc.struct_field(parts, "s2a"),
            pc.struct_field(parts, "s2b"),
        )
    )
    first_calle = _street_axis(t1)
    # A crossing names both streets; both of one kind (Calle 26 - Diagonal 27) is not a block.
    second_given = pc.not_equal(t2, "")
    clash = pc.and_(second_given, pc.equal(first_calle, _street_axis(t2)))
    calle_n = pc.if_else(first_calle, n1, n2)
    carrera_n = pc.if_else(first_calle, n2, n1)
    calle_s = pc.if_else(first_calle, s1, s2)
    carrera_s = pc.if_else(first_calle, s2, s1)
    sur = pc.if_else(pc.is_in(calle_s, value_set=pa.array(["s", "sur"])), " Sur", "")
    este = pc.if_else(pc.is_in(carrera_s, value_set=pa.array(["e", "este"])), " Este", "")
    label = pc.binary_join_element_wise(
        "CL ", _range(calle_n, size), sur, " x KR ", _range(carrera_n, size), este, ""
    )
    good = pc.and_(ok, pc.invert(pc.fill_null(clash, False)))
    return pc.if_else(good, label, pa.scalar(None, pa.string()))


def _range(numbers: pa.Array, size: int) -> pa.Array:
    """Non-negative integers to ``low-high`` labels: ``45`` → ``40-49`` (size 10)."""
    low = pc.multiply(pc.divide(numbers, size), size)  # integer division on int64
    high = pc.add(low, size - 1)
    return pc.binary_join_element_wise(pc.cast(low, pa.string()), pc.cast(high, pa.string()), "-")


# --- suppression ------------------------------------------------------------------------------


def suppress(values: pa.Array, min_count: int) -> pa.Array:
    """Values seen fewer than ``min_count`` times in the column become null (rare categories
    single people out: the only ``Sumapaz`` case of a rare disease)."""
    counts = pc.value_counts(values)
    rare = pc.filter(counts.field("values"), pc.less(counts.field("counts"), min_count))
    if len(rare) == 0:
        return values
    hit = pc.is_in(values, value_set=rare)
    return pc.if_else(hit, pa.scalar(None, values.type), values)
