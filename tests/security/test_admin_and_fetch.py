"""State changes need a token, and nothing a visitor sends makes the server fetch a URL.

The UI's only state change is saving a search (POST /saved): the page's form token with a
same-origin Origin, or the admin token (GOVPLANS_ADMIN_TOKEN); e-mail and webhook targets only
with the admin token. There is no route that triggers a crawl or edits or deletes a saved
search; a new one would have to pass `test_every_state_changing_route_refuses_a_visitor`.
"""
from __future__ import annotations

import ast
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest

from evaluation.hostile import ADMIN_TOKEN, crawl_urls
from search_ui.views.saved import form_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FETCHING_MODULES = {"requests", "httpx", "urllib.request", "urllib3", "http.client", "aiohttp", "pycurl",
                    "smtplib", "ftplib", "subprocess", "asyncio", "twisted", "scrapy", "crawler"}
OUTBOUND_CALLS = {"connect", "connect_ex", "create_connection", "urlopen", "getaddrinfo", "sendto"}
SENDING_NAMES = {"send_email", "post_webhook", "notify_saved", "notify_all"}


def changing_routes(app) -> list[tuple[str, str]]:
    return sorted((rule.rule, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - SAFE_METHODS)


def test_the_only_state_change_is_saving_a_search(app):
    assert changing_routes(app) == [("/saved", "POST")]


def test_every_state_changing_route_refuses_a_visitor(app, client):
    for rule, method in changing_routes(app):
        for headers in ({}, {"X-Govplans-Token": "guess"}, {"Origin": "http://evil.test"}):
            response = client.open(rule, method=method, data={"q": "方案", "token": ""}, headers=headers)
            assert response.status_code in (401, 403), (rule, method, headers, response.status_code)


def test_saving_with_the_form_token_from_the_same_origin(app, client):
    with app.test_request_context():
        token = form_token()
    assert client.post("/saved", data={"q": "方案", "token": token}).status_code == 201
    assert client.post("/saved", data={"q": "方案", "token": token},
                       headers={"Origin": "http://localhost"}).status_code == 201
    assert client.post("/saved", data={"q": "方案", "token": token},
                       headers={"Origin": "http://evil.test"}).status_code == 403
    assert client.post("/saved", data={"q": "方案", "token": token[:-1] + "0"}).status_code == 403
    for target in ({"email": "me@example.org"}, {"webhook": "http://127.0.0.1:9/hook"}):
        assert client.post("/saved", data={"q": "方案", "token": token, **target}).status_code == 403


def test_notification_targets_need_the_admin_token(client):
    data = {"q": "方案", "email": "me@example.org", "webhook": "http://127.0.0.1:9/hook"}
    assert client.post("/saved", data={**data, "token": ADMIN_TOKEN}).status_code == 201
    assert client.post("/saved", data=data, headers={"X-Govplans-Token": ADMIN_TOKEN}).status_code == 201
    assert client.post("/saved", data={**data, "token": ADMIN_TOKEN + "x"}).status_code == 403
    assert client.post("/saved", data={**data, "webhook": "file:///etc/passwd", "token": ADMIN_TOKEN}).status_code == 400


@pytest.mark.parametrize("configured", ["", None])
def test_without_an_admin_token_configured_an_empty_one_is_no_token(hostile_data, monkeypatch, configured):
    from search_ui import create_app

    monkeypatch.delenv("GOVPLANS_ADMIN_TOKEN", raising=False)
    app = create_app({"DATA_DIR": str(hostile_data.root), "TESTING": True, "GOVPLANS_ADMIN_TOKEN": configured})
    client = app.test_client()
    for token in ("", "None", " "):
        response = client.post("/saved", data={"q": "方案", "token": token, "webhook": "http://127.0.0.1:9/hook"})
        assert response.status_code == 403, token
    app.extensions["govplans"].archive.close()


def test_the_admin_token_can_come_from_the_environment(hostile_data, monkeypatch):
    from search_ui import create_app

    monkeypatch.setenv("GOVPLANS_ADMIN_TOKEN", "from-the-environment")
    app = create_app({"DATA_DIR": str(hostile_data.root), "TESTING": True})
    response = app.test_client().post("/saved", data={"q": "方案", "token": "from-the-environment",
                                                      "email": "ops@example.org"})
    assert response.status_code == 201
    app.extensions["govplans"].archive.close()


def test_a_saved_search_feed_shows_no_one_s_address_or_webhook(app, client):
    from evaluation.hostile import world_ids

    for feed_key in world_ids(app)["saved"]:
        body = client.get(f"/saved/{feed_key}.atom").get_data(as_text=True)
        assert "victim@example.org" not in body and "secret-webhook" not in body and "127.0.0.1:9" not in body


# -- no fetching -------------------------------------------------------------------------------

def _imports_and_calls(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports, calls = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imports.add(node.module)
            imports |= {f"{node.module}:{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            calls.add(node.func.attr)
    return imports, calls


def test_the_ui_imports_nothing_that_fetches():
    """No HTTP client, no mail, no crawler in the UI; a socket only to listen (search_ui/serving.py)."""
    root = Path(__file__).resolve().parents[2] / "search_ui"
    for path in sorted(root.glob("*.py")):
        imports, calls = _imports_and_calls(path)
        for name in imports:
            module, _, imported = name.partition(":")
            assert not any(module == m or module.startswith(m + ".") for m in FETCHING_MODULES), (path.name, name)
            assert imported not in SENDING_NAMES, (path.name, name)
        assert not calls & OUTBOUND_CALLS, (path.name, calls & OUTBOUND_CALLS)


class _Counter(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_POST = do_HEAD = do_GET

    def log_message(self, *args):
        pass


def test_no_endpoint_fetches_a_url_a_visitor_supplies(app, client, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bait = f"http://127.0.0.1:{server.server_address[1]}/bait"
    connects = []
    real_connect = socket.socket.connect

    def watched_connect(sock, address):
        connects.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", watched_connect)
    try:
        params = {name: bait for name in ("url", "q", "next", "callback", "feed", "src", "webhook", "redirect",
                                          "site", "agency", "theme")}
        urls = [url.split("?")[0] for url in crawl_urls(app)]
        for url in dict.fromkeys(urls):
            response = client.get(f"{url}?{urlencode(params)}", headers={"Referer": bait, "X-Forwarded-Host": bait})
            response.get_data()
            response.close()
        client.post("/saved", data={"q": "方案", "webhook": bait, "token": ADMIN_TOKEN})
        client.post("/saved", data={"q": "方案", "webhook": bait, "token": "guess"})
    finally:
        server.shutdown()
        server.server_close()
    assert _Counter.hits == [] and connects == []
