"""Running the service: one uvicorn server, or several worker processes that each listen on
their own socket (``SO_REUSEPORT``).

Why not uvicorn's own ``--workers``: its workers share one listening socket, and the worker
that wakes first accepts a whole burst of waiting connections. With 50 keep-alive clients on
2 workers one worker held 35 connections and the other 15, so one core queued requests while
the other idled. With ``SO_REUSEPORT`` every worker has its own listening socket on the same
port and the kernel spreads new connections across them (25 and 25 in the same test). The
supervisor here only starts the workers, restarts one that dies after it had started, and
stops them all on SIGINT/SIGTERM; each worker is a plain ``uvicorn.Server``. Where the
platform has no ``SO_REUSEPORT``, uvicorn's shared-socket workers are used.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

APP = "catalog.service.app:create_app"
#: A worker that dies sooner than this after starting failed to start: no restart loop.
_STARTUP_SECONDS = 15.0
_BACKLOG = 2048

log = logging.getLogger("ada.catalog")


def serve(host: str, port: int, workers: int = 1, log_level: str = "warning") -> None:
    """Serve ``create_app`` on ``host:port`` until SIGINT/SIGTERM."""
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(
            APP,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,  # client addresses are personal data; nothing to log per request
            log_level=log_level,
        )
        return
    Supervisor(host, port, workers, log_level).run()


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` that other sockets of this user may share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _exit_with(parent: int) -> None:
    """Stop this worker (gracefully, as uvicorn does on SIGTERM) if the supervisor is gone."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def run_worker(host: str, port: int, log_level: str, parent: int) -> None:
    """One worker process: its own listening socket, one uvicorn server."""
    sock = listening_socket(host, port)
    sock.listen(_BACKLOG)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    config = uvicorn.Config(
        APP, factory=True, host=host, port=port, access_log=False, log_level=log_level
    )
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    """Starts ``workers`` processes, keeps them running, stops them on a signal."""

    def __init__(
        self,
        host: str,
        port: int,
        workers: int,
        log_level: str,
        startup_seconds: float = _STARTUP_SECONDS,
    ) -> None:
        self.host, self.port, self.workers, self.log_level = host, port, workers, log_level
        self.startup_seconds = startup_seconds
        self._context = multiprocessing.get_context("spawn")
        self._stopping = threading.Event()
        self._processes: list[tuple[BaseProcess, float]] = []

    def _start(self) -> tuple[BaseProcess, float]:
        process = self._context.Process(
            target=run_worker,
            args=(self.host, self.port, self.log_level, os.getpid()),
            name="ada-catalog-worker",
        )
        process.start()
        return process, time.monotonic()

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping.set()

    def run(self) -> None:
        if not logging.getLogger().handlers:
            logging.basicConfig(format="%(levelname)s: %(message)s")
        listening_socket(self.host, self.port).close()  # fails here, clearly, if the port is taken
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        self._processes = [self._start() for _ in range(self.workers)]
        failed = False
        try:
            while not self._stopping.wait(0.5):
                failed = self._replace_dead()
                if failed:
                    break
        finally:
            self._terminate()
        if failed:
            sys.exit(1)

    def _replace_dead(self) -> bool:
        """Restart workers that died after starting; whether one failed at start instead."""
        for position, (process, started) in enumerate(self._processes):
            if process.is_alive():
                continue
            if time.monotonic() - started < self.startup_seconds:
                log.error("un proceso del servicio no pudo arrancar (código %s)", process.exitcode)
                return True
            log.warning(
                "un proceso del servicio terminó (código %s); se reinicia", process.exitcode
            )
            self._processes[position] = self._start()
        return False

    def _terminate(self) -> None:
        for process, _ in self._processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process, _ in self._processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(5)
