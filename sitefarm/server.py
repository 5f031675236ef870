"""All farm sites on one port of 127.0.0.1: the Host header picks the site (virtual hosting)."""
from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urlsplit

from sitefarm import attachments, defences, faults
from sitefarm.families import FAMILIES
from sitefarm.responses import Request, Response, html, not_found
from sitefarm.world import Site, World

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 400: "Bad Request",
           403: "Forbidden", 404: "Not Found", 405: "Not Allowed", 412: "Precondition Failed",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}
FILLER = b"<!--" + b"0" * (65536 - 8) + b"-->\n"  # a huge page's padding, 64 KiB at a time


IDENTITY_PATH = "/.well-known/govplans-farm"   # on any host: which world this farm serves (govplans demo)


def respond(world: World, request: Request, host: str, attempt: int = 1) -> Response:
    """The farm as a function: what a request to host gets (attempt: how many times this URL was asked)."""
    if request.path == IDENTITY_PATH:
        return Response(200, json.dumps({**world.identity(), "pid": os.getpid()}).encode(), "application/json")
    site = world.site_for_host(host)
    if site is None:
        return not_found()
    try:
        if site.defence:
            return defences.apply(world, site, request, _dispatch)
        if world.faults.enabled:
            return conditional(request, faults.apply(world, site, request, attempt, _dispatch))
        return conditional(request, _dispatch(world, site, request))
    except Exception as error:  # a farm bug must show as a 500, not a dropped connection
        return html(f"<h1>500</h1><pre>{type(error).__name__}</pre>", 500)


def conditional(request: Request, response: Response) -> Response:
    """304 Not Modified for a page with validators when the request's If-None-Match names its ETag
    or (without If-None-Match) its Last-Modified is not after If-Modified-Since (RFC 9110 13.2.2)."""
    if response.status != 200 or response.action:
        return response
    validators = [(name, value) for name, value in response.headers if name in ("ETag", "Last-Modified")]
    mine = dict(validators)
    if not mine:
        return response
    if_none_match = request.headers.get("if-none-match")
    since = request.headers.get("if-modified-since")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        fresh = "*" in tags or mine.get("ETag") in tags
    elif since and "Last-Modified" in mine:
        try:
            fresh = parsedate_to_datetime(mine["Last-Modified"]) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            fresh = False
    else:
        fresh = False
    return Response(304, b"", response.content_type, validators) if fresh else response


def _dispatch(world: World, site: Site, request: Request) -> Response:
    if found := attachments.find(world, site, request.path):
        doc, attachment = found
        body = attachments.render(world, doc, attachment)
        # as a static server sends a file: an ETag of its bytes, so a replaced file is told by it
        etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
        return Response(200, body, attachments.CONTENT_TYPES[attachment.ext], [("ETag", etag)])
    return FAMILIES[site.family].handle(world, site, request)


class FarmHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive
    server_version = "TRS_WCM"
    app: Callable                   # (request, host, attempt) -> Response, set on the subclass made per server

    def setup(self):
        super().setup()
        # Headers and body go out in one write; without this Nagle adds 40 ms per response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self._serve()

    def do_HEAD(self):
        self._serve(head=True)

    def do_POST(self):
        self._serve()

    def _serve(self, head: bool = False):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        host = self.headers.get("Host", "")
        request = Request(self.command, parts.path or "/", parts.query, body,
                          {k.lower(): v for k, v in self.headers.items()})
        response = type(self).app(request, host, self.server.attempt(f"{host.split(':')[0]} {self.path}"))
        length = int(response.action_arg) if response.action == "huge" else len(response.body)
        lines = [f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Status')}",
                 f"Server: {self.server_version}",
                 f"Content-Type: {response.content_type}",
                 f"Content-Length: {length}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            if response.action:
                self._misbehave(response, head_bytes, head)
            else:
                self.wfile.write(head_bytes if head else head_bytes + response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _misbehave(self, response: Response, head_bytes: bytes, head: bool):
        """The faults that happen on the wire (see sitefarm/faults.py)."""
        action, body = response.action, b"" if head else response.body
        self.close_connection = True
        if action == "reset":  # close with SO_LINGER 0: the client sees a connection reset
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if action == "slow":
            time.sleep(response.action_arg)
            self.close_connection = False
            self.wfile.write(head_bytes + body)
        elif action in ("stall", "truncated"):  # Content-Length promises more than ever comes
            self.wfile.write(head_bytes + body[:len(body) // 2])
            self.wfile.flush()
            if action == "stall":
                time.sleep(response.action_arg)
        elif action == "huge":
            self.wfile.write(head_bytes + body)
            left = int(response.action_arg) - len(body)
            while left > 0 and not head:
                chunk = FILLER[:left]
                self.wfile.write(chunk)
                left -= len(chunk)

    def log_message(self, format, *args):  # quiet: the benchmark and tests make many requests
        pass


class FarmServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()

    def attempt(self, key: str) -> int:
        """How many times this URL has been asked for, this one included (transient faults count them)."""
        with self._lock:
            count = self._attempts[key] = self._attempts.get(key, 0) + 1
        return count

    def shutdown(self):
        """Stop serving and close the listening socket (idle keep-alive threads are daemons)."""
        super().shutdown()
        self.server_close()


def make_app_server(app: Callable, host: str = "127.0.0.1", port: int = 8800) -> FarmServer:
    """A server for any app(request, host, attempt) -> Response (the farm, or a replay)."""
    handler = type("BoundFarmHandler", (FarmHandler,), {"app": staticmethod(app)})
    return FarmServer((host, port), handler)


def make_server(world: World, host: str = "127.0.0.1", port: int = 8800) -> FarmServer:
    return make_app_server(lambda request, host_header, attempt: respond(world, request, host_header, attempt),
                           host, port)


def _in_thread(server: FarmServer) -> tuple[FarmServer, int]:
    thread = threading.Thread(target=server.serve_forever, name="sitefarm", daemon=True)
    thread.start()
    return server, server.server_address[1]


def start_in_thread(world: World, port: int = 0) -> tuple[FarmServer, int]:
    """Serve in a background thread on 127.0.0.1; stop with server.shutdown()."""
    return _in_thread(make_server(world, "127.0.0.1", port))


def start_app_in_thread(app: Callable, port: int = 0) -> tuple[FarmServer, int]:
    return _in_thread(make_app_server(app, "127.0.0.1", port))


def serve_forever(server: FarmServer) -> None:
    """Serve until interrupted."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def stop_with_parent(server: FarmServer, parent_pid: int, every: float = 0.5) -> threading.Thread:
    """Shut the server down when `parent_pid` is no longer this process's parent (it died, whatever
    killed it: the farm was started by a demo and must not outlive it)."""
    def watch():
        while os.getppid() == parent_pid:
            time.sleep(every)
        server.shutdown()

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def serve(world: World, host: str = "127.0.0.1", port: int = 8800) -> None:
    serve_forever(make_server(world, host, port))
