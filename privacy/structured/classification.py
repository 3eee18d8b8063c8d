"""Which columns of a table hold personal data, judged from the header and a sample of values.

A column the spec gives no policy is classified before anything leaves staging: a direct
identifier (name, document, phone, e-mail, address, plate) or free text blocks publication until
the spec says what to do with it; a quasi-identifier (age, sex, localidad, dates) goes to the
re-identification gate. Classification reads a *sample* (``sample_table``): a table of ten million
rows costs the same as one of ten thousand.

Value checks are full matches of the patterns of the Colombian recognizers registered in
``privacy.recognizers.colombian_recognizers()`` (a recognizer added there is picked up here), plus
checks Presidio does not have for table cells: e-mails, names (capitalised words from a small
gazetteer), ages, sexes, localidades, dates. A low-scoring pattern (a bare 8-digit number may be a
cédula or a case number) only counts when the header agrees; a header alone is trusted for
unambiguous words (``telefono``, ``correo``) and needs the values to agree for ambiguous ones
(``nombre`` in ``nombre_colegio``, ``edad`` in ``unidad_edad``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    import duckdb
    from presidio_analyzer import PatternRecognizer

Role = Literal["direct", "quasi", "free_text"]

DEFAULT_SAMPLE_SIZE = 1000
"""Non-null values looked at per column (and rows drawn by ``sample_table``)."""

QUASI_ENTITIES = frozenset(
    {
        "AGE",
        "SEX",
        "DATE",
        "BIRTH_DATE",
        "CO_LOCALIDAD",
        "CO_UPZ",
        "CO_BARRIO",
        "GEO_COORDINATE",
        "NATIONALITY",
        "ETHNICITY",
        "DISABILITY",
    }
)
"""Entities that single nobody out alone but do in combination; every other entity (documents,
names, phones, e-mails, addresses, plates, and any entity a new recognizer brings) is direct."""

FREE_TEXT = "FREE_TEXT"


@dataclass(frozen=True)
class ColumnFinding:
    """What the classifier concluded about one column, and why (``evidence`` never quotes a
    value: findings are shown in the UI and logs)."""

    column: str
    entity: str | None
    share: float
    """share of the sampled non-null values that match ``entity``"""
    confidence: float
    evidence: str
    personal: bool
    """True for direct identifiers and free text: the column may not be published as is"""
    role: Role | None = None


# --- sampling ---------------------------------------------------------------------------------


def sample_table(
    source: pa.Table | Path | str | duckdb.DuckDBPyRelation,
    n: int = DEFAULT_SAMPLE_SIZE,
    *,
    seed: int = 0,
    csv_options: dict[str, str] | None = None,
) -> pa.Table:
    """Up to ``n`` rows drawn uniformly at random, reproducibly (``seed``).

    - an Arrow table: ``take`` of random row indices (no copy of the rest);
    - a Parquet file: only a few random row groups are read (a sample, not a scan);
    - a CSV file (``csv_options``: DuckDB ``read_csv`` options such as ``encoding``, ``delim``):
      DuckDB streams it through a reservoir of ``n`` rows, every column as text;
    - a DuckDB relation (a staging table): ``USING SAMPLE reservoir``, computed inside DuckDB.
    """
    if isinstance(source, pa.Table):
        return _sample_arrow(source, n, seed)
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.suffix.lower() == ".parquet":
            return sample_parquet(path, n, seed=seed)
        return sample_csv(path, n, seed=seed, **(csv_options or {}))
    return sample_relation(source, n, seed=seed)


def _sample_arrow(table: pa.Table, n: int, seed: int) -> pa.Table:
    import numpy as np

    if table.num_rows <= n:
        return table
    rows = np.sort(np.random.default_rng(seed).choice(table.num_rows, size=n, replace=False))
    return table.take(pa.array(rows))


def sample_parquet(path: Path | str, n: int = DEFAULT_SAMPLE_SIZE, *, seed: int = 0) -> pa.Table:
    """``n`` random rows of a few random row groups (at least 8, or fewer when they already
    hold ``50 n`` rows), never the whole file unless it is that small.

    Rows within a row group are neighbours (often the same day or sector); reading several
    groups spreads the sample."""
    import numpy as np
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    groups = np.random.default_rng(seed).permutation(file.num_row_groups)
    chosen: list[int] = []
    rows = 0
    for g in groups:
        chosen.append(int(g))
        rows += file.metadata.row_group(int(g)).num_rows
        if rows >= 2 * n and (len(chosen) >= 8 or rows >= 50 * n):
            break
    return _sample_arrow(file.read_row_groups(sorted(chosen)), n, seed)


def sample_csv(
    path: Path | str, n: int = DEFAULT_SAMPLE_SIZE, *, seed: int = 0, **read_csv: str
) -> pa.Table:
    """A reservoir sample of a CSV file by DuckDB (one streaming pass, memory of ``n`` rows:
    a CSV has no index to jump to). Every column is read as text, as the file has it."""
    import duckdb

    options = "".join(f", {k} = ?" for k in read_csv)
    con = duckdb.connect()
    try:
        return con.execute(
            f"SELECT * FROM read_csv(?, all_varchar = true{options}) "
            f"USING SAMPLE reservoir({int(n)} ROWS) REPEATABLE ({int(seed)})",
            [str(path), *read_csv.values()],
        ).to_arrow_table()
    finally:
        con.close()


def sample_relation(
    relation: duckdb.DuckDBPyRelation, n: int = DEFAULT_SAMPLE_SIZE, *, seed: int = 0
) -> pa.Table:
    """A reservoir sample computed by DuckDB (e.g. ``con.table('staging.salud.x')``)."""
    return relation.query(
        "_ada_sampled",
        "SELECT * FROM _ada_sampled "
        f"USING SAMPLE reservoir({int(n)} ROWS) REPEATABLE ({int(seed)})",
    ).to_arrow_table()


# --- normalisation ----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents: ``Número`` → ``numero``, ``BOLÍVAR`` → ``bolivar``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def header_tokens(name: str) -> list[str]:
    """``Número de documento``, ``NUM_DOC_VICTIMA``, ``fechaNacimiento`` → words."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [t for t in re.split(r"[^a-z0-9]+", fold(spaced)) if t]


