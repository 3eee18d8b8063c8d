"""Per-column inference: names, null markers, decimal mark, types and formats, keys.

Types are chosen with the same rules the loader applies (:func:`ingestion.coercion.coerce`): a
type is right for a column when (almost) all its non-null sample values coerce to it. Columns
that look like identifiers (codes, documents, phones) stay text even when their values are
numbers. :func:`final_column` checks each column again with the file-level format exactly as the
loader will type it.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from catalog.specs import Column, FileFormat
from ingestion.coercion import coerce
from ingestion.inference.sampling import NUMBERISH, Sample
from ingestion.readers.headers import slug, split_unit

#: Distinct numeric values per column looked at to tell the decimal mark from the thousands.
EVIDENCE_VALUES = 5_000
#: Distinct values of a column on which candidate date formats are screened.
PROBE_VALUES = 2_000

#: Share of a column's non-null sample values that may fail a type and still get that type.
INVALID_TOLERANCE = 0.001

DEFAULT_NULLS: list[str] = list(FileFormat.model_validate({}).null_values)
_DEFAULT_COLUMN = Column.model_validate({"name": "x"})

#: Markers that mean "no value" wherever they appear.
TEXT_NULLS = [
    "NA", "N/A", "n/a", "N/a", "NULL", "null", "Null", "None", "NONE", "NaN", "nan",
    "#N/A", "#N/D", "#¡VALOR!", "#VALUE!",
    "Sin dato", "SIN DATO", "Sin Dato", "sin dato", "Sin datos", "SIN DATOS",
    "Sin información", "SIN INFORMACIÓN", "SIN INFORMACION", "Sin informacion",
    "No registra", "NO REGISTRA", "No reporta", "NO REPORTA",
    "No disponible", "NO DISPONIBLE",
]  # fmt: skip
#: Markers that mean "no value" only in a column whose other values are numbers or dates.
CONTEXT_NULLS = ["-", "--", "---", ".", "ND", "N.D.", "-9999", "-9999.0", "-999", "-999.0"]

#: Day-first formats come first (Colombian files); two-digit years before four-digit ones so
#: that the loader, which keeps the first format that fits, never reads ``20`` as year 0020.
DATE_CANDIDATES = [
    "%d/%m/%y", "%d/%m/%Y", "%d-%m-%y", "%d-%m-%Y", "%d.%m.%Y",
    "%Y/%m/%d", "%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y",
]  # fmt: skip
_DATETIME_BASE = [
    "%d/%m/%y %H:%M", "%d/%m/%y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%SZ",
    "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S",
]  # fmt: skip
#: Real Bogotá mobility exports append a literal ``+00`` (UTC offset) to their datetimes.
DATETIME_CANDIDATES = _DATETIME_BASE + [f + "+00" for f in _DATETIME_BASE if "Z" not in f]
TIME_CANDIDATES = ["%H:%M:%S", "%H:%M"]

_DIRECTIVES = {
    "%d": r"\d{1,2}",
    "%m": r"\d{1,2}",
    "%Y": r"\d{4}",
    "%y": r"\d{2}",
    "%H": r"\d{1,2}",
    "%M": r"\d{2}",
    "%S": r"\d{2}",
}
_LEADING_ZEROS = r"(^|[^0-9])0+([0-9])"

_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_ONE_MARK = re.compile(r"^[+-]?(\d*)([.,])(\d+)$")
_PHONE = re.compile(r"^(?:\+?57)?(?:3\d{9}|60\d{8})$")
_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00)?(?:\+00|Z)?$")
_FRACTIONAL_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\.\d+")

#: Name tokens of columns that identify something (documents, phones, codes): never numbers.
_ID_TOKENS = {
    "id", "codigo", "cod", "documento", "doc", "cedula", "cc", "nit", "identificacion",
    "nuip", "pasaporte", "telefono", "tel", "celular", "movil", "fax", "radicado",
    "expediente", "placa", "chip", "dane", "divipola", "postal", "zip",
    "consecutivo", "formulario", "serial", "ficha", "contrato",
}  # fmt: skip
_ID_PREFIXES = ("cod", "id_", "nro_doc", "num_doc", "numero_doc", "no_doc")
_BOOL_TRUE = {"true", "si", "sí", "s", "yes", "verdadero"}
_BOOL_FALSE = {"false", "no", "n", "falso"}


def name_tokens(name: str) -> set[str]:
    return set(name.split("_"))


def identifier_name(name: str) -> bool:
    return bool(name_tokens(name) & _ID_TOKENS) or name.startswith(_ID_PREFIXES)


def _column_name(header: str, position: int) -> tuple[str, str | None]:
    base, unit = split_unit(header)
    if unit is not None and (len(unit) > 25 or any(ch in unit for ch in "=,;")):
        base, unit = header, None
    name = slug(base) or slug(header) or f"columna_{position}"
    if not name[0].isalpha():
        name = f"col_{name}"
    return name, unit


def _null_mask(text: pa.Array, markers: list[str]) -> pa.Array:
    return pc.fill_null(pc.is_in(text, value_set=pa.array(markers, pa.string())), True)


def _unique_strings(values: pa.Array) -> list[str]:
    return [v for v in pc.unique(values).to_pylist() if v is not None]


def _format_regex(fmt: str) -> str:
    pattern = re.escape(fmt)
    for directive, regex in _DIRECTIVES.items():
        pattern = pattern.replace(re.escape(directive), regex)
    return f"^{pattern}$"


def _matches(text: pa.Array, fmt: str) -> pa.Array:
    """Which values are written exactly in ``fmt`` (a real date, same digits, same shape)."""
    shaped = pc.match_substring_regex(text, _format_regex(fmt))
    if not pc.any(shaped).as_py():
        return shaped
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    back = pc.replace_substring_regex(pc.strftime(parsed, format=fmt), _LEADING_ZEROS, r"\1\2")
    same = pc.equal(back, pc.replace_substring_regex(text, _LEADING_ZEROS, r"\1\2"))
    return pc.fill_null(pc.and_(shaped, same), False)


@functools.cache
def _shape(fmt: str) -> re.Pattern[str]:
    return re.compile(_format_regex(fmt))


def _cover(text: pa.Array, candidates: list[str]) -> tuple[list[str], int]:
    """Formats (in candidate order) that together cover the most values, and how many.

    Only formats whose shape fits one of the first distinct values are tried on the whole
    sample, so that a text column costs a few regular expressions, not one per candidate.
    """
    probe = _unique_strings(pc.unique(text)[:PROBE_VALUES])
    plausible = [f for f in candidates if any(_shape(f).match(v) for v in probe)]
    pending = pa.array(np.ones(len(text), dtype=bool))
    chosen: list[str] = []
    covered = 0
    for fmt in plausible:
        if covered == len(text):
            break
        hits = pc.and_(pending, _matches(text, fmt))
        count = pc.sum(hits).as_py() or 0
        if count:
            chosen.append(fmt)
            covered += count
            pending = pc.and_(pending, pc.invert(hits))
    return chosen, covered


@dataclass
class _Numbers:
    """Evidence for the decimal mark and the thousands separator."""

    decimal_comma: int = 0
    decimal_dot: int = 0
    thousands_dot: int = 0
    thousands_comma: int = 0
    ambiguous_comma: int = 0
    ambiguous_dot: int = 0

    def add(self, value: str) -> None:
        v = value.replace("%", "")
        if _THOUSANDS_DOT.match(v) and ("," in v or v.count(".") > 1):
            self.thousands_dot += 1
            self.decimal_comma += "," in v
        elif _THOUSANDS_COMMA.match(v) and ("." in v or v.count(",") > 1):
            self.thousands_comma += 1
            self.decimal_dot += "." in v
        elif match := _ONE_MARK.match(v):
            whole, mark, decimals = match.groups()
            clear = len(decimals) != 3 or not whole or whole.lstrip("+-").startswith("0")
            clear = clear or len(whole.lstrip("+-")) > 3
            if mark == ",":
                self.decimal_comma += clear
                self.ambiguous_comma += not clear
            else:
                self.decimal_dot += clear
                self.ambiguous_dot += not clear

    def decide(self) -> tuple[str, str, list[str]]:
        notes: list[str] = []
        comma = self.decimal_comma + self.thousands_dot
        dot = self.decimal_dot + self.thousands_comma
        if comma > dot or (comma == dot == 0 and self.ambiguous_comma > self.ambiguous_dot):
            decimal = ","
            thousands = "." if self.thousands_dot or self.ambiguous_dot else ""
            if comma == 0:
                notes.append(
                    "Números como '1,250' son ambiguos: se asumió coma decimal; revise "
                    "'format.decimal' y 'format.thousands'."
                )
        else:
            decimal = "."
            thousands = (
                "," if self.thousands_comma or (comma == 0 and dot and self.ambiguous_comma) else ""
            )
        if comma and dot:
            notes.append(
                f"Hay números con coma decimal ({comma}) y con punto decimal ({dot}); se eligió "
                f"'{decimal}' como marca decimal: revise las columnas numéricas."
            )
        return decimal, thousands, notes


@dataclass
class _ColumnPlan:
    header: str
    name: str
    unit: str | None
    values: pa.Array  # as the reader yields them
    text: pa.Array | None = None  # trimmed, every null marker as null (textual columns only)
    type: str = "string"
    formats: list[str] | None = None
    percent: bool = False
    nullable: bool = True
    true_values: list[str] | None = None
    false_values: list[str] | None = None
    markers: dict[str, int] = field(default_factory=dict)
    identifier: bool = False

    def column(self, with_formats: bool = True, source: str | None = None) -> Column:
        data: dict[str, Any] = {"name": self.name, "type": self.type, "nullable": self.nullable}
        if source is not None:
            data["source"] = source
        if self.unit:
            data["unit"] = self.unit
        if with_formats and self.formats:
            data["formats"] = self.formats
        if self.percent:
            data["percent"] = True
        if self.true_values is not None:
            data["true_values"] = self.true_values
            data["false_values"] = self.false_values
        return Column(**data)


def _arrow_type(dtype: pa.DataType) -> str | None:
    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "number"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_timestamp(dtype):
        return "datetime"
    if pa.types.is_time(dtype):
        return "time"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return None
    return "string"


class Inference:
    def __init__(self, sample: Sample) -> None:
        self.sample = sample
        self.notes: list[str] = list(sample.notes)
        self.null_values: list[str] = list(DEFAULT_NULLS)

    # -- names ---------------------------------------------------------------------------

    def plans(self) -> list[_ColumnPlan]:
        plans: list[_ColumnPlan] = []
        used: set[str] = set()
        raw_counts = Counter(self.sample.raw_headers)
        repeated = sorted(h for h, n in raw_counts.items() if n > 1 and h)
        if repeated:
            self.notes.append(
                "Encabezados repetidos: "
                + ", ".join(f"'{h}' ×{raw_counts[h]}" for h in repeated)
                + "; las repeticiones se numeraron (_2, _3): verifique qué contiene cada una."
            )
        for position, (header, values) in enumerate(
            zip(self.sample.headers, self.sample.columns, strict=True), start=1
        ):
            name, unit = _column_name(header, position)
            base, suffix = name, 2
            while name in used:
                name, suffix = f"{base}_{suffix}", suffix + 1
            used.add(name)
            if header.startswith("columna_") and header == f"columna_{position}":
                self.notes.append(f"La columna {position} no tiene encabezado: se llamó '{name}'.")
            plans.append(_ColumnPlan(header=header, name=name, unit=unit, values=values))
        return plans

    # -- null markers and numbers ----------------------------------------------------------

    def prepare(self, plan: _ColumnPlan) -> None:
        values = plan.values
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        if _arrow_type(values.type) is not None:
            return
        trimmed = pc.utf8_trim_whitespace(values.cast(pa.string()))
        seen = pc.filter(trimmed, _null_mask(trimmed, TEXT_NULLS + CONTEXT_NULLS))
        if len(seen):
            for item in pc.value_counts(seen).to_pylist():
                plan.markers[item["values"]] = item["counts"]
        always = DEFAULT_NULLS + TEXT_NULLS + CONTEXT_NULLS
        plan.text = pc.if_else(
            pc.or_(_null_mask(trimmed, always), pc.equal(trimmed, "")),
            pa.scalar(None, pa.string()),
            trimmed,
        )

    def number_evidence(self, plans: list[_ColumnPlan]) -> _Numbers:
        evidence = _Numbers()
        for plan in plans:
            if plan.text is None or identifier_name(plan.name):
                continue
            present = pc.drop_null(plan.text)
            if not len(present):
                continue
            compact = pc.replace_substring_regex(present, r"[\s$]", "")
            numeric = pc.match_substring_regex(compact, NUMBERISH.pattern)
            if pc.sum(numeric).as_py() < len(present) * (1 - INVALID_TOLERANCE):
                continue
            for value in _unique_strings(pc.filter(compact, numeric))[:EVIDENCE_VALUES]:
                evidence.add(value)
        return evidence

    # -- types -----------------------------------------------------------------------------

    def infer(self, plan: _ColumnPlan, fmt: FileFormat) -> None:
        if plan.text is None:  # a typed column (parquet)
            values = plan.values
            plan.type = _arrow_type(values.type) or "string"
            plan.nullable = values.null_count > 0
            return
        text = plan.text
        present = pc.drop_null(text)
        plan.nullable = len(present) < len(text)
        n = len(present)
        if n == 0:
            plan.type = "string"
            if len(text):
                self.notes.append(
                    f"La columna '{plan.name}' está vacía en la muestra: se dejó como texto; "
                    "revise su tipo o elimínela."
                )
            return
        tolerance = math.floor(n * INVALID_TOLERANCE)
        distinct = _unique_strings(present)
        lowered = {v.lower() for v in distinct}
        if lowered <= (_BOOL_TRUE | _BOOL_FALSE | {"0", "1"}) and lowered - {"0", "1"}:
            plan.type = "boolean"
            if lowered & {"verdadero", "falso"}:
                plan.true_values = [*_DEFAULT_COLUMN.true_values, "verdadero"]
                plan.false_values = [*_DEFAULT_COLUMN.false_values, "falso"]
            return
        if self._numeric(plan, fmt, present, distinct, tolerance):
            return
        if self._temporal(plan, present, tolerance):
            return
        if any(_FRACTIONAL_SECONDS.match(v) for v in distinct[:100]):
            self.notes.append(
                f"La columna '{plan.name}' tiene fechas con fracciones de segundo, que el cargador "
                "no interpreta: se dejó como texto."
            )
        plan.type = "string"

    def _invalid(self, text: pa.Array, fmt: FileFormat, column: Column) -> int:
        try:
            typed = coerce(text, column, fmt)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return len(text)
        return pc.sum(typed.invalid).as_py() or 0

    def _numeric(
        self,
        plan: _ColumnPlan,
        fmt: FileFormat,
        present: pa.Array,
        distinct: list[str],
        tolerance: int,
    ) -> bool:
        present_text = plan.text
        assert present_text is not None
        compact = pc.replace_substring_regex(present, r"[\s$]", "")
        numeric = pc.sum(pc.match_substring_regex(compact, NUMBERISH.pattern)).as_py() or 0
        if numeric < len(present) - tolerance:
            return False
        percent = (pc.sum(pc.ends_with(compact, "%")).as_py() or 0) >= len(present) * 0.5
        if not percent and self._identifier(plan, distinct):
            plan.identifier = True
            return True  # stays string
        if fmt.thousands:
            decimals = pc.match_substring(compact, fmt.decimal)
        else:
            decimals = pc.match_substring_regex(compact, r"[.,]")
        has_decimals = bool(pc.any(decimals).as_py()) or any("e" in v.lower() for v in distinct)
        kinds = ["number"] if has_decimals or percent else ["integer", "number"]
        for kind in kinds:
            column = Column.model_validate({"name": plan.name, "type": kind, "percent": percent})
            if self._invalid(present_text, fmt, column) <= tolerance:
                plan.type, plan.percent = kind, percent
                return True
        return False

    def _identifier(self, plan: _ColumnPlan, distinct: list[str]) -> bool:
        plain = [v.replace(" ", "") for v in distinct]
        reason = None
        if identifier_name(plan.name):
            reason = "su nombre indica un identificador o código"
        elif any(re.fullmatch(r"0\d+", v) for v in plain):
            reason = "tiene valores con ceros a la izquierda"
        elif sum(1 for v in distinct if _PHONE.match(re.sub(r"[\s\-()]", "", v))) >= max(
            1, 0.8 * len(distinct)
        ):
            reason = "sus valores parecen números de teléfono"
        elif any(re.fullmatch(r"[+-]?\d{16,}", v) for v in plain):
            reason = "tiene números de más de 15 dígitos"
        if reason is None:
            return False
        self.notes.append(
            f"La columna '{plan.name}' es numérica pero {reason}: se dejó como texto (string)."
        )
        return True

    def _temporal(self, plan: _ColumnPlan, present: pa.Array, tolerance: int) -> bool:
        n = len(present)
        dates, date_hits = _cover(present, DATE_CANDIDATES)
        datetimes, datetime_hits = (
            _cover(present, DATETIME_CANDIDATES) if date_hits < n else ([], 0)
        )
        if date_hits >= n - tolerance:
            plan.type, plan.formats = "date", dates
        elif datetime_hits and date_hits + datetime_hits >= n - tolerance:
            midnight = all(_MIDNIGHT.search(v) for v in _unique_strings(present))
            if midnight and date_hits == 0:
                plan.type, plan.formats = "date", datetimes
            else:
                plan.type, plan.formats = "datetime", datetimes + dates
        else:
            times, time_hits = _cover(present, TIME_CANDIDATES)
            if time_hits < n - tolerance:
                return False
            plan.type, plan.formats = "time", times
        used = plan.formats or []
        if any(f.startswith("%m") for f in used):
            self.notes.append(
                f"La columna '{plan.name}' usa fechas mes/día (formato estadounidense): verifique."
            )
        elif any(f.startswith("%d") for f in used) and not any(
            f.startswith("%d") and _first_part_above_12(present, f) for f in used
        ):
            self.notes.append(
                f"En la columna '{plan.name}' ningún día pasa de 12 en la muestra: se asumió "
                "día/mes (formato colombiano); confirme que no es mes/día."
            )
        if any(f.endswith("+00") for f in used):
            self.notes.append(
                f"La columna '{plan.name}' termina en '+00' (UTC según la fuente): se lee como "
                "fecha y hora sin zona; confirme si es hora UTC o de Bogotá."
            )
        if any("%y" in f for f in used):
            self.notes.append(
                f"La columna '{plan.name}' tiene años de dos dígitos (%y): 69-99 se leen como "
                "19xx y 00-68 como 20xx."
            )
        return True


def _first_part_above_12(values: pa.Array, fmt: str) -> bool:
    separator = fmt[2]
    firsts = pc.utf8_slice_codeunits(values, 0, 2)
    firsts = pc.replace_substring(firsts, separator, "")
    numbers = pc.cast(
        pc.if_else(pc.match_substring_regex(firsts, r"^\d+$"), firsts, None), pa.int64()
    )
    return bool(pc.any(pc.greater(numbers, 12)).as_py())


def ordered(formats: list[str], candidates: list[str]) -> list[str]:
    order = {f: i for i, f in enumerate(candidates)}
    return sorted(dict.fromkeys(formats), key=lambda f: order.get(f, len(order)))


def key_rank(name: str) -> int:
    """Surrogate ids and codes first, then other identifier-looking names, in column order."""
    tokens = name_tokens(name)
    if tokens & {"id", "codigo", "cod", "consecutivo", "radicado"} or name.startswith(
        ("id_", "cod")
    ):
        return 0
    return 1


def candidate_keys(plans: list[_ColumnPlan], rows: int) -> list[str]:
    if rows < 2:
        return []
    keys = []
    for plan in plans:
        if plan.type in ("number", "boolean"):
            continue
        values = plan.text if plan.text is not None else plan.values
        if values.null_count or len(values) != rows:
            continue
        if pc.count_distinct(values).as_py() == rows:
            keys.append(plan.name)
    return keys


def final_column(plan: _ColumnPlan, fmt: FileFormat, inference: Inference) -> Column:
    source = plan.header if plan.header != plan.name else None
    column = plan.column(with_formats=False, source=source)
    if plan.text is None or plan.type == "string":
        return column
    typed = coerce(plan.text, column, fmt)
    if plan.formats:
        own = plan.column(with_formats=True, source=source)
        exact = coerce(plan.text, own, fmt)
        shared_invalid = pc.sum(typed.invalid).as_py() or 0
        exact_invalid = pc.sum(exact.invalid).as_py() or 0
        if shared_invalid > exact_invalid or not typed.values.equals(exact.values):
            column, typed = own, exact  # the file-level formats would misread this column
    invalid = pc.sum(typed.invalid).as_py() or 0
    present = len(plan.text) - plan.text.null_count
    if invalid > math.floor(present * INVALID_TOLERANCE):
        inference.notes.append(
            f"La columna '{plan.name}' no se pudo tipar como {plan.type} ({invalid} valores "
            "inválidos): se dejó como texto."
        )
        plan.type = "string"
        return plan.column(with_formats=False, source=source)
    if invalid:
        inference.notes.append(
            f"La columna '{plan.name}' ({plan.type}) tiene {invalid} valores de la muestra que no "
            "se pueden convertir: irían a cuarentena; revíselos."
        )
    return column
