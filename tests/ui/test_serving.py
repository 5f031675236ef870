"""search_ui.serving: several server processes on one port, stopped together."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from govplans.ports import free_port, wait_for_port

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
        wait_for_port(port, timeout=60)   # the socket listens before the workers are forked
        deadline = time.monotonic() + 30
        while len(workers := children(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
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


def test_a_busier_process_lets_the_other_accept_first(monkeypatch):
    """search_ui.serving.balance: requests in flight counted per process, a surplus delays accepting."""
    from multiprocessing.sharedctypes import RawArray

    from search_ui import serving

    class Channel:   # what balance uses of a waitress channel: service() serves one queued request
        def service(self):
            pass

    class Server:    # ... and of a waitress server
        channel_class = Channel

        def __init__(self):
            self.accepted, self.tasks = 0, []

        def handle_accept(self):
            self.accepted += 1

        def add_task(self, channel):
            self.tasks.append(channel)

    sleeps = []
    monkeypatch.setattr(serving.time, "sleep", sleeps.append)
    counts = RawArray("i", 2)
    server = Server()
    serving.balance(server, counts, 0)
    server.handle_accept()                    # 0 vs 0: accepts at once
    assert sleeps == [] and server.accepted == 1
    channels = [server.channel_class() for _ in range(3)]
    for channel in channels:
        server.add_task(channel)              # three requests queued
    assert list(counts) == [3, 0] and len(server.tasks) == 3
    server.handle_accept()                    # 3 vs 0: waits a little first (at most MAX_ACCEPT_DELAY)
    assert sleeps == [min(serving.MAX_ACCEPT_DELAY, 3 * serving.ACCEPT_DELAY)]
    for channel in channels:
        channel.service()
    assert list(counts) == [0, 0]
    counts[1] = 50                            # the other is far busier: no wait
    server.handle_accept()
    assert len(sleeps) == 1 and server.accepted == 3


def test_two_processes_answer_many_clients_at_once(data_dir):
    from concurrent.futures import ThreadPoolExecutor

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(data_dir.root), str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def get(n: int) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search.json?q=%E6%96%B9%E6%A1%88&page={n % 3 + 1}",
                                    timeout=60) as response:
            return response.status

    try:
        wait_for_port(port, timeout=60)
        with ThreadPoolExecutor(20) as pool:
            assert set(pool.map(get, range(60))) == {200}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_malloc_arenas_are_capped_unless_the_operator_chose_a_number():
    import platform
    import subprocess
    import sys

    code = "from search_ui.serving import limit_malloc_arenas; print(limit_malloc_arenas())"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    capped = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    chosen = subprocess.run([sys.executable, "-c", code], env=dict(env, MALLOC_ARENA_MAX="4"),
                            capture_output=True, text=True, check=True)
    assert chosen.stdout.strip() == "False"
    if platform.libc_ver()[0] == "glibc":
        assert capped.stdout.strip() == "True"
