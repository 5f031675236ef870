"""The machine's archive writer (crawler/distributed/machine_writer.py): one per database, leaving when idle."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from multiprocessing.connection import Client

from crawler.distributed import machine_writer
from tests.conftest import ROOT
from tests.distributed.conftest import alive


def test_one_machine_writer_per_database_which_leaves_once_no_one_is_connected(tmp_path):
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    address = machine_writer.ensure_service(url)
    connection = Client(address, family="AF_UNIX")
    service = connection.recv()
    assert machine_writer.ensure_service(url) == address and machine_writer.answers(address)
    # a second service for the same database gives way at once
    second = subprocess.run([sys.executable, "-m", "crawler.distributed.machine_writer", url, "--foreground"],
                            cwd=ROOT, timeout=60)
    assert second.returncode == 0
    held = Client(address, family="AF_UNIX")
    assert held.recv() == service, "the same writer answers"
    connection.close()
    held.close()
    deadline = time.monotonic() + machine_writer.IDLE_SECONDS + 30
    while alive(service):
        assert time.monotonic() < deadline, "the machine writer stayed with no one connected"
        time.sleep(0.2)
    assert not machine_writer.answers(address)
    other = machine_writer.address_for(url + "?other")
    assert other != address, "a writer per database"


def test_a_machine_writer_whose_socket_was_removed_still_leaves_when_idle(tmp_path):
    """A cleaned temporary directory (tmpfiles, a test's) takes the socket with it; closing the
    listener then fails, and the service stayed for ever, holding its extractors' memory."""
    own = tmp_path / "tmp"
    own.mkdir()
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    service = subprocess.Popen([sys.executable, "-m", "crawler.distributed.machine_writer", url, "--foreground"],
                               cwd=ROOT, env=dict(os.environ, TMPDIR=str(own)))
    try:
        deadline = time.monotonic() + 60
        while not list(own.glob("govplans-*/writer-*.sock")):
            assert time.monotonic() < deadline and service.poll() is None, "the service did not start"
            time.sleep(0.1)
        for socket in own.glob("govplans-*/writer-*.sock"):
            socket.unlink()
        service.wait(timeout=machine_writer.IDLE_SECONDS + 30)
        assert service.returncode == 0
    finally:
        service.kill()
        service.wait()
