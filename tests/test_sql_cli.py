"""``ada sql``: read-only SQL over the curated tables, on a real DuckLake lake.

Each test builds ``curated.salud.covid19_casos_osb`` (and, where needed, tables in ``staging``
and ``open``) in its own ADA_HOME with the platform's own ``lake.tables.connect``, then queries
it the way an analyst would: through :func:`ada.sql.run_query`, through ``python -m ada sql`` in
a subprocess, and through plain DuckDB following ``docs/analysts.md`` literally.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from ada.settings import Settings, Zone, load_settings
from ada.sql import SqlError, analyst_session, check_query, run_query
from lake.tables import connect
from tests.helpers import REPO

ROWS = 3000
TABLE = "curated.salud.covid19_casos_osb"
LOCALIDADES = ["11 - Suba", "05 - Usme", "08 - Kennedy", "07 - Bosa", "10 - Engativá"]
CASOS = f"""
    SELECT i AS id,
           DATE '2020-03-06' + (i % 85)::INTEGER AS fecha_diagnostico,
           {LOCALIDADES}[i % 5 + 1] AS localidad_residencia,
           ['0-39', '40-79', '80+'][i % 3 + 1] AS edad,
           CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS sexo,
           CASE WHEN i % 7 = 0 THEN 'Fallecido' ELSE 'Recuperado' END AS estado
    FROM range({ROWS}) t(i)
"""
COLUMNS = ["id", "fecha_diagnostico", "localidad_residencia", "edad", "sexo", "estado"]
BY_LOCALIDAD = (
    "SELECT localidad_residencia AS localidad, count(*) AS casos "
    f"FROM {TABLE} GROUP BY ALL ORDER BY localidad"
)
EXPECTED = dict(sorted(Counter(LOCALIDADES[i % 5] for i in range(ROWS)).items()))
DEATHS = Counter(LOCALIDADES[i % 5] for i in range(ROWS) if i % 7 == 0)
READ_ONLY = "solo se permiten consultas de lectura (SELECT)"


def build_lake(settings: Settings) -> None:
    """The curated table (Parquet files, not inlined), and a staging table to stay out of."""
    con = connect(settings, [Zone.CURATED, Zone.STAGING])
    try:
        con.execute("CREATE SCHEMA curated.salud")
        con.execute(f"CREATE TABLE {TABLE} AS {CASOS}")
        con.execute("CREATE SCHEMA staging.salud")
        con.execute(
            "CREATE TABLE staging.salud.covid19_casos_osb AS "
            "SELECT 1 AS id, 'Ana María Rojas' AS nombre, '52123456' AS cedula"
        )
    finally:
        con.close()


def fingerprint(settings: Settings) -> tuple[object, ...]:
    """The table's content and the catalog's snapshot count, to prove nothing changed."""
    con = connect(settings, [Zone.CURATED], read_only=True)
    try:
        row = con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))::HUGEINT) FROM {TABLE}")
        content = row.fetchone()
        snapshots = con.execute("SELECT count(*) FROM curated.snapshots()").fetchone()
    finally:
        con.close()
    assert content is not None and snapshots is not None
    return (*content, snapshots[0])


@pytest.fixture
def lake(settings: Settings) -> Settings:
    build_lake(settings)
    files = list((settings.lake_dir / "curated" / "salud").rglob("*.parquet"))
    assert files, "the table must live in Parquet files for the sandbox to be tested on them"
    return settings


def ada(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ada", *args],
        cwd=REPO,
        env={**os.environ, "COLUMNS": "200"},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    text = " ".join(result.stderr.split())
    assert text.startswith("error:"), text
    return text


# ------------------------------------------------------------------------------------ results


@pytest.mark.parametrize(
    "backend",
    [
        "embedded",
        pytest.param("s3", marks=pytest.mark.s3),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ],
)
def test_run_query_reads_curated_tables_on_every_backend(
    backend: str, request: pytest.FixtureRequest, ada_home: Path
) -> None:
    """The sandbox (allowed_directories, no external access) still reads the zone's files."""
    if backend != "embedded":
        request.getfixturevalue(f"{backend}_env")
    settings = load_settings()
    build_lake(settings)
    table = run_query(settings, BY_LOCALIDAD)
    assert dict(zip(*table.to_pydict().values(), strict=True)) == EXPECTED
    assert run_query(settings, f"FROM {TABLE}", limit=7).num_rows == 7
    assert run_query(settings, "SELECT * FROM curated.snapshots()").num_rows >= 2
    with pytest.raises(SqlError, match="staging"):
        run_query(settings, "SELECT * FROM staging.salud.covid19_casos_osb")


