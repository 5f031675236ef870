"""Archived pages, byte for byte, for the sandboxed frame on the document page.

A capture is looked up by its database id only (never by a file name from the URL) and
served with a CSP sandbox: scripts, forms and plugins off, nothing fetched from elsewhere.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort

from archive.extract.decoding import decode
from archive.read.captures import html_capture
from search_ui.app_resources import resources

bp = Blueprint("captures", __name__)

SANDBOX_CSP = ("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
               "frame-ancestors 'self'")
# Python codec names browsers do not know, as WHATWG encoding labels
_WEB_LABELS = {"big5hkscs": "big5", "utf-16-le": "utf-16le", "utf-16-be": "utf-16be", "cp1252": "windows-1252"}


@bp.get("/capture/<id:capture_id>/raw")
def raw(capture_id: int):
    stored = html_capture(resources().archive, resources().data.warc_dir, capture_id)
    if stored is None:
        abort(404)
    _, encoding = decode(stored.body, stored.headers)
    response = Response(stored.body, content_type=f"text/html; charset={_WEB_LABELS.get(encoding, encoding)}")
    response.headers["Content-Security-Policy"] = SANDBOX_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"     # the document page frames it; no one else
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
