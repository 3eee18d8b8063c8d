"""Dagster in the stack: the production instance file, a code server, and how to ask the
webserver whether the code location loaded and the daemon's loops are alive.

The instance is ``infra/dagster.yaml`` (Postgres storage named by ``ADA_DATABASE_URL``, the
queued run coordinator, retention) with one change: compute logs go to the stack's folder
instead of ``/var/lib/ada``. The webserver and the daemon load the code location from the code
server over gRPC, as in production, so only the code server (and the runs it launches) imports
ADA's code and holds S3 keys.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from typing import Any

import yaml

from ada.settings import PROJECT_ROOT
from ada.stack.layout import StackPaths

PRODUCTION_INSTANCE = PROJECT_ROOT / "infra" / "dagster.yaml"
LOCATION_NAME = "ada"
#: The daemon's loops this stack needs: schedules, sensors, and the queue that launches runs.
REQUIRED_DAEMONS = frozenset({"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"})


def instance_yaml(paths: StackPaths) -> str:
    """The production ``dagster.yaml`` with the stack's compute log folder."""
    config: dict[str, Any] = yaml.safe_load(PRODUCTION_INSTANCE.read_text())
    compute_logs = config.setdefault(
        "compute_logs",
        {"module": "dagster._core.storage.local_compute_log_manager"},
    )
    compute_logs["class"] = compute_logs.get("class", "LocalComputeLogManager")
    compute_logs.setdefault("config", {})["base_dir"] = str(paths.compute_logs)
    header = (
        f"# Written by `ada stack up` from {PRODUCTION_INSTANCE.relative_to(PROJECT_ROOT)} "
        "(compute logs moved into the stack's folder).\n"
        "# ADA_DATABASE_URL comes from the environment and is never written here.\n"
    )
    return header + yaml.safe_dump(config, sort_keys=False)


def workspace_yaml(host: str, port: int) -> str:
    """The webserver's and the daemon's workspace: the code server, over gRPC."""
    workspace = {
        "load_from": [{"grpc_server": {"host": host, "port": port, "location_name": LOCATION_NAME}}]
    }
    return "# Written by `ada stack up`.\n" + yaml.safe_dump(workspace, sort_keys=False)


def write_dagster_home(paths: StackPaths, host: str, code_server_port: int) -> None:
    paths.dagster_home.mkdir(parents=True, exist_ok=True)
    paths.compute_logs.mkdir(parents=True, exist_ok=True)
    (paths.dagster_home / "dagster.yaml").write_text(instance_yaml(paths))
    (paths.dagster_home / "workspace.yaml").write_text(workspace_yaml(host, code_server_port))


def graphql(ui_url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST a GraphQL query to the Dagster webserver; its ``data`` (errors raise)."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{ui_url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    if answer.get("errors"):
        raise RuntimeError(f"GraphQL: {answer['errors'][0].get('message')}")
    data: dict[str, Any] = answer["data"]
    return data


_LOCATIONS = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""

_DAEMONS = """
{ instance { daemonHealth { allDaemonStatuses {
    daemonType required healthy lastHeartbeatTime } } } }
"""


def location_error(ui_url: str) -> str | None:
    """``None`` once the code location is loaded; else why not (``"loading"`` meanwhile)."""
    entries = graphql(ui_url, _LOCATIONS)["workspaceOrError"].get("locationEntries", [])
    entry = next((e for e in entries if e["name"] == LOCATION_NAME), None)
    if entry is None or entry["loadStatus"] != "LOADED":
        return "loading"
    loaded = entry["locationOrLoadError"] or {}
    if loaded.get("__typename") == "RepositoryLocation":
        return None
    return str(loaded.get("message") or loaded.get("__typename"))


def location_loaded(ui_url: str) -> bool:
    return location_error(ui_url) is None


def daemons_healthy(ui_url: str, since: float) -> bool:
    """Whether the scheduler, sensor and run-queue loops have all sent a heartbeat since
    ``since`` (the daemon's start: a stopped daemon's last heartbeats look healthy for a
    minute, and Postgres keeps them)."""
    statuses = graphql(ui_url, _DAEMONS)["instance"]["daemonHealth"]["allDaemonStatuses"]
    healthy = {
        s["daemonType"] for s in statuses if s["healthy"] and (s["lastHeartbeatTime"] or 0) >= since
    }
    return healthy >= REQUIRED_DAEMONS


def port_accepts(host: str, port: int) -> bool:
    """Whether something listens on ``host:port`` (the code server's gRPC port: whether its
    definitions loaded is the webserver's to say, see :func:`location_error`)."""
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((host, port)) == 0
