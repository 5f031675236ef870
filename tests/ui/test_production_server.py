"""`govplans serve` runs waitress: a client cannot hold a connection with a promise of a body or a
slow header, and the server's own refusals are our pages (the development server only with --debug)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govplans.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(data_dir):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "govplans.cli", "serve", "--port", str(port), "--timeout", "2",
                                "--data", str(data_dir.root)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_for_port(port, timeout=60)
        yield port, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def exchange(port: int, request: bytes, wait: float = 10.0) -> tuple[bytes, float]:
    """Send raw bytes; what comes back until the server closes, and how long that took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
        conn.sendall(request)
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except socket.timeout:
            pass
    return answer, time.monotonic() - started


def test_a_huge_content_length_without_a_body_is_refused_at_once(server):
    port, _ = server
    answer, seconds = exchange(port, b"POST /saved HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                                     b"Content-Length: 999999999\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413") and seconds < 5   # the development server held it 30 s and more
    assert "提交的内容太大" in answer.decode("utf-8", "replace")


def test_a_100_kb_query_gets_our_414_page(server):
    port, _ = server
    answer, _ = exchange(port, b"GET /search?q=" + b"%E6%94%BF" * 11_400 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                                            b"Connection: close\r\n\r\n")
    text = answer.decode("utf-8", "replace")
    assert answer.startswith(b"HTTP/1.1 414") and "地址太长" in text and "<!doctype html>" in text


def test_an_oversized_header_block_is_our_page_too(server):
    port, _ = server
    head = b"GET /search.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: "
    answer, _ = exchange(port, head + b"a" * (256 * 1024 + 10 - len(head)))   # just over the limit, all read
    assert answer.split(b" ")[1] == b"431"   # refused by waitress before the path is read: our page
    assert "请求头太大" in answer.decode("utf-8", "replace") and b"waitress" not in answer


def test_a_slow_client_is_closed_after_the_read_timeout(server):
    port, _ = server
    answer, seconds = exchange(port, b"GET /search HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", wait=30)
    assert answer == b"" and seconds < 10   # --timeout 2 (and waitress's sweep every 2 s)


def test_no_development_server_and_pages_still_served(server):
    import urllib.request

    port, process = server
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/search.json?q=%E6%96%B9%E6%A1%88", timeout=30) as answer:
        assert answer.status == 200
    os.killpg(process.pid, signal.SIGTERM)
    output = process.communicate(timeout=30)[0]
    assert "development server" not in output and "Traceback" not in output
    assert '"GET /search.json?q=%E6%96%B9%E6%A1%88 HTTP/1.1" 200' in output   # the access log


def test_a_taken_port_is_a_clear_error_before_any_work(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "govplans.cli", "serve", "--port", str(port),
                               "--data", str(tmp_path / "data")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert not (tmp_path / "data").exists()   # nothing created before the port was known to be ours
