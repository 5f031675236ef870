"""The Flask UI: search with facets and charts, documents with their captures, versions and
copies elsewhere, the template explorer, feeds and exports, a JSON API and crawl status.

`create_app({"DATA_DIR": path})` builds an app over one data directory; the archive is
opened once per app and kept in `app.extensions["govplans"]` (search_ui/app_resources.py).
Views (one blueprint each) are in search_ui/views/; the helpers they share beside them: the query
string (query.py), facets and chips (facets.py), escaping filters (filters.py), charts, diffs,
Atom (atom.py), the OpenAPI document, and the serving machinery (load.py, serving.py).
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from archive.config import DataDir
from search_ui import errors, filters, params
from search_ui.app_resources import Resources

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; object-src 'none'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    # no-referrer: following a link to a portal must not leak the researcher's search
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class HtmlSafeJSON(DefaultJSONProvider):
    """JSON with <, > and & as \\u escapes: same data, but scraped markup never appears raw
    in a response, even if a browser or proxy sniffs the JSON as HTML."""
    ensure_ascii = False  # Chinese stays readable
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class DatabaseId(IntegerConverter):
    """A positive id the database can hold: a larger number is a 404, not an overflow error."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=2**63 - 1)


def _pin_public_url(app: Flask) -> None:
    """Absolute links (feeds, exports) from the configured public URL, not from the Host header a
    client sends; any Host but the trusted ones is refused (400): GOVPLANS_TRUSTED_HOSTS, else the
    address served (SERVED_HOST, set by `govplans serve`) and the public URL's host."""
    public = app.config.get("PUBLIC_URL") or os.environ.get("GOVPLANS_PUBLIC_URL")
    if public:
        parts = urlsplit(public)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"PUBLIC_URL must look like https://archive.example.org, not {public!r}")
        app.config.update(SERVER_NAME=parts.netloc, PREFERRED_URL_SCHEME=parts.scheme,
                          APPLICATION_ROOT=parts.path or "/")
    hosts = os.environ.get("GOVPLANS_TRUSTED_HOSTS")
    if app.config.get("TRUSTED_HOSTS") is None:
        if hosts:
            app.config["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()]
        else:
            app.config["TRUSTED_HOSTS"] = served_hosts(app.config.get("SERVED_HOST"), public)


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def served_hosts(served: str | None, public: str | None) -> list[str] | None:
    """The Host names a server answers by default: the address it listens on (and localhost's names
    when that is loopback) and the public URL's host. None (any) when listening on every address
    without a public URL: set GOVPLANS_PUBLIC_URL or GOVPLANS_TRUSTED_HOSTS there."""
    hosts = [urlsplit(public).hostname] if public else []
    if served and served not in ("0.0.0.0", "::", ""):
        hosts += list(LOOPBACK) if served in LOOPBACK else [served]
    elif served is not None and not public:
        return None
    return hosts or None


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json = HtmlSafeJSON(app)
    app.config.from_mapping(
        DATA_DIR=None,            # None: --data / $GOVPLANS_DATA / ./data (DataDir.resolve)
        DATABASE_URL=None,        # None: the data directory's database
        SEARCH_PAGE_SIZE=20,
        FAMILIES_PAGE_SIZE=20,
        COPIES_PAGE_SIZE=50,      # a document page lists this many copies of its template per page
        FEED_SIZE=50,
        EXPORT_MAX_ROWS=10_000,   # a download beyond this is a job for `govplans export`
        SEARCH_CACHE_SIZE=256,    # rendered search pages kept per index state (0: none)
        SEARCH_CONCURRENCY=1,     # search pages computed at once per process, the rest queued in order (0: any)
        MAX_CONTENT_LENGTH=64 * 1024,   # a request body beyond this is refused (413) before it is read
        SAVED_PER_HOUR=30,        # searches one client address may save an hour without the admin token
        REGISTRY=None,            # the site registry for /coverage: a list of entries or a loader (None: none)
        REGISTRY_SECONDS=60,      # a loader is asked again after this many seconds
    )
    if test_config:
        app.config.update(test_config)
    _pin_public_url(app)

    data = DataDir.resolve(app.config["DATA_DIR"])
    app.config["DATA_DIR"] = str(data.root)
    app.extensions["govplans"] = Resources(data, app.config["DATABASE_URL"], app.config["REGISTRY"],
                                           app.config["REGISTRY_SECONDS"])
    app.extensions["govplans"].search_turns.limit = app.config["SEARCH_CONCURRENCY"]

    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    filters.register(app)
    app.url_map.converters["id"] = DatabaseId
    from search_ui.views import (api, captures, citations, compare, coverage, documents, explorer, feeds, saved, search,
                                  status, timelines)
    for blueprint in (search.bp, documents.bp, compare.bp, captures.bp, explorer.bp, feeds.bp, status.bp, api.bp,
                      saved.bp, coverage.bp, citations.bp, timelines.bp):
        app.register_blueprint(blueprint)

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    errors.register(app)
    app.before_request(params.check_request)

    return app
