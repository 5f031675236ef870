"""Scraped text is data: escaped everywhere, only <mark> survives from the index, headers set."""
from __future__ import annotations

import pytest

from search_ui.filters import marks, safe_href
from tests.ui.conftest import XSS

XSS_TITLE = f"进贤县政务公开{XSS}方案"


def xss_doc_id(client) -> int:
    hits = client.get("/search.json?q=进贤").get_json()["hits"]
    return next(h["id"] for h in hits if h["title"] == XSS_TITLE)


def test_the_payload_appears_only_escaped(client):
    doc_id = xss_doc_id(client)
    urls = ["/", "/search?q=进贤", "/search?q=script", "/search?q=alert&sort=date", f"/search?q={XSS}",
            "/search.json?q=进贤", f"/doc/{doc_id}", f"/doc/{doc_id}.json", "/status"]
    for url in urls:
        body = client.get(url).get_data(as_text=True).lower()
        assert "<script" not in body, url
    # and the reader still sees it, as text
    page = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert client.get(f"/doc/{doc_id}.json").get_json()["title"] == XSS_TITLE
    assert "&lt;script&gt;" in client.get("/search?q=进贤").get_data(as_text=True)


@pytest.mark.parametrize("given, expected", [
    ("a<mark>b</mark>c", "a<mark>b</mark>c"),
    ("&lt;script&gt;x", "&lt;script&gt;x"),                          # already escaped: not doubled
    ("<script>alert(1)</script><mark>m</mark>", "alert(1)<mark>m</mark>"),
    ('<mark onclick="x()">m</mark>', "m"),                           # a mark with attributes is not a mark
    ("<img src=x onerror=alert(1)>t", "t"),
    ("<MARK>m", "<mark>m</mark>"),                                   # unbalanced: closed
    ("</mark>m", "m"),
    ("a < b & c", "a &lt; b &amp; c"),
    ('"quoted" \'x\'', "&#34;quoted&#34; &#39;x&#39;"),
    (None, ""),
])
def test_marks_keeps_only_mark_tags(given, expected):
    assert str(marks(given)) == expected


@pytest.mark.parametrize("url, expected", [
    ("http://www.qiyang.gov.cn/a.html", "http://www.qiyang.gov.cn/a.html"),
    (" HTTPS://x.test/ ", "HTTPS://x.test/"),
    ("javascript:alert(1)", None), ("JavaScript:alert(1)", None), ("data:text/html,x", None),
    ("//evil.test/", None), ("", None), (None, None), ("http://[::1", None),
])
def test_safe_href_allows_only_http_links(url, expected):
    assert safe_href(url) == expected


@pytest.mark.parametrize("url", ["/", "/search.json?q=方案", "/doc/1", "/doc/1.json", "/doc/999999",
                                 "/status", "/static/style.css", "/search?page=abc"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin")


def test_pages_have_no_inline_script_or_style(client):
    """The CSP forbids them, so a template that used one would silently break."""
    urls = ["/search?q=方案", "/doc/1", "/doc/2", "/doc/2/versions/2", "/doc/3/compare/7", "/templates", "/status"]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert "<script" not in body and "<style" not in body and " style=" not in body, url
        assert " on" + "click" not in body and " on" + "load" not in body, url


# -- every route, junk in every slot -----------------------------------------------------------

JUNK = ["", "abc", "-1", "0", "9" * 30, "\x00\x01", XSS, "２０２４", "1e9", "../../archive.sqlite", '"', "((", "OR",
        "title:", "中" * 600]
PARAMS = ("q", "region", "year", "year_from", "year_to", "theme", "doc_type", "agency", "site", "status", "sort",
          "page", "unknown")
SAMPLES = {"id": ["1", "2", "3", "999999", "99999999999999999999999", "0", "abc", "1.5"],
           "path": ["style.css", "../archive.sqlite", "%2e%2e/x"]}


def route_urls(app) -> list[str]:
    """Every GET route with each sample in its variables, and with junk in every query parameter."""
    import re
    from urllib.parse import urlencode

    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        kinds = re.findall(r"<(\w+)(?:\([^)]*\))?:\w+>", rule.rule)
        filled = [re.sub(r"<[^<>]+>", sample, rule.rule) for sample in SAMPLES.get(kinds[0], ["x"])] if kinds \
            else [rule.rule]
        urls += filled
        urls += [f"{filled[0]}?{urlencode({p: junk for p in PARAMS})}" for junk in JUNK]
    return urls


def test_no_route_fails_or_leaks_markup_on_junk(app, client):
    urls = route_urls(app)
    assert len(urls) > 200 and any(u.startswith("/templates.json?") for u in urls)
    for url in urls:
        response = client.get(url)
        body = response.get_data().decode("utf-8", "replace").lower()   # streamed bodies read to the end too
        response.close()
        assert response.status_code < 500, (url, response.status_code)
        assert "Content-Security-Policy" in response.headers, url
        if response.mimetype in ("text/html", "application/json", "application/atom+xml") and "/capture/" not in url:
            assert "<script" not in body, url


def test_new_pages_escape_the_payload(client):
    urls = ["/templates", "/templates.json", f"/templates?q={XSS}", "/status", "/status.json",
            f"/search.atom?q={XSS}", "/search.atom?q=进贤", "/search.jsonl?q=进贤", "/api/openapi.json"]
    for url in urls:
        assert "<script" not in client.get(url).get_data(as_text=True).lower(), url