# --- header hints -----------------------------------------------------------------------------

_NOT_A_PERSON = {
    "colegio", "establecimiento", "sede", "entidad", "evento", "programa", "eps", "ips", "upgd",
    "barrio", "empresa", "comercial", "institucion", "municipio", "departamento", "localidad",
    "upz", "estacion", "proyecto", "archivo", "campo", "columna", "calle", "via", "parque",
}  # fmt: skip
_DOCUMENT_WORDS = {"documento", "doc", "cedula", "identificacion", "identidad", "cc", "dni"}
_DOCUMENT_WORDS |= {"pasaporte", "nuip", "ti", "ce", "pep", "ppt"}
_NUMBER_WORDS = {"num", "numero", "nro", "no", "nr"}
_TYPE_WORDS = {"tipo", "clase", "categoria"}
_GEO_WORDS = {"latitud", "longitud", "lat", "lon", "lng", "latitude", "longitude", "coordenada"}


@dataclass(frozen=True)
class _Hint:
    entity: str
    needs_values: bool
    """True where the header is ambiguous and the values must agree"""


def header_hint(name: str) -> _Hint | None:
    """The entity a column's header names, if any (Spanish and English words)."""
    words = header_tokens(name)
    tokens = set(words)
    if tokens & _TYPE_WORDS:  # tipo_documento, clase_vehiculo: a category, not the value
        return None
    if tokens & {"correo", "email", "mail"}:
        return _Hint("EMAIL_ADDRESS", False)
    if tokens & {"telefono", "tel", "celular", "cel", "movil", "whatsapp", "phone"}:
        return _Hint("PHONE_NUMBER", False)
    if "nit" in tokens:
        return _Hint("CO_NIT", False)
    if tokens & _DOCUMENT_WORDS or ("id" in tokens and tokens & _NUMBER_WORDS):
        return _Hint("CO_CEDULA", False)
    if tokens & {"direccion", "domicilio", "address"}:
        return _Hint("CO_ADDRESS", False)
    if "placa" in tokens:
        return _Hint("CO_PLACA", False)
    if tokens & {"nacimiento", "nac", "birth", "birthdate"}:
        return _Hint("BIRTH_DATE", False)
    if tokens & {"edad", "age"}:
        return _Hint("AGE", True)
    if tokens & {"sexo", "genero", "sex", "gender"}:
        return _Hint("SEX", False)
    if tokens & {"localidad", "localidades"}:
        return _Hint("CO_LOCALIDAD", False)
    if "upz" in tokens:
        return _Hint("CO_UPZ", False)
    if "barrio" in tokens:
        return _Hint("CO_BARRIO", False)
    if tokens & _GEO_WORDS or tokens & {"coordenadas"}:
        return _Hint("GEO_COORDINATE", True)
    if tokens & {"nacionalidad", "nationality"}:
        return _Hint("NATIONALITY", False)
    if tokens & {"etnia", "etnico", "etnica", "ethnicity"}:
        return _Hint("ETHNICITY", False)
    if "discapacidad" in tokens:
        return _Hint("DISABILITY", False)
    person = {"nombre", "nombres", "apellido", "apellidos", "name", "representante"}
    if tokens & person and not tokens & _NOT_A_PERSON:
        return _Hint("PERSON", True)
    if "razon" in tokens and "social" in tokens:  # a natural person's name, or a company's
        return _Hint("PERSON", True)
    if tokens & {"fecha", "date", "fec"}:
        return _Hint("DATE", True)
    return None


