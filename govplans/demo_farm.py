"""The demo's farm process: started as a child that dies with the demo, found on its port by its
identity (sitefarm's /.well-known/govplans-farm), reused when it serves the same world, stopped when
it is a stale farm this data directory's demo started (DATA/farm.json)."""
from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from archive.config import DataDir
from govplans.ports import port_is_free, wait_for_port

FARM_FILE = "farm.json"           # the farm process a demo of this data directory started
PR_SET_PDEATHSIG = 1


class DemoError(RuntimeError):
    """Something the person running the demo must decide (a port taken, another world in DATA)."""


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _die_with_parent() -> None:   # runs in the farm child between fork and exec (Linux)
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass   # not Linux: the farm's own watch of its parent still stops it


def start_farm(port: int, sites: int, seed: int = 0, quiet: bool = False, lengths: str = "farm") -> subprocess.Popen:
    """The farm in its own process (it does not share the crawler's interpreter lock), stopping when
    this process goes away. lengths="real": real body lengths (the benchmarks' farm)."""
    command = [sys.executable, "-m", "govplans.cli", "farm", "serve", "--port", str(port), "--sites", str(sites),
               "--seed", str(seed), "--faults", "off", "--parent", str(os.getpid()), "--lengths", lengths]
    process = subprocess.Popen(command, preexec_fn=_die_with_parent, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL if quiet else None,
                               stderr=subprocess.DEVNULL if quiet else None)
    try:
        wait_for_port(port)
    except RuntimeError:
        process.kill()
        raise
    return process


def stop_farm(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def farm_on(port: int) -> dict | None:
    """The identity of the govplans farm listening on `port` (with its pid), or None."""
    from sitefarm.server import IDENTITY_PATH

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{IDENTITY_PATH}", timeout=3) as answer:
            found = json.loads(answer.read())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and "pid" in found else None


def claim_farm_port(data: DataDir, port: int, identity: dict) -> tuple[int | None, bool]:
    """Make `port` ready for this demo's farm: (None, False) when it is free (start one); (pid, ours)
    of a farm of this world already there, to reuse (ours: a stale farm this data directory's demo
    started, which this demo now stops when it ends). A stale farm of ours serving another world is
    stopped; anything else on the port is an error."""
    if port_is_free(port):
        return None, False
    found = farm_on(port)
    if found is None:
        raise DemoError(f"port {port} (the simulated portals') is taken by another program: stop it, or run the "
                        f"demo in a new --data DIR with --farm-port PORT")
    pid = found.pop("pid")
    ours = (read_json(data.root / FARM_FILE) or {}).get("pid") == pid
    if found == identity:
        return pid, ours
    if not ours:
        raise DemoError(f"port {port} is held by another farm (pid {pid}, seed {found.get('seed')}, "
                        f"{len(found.get('sites') or ())} sites) that this demo did not start: stop it first")
    stop_pid(pid)
    if not port_is_free(port):
        raise DemoError(f"port {port} is still taken after stopping the old farm (pid {pid})")
    return None, False


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
