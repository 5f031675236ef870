"""One small demo crawled once (`govplans demo --no-serve`, 1 simulated site) for the demo's and the
reading commands' tests."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from govplans.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SITES = 1


@dataclass
class Demo:
    data: Path
    farm_port: int
    output: str
    truth: int        # documents the farm publishes: what a complete crawl holds


def govplans(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govplans.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "govplans.cli", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def truth_count(sites: int, port: int) -> int:
    from sitefarm.world import World

    return sum(1 for record in World(sites=sites, seed=0).truth(port) if record["status"] != "withdrawn")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_until(condition, timeout: float = 120.0, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def farm_pid(data: Path) -> int | None:
    try:
        return json.loads((data / "farm.json").read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    return process.communicate(timeout=60)[0]


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Demo:
    data = tmp_path_factory.mktemp("demo") / "data"
    port = free_port()
    done = govplans("demo", "--no-serve", "--sites", str(SITES), "--farm-port", str(port), "--data", str(data))
    assert done.returncode == 0, done.stderr[-3000:]
    return Demo(data, port, done.stdout + done.stderr, truth_count(SITES, port))