def test_run_query_accepts_read_statements(lake: Settings) -> None:
    for _ in range(5):  # it used to come back empty now and then (duckdb/ducklake#1280)
        tables = run_query(lake, "SHOW ALL TABLES")
        assert tables.column("database").to_pylist() == ["curated"]
        assert tables.column("name").to_pylist() == ["covid19_casos_osb"]
    described = run_query(lake, f"DESCRIBE {TABLE}").column("column_name")
    assert described.to_pylist() == COLUMNS
    assert run_query(lake, f"PRAGMA table_info('{TABLE}')").num_rows == len(COLUMNS)
    assert run_query(lake, f"EXPLAIN SELECT * FROM {TABLE}").num_rows == 1
    assert run_query(lake, f"SUMMARIZE {TABLE}").num_rows == len(COLUMNS)
    pivot = run_query(
        lake,
        f"PIVOT {TABLE} ON estado IN ('Fallecido', 'Recuperado') USING count(*) "
        "GROUP BY localidad_residencia ORDER BY localidad_residencia",
    )
    assert pivot.column("Fallecido").to_pylist() == [DEATHS[x] for x in sorted(DEATHS)]
    # Time travel: version 2 is the snapshot that created the table.
    assert run_query(lake, f"SELECT count(*) AS n FROM {TABLE} AT (VERSION => 2)").to_pylist() == [
        {"n": ROWS}
    ]


# -------------------------------------------------------------------------------------- the CLI


def test_cli_csv_matches_run_query(lake: Settings) -> None:
    result = ada("sql", BY_LOCALIDAD, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["localidad"]: int(r["casos"]) for r in rows} == EXPECTED
    assert rows == [
        {k: str(v) for k, v in row.items()} for row in run_query(lake, BY_LOCALIDAD).to_pylist()
    ]
    # Not a terminal: csv is the default, UTF-8 ("Engativá"), and "-" reads the query from stdin.
    piped = ada("sql", "-", stdin=BY_LOCALIDAD + ";\n")
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == result.stdout
    assert "Engativá" in piped.stdout


def test_cli_writes_parquet_readable_by_pyarrow(lake: Settings, tmp_path: Path) -> None:
    query = f"SELECT * FROM {TABLE} ORDER BY id"
    target = tmp_path / "casos.parquet"
    result = ada("sql", query, "--output", str(target))  # the format follows the extension
    assert result.returncode == 0, result.stderr
    assert f"{ROWS} filas escritas en {target}" in " ".join(result.stderr.split())
    assert pq.read_table(target).equals(run_query(lake, query))

    explicit = tmp_path / "salida.bin"
    result = ada("sql", BY_LOCALIDAD, "-f", "parquet", "-o", str(explicit), "--limit", "2")
    assert result.returncode == 0, result.stderr
    assert pq.read_table(explicit).column("localidad").to_pylist() == sorted(LOCALIDADES)[:2]

    missing = ada("sql", BY_LOCALIDAD, "--format", "parquet")
    assert missing.returncode != 0 and "--output" in missing.stderr


def test_cli_json_lines(lake: Settings) -> None:
    result = ada(
        "sql",
        f"SELECT id, localidad_residencia, fecha_diagnostico FROM {TABLE} ORDER BY id",
        "--format",
        "json",
        "--limit",
        "3",
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"id": 0, "localidad_residencia": "11 - Suba", "fecha_diagnostico": "2020-03-06"},
        {"id": 1, "localidad_residencia": "05 - Usme", "fecha_diagnostico": "2020-03-07"},
        {"id": 2, "localidad_residencia": "08 - Kennedy", "fecha_diagnostico": "2020-03-08"},
    ]


def test_cli_table_shows_limited_rows_and_the_total(lake: Settings) -> None:
    result = ada("sql", f"SELECT * FROM {TABLE} ORDER BY id", "-f", "table")
    assert result.returncode == 0, result.stderr
    assert "localidad_residencia" in result.stdout and "Engativá" in result.stdout
    assert f"{ROWS} filas (mostrando 50)" in result.stdout
    small = ada("sql", BY_LOCALIDAD, "--format", "table", "--limit", "2")
    assert "5 filas (mostrando 2)" in small.stdout
    assert "07 - Bosa" in small.stdout and "08 - Kennedy" not in small.stdout


