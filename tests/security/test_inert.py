"""Scraped markup is data on every page and feed: documents whose every field carries HTML/JS
payloads (evaluation/hostile.py) come out inert — no element, attribute or link that could
run, in HTML, JSON, JSON lines, Atom, CSV and the OpenAPI document."""
from __future__ import annotations

import pytest

from evaluation.hostile import (HOSTILE_URLS, PAYLOADS, check_response, crawl_urls, inert_atom, inert_csv,
                                inert_html, inert_json_text)


def test_every_route_renders_the_hostile_archive_inert(app, client):
    urls = crawl_urls(app)
    kinds = set()
    problems = []
    for url in urls:
        response = client.get(url)
        kinds.add(response.mimetype)
        problems += check_response(url, response)
        response.close()
    assert problems == []
    assert len(urls) > 400
    assert {"text/html", "application/json", "application/x-ndjson", "application/atom+xml", "text/csv"} <= kinds


def test_the_payloads_reach_the_pages_as_text(client):
    """Inert, not dropped: the reader sees what the portal printed."""
    found = client.get("/search.json?q=alert").get_json()
    assert found["total"] >= len(PAYLOADS) - 2
    hits = client.get("/search.json?q=alert(101)").get_json()["hits"]
    doc_id = next(h["id"] for h in hits if h["title"].endswith(PAYLOADS[0]))
    page = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(101)&lt;/script&gt;" in page
    assert "{{ 7*7 }}{% if 1 %}ssti{% endif %}${7*7}" in page.replace("&#39;", "'")   # template syntax stays text
    assert client.get(f"/doc/{doc_id}.json").get_json()["title"].endswith(PAYLOADS[0])


def test_full_width_markup_is_not_folded_into_markup(client):
    """NFKC (used by the query parser and 文号 parsing) turns ＜script＞ into <script>: never on the way out."""
    for url in ["/search?q=＜script＞", "/search?q=alert(112)", "/templates?q=＜script＞"]:
        body = client.get(url).get_data(as_text=True)
        assert "<script" not in body.lower() and inert_html(body, url) == []


# payloads that are text even when left raw in a page (comments, look-alike characters, plain words)
HARMLESS_RAW = {"'';!--\"<XSS>=&{()}", "＜script＞alert(112)＜/script＞", "<scr\u200bipt>alert(113)</scr\u200bipt>",
                "<!--<script>alert(115)//--></script>", "{{ 7*7 }}{% if 1 %}ssti{% endif %}${7*7}",
                "=HYPERLINK(\"http://evil.test/?x\",\"点击\")", "javascript:alert(125)"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_checks_catch_live_markup(payload):
    """The checker itself: each payload, left raw in a page, is reported (or carries no markup at all)."""
    found = inert_html(f"<html><body><p>{payload}</p></body></html>", "raw")
    assert bool(found) == (payload not in HARMLESS_RAW), (payload, found)


def test_the_other_checks_catch_what_they_look_for():
    assert inert_json_text('{"t": "<b>"}')
    assert inert_csv("id,title\r\n1,=HYPERLINK(\"x\")\r\n")
    feed = (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><link href='javascript:alert(1)'/>"
            b"<content type='html'>&lt;img src=x onerror=alert(1)&gt;</content></entry></feed>")
    assert len(inert_atom(feed)) == 2
    for url in HOSTILE_URLS:
        if not url.startswith(("http://x.test", "file:", "ｊ", "javascript&colon;")):   # relative links, not schemes
            assert inert_html(f'<a href="{url}">x</a>'.replace("\x01", "&#1;")), url
