"""search_ui.serving: several server processes on one port, stopped together."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from govplans.demo import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SERVE = """import sys
from search_ui import create_app
from search_ui.serving import serve
serve(lambda: create_app({"DATA_DIR": sys.argv[1]}), "127.0.0.1", int(sys.argv[2]), processes=2)
"""


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:   # a zombie is dead too (its parent has not reaped it yet)
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_two_processes_serve_one_port_and_stop_with_their_parent(data_dir):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(data_dir.root), str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, timeout=60)
        workers = children(server.pid)
        assert len(workers) == 2
        for _ in range(6):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/search.json?q=%E6%96%B9%E6%A1%88", timeout=30) as response:
                assert response.status == 200 and json.loads(response.read())["total"] == 4
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert not any(alive(pid) for pid in workers)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serve_command_with_two_processes_on_a_new_data_directory(tmp_path):
    """Both forked servers open one database nobody has migrated yet: the command migrates it first."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "govplans.cli", "serve", "--port", str(port),
                                "--processes", "2", "--data", str(tmp_path / "fresh")],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        wait_for_port(port, timeout=60)
        for n in range(6):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q=%E6%96%B9%E6%A1%88{n}") as answer:
                assert answer.status == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    assert "Traceback" not in errors, errors[-2000:]
