"""The re-identification gate: k-anonymity and l-diversity over a dataset's quasi-identifiers.

Rows that share every quasi-identifier value (age band, sex, localidad...) form an equivalence
class. A release is k-anonymous when every class has at least k rows (no one can be narrowed to
fewer than k people), and l-diverse when every class holds at least l distinct values of each
sensitive attribute (knowing someone's class does not reveal their diagnosis).

When the treated table falls short, the gate first coarsens quasi-identifiers one step at a
time along their generalization ladder (age bands 5 → 10 → 20 years, dates day → month → year →
decade), choosing at each step the column whose coarsening leaves the fewest rows to suppress,
and then suppresses (removes) the rows still in too-small or too-uniform classes, up to the
policy's ``max_suppression`` share. If that is not enough, the release is blocked and the report
lists the rare combinations.

Everything is vectorized: classes are integer codes built from Arrow dictionary indices, and
class sizes come from ``numpy.unique``; a million rows take well under a second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from privacy.policy import ColumnPolicy, PrivacyPolicy

#: Turns the staging values of a column into their treated form at a given policy.
Treat = Callable[[pa.ChunkedArray, ColumnPolicy], pa.Array]

RARE_COMBINATIONS_SHOWN = 20


@dataclass
class GateReport:
    """What the gate measured and did; stored in the privacy report and shown in Dagster."""

    k_required: int
    l_required: int
    quasi_identifiers: list[str]
    sensitive: list[str]
    rows_in: int
    rows_suppressed: int = 0
    k_achieved: int = 0
    l_achieved: int | None = None
    passed: bool = False
    steps: list[str] = field(default_factory=list)
    final_levels: dict[str, str] = field(default_factory=dict)
    rare_combinations: list[dict[str, object]] = field(default_factory=list)
    rare_classes: int = 0

    @property
    def suppressed_share(self) -> float:
        return self.rows_suppressed / self.rows_in if self.rows_in else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "k_required": self.k_required,
            "k_achieved": self.k_achieved,
            "l_required": self.l_required,
            "l_achieved": self.l_achieved,
            "quasi_identifiers": self.quasi_identifiers,
            "sensitive": self.sensitive,
            "rows_in": self.rows_in,
            "rows_suppressed": self.rows_suppressed,
            "suppressed_share": round(self.suppressed_share, 4),
            "steps": self.steps,
            "final_levels": self.final_levels,
            "rare_classes": self.rare_classes,
            "rare_combinations": self.rare_combinations,
        }


#: The root of every hierarchy: the column's values are all withheld (``*``).
WITHHELD = ColumnPolicy(operator="suppress", min_count=2**31)


def describe_level(policy: ColumnPolicy | None) -> str:
    """A short Spanish label of a generalization level, for reports."""
    if policy is None or policy.operator == "keep":
        return "sin generalizar"
    if policy == WITHHELD:
        return "valores retenidos (*)"
    if policy.to == "band":
        return f"rangos de {policy.size or 5:g}"
    names = {"month": "mes", "year": "año", "decade": "década", "grid": "cuadrícula"}
    return names.get(policy.to or "", policy.operator)


def generalization_ladder(policy: ColumnPolicy | None, kind: pa.DataType) -> list[ColumnPolicy]:
    """The coarser levels a quasi-identifier can still be taken to, finest first.

    Numbers go to ever wider bands, dates to month, year and decade; every ladder ends with
    the column withheld altogether, the root of the hierarchy (sex or localidad have only that).
    """
    return [*_coarser(policy, kind), WITHHELD]


def _coarser(policy: ColumnPolicy | None, kind: pa.DataType) -> list[ColumnPolicy]:
    start = policy if policy is not None and policy.operator == "generalize" else None
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        width = start.size if start is not None and start.to == "band" and start.size else None
        sizes = [5.0, 10.0, 20.0, 40.0]
        return [
            ColumnPolicy(operator="generalize", to="band", size=s)
            for s in sizes
            if width is None or s > width
        ]
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        order = ["month", "year", "decade"]
        done = order.index(start.to) + 1 if start is not None and start.to in order else 0
        return [ColumnPolicy(operator="generalize", to=t) for t in order[done:]]
    return []


def _codes(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Integer code per row (nulls get their own code) and the distinct values."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    dictionary = encoded.dictionary
    indices = encoded.indices.fill_null(len(dictionary))
    return indices.to_numpy(zero_copy_only=False).astype(np.int64), dictionary


def _class_codes(columns: list[pa.Array | pa.ChunkedArray], rows: int) -> np.ndarray:
    """One integer per row that is equal exactly when every quasi-identifier is equal."""
    key = np.zeros(rows, dtype=np.int64)
    for values in columns:
        codes, dictionary = _codes(values)
        key = key * (len(dictionary) + 1) + codes
        # Keep the key compact so many columns never overflow int64.
        key = np.unique(key, return_inverse=True)[1].astype(np.int64)
    return key


@dataclass
class _Assessment:
    class_of_row: np.ndarray
    class_sizes: np.ndarray
    unsafe_rows: np.ndarray  # bool per row: in a class below k or not l-diverse

    @property
    def unsafe_count(self) -> int:
        return int(self.unsafe_rows.sum())


def _assess(
    qi_columns: list[pa.Array | pa.ChunkedArray],
    sensitive_columns: list[pa.Array | pa.ChunkedArray],
    rows: int,
    k: int,
    l_required: int,
) -> _Assessment:
    classes = np.zeros(rows, dtype=np.int64) if not qi_columns else _class_codes(qi_columns, rows)
    sizes = np.bincount(classes) if rows else np.zeros(0, dtype=np.int64)
    unsafe_class = sizes < k
    for values in sensitive_columns:
        codes, dictionary = _codes(values)
        pairs = np.unique(classes * (len(dictionary) + 1) + codes)
        diversity = np.bincount(pairs // (len(dictionary) + 1), minlength=len(sizes))
        unsafe_class |= diversity < l_required
    return _Assessment(classes, sizes, unsafe_class[classes] if rows else np.zeros(0, bool))


def _l_achieved(
    assessment: _Assessment, sensitive_columns: list[pa.Array | pa.ChunkedArray], keep: np.ndarray
) -> int | None:
    if not sensitive_columns:
        return None
    classes = assessment.class_of_row[keep]
    if classes.size == 0:
        return 0
    lowest = None
    for values in sensitive_columns:
        codes, dictionary = _codes(values)
        pairs = np.unique(classes * (len(dictionary) + 1) + codes[keep])
        diversity = np.bincount(pairs // (len(dictionary) + 1))
        present = np.bincount(classes) > 0
        value = int(diversity[present].min())
        lowest = value if lowest is None else min(lowest, value)
    return lowest


def _rare_combinations(
    names: list[str], columns: list[pa.Array | pa.ChunkedArray], assessment: _Assessment
) -> tuple[int, list[dict[str, object]]]:
    unsafe_classes = np.flatnonzero(
        np.bincount(assessment.class_of_row, weights=assessment.unsafe_rows) > 0
    )
    smallest = unsafe_classes[np.argsort(assessment.class_sizes[unsafe_classes], kind="stable")]
    shown = []
    for cls in smallest[:RARE_COMBINATIONS_SHOWN]:
        row = int(np.flatnonzero(assessment.class_of_row == cls)[0])
        combo: dict[str, object] = {
            name: _as_text(values[row]) for name, values in zip(names, columns, strict=True)
        }
        combo["filas"] = int(assessment.class_sizes[cls])
        shown.append(combo)
    return len(unsafe_classes), shown


def _as_text(value: pa.Scalar) -> str | None:
    python = value.as_py()
    return None if python is None else str(python)


def enforce(
    treated: pa.Table,
    originals: Mapping[str, pa.ChunkedArray],
    policy: PrivacyPolicy,
    treat: Treat,
) -> tuple[pa.Table, GateReport]:
    """Make ``treated`` k-anonymous and l-diverse, or say why it cannot be.

    ``originals`` holds the staging values of the quasi-identifiers, from which coarser levels
    are computed with ``treat`` (the column operators). Returns the releasable table (rows
    suppressed, quasi-identifiers possibly coarsened) and the report; when the report has not
    passed, the table must not be published.
    """
    names = list(policy.quasi_identifiers)
    report = GateReport(
        k_required=policy.k,
        l_required=policy.l,
        quasi_identifiers=names,
        sensitive=list(policy.sensitive),
        rows_in=treated.num_rows,
    )
    rows = treated.num_rows
    if not names and not policy.sensitive:
        # Nothing about people to single out: the table is one class, whatever its size.
        report.k_achieved = rows
        report.passed = True
        report.steps.append("La ficha no declara cuasi-identificadores ni atributos sensibles.")
        return treated, report
    sensitive = [treated.column(name) for name in policy.sensitive]
    current = {name: treated.column(name) for name in names}
    levels: dict[str, ColumnPolicy | None] = {name: policy.columns.get(name) for name in names}
    ladders = {
        name: generalization_ladder(levels[name], originals[name].type)
        for name in names
        if name in originals
    }
    budget = int(policy.max_suppression * rows)

    def assess(columns: dict[str, pa.Array | pa.ChunkedArray]) -> _Assessment:
        return _assess([columns[n] for n in names], sensitive, rows, policy.k, policy.l)

    assessment = assess(current)
    report.steps.append(
        f"Con la política declarada, {assessment.unsafe_count} de {rows} filas quedan en "
        f"combinaciones con menos de k={policy.k} filas o menos de l={policy.l} valores sensibles."
    )
    while assessment.unsafe_count > budget:
        best: tuple[int, str, pa.Array, _Assessment] | None = None
        # Withholding a column is the last resort: every finer level of every column goes first,
        # then columns are withheld from the end of the spec's list (most important first, so
        # localidad, which the district plan wants served, is listed first and kept longest).
        finer_left = any(ladder and ladder[0] != WITHHELD for ladder in ladders.values())
        candidates = [n for n, ladder in ladders.items() if ladder]
        if not finer_left:
            candidates = candidates[-1:]
        for name in candidates:
            ladder = ladders[name]
            if finer_left and ladder[0] == WITHHELD:
                continue
            candidate_values = treat(originals[name], ladder[0])
            trial = assess({**current, name: candidate_values})
            if best is None or trial.unsafe_count < best[0]:
                best = (trial.unsafe_count, name, candidate_values, trial)
        if best is None:
            break
        unsafe, name, values, assessment = best
        level = ladders[name].pop(0)
        current[name] = values
        levels[name] = level
        report.steps.append(
            f"Se generalizó '{name}' a {describe_level(level)}: quedan {unsafe} filas en "
            "combinaciones raras."
        )
    report.final_levels = {name: describe_level(levels[name]) for name in names}
    if assessment.unsafe_count > budget:
        report.rare_classes, report.rare_combinations = _rare_combinations(
            names, [current[n] for n in names], assessment
        )
        report.k_achieved = int(assessment.class_sizes.min()) if rows else 0
        report.l_achieved = _l_achieved(assessment, sensitive, np.ones(rows, dtype=bool))
        report.steps.append(
            f"Bloqueado: habría que suprimir {assessment.unsafe_count} filas "
            f"({assessment.unsafe_count / max(rows, 1):.1%}), más que el máximo permitido "
            f"({policy.max_suppression:.0%})."
        )
        return treated, report
    keep = ~assessment.unsafe_rows
    report.rows_suppressed = int(assessment.unsafe_count)
    if report.rows_suppressed:
        report.steps.append(
            f"Se suprimieron {report.rows_suppressed} filas de combinaciones raras "
            f"({report.suppressed_share:.2%})."
        )
    for name in names:
        index = treated.schema.get_field_index(name)
        treated = treated.set_column(index, name, current[name])
    released = treated.filter(pa.array(keep)) if report.rows_suppressed else treated
    kept_sizes = np.bincount(assessment.class_of_row[keep]) if keep.any() else np.zeros(0)
    present = kept_sizes[kept_sizes > 0]
    report.k_achieved = int(present.min()) if present.size else 0
    report.l_achieved = _l_achieved(assessment, sensitive, keep)
    report.passed = True
    return released, report