# ------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (f"CREATE TABLE curated.salud.copia AS SELECT * FROM {TABLE}", READ_ONLY),
        (f"INSERT INTO {TABLE} SELECT * FROM {TABLE}", READ_ONLY),
        (f"DELETE FROM {TABLE}", READ_ONLY),
        (f"UPDATE {TABLE} SET edad = '0-39'", READ_ONLY),
        (f"DROP TABLE {TABLE}", READ_ONLY),
        (f"COPY {TABLE} TO '/tmp/casos.csv'", READ_ONLY),
        ("COPY (SELECT 1) TO 'salida.parquet'", READ_ONLY),
        ("ATTACH 'ducklake:sqlite:{home}/metadata/staging.sqlite' AS staging", READ_ONLY),
        ("ATTACH 'sqlite:{home}/metadata/staging.sqlite' AS meta", READ_ONLY),
        ("INSTALL httpfs", READ_ONLY),
        ("LOAD sqlite", READ_ONLY),
        ("SET enable_external_access = true", READ_ONLY),
        ("CALL curated.set_option('parquet_compression', 'snappy')", READ_ONLY),
        (f"EXPLAIN ANALYZE DELETE FROM {TABLE}", READ_ONLY),
        (f"SELECT 1; DROP TABLE {TABLE}", "solo se permite una sentencia por consulta (hay 2)"),
        ("SELECT * FROM ducklake_expire_snapshots('curated', older_than => now())", "función"),
        ("SELECT * FROM curated.cleanup_old_files()", "función"),
        ("SELECT * FROM query('SELECT 1')", "función query()"),
    ],
)
def test_writes_are_refused_and_the_table_is_unchanged(
    lake: Settings, statement: str, message: str
) -> None:
    before = fingerprint(lake)
    with pytest.raises(SqlError, match=re.escape(message)):
        run_query(lake, statement.replace("{home}", str(lake.home)))
    assert fingerprint(lake) == before


def test_cli_refuses_a_write_with_one_spanish_line(lake: Settings) -> None:
    before = fingerprint(lake)
    error = one_line_error(ada("sql", f"DELETE FROM {TABLE}"))
    assert f"{READ_ONLY}; DELETE no está permitido" in error
    error = one_line_error(ada("sql", f"SELECT 1; DROP TABLE {TABLE}"))
    assert "solo se permite una sentencia por consulta (hay 2)" in error
    assert fingerprint(lake) == before


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM glob('/etc/*')",
        # SQLite's I/O ignores DuckDB's file settings: layer 1 is what stops this one.
        "SELECT * FROM sqlite_scan('{home}/metadata/staging.sqlite', 'ducklake_table')",
        "SELECT * FROM read_parquet('{home}/lake/staging/**/*.parquet')",
    ],
)
def test_reading_files_is_refused(lake: Settings, statement: str) -> None:
    with pytest.raises(SqlError, match=r"no se permite leer archivos|no está permitida"):
        run_query(lake, statement.replace("{home}", str(lake.home)))


def test_cli_refuses_reading_a_local_file(lake: Settings) -> None:
    error = one_line_error(ada("sql", "SELECT * FROM read_csv('/etc/passwd')"))
    assert "read_csv() no está permitida" in error and "root" not in error


def test_python_variables_are_not_tables(lake: Settings) -> None:
    """DuckDB's Python client would otherwise read a DataFrame in scope by its name."""
    import pandas as pd

    personas = pd.DataFrame({"cedula": ["52123456"]})
    assert len(personas) == 1
    with pytest.raises(SqlError, match="personas"):
        run_query(lake, "SELECT * FROM personas")
    with analyst_session(lake) as con, pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM personas")  # from this very frame


def test_the_session_itself_refuses_files_writes_and_settings(lake: Settings) -> None:
    """Layer 3 alone (no statement checks): DuckDB refuses what the checker would."""
    with analyst_session(lake) as con:
        row = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
        assert row == (ROWS,)  # the zone's own Parquet files stay readable
        refused = [
            "SELECT * FROM read_csv('/etc/passwd')",
            f"SELECT * FROM read_parquet('{lake.home}/lake/staging/**/*.parquet')",
            "COPY (SELECT 1) TO '/tmp/ada-sql-test.csv'",
            f"ATTACH '{lake.home}/otra.duckdb' AS otra",
            "INSTALL httpfs",
            "LOAD httpfs",
            "SET enable_external_access = true",
            "SET allowed_directories = ['/']",
            f"DELETE FROM {TABLE}",
        ]
        for statement in refused:
            with pytest.raises(duckdb.Error):
                con.execute(statement)
    assert not Path("/tmp/ada-sql-test.csv").exists()
    assert not (lake.home / "otra.duckdb").exists()


def test_staging_is_not_reachable(lake: Settings) -> None:
    for statement in (
        "SELECT * FROM staging.salud.covid19_casos_osb",
        "SELECT * FROM staging.covid19_casos_osb",
        "SHOW TABLES FROM staging",
        "SELECT * FROM raw.salud.covid19_casos_osb",
    ):
        with pytest.raises(SqlError, match=r"la zona (staging|raw) no se puede consultar"):
            run_query(lake, statement)
    with pytest.raises(SqlError, match="la zona staging no se puede consultar"):
        run_query(lake, "SELECT 1", zones=[Zone.STAGING])
    error = one_line_error(ada("sql", "SELECT * FROM staging.x"))
    assert "la zona staging no se puede consultar" in error
    error = one_line_error(ada("sql", "SELECT 1", "--zone", "staging"))
    assert "datos personales" in error