# --- value checks -----------------------------------------------------------------------------

Check = Callable[[str], bool]


@dataclass(frozen=True)
class _Detector:
    entity: str
    strong: Check
    """matches that are evidence on their own"""
    weak: Check
    """matches that count only when the header names the entity"""


def _full(
    patterns: Iterable[tuple[str, float]], flags: int, validate: Check | None, strong: bool
) -> Check:
    """A full-match check from a recognizer's patterns (those scoring >= 0.3 when ``strong``),
    compiled as Presidio compiles them (the ``regex`` module: variable-width look-behinds)."""
    import regex

    chosen = [regex.compile(rx, flags) for rx, score in patterns if (score >= 0.3) == strong]

    def check(value: str) -> bool:
        if not any(rx.fullmatch(value) for rx in chosen):
            return False
        return validate is None or validate(value) is not False

    return check


@lru_cache(maxsize=1)
def _recognizers() -> tuple[PatternRecognizer, ...]:
    """The registered pattern recognizers (built once: compiling them costs ~0.1 s)."""
    from presidio_analyzer import PatternRecognizer

    from privacy.recognizers import colombian_recognizers

    return tuple(r for r in colombian_recognizers() if isinstance(r, PatternRecognizer))


@lru_cache(maxsize=1)
def _recognizer_detectors() -> tuple[_Detector, ...]:
    """Detectors from the registered Colombian recognizers (``DATE_TIME`` becomes ``DATE``)."""
    import regex

    detectors = []
    for recognizer in _recognizers():
        patterns = [(p.regex, p.score) for p in getattr(recognizer, "patterns", [])]
        if not patterns:
            continue
        flags = getattr(recognizer, "global_regex_flags", None) or regex.IGNORECASE
        validate = getattr(recognizer, "validate_result", None)
        for entity in recognizer.supported_entities:
            detectors.append(
                _Detector(
                    "DATE" if entity == "DATE_TIME" else entity,
                    _full(patterns, flags, validate, True),
                    _full(patterns, flags, validate, False),
                )
            )
    return tuple(detectors)


def _merged(detectors: Iterable[_Detector]) -> tuple[_Detector, ...]:
    """One detector per entity: a value matches if any recognizer of that entity matches it."""
    groups: dict[str, list[_Detector]] = {}
    for d in detectors:
        groups.setdefault(d.entity, []).append(d)

    def either(checks: list[Check]) -> Check:
        return lambda value: any(c(value) for c in checks)

    return tuple(
        _Detector(e, either([d.strong for d in ds]), either([d.weak for d in ds]))
        for e, ds in groups.items()
    )


