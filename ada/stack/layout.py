"""Where the native stack keeps everything, and what it remembers between commands.

One folder (``$ADA_HOME/stack`` unless ``--dir`` or ``ADA_STACK_DIR`` says otherwise)::

    stack.json        ports, names, buckets: what `up` chose the first time (no secrets)
    secrets/          0700; one file per secret, 0600 (keys, passwords, database URLs)
    s3/               the S3 server's data
    dagster/          DAGSTER_HOME: dagster.yaml, workspace.yaml, compute logs
    home/             ADA_HOME of the stack's processes
    logs/<part>.log   each process's output
    run/<part>.pid    each process's id

``stack.json`` is written once, so a restarted part comes back on the same ports with the same
data: the S3 server's volumes remember the addresses they were created with.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ada.settings import Zone

CONFIG_VERSION = 1


@dataclass(frozen=True)
class StackPaths:
    """The files and folders of one stack."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "stack.json"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def s3_data(self) -> Path:
        return self.root / "s3"

    @property
    def s3_identities(self) -> Path:
        """SeaweedFS's identities file: it holds every role's secret key, so it lives with the
        other secrets (0600)."""
        return self.secrets / "s3-identities.json"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def compute_logs(self) -> Path:
        return self.dagster_home / "compute_logs"

    @property
    def ada_home(self) -> Path:
        return self.root / "home"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        return self.root / "run"

    def log(self, part: str) -> Path:
        return self.logs / f"{part}.log"

    def pid(self, part: str) -> Path:
        return self.run / f"{part}.pid"

    @property
    def database_url(self) -> Path:
        """The platform role's database URL (password included)."""
        return self.secrets / "database-url"

    @property
    def analyst_database_url(self) -> Path:
        """The analysts' read-only database URL."""
        return self.secrets / "database-url-analyst"

    def postgres_password(self, role: str) -> Path:
        return self.secrets / f"postgres-{role}-password"

    @property
    def pseudonym_key(self) -> Path:
        return self.secrets / "pseudonym-key"

    def make(self) -> None:
        for folder in (self.root, self.s3_data, self.dagster_home, self.ada_home, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.run.mkdir(parents=True, exist_ok=True)
        self.secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.secrets.chmod(0o700)


@dataclass(frozen=True)
class StackConfig:
    """What ``up`` chose the first time; never a secret."""

    host: str
    ui_port: int
    catalog_port: int
    code_server_port: int
    s3_ports: dict[str, int]
    #: The database, and the name of the platform's Postgres role (the analysts' role adds
    #: ``_analyst``).
    database: str
    postgres_host: str
    postgres_port: int
    buckets: dict[str, str] = field(default_factory=dict)
    version: int = CONFIG_VERSION

    @property
    def s3_port(self) -> int:
        return self.s3_ports["s3.port"]

    @property
    def s3_endpoint(self) -> str:
        return f"http://{self.host}:{self.s3_port}"

    @property
    def ui_url(self) -> str:
        return f"http://{self.host}:{self.ui_port}"

    @property
    def catalog_url(self) -> str:
        return f"http://{self.host}:{self.catalog_port}"

    @property
    def analyst_role(self) -> str:
        return f"{self.database}_analyst"

    def bucket(self, zone: Zone) -> str:
        return self.buckets[zone.value]

    def zone_buckets(self) -> dict[Zone, str]:
        return {zone: self.bucket(zone) for zone in Zone}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> StackConfig:
        data = json.loads(path.read_text())
        return cls(**data)
