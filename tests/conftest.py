"""Shared fixtures: the simulated portals on a free port of 127.0.0.1."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture(scope="session")
def farm3():
    """A 3-site farm (seed 0) served for the whole session: (world, port)."""
    from sitefarm.server import start_in_thread
    from sitefarm.world import World

    world = World(sites=3, seed=0)
    server, port = start_in_thread(world, port=0)
    yield world, port
    server.shutdown()


def run_govplans(*args: str, data: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """The real command in its own process (Scrapy's reactor starts once per process)."""
    env = dict(os.environ)
    if data is not None:
        env["GOVPLANS_DATA"] = str(data)
    return subprocess.run([sys.executable, "-m", "govplans.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout)


@pytest.fixture(scope="session", autouse=True)
def _close_index_searchers():
    """Searchers the UI and search tests opened hold index files: closed once, at the end."""
    yield
    from archive import index

    index.close_searchers()
