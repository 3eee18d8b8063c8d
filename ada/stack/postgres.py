"""The stack's database on the local PostgreSQL server: one database and two roles, created if
missing.

- ``<db>`` (the platform): owns the database; Dagster's storage (``public``), SQLMesh's state
  (``sqlmesh``), the DuckLake catalogs (``ducklake_<zone>``) and the catalog store
  (``catalog``) are its schemas.
- ``<db>_analyst``: reads the curated and open DuckLake catalogs and nothing else. DuckLake
  keeps each column's minimum and maximum in its catalog, so the staging catalog's statistics
  are restricted data: an analyst key on S3 would not be enough if the database showed them.

Passwords are random, kept in the stack's secrets folder, and sent to the server as SCRAM
verifiers computed here: the server's log never sees a password, even if it logs statements.
The server itself is the machine's (it serves other databases too), so the stack never stops or
restarts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlparse

if TYPE_CHECKING:
    import psycopg

#: The DuckLake catalogs the analysts' role may read.
ANALYST_SCHEMAS = ("ducklake_curated", "ducklake_open")
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Server:
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Server:
        parsed = urlparse(url)
        return cls(parsed.hostname or "127.0.0.1", parsed.port or 5432)

    def url(self, role: str, password: str, database: str) -> str:
        credentials = f"{quote(role)}:{quote(password, safe='')}"
        return f"postgresql://{credentials}@{self.host}:{self.port}/{database}"


def _connect(url: str, timeout: int = 5) -> psycopg.Connection[Any]:
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=timeout)


def answers(url: str) -> bool:
    """Whether the server accepts ``url``'s role on its database."""
    try:
        with _connect(url, timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception:
        return False
    return True


def describe_failure(url: str) -> str:
    """Why ``url`` cannot connect, first line of the driver's message, without the URL."""
    import psycopg

    try:
        with _connect(url, timeout=3):
            return ""
    except psycopg.Error as err:
        parsed = urlparse(url)
        first = (str(err).splitlines() or [type(err).__name__])[0]
        if parsed.password:
            first = first.replace(parsed.password, "***")
        return first


def provision(admin_url: str, database: str, password: str, analyst_password: str) -> None:
    """Create (or bring up to date) the platform's role and database and the analysts' role.

    Idempotent: run at every ``up``; existing data is never touched, passwords are set to the
    stack's (so a stack folder recreated from scratch takes its database back).
    """
    from psycopg import sql

    analyst = f"{database}_analyst"
    with _connect(admin_url) as conn:
        _ensure_role(conn, database, password)
        _ensure_role(conn, analyst, analyst_password)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(database), sql.Identifier(database)
                )
            )
        conn.execute(
            sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database))
        )
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(database), sql.Identifier(analyst)
            )
        )
    admin_on_database = urlparse(admin_url)._replace(path=f"/{database}").geturl()
    with _connect(admin_on_database) as conn:
        _grant_analyst_reads(conn, database, analyst)


def _ensure_role(conn: psycopg.Connection[Any], role: str, password: str) -> None:
    from psycopg import sql

    verifier = conn.pgconn.encrypt_password(
        password.encode(), role.encode(), b"scram-sha-256"
    ).decode()
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
    verb = "ALTER" if exists else "CREATE"
    conn.execute(
        sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(verifier)
        )
    )


def _grant_analyst_reads(conn: psycopg.Connection[Any], owner: str, analyst: str) -> None:
    """The analysts' role reads the curated and open DuckLake catalogs, including the tables
    DuckLake creates there later (default privileges of the owner), and nothing else."""
    from psycopg import sql

    for schema in ANALYST_SCHEMAS:
        ident = sql.Identifier(schema)
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
                ident, sql.Identifier(owner)
            )
        )
        conn.execute(
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident, sql.Identifier(analyst))
        )
        conn.execute(
            sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(
                ident, sql.Identifier(analyst)
            )
        )
        conn.execute(
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON TABLES TO {}"
            ).format(sql.Identifier(owner), ident, sql.Identifier(analyst))
        )
