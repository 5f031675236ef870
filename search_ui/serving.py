"""Serving the UI with Werkzeug's threaded server, in one process or in several sharing a socket.

Python runs one thread at a time per process, so one process serves searches on one core
however many connections it holds; `processes=N` forks N servers that accept on one listening
socket (the kernel hands each connection to one of them), each building its own app after
the fork, so no database connection or index searcher crosses a process boundary.

Werkzeug answers one request per connection, so which process accepts a connection decides
where that request waits: left to the kernel, a process with ten searches queued may take the
next one while the other idles. Each process counts its open connections (requests in
flight) in a shared array, and one with more than the least loaded waits a moment before
accepting, so the less busy process takes the connection first (join the shortest queue).
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import threading
import time
import traceback
from multiprocessing.sharedctypes import RawArray
from typing import Callable

from flask import Flask
from werkzeug.serving import make_server


M_ARENA_MAX = -8   # glibc mallopt parameter


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (unless MALLOC_ARENA_MAX is set). Werkzeug starts a thread per
    request and glibc gives threads their own arenas (up to 8 per core), whose freed memory is
    rarely given back: under 50 clients the server's RSS kept climbing (soak: peak 1,879 MB, +84 MB
    between halves; capped at 2: peak 1,630 MB, -11 MB). True when the cap was set."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        return ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas) == 1
    except (OSError, AttributeError):   # not glibc
        return False


def serve(make_app: Callable[[], Flask], host: str = "127.0.0.1", port: int = 8000, processes: int = 1) -> None:
    """Serve until stopped (SIGTERM or Ctrl-C; with processes > 1 the parent stops its children)."""
    limit_malloc_arenas()
    if processes <= 1:
        make_app().run(host=host, port=port, threaded=True)
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=128)
    listener.setblocking(False)   # a process that lost the race for a connection goes back to waiting
    connections = RawArray("i", processes)   # open connections per process, shared by the forks
    children = []
    for number in range(processes):
        pid = os.fork()
        if pid == 0:   # a child: one threaded server on the shared socket, until killed
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                server = make_server(host, port, make_app(), threaded=True, fd=listener.fileno())
                _balance(server, connections, number)
                server.serve_forever()
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        children.append(pid)
    listener.close()

    def stop(signum, _frame):
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    try:
        for child in children:
            os.waitpid(child, 0)
    except KeyboardInterrupt:
        stop(signal.SIGINT, None)
        for child in children:
            os.waitpid(child, 0)


ACCEPT_DELAY = 0.002   # seconds per request in flight above the least loaded process, at most MAX_ACCEPT_DELAY
MAX_ACCEPT_DELAY = 0.01


def _balance(server, connections, number: int) -> None:
    """Count this process's open connections in connections[number], and let a process with
    more than another wait a little before accepting (see the module's docstring)."""
    server.socket.setblocking(False)
    lock = threading.Lock()

    def count(change: int) -> None:
        with lock:   # the accepting thread adds, the handler threads remove
            connections[number] += change

    accept, get_request, shutdown = server._handle_request_noblock, server.get_request, server.shutdown_request

    def handle_request_noblock():
        surplus = connections[number] - min(connections)
        if surplus > 0:
            time.sleep(min(MAX_ACCEPT_DELAY, ACCEPT_DELAY * surplus))
        accept()   # nothing left to accept (another process took it): returns at once

    def accepted():
        found = get_request()   # raises when another process was first; socketserver then waits again
        count(1)                # every accepted connection ends in one shutdown_request
        return found

    def shutdown_request(request):
        try:
            shutdown(request)
        finally:
            count(-1)

    server._handle_request_noblock = handle_request_noblock
    server.get_request = accepted
    server.shutdown_request = shutdown_request