def test_unknown_table_names_the_problem_and_the_way_out(lake: Settings) -> None:
    with pytest.raises(SqlError) as caught:
        run_query(lake, "SELECT * FROM curated.salud.no_existe")
    message = str(caught.value)
    assert "no_existe" in message and 'ada sql "SHOW ALL TABLES"' in message
    assert "\n" not in message
    error = one_line_error(ada("sql", "SELEC 1"))
    assert "la consulta no es SQL válido" in error


def test_open_zone_is_attached_on_request(lake: Settings) -> None:
    con = connect(lake, [Zone.OPEN])
    try:
        con.execute("CREATE SCHEMA open.salud")
        con.execute(
            "CREATE TABLE open.salud.resumen AS "
            "SELECT '11 - Suba' AS localidad_residencia, 600 AS casos"
        )
    finally:
        con.close()
    with pytest.raises(SqlError, match="--zone open"):
        run_query(lake, "SELECT * FROM open.salud.resumen")
    both = run_query(
        lake,
        f"SELECT o.casos = count(*) AS igual FROM {TABLE} c "
        "JOIN open.salud.resumen o USING (localidad_residencia) GROUP BY o.casos",
        zones=[Zone.CURATED, Zone.OPEN],
    )
    assert both.to_pylist() == [{"igual": True}]
    result = ada("sql", "SELECT * FROM open.salud.resumen", "--zone", "open")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == '"11 - Suba",600'


def test_a_fresh_installation_says_what_to_do(settings: Settings) -> None:
    with pytest.raises(SqlError, match="ejecute primero: ada run"):
        run_query(settings, "SHOW ALL TABLES")


def test_checking_needs_no_lake() -> None:
    assert check_query("SELECT 1").zones == frozenset()
    both = check_query("FROM open.salud.x JOIN curated.salud.y USING (id)")
    assert both.zones == {Zone.OPEN, Zone.CURATED}
    with pytest.raises(SqlError, match="vacía"):
        check_query("  -- nada\n")
    with pytest.raises(SqlError, match="PIVOT sin lista"):
        check_query("PIVOT curated.salud.x ON sexo USING count(*)")
    assert check_query("EXPLAIN ANALYZE SELECT 1").sql == "EXPLAIN ANALYZE SELECT 1"
    for hidden in (
        "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
        "SELECT (SELECT count(*) FROM sqlite_scan('x.sqlite', 't'))",
        "SELECT * FROM curated.salud.x WHERE id IN (FROM postgres_query('db', 'SELECT 1'))",
    ):
        with pytest.raises(SqlError, match="no está permitida"):
            check_query(hidden)


# ------------------------------------------------------------------ docs/analysts.md, literally


def docs_python_blocks() -> list[str]:
    text = (REPO / "docs" / "analysts.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def duckdb_block() -> str:
    return next(b for b in docs_python_blocks() if "ATTACH" in b and "polars" not in b)


def test_plain_duckdb_and_pandas_as_the_docs_show(lake: Settings) -> None:
    namespace: dict[str, object] = {}
    exec(compile(duckdb_block(), "docs/analysts.md", "exec"), namespace)
    con = namespace["con"]
    assert isinstance(con, duckdb.DuckDBPyConnection)
    df = namespace["df"]
    assert dict(zip(df["localidad"], df["casos"], strict=True)) == EXPECTED  # type: ignore[index]
    # The docs attach READ_ONLY: a plain session cannot write the catalog either.
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute(f"DELETE FROM {TABLE}")
    con.close()


def test_the_readme_snippet_opens_the_model_tables(lake: Settings) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    con = connect(lake, [Zone.CURATED])
    try:  # stand-ins for the two model tables the snippet reads
        for schema in ("conformado", "indicadores"):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS curated.{schema}")
        con.execute(f"CREATE TABLE curated.conformado.notificaciones_salud AS FROM {TABLE}")
        con.execute(
            "CREATE TABLE curated.indicadores.localidad_periodo AS "
            f"SELECT localidad_residencia AS localidad, count(*) AS n FROM {TABLE} GROUP BY 1"
        )
    finally:
        con.close()
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert len(namespace["df"]) == ROWS  # type: ignore[arg-type]
    assert namespace["pl_df"].shape == (len(LOCALIDADES), 2)  # type: ignore[attr-defined]
    namespace["con"].close()  # type: ignore[attr-defined]


def test_polars_as_the_docs_show(lake: Settings) -> None:
    polars_block = next(b for b in docs_python_blocks() if "import polars" in b)
    assert "pl.from_arrow(con.sql(" in polars_block
    namespace: dict[str, object] = {}
    exec(compile(duckdb_block() + polars_block, "docs/analysts.md", "exec"), namespace)
    assert namespace["casos"].height == ROWS  # type: ignore[attr-defined]
