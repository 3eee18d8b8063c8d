"""``@localidad_codigo(column)``: any spelling of a localidad → its two-digit official code.

District files write the same localidad a dozen ways (``01 - Usaquén``, ``USAQUEN``,
``Usaquen``, ``1. Usaquén``, ``Localidad Usaquén``, ``19``, ``Cdad. Bolívar``, ``Rafael
Uribe``). The macro expands to one SQL expression (no join):

1. the text is upper-cased, accents and dots removed, trimmed;
2. a leading number from 1 to 20 is the code (``01 - Usaquén``, ``19``, ``1. Usaquén``);
3. otherwise the name, without a ``LOCALIDAD`` prefix, is looked up in
   ``seeds/localidad_alias.csv`` (adding a spelling is a line in that file, no Python);
4. empty or ``Sin dato``-like values are ``00``, places outside Bogotá ``98``, and anything
   else ``99`` (no identificada), so every row joins ``dim.localidad``.

Only standard functions (``translate``, ``regexp_extract``, ``regexp_replace``, ``lpad``) are
used, so the expression transpiles to Trino and Spark SQL.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from sqlglot import exp, parse_one
from sqlmesh import macro
from sqlmesh.core.macros import MacroEvaluator

#: A string, not a Path: SQLMesh serializes a macro's module-level values with the macro.
ALIASES = str(Path(__file__).resolve().parents[1] / "seeds" / "localidad_alias.csv")
UNKNOWN, OUTSIDE, UNIDENTIFIED = "00", "98", "99"
_ACCENTED, _PLAIN = "ÁÉÍÓÚÜÑáéíóúüñ.", "AEIOUUNaeiouun"


@cache
def aliases() -> tuple[tuple[str, str], ...]:
    with Path(ALIASES).open(encoding="utf-8", newline="") as handle:
        return tuple((row["alias"], row["codigo"]) for row in csv.DictReader(handle))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def localidad_sql(column: str) -> str:
    """The expression as DuckDB SQL (also used by tests and by ``ada`` outside SQLMesh)."""
    key = f"TRIM(UPPER(TRANSLATE(CAST({column} AS VARCHAR), {_quote(_ACCENTED)}, '{_PLAIN}')))"
    prefix = f"REGEXP_EXTRACT({key}, '^([0-9]{{1,2}})([^0-9]|$)', 1)"
    name = f"TRIM(REGEXP_REPLACE({key}, '^(LOCALIDAD +|[0-9]{{1,2}} *-? *)', ''))"
    whens = " ".join(f"WHEN {_quote(alias)} THEN {_quote(code)}" for alias, code in aliases())
    return (
        f"CASE WHEN {column} IS NULL OR {key} = '' THEN '{UNKNOWN}' "
        # NULLIF, not "<> '' AND CAST": the optimizer may evaluate the CAST first.
        f"WHEN CAST(NULLIF({prefix}, '') AS INTEGER) BETWEEN 1 AND 20 "
        f"THEN LPAD({prefix}, 2, '0') "
        f"ELSE CASE {name} {whens} ELSE '{UNIDENTIFIED}' END END"
    )


@macro()
def localidad_codigo(evaluator: MacroEvaluator, column: exp.Expr) -> exp.Expr:
    """The two-digit localidad code of ``column`` (see the module docstring)."""
    return parse_one(localidad_sql(column.sql(dialect="duckdb")), dialect="duckdb")
