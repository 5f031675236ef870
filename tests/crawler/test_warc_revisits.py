"""Unchanged content goes to the WARC files as `revisit` records (WARC 1.1): a 200 with the payload
digest of the URL's latest capture (identical-payload-digest) and a 304 to a conditional request
(server-not-modified), each with its request record; a changed page is written in full."""
from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator

from archive.store import Archive
from archive.warc import IDENTICAL_PAYLOAD, NOT_MODIFIED, iter_responses, read_response
from crawler.middlewares.warc import WarcCaptureMiddleware

SITE = {"id": "s1", "name": "Site", "region": None, "family": "generic", "base_url": "http://s.test/",
        "columns": [], "farm": True}


def _exchange(middleware, archive, url, body=b"", status=200, headers=None, request_headers=None):
    request = Request(url, headers=request_headers or {}, meta={"site_id": "s1"})
    response = HtmlResponse(url, status=status, body=body, headers=headers or {"Content-Type": "text/html"},
                            request=request)
    location = middleware.capture(request, response)
    archive.record_capture(url, status, dict(headers or {}), location, site_id="s1")
    return location


def _records(warc_dir, names):
    out = []
    for name in sorted(names):
        with open(warc_dir / name, "rb") as handle:
            out += [(r.rec_type, dict(r.rec_headers.headers)) for r in ArchiveIterator(handle)]
    return out


def test_recrawl_writes_revisits_for_unchanged_pages_and_full_records_for_changed(tmp_path):
    warc_dir, db = tmp_path / "warc", f"sqlite:///{tmp_path / 'archive.sqlite'}"
    archive = Archive(db)
    archive.upsert_site(SITE)
    pages = {f"http://s.test/{n}.html": f"<html><body>第{n}号文件</body></html>".encode() * 50 for n in range(6)}
    first = WarcCaptureMiddleware(str(warc_dir), archive=archive)
    originals = {url: _exchange(first, archive, url, body, headers={"Content-Type": "text/html", "ETag": f'"{n}"'})
                 for n, (url, body) in enumerate(pages.items())}
    first.close()
    day0 = {p.name for p in warc_dir.iterdir()}
    day0_bytes = sum(p.stat().st_size for p in warc_dir.iterdir())

    # day 1: four unchanged (two answered 200, two 304 to If-None-Match), one changed, one new URL
    second = WarcCaptureMiddleware(str(warc_dir), archive=archive)
    urls = list(pages)
    locations = {}
    for url in urls[:2]:
        locations[url] = _exchange(second, archive, url, pages[url])
    for n, url in enumerate(urls[2:4], start=2):
        locations[url] = _exchange(second, archive, url, status=304, headers={"ETag": f'"{n}"'},
                                   request_headers={"If-None-Match": f'"{n}"'})
    changed = _exchange(second, archive, urls[4], pages[urls[4]] + b"<p>edited</p>")
    new = _exchange(second, archive, "http://s.test/new.html", b"<p>new</p>")
    # the same unchanged page twice in one crawl: the second refers to the record written in this crawl
    again = _exchange(second, archive, urls[4], pages[urls[4]] + b"<p>edited</p>")
    second.close()
    assert second.revisits == 5

    day1 = {p.name for p in warc_dir.iterdir()} - day0
    day1_bytes = sum((warc_dir / name).stat().st_size for name in day1)
    print(f"day 0: {day0_bytes} bytes for 6 pages; day 1: {day1_bytes} bytes for 7 exchanges, 5 of them revisits")
    records = _records(warc_dir, day1)
    kinds = [kind for kind, _ in records]
    assert kinds.count("revisit") == 5 and kinds.count("response") == 2 and kinds.count("request") == 7
    revisits = [head for kind, head in records if kind == "revisit"]
    day0_ids = {head["WARC-Target-URI"]: (head["WARC-Record-ID"], head["WARC-Date"])
                for kind, head in _records(warc_dir, day0) if kind == "response"}
    profiles = [head["WARC-Profile"] for head in revisits]
    assert profiles == [IDENTICAL_PAYLOAD] * 2 + [NOT_MODIFIED] * 2 + [IDENTICAL_PAYLOAD]
    for head in revisits[:4]:
        url = head["WARC-Target-URI"]
        assert head["WARC-Refers-To-Target-URI"] == url
        assert (head["WARC-Refers-To"], head["WARC-Refers-To-Date"]) == day0_ids[url]
        assert head["WARC-Payload-Digest"] == originals[url].payload_digest
        assert head["WARC-Record-ID"].startswith("<urn:uuid:")
    response_ids = {head["WARC-Record-ID"] for kind, head in records if kind == "response"}
    assert revisits[4]["WARC-Refers-To"] in response_ids

    # every capture row reads back the payload: a revisit's row points at the record it refers to
    for url in urls[:4]:
        assert (locations[url].file, locations[url].offset) == (originals[url].file, originals[url].offset)
        assert read_response(warc_dir, locations[url].file, locations[url].offset).body == pages[url]
        assert locations[url].revisit[0] in day1
    assert changed.revisit is None and changed.payload_digest != originals[urls[4]].payload_digest
    assert (again.file, again.offset) == (changed.file, changed.offset) and again.revisit
    assert new.revisit is None
    # iteration: each revisit stands for its response, with the original body (a 304 with none)
    bodies = {(response.url, response.status): response.body for _, _, response in iter_responses(warc_dir)}
    assert bodies[(urls[0], 200)] == pages[urls[0]] and bodies[(urls[2], 304)] == b""
    archive.close()


def test_a_304_without_a_conditional_request_or_an_earlier_capture_is_kept_whole(tmp_path):
    warc_dir, db = tmp_path / "warc", f"sqlite:///{tmp_path / 'archive.sqlite'}"
    archive = Archive(db)
    archive.upsert_site(SITE)
    middleware = WarcCaptureMiddleware(str(warc_dir), archive=archive)
    _exchange(middleware, archive, "http://s.test/a.html", b"<p>a</p>")
    plain_304 = _exchange(middleware, archive, "http://s.test/a.html", status=304)
    unknown = _exchange(middleware, archive, "http://s.test/b.html", status=304,
                        request_headers={"If-None-Match": '"x"'})
    middleware.close()
    archive.close()
    assert plain_304.revisit is None and unknown.revisit is None and middleware.revisits == 0
