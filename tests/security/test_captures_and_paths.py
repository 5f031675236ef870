"""Archived pages run nothing, and no URL reaches a file outside what the archive serves: the
capture route (sandbox CSP, HTML only, WARC locations confined to warc/), documents, static files
and every other route, with ../, %2e%2e, absolute paths, backslashes and NUL bytes."""
from __future__ import annotations

import lxml.html
import pytest
from sqlalchemy import select

from archive.models import Capture, Document
from evaluation.hostile import CAPTURE_HTML, check_capture_headers, leaked, traversal_urls


def captures(app) -> dict[str, list[int]]:
    with app.extensions["govplans"].archive.session() as s:
        rows = list(s.execute(select(Capture.id, Capture.url, Capture.warc_file, Capture.warc_offset)))
    warc_names = {r.warc_file for r in rows}
    return {"html": [r.id for r in rows if r.url.endswith("t20240501_1.html")],
            "svg": [r.id for r in rows if r.url.endswith(".svg")],
            "tampered": [r.id for r in rows if "/t/" in r.url or r.url.endswith("/neg")],
            "warc_names": sorted(n for n in warc_names if n and n.endswith(".warc.gz") and "/" not in n)}


def test_an_archived_page_is_served_byte_exact_in_a_sandbox(app, client):
    (capture_id,) = captures(app)["html"]
    response = client.get(f"/capture/{capture_id}/raw")
    assert response.status_code == 200 and response.get_data() == CAPTURE_HTML
    assert check_capture_headers(f"/capture/{capture_id}/raw", response) == []
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


def test_the_document_page_frames_its_capture_sandboxed(app, client):
    (capture_id,) = captures(app)["html"]
    with app.extensions["govplans"].archive.session() as s:
        doc_id = s.scalar(select(Document.id).where(Document.capture_id == capture_id))
    root = lxml.html.fromstring(client.get(f"/doc/{doc_id}").get_data(as_text=True))
    (frame,) = root.iter("iframe")
    assert frame.get("sandbox") == "" and frame.get("src") == f"/capture/{capture_id}/raw"
    assert frame.get("referrerpolicy") == "no-referrer"


def test_a_capture_that_is_not_html_is_not_served(app, client):
    """An SVG (scripts run in SVG too) or a PDF is not shown through the capture route."""
    (capture_id,) = captures(app)["svg"]
    assert client.get(f"/capture/{capture_id}/raw").status_code == 404


def test_a_tampered_warc_location_never_reads_outside_the_warc_folder(app, client):
    tampered = captures(app)["tampered"]
    assert len(tampered) == 8
    for capture_id in tampered:
        response = client.get(f"/capture/{capture_id}/raw")
        assert response.status_code == 404 and leaked(response) is None, capture_id


def test_no_route_serves_a_file_by_a_path_from_the_url(app, client, hostile_data):
    extra = [*captures(app)["warc_names"], str(hostile_data.root / "archive.sqlite").lstrip("/"),
             "%2f" + str(hostile_data.root / "archive.sqlite").lstrip("/").replace("/", "%2f")]
    urls = traversal_urls(extra)
    assert len(urls) > 400
    for url in urls:
        response = client.get(url)
        assert response.status_code in (400, 404, 405, 308), (url, response.status_code)
        assert leaked(response) is None, url


@pytest.mark.parametrize("raw_path", ["/static/../../archive.sqlite", "/static/..%2f..%2farchive.sqlite",
                                      "/static/%2e%2e/%2e%2e/etc/passwd", "/static//etc/passwd",
                                      "/static/style.css%00.sqlite", "/static/..\\..\\archive.sqlite"])
def test_static_files_stay_in_the_static_folder(client, raw_path):
    response = client.get(raw_path)
    assert response.status_code in (308, 400, 404) and leaked(response) is None
    assert response.headers.get("Location", "/static/").replace("http://localhost", "").startswith("/static/")