_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_PLACA = re.compile(r"[A-Z]{3}\s?-?\s?(?:\d{3}|\d{2}[A-Z])", re.IGNORECASE)
_DATE_TEXT = re.compile(
    r"\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?\S*)?|\d{1,2}[-/]\d{1,2}[-/]\d{2,4}"
    r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
)
_ADDRESS_START = re.compile(
    r"(?:avenida|av|ak|ac|autopista|calle|cl|cll|carrera|cra|kr|kra|cr|diagonal|dg|diag"
    r"|transversal|tv|tr|trans)\.?\s*\d{1,3}\b.*\d",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)?")
_SEXES = {"f", "m", "femenino", "masculino", "hombre", "mujer", "intersexual", "h", "female"}
_SEXES |= {"male", "otro", "no binario", "indeterminado", "sin dato", "no informa"}
LOCALIDADES = (
    "usaquen", "chapinero", "santa fe", "san cristobal", "usme", "tunjuelito", "bosa", "kennedy",
    "fontibon", "engativa", "suba", "barrios unidos", "teusaquillo", "los martires",
    "antonio narino", "puente aranda", "la candelaria", "rafael uribe uribe", "ciudad bolivar",
    "sumapaz",
)  # fmt: skip
"""Bogotá's 20 localidades, in code order (01 Usaquén ... 20 Sumapaz), folded."""
_LOCALIDAD_WORDS = {*LOCALIDADES, "martires", "candelaria", "rafael uribe", "sin dato"}
_LOCALIDAD_WORDS |= {"fuera de bogota", "sin informacion", "rural"}
_NIT = re.compile(r"(\d{1,3}(?:\.\d{3}){1,3}|\d{6,10})\s?-\s?(\d)")
_LOCALIDAD_CODE = re.compile(r"(?:0?[1-9]|1\d|20)")
_INSTITUTION_WORDS = _NOT_A_PERSON | {
    "ied", "ltda", "sas", "sa", "s.a.s", "fundacion", "corporacion", "asociacion", "hospital",
    "clinica", "universidad", "secretaria", "distrital", "alcaldia", "servicios",
    "comercializadora", "inversiones", "construcciones", "confecciones", "express", "group",
    "cia", "y", "de", "del",
}  # fmt: skip


@lru_cache(maxsize=1)
def _gazetteer() -> frozenset[str]:
    """The shipped given names and surnames, plus the text detector's given names when that
    module is installed (``privacy/text/data/first_names.txt``)."""
    from privacy.structured.names import GIVEN_NAMES, SURNAMES

    words = GIVEN_NAMES | SURNAMES
    try:
        from privacy.text.detector import first_names
    except ImportError:
        return words
    return words | {fold(w) for w in first_names()}


def is_name(value: str) -> bool:
    """Given names and surnames: 1-5 alphabetic words, at least half of them in the gazetteer
    and none an institution word (``Colegio``, ``IED``, ``S.A.S``)."""
    words = value.split()
    if not 1 <= len(words) <= 5 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    folded = [fold(w) for w in words]
    if any(w in _INSTITUTION_WORDS for w in folded):
        return False
    names = _gazetteer()
    known = sum(w in names for w in folded)
    return known * 2 >= len(words)


def is_localidad(value: str) -> bool:
    """``01 - Usaquén``, ``USAQUEN``, ``Rafael Uribe``, ``Sin dato`` (a bare code such as ``19``
    is ``is_localidad_code``: alone it could be any small number)."""
    folded = re.sub(r"\s+", " ", fold(value)).strip()
    folded = re.sub(r"^\d{1,2}\s*[-.]?\s*", "", folded)
    return folded in _LOCALIDAD_WORDS


def is_localidad_code(value: str) -> bool:
    return bool(_LOCALIDAD_CODE.fullmatch(value.strip()))


def is_nit(value: str) -> bool:
    """A NIT with its DIAN check digit, also a natural person's (their cédula, 6-10 digits)."""
    from privacy.recognizers.co_nit import check_digit

    match = _NIT.fullmatch(value)
    if not match:
        return False
    digits = re.sub(r"\D", "", match.group(1))
    return check_digit(digits) == int(match.group(2))


