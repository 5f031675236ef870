"""Fuzz targets: one function per parser, bytes in, an exception out only for a real bug.

Each target turns the fuzzer's bytes into the input its parser takes, calls it, and checks the
promises the parser makes (its docstring's "never raises", ranges, idempotence). An input that
a parser is allowed to refuse (QuerySyntaxError for a bad query) is not a crash; anything
else that escapes is. The same functions run under atheris (fuzz/atheris_driver.py), under the
time-boxed mutational loop (fuzz/loop.py) and from the hypothesis tests in tests/fuzz.
"""
from __future__ import annotations

import codecs
import unicodedata
from datetime import date
from typing import Callable
from urllib.parse import urljoin, urlsplit

# the headers a decoder meets: none, honest, lying, unknown, and hostile labels
HEADERS = (
    None, {}, {"content-type": "text/html"}, {"content-type": "text/html; charset=gbk"},
    {"content-type": "text/html; charset=utf-8"}, {"content-type": "text/html;charset=\"gb2312\""},
    {"content-type": "text/html; charset=big5"}, {"content-type": "text/html; charset=utf-16"},
    {"content-type": "text/html; charset=iso-8859-1"}, {"content-type": "text/html; charset=x-unknown"},
    {"content-type": "text/html; charset=utf-7"}, {"content-type": "charset=" + "a" * 300},
    {"content-type": "text/html; charset=\x00"}, {"content-type": None},
)
# what extraction reports about a page that is simply bad (anything else is a step that raised)
EXPECTED_ERRORS = ("empty body", "http status", "no html to parse", "decode: many undecodable bytes")
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
URLS = ("http://www.qiyang.gov.cn.test/zwgk/202405/t20240524_1.html", "", "not a url", "http://[::1",
        "https://xxgk.example.gov.cn/art/2024/5/5/art_1_2.html?sid=9&i=1")


def text_of(data: bytes) -> str:
    """Bytes -> text reaching every code point: UTF-16 (surrogates kept) when the first byte is odd."""
    if not data:
        return ""
    if data[0] & 1:
        return data[1:].decode("utf-16-le", "replace")
    return data[1:].decode("utf-8", "replace")


def decoding(data: bytes) -> None:
    from archive.extract.decoding import decode, normalise_encoding

    headers = HEADERS[data[0] % len(HEADERS)] if data else None
    body = data[1:]
    text, encoding = decode(body, headers)
    assert isinstance(text, str) and isinstance(encoding, str), (type(text), encoding)
    codecs.lookup(encoding)                       # the capture route serves it as the charset label
    try:
        strict = body.decode("utf-8")
    except UnicodeDecodeError:
        strict = None
    if strict is not None and not body.startswith(BOMS) and encoding == "utf-8":
        assert text == strict, "valid UTF-8 decoded as UTF-8 but the text differs from the bytes"
    normalise_encoding(text_of(data)[:64])


def extraction(data: bytes) -> None:
    from archive.extract import RawPage, extract_document
    from archive.extract.document import ExtractedDocument, SiteHint

    if len(data) < 2:
        data = data + b"\x00\x00"
    headers = HEADERS[data[0] % len(HEADERS)] or {}
    url = URLS[data[1] % len(URLS)]
    site = SiteHint("qiyang", "祁阳市人民政府", "431121", "trs") if data[1] & 0x10 else None
    doc = extract_document(RawPage(url, data[2:], {k: v for k, v in headers.items() if v}, 200), site)
    assert isinstance(doc, ExtractedDocument) and isinstance(doc.errors, tuple)
    # extract_document turns a step's exception into an error string; that is still a bug found
    unexpected = [e for e in doc.errors if not e.startswith(EXPECTED_ERRORS)]
    assert not unexpected, unexpected
    assert isinstance(doc.text, str)
    for when in (doc.published, doc.written):
        assert when is None or (isinstance(when, date) and 1949 <= when.year <= 2100), when
    assert doc.year is None or 1900 <= doc.year <= 2100, doc.year
    if doc.region and doc.region.code:
        assert len(doc.region.code) == 6 and doc.region.code.isdigit(), doc.region


def docnumber(data: bytes) -> None:
    from archive.extract.docnumber import parse_doc_number

    s = text_of(data)
    found = parse_doc_number(s)
    if found is None:
        return
    assert found.raw, found
    assert found.year is None or 1900 <= found.year <= 2099, found
    assert found.number is None or 0 <= found.number < 100_000, found
    squeezed = {x.replace(" ", "").replace("\u3000", "") for x in (s, unicodedata.normalize("NFKC", s))}
    assert any(found.raw in x for x in squeezed), (found.raw, s)


def dates(data: bytes) -> None:
    from archive.extract.dates import MAX_YEAR, MIN_YEAR, find_dates, parse_date

    s = text_of(data)
    found = find_dates(s)
    length = len(unicodedata.normalize("NFKC", s))
    for when, start, end in found:
        assert MIN_YEAR <= when.year <= MAX_YEAR and 0 <= start < end <= length, (when, start, end)
    assert [f[1] for f in found] == sorted(f[1] for f in found)
    assert parse_date(s) == (found[0][0] if found else None)


def query(data: bytes) -> None:
    from archive.index.terms import query_terms
    from archive.index.syntax import ParsedQuery, QuerySyntaxError, parse_query
    from search_ui.query import MAX_PAGE, parse_request

    s = text_of(data)
    try:
        parsed = parse_query(s)
    except QuerySyntaxError as exc:
        assert str(exc), "a refusal carries a message for the reader"
    else:
        assert isinstance(parsed, ParsedQuery)
        for word in parsed.words:
            assert query_terms(word.text), word
    parts = s.split("\n")
    names = ("q", "region", "year", "year_from", "year_to", "theme", "doc_type", "sort", "page", "site")
    req = parse_request(dict(zip(names, parts)))
    assert 1 <= req.page <= MAX_PAGE
    assert req.filters.region is None or (len(req.filters.region) == 6 and req.filters.region.isdigit())
    for name in ("year", "year_from", "year_to"):
        value = getattr(req.filters, name)
        assert value is None or 1900 <= value <= 2100


def urls(data: bytes) -> None:
    import lxml.html

    from crawler.spiders.lists import dated_links, read_pager, usable_href
    from crawler.urls import canonical_url
    from search_ui.filters import safe_href

    s = text_of(data)
    once = canonical_url(s)
    assert isinstance(once, str) and canonical_url(once) == once, (s, once)
    link = safe_href(s)
    if link is not None:
        assert urlsplit(link).scheme.lower() in ("http", "https"), link
    if usable_href(s):
        urljoin("http://www.qiyang.gov.cn.test/zwgk/index.html", s.strip())
    # the list-page readers the spiders run on every scraped href
    page = ("<html><body><ul><li><a href=\"{0}\">关于印发2024年政务公开工作要点的通知</a><span>2024-05-01</span></li>"
            "<li><a href=\"{0}\">下一页</a><a href=\"index_9.html\">尾页</a></li></ul></body></html>")
    escaped = s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;")
    try:
        root = lxml.html.fromstring(page.format(escaped))
    except ValueError:      # lxml refuses NUL bytes and lone surrogates in text
        return
    base = "http://www.qiyang.gov.cn.test/zwgk/index.html"
    dated_links(root, base)
    read_pager(root, base)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "decoding": decoding, "extraction": extraction, "docnumber": docnumber, "dates": dates,
    "query": query, "urls": urls,
}
