"""Archived pages, byte for byte, for the sandboxed frame on the document page.

A capture is looked up by its database id only (never by a file name from the URL) and
served with a CSP sandbox: scripts, forms and plugins off, nothing fetched from elsewhere.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app

from archive.extract.decoding import decode
from archive.models import Capture
from archive.warc import read_response
from search_ui import resources

bp = Blueprint("captures", __name__)

SANDBOX_CSP = ("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
               "frame-ancestors 'self'")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Python codec names browsers do not know, as WHATWG encoding labels
_WEB_LABELS = {"big5hkscs": "big5", "utf-16-le": "utf-16le", "utf-16-be": "utf-16be", "cp1252": "windows-1252"}


@bp.get("/capture/<id:capture_id>/raw")
def raw(capture_id: int):
    stored = load_html(capture_id)
    if stored is None:
        abort(404)
    _, encoding = decode(stored.body, stored.headers)
    response = Response(stored.body, content_type=f"text/html; charset={_WEB_LABELS.get(encoding, encoding)}")
    response.headers["Content-Security-Policy"] = SANDBOX_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"     # the document page frames it; no one else
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def load_html(capture_id: int):
    """The stored response of an HTML capture, or None (unknown id, lost file, not HTML)."""
    with resources().archive.session() as s:
        capture = s.get(Capture, capture_id)
        where = (capture.warc_file, capture.warc_offset) if capture else (None, None)
    if where[0] is None or where[1] is None:
        return None
    try:
        stored = read_response(resources().data.warc_dir, *where)
    except OSError as e:
        current_app.logger.warning("capture %s missing at %s:%s: %s", capture_id, *where, e)
        return None
    except Exception:  # a damaged WARC file is evidence lost, not a reason to fail the page
        current_app.logger.exception("capture %s unreadable at %s:%s", capture_id, *where)
        return None
    mimetype = (stored.headers.get("content-type") or "text/html").split(";")[0].strip().lower()
    return stored if mimetype in HTML_TYPES else None