def _is_age(value: str) -> bool:
    return (value.isdigit() and int(value) <= 120) or bool(re.fullmatch(r"\d{1,3}\.0+", value))


def _is_coordinate(value: str) -> bool:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return False
    return -180 <= number <= 180 and "." in value.replace(",", ".")


@lru_cache(maxsize=1)
def _detectors() -> tuple[_Detector, ...]:
    own = (
        _Detector("EMAIL_ADDRESS", lambda s: bool(_EMAIL.fullmatch(s)), lambda s: False),
        _Detector("PERSON", is_name, lambda s: False),
        _Detector("CO_LOCALIDAD", is_localidad, is_localidad_code),
        _Detector("CO_NIT", is_nit, lambda s: False),
        _Detector("SEX", lambda s: fold(s) in _SEXES, lambda s: False),
        _Detector("AGE", lambda s: False, _is_age),
        _Detector("GEO_COORDINATE", lambda s: False, _is_coordinate),
        _Detector("DATE", lambda s: bool(_DATE_TEXT.fullmatch(s)), lambda s: False),
        _Detector("CO_ADDRESS", lambda s: False, lambda s: bool(_ADDRESS_START.match(s))),
    )
    recognized = _recognizer_detectors()
    if not any(d.entity == "CO_PLACA" for d in recognized):
        plate = _Detector("CO_PLACA", lambda s: False, lambda s: bool(_PLACA.fullmatch(s)))
        recognized = (*recognized, plate)
    return _merged((*recognized, *own))


# Minimum share for a value-only finding; entities not listed need a header.
_VALUE_ONLY = {
    "EMAIL_ADDRESS": 0.8,
    "PHONE_NUMBER": 0.8,
    "CO_NIT": 0.8,
    "CO_CEDULA": 0.8,
    "CO_ADDRESS": 0.7,
    "PERSON": 0.7,
    "CO_LOCALIDAD": 0.9,
    "SEX": 0.98,
    "DATE": 0.9,
}
_SAME_FAMILY = {"CO_CEDULA": "document", "CO_NIT": "document"}
"""Documents: a ``documento`` column holds cédulas, TI, CE, PEP...; the best-matching document
recognizer names the entity (a new ``CO_PASAPORTE`` recognizer joins the family by prefix)."""


def _family(entity: str) -> str:
    if entity == "BIRTH_DATE":
        return "DATE"
    if entity in _SAME_FAMILY or (
        entity.startswith("CO_")
        and entity not in {"CO_ADDRESS", "CO_PLACA"}
        and entity not in QUASI_ENTITIES
    ):
        return "document"
    return entity


def _role(entity: str | None) -> Role | None:
    if entity is None:
        return None
    if entity == FREE_TEXT:
        return "free_text"
    return "quasi" if entity in QUASI_ENTITIES else "direct"


def _finding(
    column: str, entity: str | None, share: float, confidence: float, why: str
) -> ColumnFinding:
    role = _role(entity)
    return ColumnFinding(
        column=column,
        entity=entity,
        share=round(share, 3),
        confidence=round(confidence, 3),
        evidence=why,
        personal=role in ("direct", "free_text"),
        role=role,
    )


def _values(column: pa.ChunkedArray | pa.Array, limit: int) -> Counter[str]:
    """Distinct non-null values (as trimmed text) with their counts, from the first ``limit``
    non-null values of an already random sample."""
    values = column.drop_null()
    if len(values) > limit:
        values = values.slice(0, limit)
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    values = pc.utf8_trim_whitespace(values)
    counts = pc.value_counts(values)
    return Counter(
        {
            v: c
            for v, c in zip(
                counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True
            )
            if v
        }
    )


def _share(values: Counter[str], check: Check) -> float:
    total = sum(values.values())
    return sum(c for v, c in values.items() if check(v)) / total if total else 0.0


