"""Serving the UI with Werkzeug's threaded server, in one process or in several sharing a socket.

Python runs one thread at a time per process, so one process serves searches on one core
however many connections it holds; `processes=N` forks N servers that accept on one listening
socket (the kernel hands each connection to one of them), each building its own app after
the fork, so no database connection or index searcher crosses a process boundary.
"""
from __future__ import annotations

import os
import signal
import socket
import traceback
from typing import Callable

from flask import Flask
from werkzeug.serving import make_server


def serve(make_app: Callable[[], Flask], host: str = "127.0.0.1", port: int = 8000, processes: int = 1) -> None:
    """Serve until stopped (SIGTERM or Ctrl-C; with processes > 1 the parent stops its children)."""
    if processes <= 1:
        make_app().run(host=host, port=port, threaded=True)
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=128)
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:   # a child: one threaded server on the shared socket, until killed
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                make_server(host, port, make_app(), threaded=True, fd=listener.fileno()).serve_forever()
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
