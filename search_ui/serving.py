"""Serving the UI: waitress in one process or in several sharing a socket; Werkzeug's development
server only with debug=True.

waitress reads requests in its main loop and hands a complete one to a pool of threads, so a client
that sends its headers or body slowly holds no thread; what it may hold is bounded by `Limits`:
seconds of silence before a connection is closed, bytes of request line and headers, bytes of body
(a larger Content-Length is refused at once, before any body is read), open connections. Its own
refusals (413, 431, 400 of a malformed request) are our pages too (search_ui/errors.py).

Python runs one thread at a time per process, so one process serves searches on one core however
many connections it holds; `processes=N` forks N servers that accept on one listening socket (the
kernel hands each connection to one of them), each building its own app after the fork, so no
database connection or index searcher crosses a process boundary. Each process counts its requests
in flight (queued or running) in a shared array, and one with more than the least loaded waits a
moment before accepting, so the less busy process takes the connection first (join the shortest queue).
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing.sharedctypes import RawArray
from typing import Callable

from flask import Flask
from waitress.server import create_server
from waitress.task import ErrorTask

M_ARENA_MAX = -8   # glibc mallopt parameter


@dataclass(frozen=True)
class Limits:
    """What one client may hold of a server process."""
    threads: int = 8                      # requests computed at once per process (the others queue)
    channel_timeout: int = 20             # seconds a connection may stay silent (mid-request or idle)
    max_header_bytes: int = 256 * 1024    # request line and headers (a 100 KB query string still reaches us)
    max_body_bytes: int = 64 * 1024       # Content-Length beyond this: 413 at once, before any body is read
    connection_limit: int = 200           # open connections per process


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (unless MALLOC_ARENA_MAX is set). Threads get arenas of their own
    (up to 8 per core), whose freed memory is rarely given back: under 50 clients the server's RSS
    kept climbing (soak: peak 1,879 MB, +84 MB between halves; capped at 2: peak 1,630 MB, -11 MB).
    True when the cap was set."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        return ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas) == 1
    except (OSError, AttributeError):   # not glibc
        return False


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything else is done (a taken port fails at once)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=1024)


def serve(make_app: Callable[[], Flask], host: str = "127.0.0.1", port: int = 8000, processes: int = 1,
          limits: Limits = Limits(), access_log: bool = True, debug: bool = False,
          listener: socket.socket | None = None) -> None:
    """Serve until stopped (SIGTERM or Ctrl-C; with processes > 1 the parent stops its children)."""
    limit_malloc_arenas()
    if debug:
        make_app().run(host=host, port=port, debug=True, use_reloader=False, threaded=True)
        return
    listener = listener or listen(host, port)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # "task queue depth": a busy moment, not news
    if processes <= 1:
        server = make_server(make_app(), listener, limits, access_log)
        try:
            server.run()
        finally:
            server.close()
        return
    listener.setblocking(False)   # a process that lost the race for a connection goes back to waiting
    in_flight = RawArray("i", processes)   # requests queued or running per process, shared by the forks
    children = []
    for number in range(processes):
        pid = os.fork()
        if pid == 0:   # a child: one waitress server on the shared socket, until killed
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                server = make_server(make_app(), listener, limits, access_log)
                balance(server, in_flight, number)
                server.run()
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
    except (KeyboardInterrupt, SystemExit):
        stop(signal.SIGINT, None)
        for child in children:
            os.waitpid(child, 0)


def make_server(app: Flask, listener: socket.socket, limits: Limits, access_log: bool = True):
    """A waitress server on `listener` whose own refusals are our pages."""
    wsgi = AccessLog(app) if access_log else app
    server = create_server(wsgi, sockets=[listener], threads=limits.threads, channel_timeout=limits.channel_timeout,
                           max_request_header_size=limits.max_header_bytes,
                           max_request_body_size=limits.max_body_bytes, connection_limit=limits.connection_limit,
                           # silent connections are swept every timeout/4: closed by 1.25 × the timeout
                           cleanup_interval=max(1, limits.channel_timeout // 4), ident="govplans",
                           clear_untrusted_proxy_headers=True)
    server.channel_class = type("Channel", (server.channel_class,), {"error_task_class": _our_error_task(app)})
    return server


def _our_error_task(app: Flask) -> type:
    """waitress's error task (request too large, malformed …) with our page or problem as the body."""
    from search_ui.errors import rendered

    class OurErrorTask(ErrorTask):
        def execute(self):
            error = self.request.error
            content_type, body = rendered(app, error.code, getattr(self.request, "path", "") or "/")
            self.status = f"{error.code} {error.reason}"
            self.response_headers.extend([("Content-Type", content_type), ("Connection", "close")])
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    return OurErrorTask


class AccessLog:
    """One line per request on stderr, as Werkzeug wrote them (bench/soak.py counts the statuses)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def logged(status, headers, exc_info=None):
            path = environ.get("PATH_INFO", "") + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
            stamp = datetime.now(timezone.utc).strftime("%d/%b/%Y %H:%M:%S")
            sys.stderr.write(f'{environ.get("REMOTE_ADDR", "-")} - - [{stamp}] "{environ.get("REQUEST_METHOD")} '
                             f'{path[:2000]} {environ.get("SERVER_PROTOCOL")}" {status.split(" ", 1)[0]} -\n')
            return start_response(status, headers, exc_info)
        return self.app(environ, logged)


ACCEPT_DELAY = 0.002   # seconds per request in flight above the least loaded process, at most MAX_ACCEPT_DELAY
MAX_ACCEPT_DELAY = 0.01


def balance(server, in_flight, number: int) -> None:
    """Count this process's requests in flight in in_flight[number] (from the moment waitress queues
    one until its channel is served), and let a process with more than another wait a little before
    accepting (see the module's docstring)."""
    lock = threading.Lock()

    def count(change: int) -> None:
        with lock:   # the main loop adds, the worker threads remove
            in_flight[number] += change

    accept, add_task = server.handle_accept, server.add_task

    def handle_accept():
        surplus = in_flight[number] - min(in_flight)
        if surplus > 0:
            time.sleep(min(MAX_ACCEPT_DELAY, ACCEPT_DELAY * surplus))
        accept()   # nothing left to accept (another process took it): returns at once

    def queued(channel) -> None:
        count(1)            # every task added is served once (HTTPChannel.service)
        add_task(channel)

    class CountedChannel(server.channel_class):
        def service(self):
            try:
                super().service()
            finally:
                count(-1)

    server.handle_accept = handle_accept
    server.add_task = queued
    server.channel_class = CountedChannel