def _free_text(values: Counter[str]) -> tuple[float, float]:
    """(share of long multi-word values, distinct/total): text people wrote, not a category."""
    total = sum(values.values())
    long = sum(c for v, c in values.items() if len(v) >= 40 and v.count(" ") >= 5)
    return long / total, len(values) / total


def _entities_inside(values: Counter[str], limit: int = 200) -> list[str]:
    """Entity types whose strong patterns occur inside the first ``limit`` texts (a hint for
    the reviewer; the text redactor does the real detection)."""
    import regex

    found: set[str] = set()
    texts = list(values)[:limit]
    for recognizer in _recognizers():
        for pattern in getattr(recognizer, "patterns", []):
            if pattern.score < 0.3 or recognizer.supported_entities[0] in found:
                continue
            rx = regex.compile(pattern.regex, recognizer.global_regex_flags or 0)
            if any(rx.search(t) for t in texts):
                found.update(recognizer.supported_entities)
    return sorted(found)


def classify_columns(
    sample: pa.Table, *, sample_size: int = DEFAULT_SAMPLE_SIZE
) -> list[ColumnFinding]:
    """One finding per column of ``sample`` (a sample of the table, see ``sample_table``),
    looking at up to ``sample_size`` non-null values of each."""
    return [
        classify_column(name, sample.column(name), sample_size=sample_size)
        for name in sample.column_names
    ]


def classify_column(
    name: str, column: pa.ChunkedArray | pa.Array, *, sample_size: int = DEFAULT_SAMPLE_SIZE
) -> ColumnFinding:
    """The finding for one column: header hint, then values, then the free-text check."""
    hint = header_hint(name)
    temporal = pa.types.is_temporal(column.type) and not pa.types.is_time(column.type)
    values = _values(column, sample_size)
    if not values:
        if hint and not hint.needs_values:
            return _finding(name, hint.entity, 0.0, 0.5, "header (no values in the sample)")
        if temporal:
            return _finding(name, "DATE", 0.0, 0.5, "date type (no values in the sample)")
        return _finding(name, None, 0.0, 0.0, "no values in the sample")

    detectors = _detectors()
    if hint is not None:
        hinted = [d for d in detectors if _family(d.entity) == _family(hint.entity)]
        if hint.entity in ("DATE", "BIRTH_DATE") and temporal:
            return _finding(name, hint.entity, 1.0, 1.0, "header + date type")
        shares = {
            d.entity: _share(values, lambda v, d=d: d.strong(v) or d.weak(v))  # type: ignore[misc]
            for d in hinted
        }
        best = max(shares, key=lambda e: shares[e], default=None)
        share = shares[best] if best else 0.0
        if best and _family(best) == "document" and shares.get("CO_CEDULA", 0) >= share - 0.1:
            best = "CO_CEDULA"  # the usual document unless another clearly fits better
        if hint.entity in ("DATE", "BIRTH_DATE") and "DATE" in shares:
            best = None  # keep the hint's name (BIRTH_DATE, not DATE)
        needed = 0.3 if hint.entity == "PERSON" else 0.8
        if share >= 0.5 or (hint.needs_values and share >= needed):
            entity = best if best and _family(best) == "document" else hint.entity
            return _finding(name, entity, share, 0.6 + 0.4 * share, "header + values")
        if not hint.needs_values:
            why = "header" if not shares else "header (values do not match the usual format)"
            return _finding(name, hint.entity, share, 0.5, why)

    shares = {d.entity: _share(values, d.strong) for d in detectors if d.entity in _VALUE_ONLY}
    for entity, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        if share >= _VALUE_ONLY[entity] and not (entity == "SEX" and len(values) < 2):
            return _finding(name, entity, share, 0.9 * share, "values")
    if temporal:
        return _finding(name, "DATE", 1.0, 0.8, "date type")

    long, distinct = _free_text(values)
    if long >= 0.5 and distinct >= 0.5:
        seen = _entities_inside(values)
        why = "free text (values: long, varied sentences): may contain personal data"
        if seen:
            why += f"; seen in the values: {', '.join(seen)}"
        return _finding(name, FREE_TEXT, long, 0.7 + 0.3 * bool(seen), why)
    return _finding(name, None, 0.0, 0.0, "no personal data found")
