"""Fixtures for unattended operation: a farm whose day can be switched, a local SMTP server and
a local webhook receiver (all on 127.0.0.1)."""
from __future__ import annotations

import json
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from govplans.ports import free_port

# 祁阳 平潭 抚顺 (trs; one is redesigned on day 1) and 万载 (xxgk)
DAY_WORLD = dict(sites=4, seed=0, docs_per_site=(8, 12))


class DayFarm:
    """The farm as a function whose world can be moved to another day; `delay` slows each answer."""

    def __init__(self, world, delay: float = 0.0):
        from sitefarm.server import respond

        self._respond = respond
        self.world = world
        self.delay = delay

    def __call__(self, request, host, attempt):
        if self.delay:
            time.sleep(self.delay)
        return self._respond(self.world, request, host, attempt)


@pytest.fixture()
def day_farm():
    from sitefarm.server import start_app_in_thread
    from sitefarm.world import World

    farm = DayFarm(World(**DAY_WORLD))
    server, port = start_app_in_thread(farm)
    yield farm, port
    server.shutdown()


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture()
def smtp_server(monkeypatch):
    """A local SMTP server (aiosmtpd); GOVPLANS_SMTP_* point at it. Yields its mailbox."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("GOVPLANS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVPLANS_SMTP_PORT", str(port))
    monkeypatch.setenv("GOVPLANS_SMTP_FROM", "govplans@example.test")
    yield mailbox
    controller.stop()


@pytest.fixture()
def webhook_receiver():
    """A local HTTP server that keeps the JSON bodies POSTed to it: (url, bodies)."""
    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    server.shutdown()
