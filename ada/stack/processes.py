"""The stack's processes: started in their own session with their output in a log file, tracked
by pid files, stopped with SIGTERM (then SIGKILL if they do not go).

A pid file alone can lie (the process died and the number was reused), so a pid counts as the
stack's part only while that process still carries ``ADA_STACK_DIR=<this stack's folder>`` in
its environment, which every part is started with.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ada.stack.layout import StackPaths

#: The variable that marks a process as one stack's part.
MARKER = "ADA_STACK_DIR"


class StackError(RuntimeError):
    """A part of the stack could not be started or does not answer; the message says which and
    where its log is."""


@dataclass(frozen=True)
class Part:
    """One process of the stack and how to tell that it answers."""

    name: str
    title: str
    command: list[str]
    env: dict[str, str]
    ready: Callable[[], bool]
    address: str
    cwd: Path | None = None
    #: How long it may take to answer after it starts (seconds).
    start_timeout: float = 180.0


def _carries_marker(pid: int, root: Path) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"{MARKER}={root}".encode() in environ.split(b"\0")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is not running
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def started_at(pid: int) -> float:
    """When process ``pid`` started (seconds since the epoch), from ``/proc``."""
    ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    boot = next(
        float(line.split()[1])
        for line in Path("/proc/stat").read_text().splitlines()
        if line.startswith("btime ")
    )
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def running_pid(paths: StackPaths, name: str) -> int | None:
    """The pid of the part ``name`` if it runs (per its pid file and marker), else ``None``."""
    pid_file = paths.pid(name)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if _alive(pid) and _carries_marker(pid, paths.root):
        return pid
    return None


def start(paths: StackPaths, part: Part) -> int:
    """Start ``part`` in a session of its own (so that stopping it stops its children), its
    output appended to its log; returns its pid once the pid file is written."""
    env = {**part.env, MARKER: str(paths.root)}
    log = paths.log(part.name)
    with log.open("ab") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} inicio de {part.name}\n".encode())
        out.flush()
        process = subprocess.Popen(
            part.command,
            cwd=part.cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    paths.pid(part.name).write_text(f"{process.pid}\n")
    return process.pid


def wait_until_ready(paths: StackPaths, part: Part, pid: int) -> float:
    """Wait until ``part`` answers; its start-up time in seconds. Fails, naming the log, if the
    process exits or does not answer in time."""
    started = time.monotonic()
    while time.monotonic() - started < part.start_timeout:
        if not _alive(pid):
            raise StackError(
                f"{part.title} terminó al arrancar; vea {paths.log(part.name)}"
                f"{_tail(paths.log(part.name))}"
            )
        with contextlib.suppress(Exception):
            if part.ready():
                return time.monotonic() - started
        time.sleep(0.5)
    raise StackError(
        f"{part.title} no respondió en {part.start_timeout:.0f} s; vea {paths.log(part.name)}"
        f"{_tail(paths.log(part.name))}"
    )


def _tail(log: Path, lines: int = 15) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "\n" + "\n".join(text) if text else ""


def stop(paths: StackPaths, name: str, timeout: float = 60.0) -> bool:
    """Stop the part ``name``: SIGTERM to it, then to what it left of its session, then SIGKILL.
    Whether it was running."""
    pid = running_pid(paths, name)
    if pid is None:
        paths.pid(name).unlink(missing_ok=True)
        return False
    _signal(pid, signal.SIGTERM, group=False)
    if not _wait_gone(pid, timeout):
        _signal(pid, signal.SIGKILL, group=True)
        _wait_gone(pid, 10)
    _stop_leftovers(pid)
    paths.pid(name).unlink(missing_ok=True)
    return True


def _stop_leftovers(session: int) -> None:
    """Children of a stopped part that outlived it (a run still going when its code server was
    stopped) share its session id: end them too, so `down` leaves nothing behind."""
    if not _session_members(session):
        return
    _signal(session, signal.SIGTERM, group=True)
    deadline = time.monotonic() + 15
    while _session_members(session) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _session_members(session):
        _signal(session, signal.SIGKILL, group=True)


def _session_members(session: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":  # field 6 of stat: the session id
            found.append(int(entry.name))
    return found


def _signal(pid: int, sig: signal.Signals, *, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
