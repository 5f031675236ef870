"""Archived pages as they were served: a capture's stored response, read from its WARC record.

A capture is looked up by its database id only, never by a file name from a URL.
"""
from __future__ import annotations

import logging
from pathlib import Path

from archive.models import Capture
from archive.store.database import Archive
from archive.warc import StoredResponse, read_response

HTML_TYPES = ("text/html", "application/xhtml+xml")
log = logging.getLogger(__name__)


def mimetype_of(headers: dict | None) -> str:
    """The media type a capture was served as (text/html when it did not say)."""
    return ((headers or {}).get("content-type") or "text/html").split(";")[0].strip().lower()


def html_capture(archive: Archive, warc_dir: Path, capture_id: int) -> StoredResponse | None:
    """The stored response of an HTML capture, or None (unknown id, lost file, not HTML)."""
    with archive.session() as s:
        capture = s.get(Capture, capture_id)
        where = (capture.warc_file, capture.warc_offset) if capture else (None, None)
    if where[0] is None or where[1] is None:
        return None
    try:
        stored = read_response(warc_dir, *where)
    except OSError as e:
        log.warning("capture %s missing at %s:%s: %s", capture_id, *where, e)
        return None
    except Exception:  # a damaged WARC file is evidence lost, not a reason to fail the page
        log.exception("capture %s unreadable at %s:%s", capture_id, *where)
        return None
    return stored if mimetype_of(stored.headers) in HTML_TYPES else None
