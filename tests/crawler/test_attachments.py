"""Files linked from a document page (pdf, doc, docx, wps, xls, xlsx, ofd) are downloaded, kept
byte-exact in the WARC files and tied to their document."""
from __future__ import annotations

import re

from sqlalchemy import select

from archive.config import DataDir
from archive.models import Attachment, Capture, Document
from archive.store import Archive
from archive.warc import read_response


def _attachments(data):
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.engine.connect() as connection:
            return connection.execute(
                select(Document.url, Attachment.url, Attachment.ext, Capture.status, Capture.warc_file,
                       Capture.warc_offset)
                .join(Document, Document.id == Attachment.document_id)
                .outerjoin(Capture, Capture.id == Attachment.capture_id)).all()
    finally:
        archive.close()


def test_every_attachment_is_downloaded_and_tied_to_its_document(family_crawl):
    _, _, data, truth = family_crawl
    expected = {(doc["url"], file["url"]) for doc in truth for file in doc["attachments"]}
    assert len(expected) >= 20
    assert {row[0] for row in expected} and {file["type"] for doc in truth for file in doc["attachments"]} >= {"pdf", "docx"}
    captured = {(doc_url, url) for doc_url, url, _, status, _, _ in _attachments(data) if status == 200}
    assert expected - captured == set()


def test_attachment_bytes_are_in_the_warc_as_served(family_crawl):
    _, _, data, _ = family_crawl
    magic = {"pdf": b"%PDF", "docx": b"PK", "xlsx": b"PK", "ofd": b"PK", "wps": b"\xd0\xcf\x11\xe0"}
    checked = 0
    for _, url, ext, status, warc_file, offset in _attachments(data):
        if ext in magic and status == 200:
            response = read_response(DataDir.resolve(data).warc_dir, warc_file, offset)
            assert response.url == url and response.body.startswith(magic[ext])
            checked += 1
    assert checked >= 10


def test_stored_attachments_have_their_text(family_crawl):
    _, _, data, truth = family_crawl
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.engine.connect() as connection:
            rows = connection.execute(select(Attachment.url, Attachment.ext, Attachment.text)
                                      .where(Attachment.capture_id.is_not(None))).all()
    finally:
        archive.close()
    assert len(rows) >= 20
    empty = [(url, ext) for url, ext, text in rows if not (text or "").strip()]
    assert empty == []
    # a fulltext file holds its document's text, whatever its format
    fulltext = {doc["attachments"][0]["url"]: doc for doc in truth if doc["text_in"] == "attachment"}
    stored = {url: text for url, _, text in rows}
    checked = 0
    for url, doc in fulltext.items():
        if url in stored:
            first = next(line for line in doc["text"].splitlines() if len(line) >= 12)
            assert first[:12] in stored[url].replace("\n", ""), url
            checked += 1
    assert checked >= 1


def test_a_document_whose_page_says_only_see_attachment_is_found_by_its_attachment_text(family_crawl):
    import json

    from tests.conftest import run_govplans

    _, _, data, truth = family_crawl
    page_text = {url: text.split("\n【附件：")[0] for url, text in _texts(data).items()}  # the page's own
    stored = {row[1] for row in _attachments(data) if row[3] == 200}
    found = 0
    for doc in truth:
        if doc["text_in"] != "attachment" or doc["attachments"][0]["url"] not in stored \
                or doc["url"] not in page_text:
            continue
        assert "详见附件" in page_text[doc["url"]]
        # a sentence of its text its page does not show: only the attachment can match it
        phrase = next(s for line in doc["text"].splitlines() for s in re.split(r"[。；，]", line)
                      if 8 <= len(s) <= 30 and s not in page_text[doc["url"]] and s not in doc["title"])
        result = run_govplans("search", f'"{phrase}" "{doc["title"]}"', "--json", data=data)
        assert result.returncode == 0, result.stderr[-2000:]
        urls = [hit["url"] for hit in json.loads(result.stdout)["hits"]]
        assert doc["url"] in urls, (phrase, urls)
        found += 1
        if found >= 2:
            break
    assert found >= 1


def _texts(data) -> dict[str, str]:
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.engine.connect() as connection:
            return dict(connection.execute(select(Document.url, Document.text)).all())
    finally:
        archive.close()


NAV = ("首页", "政务公开", "政务动态", "办事服务", "互动交流", "今天是：", "网站地图")


def test_an_attachment_only_document_text_is_its_short_page_then_its_files_text(family_crawl):
    _, _, data, truth = family_crawl
    texts = _texts(data)
    checked = 0
    for doc in truth:
        if doc["text_in"] != "attachment" or doc["url"] not in texts:
            continue
        text = texts[doc["url"]]
        page, _, files = text.partition("【附件：")
        assert len(page) < 200 and not any(line in NAV for line in page.splitlines()), text[:300]
        first = next(line for line in doc["text"].splitlines() if len(line) >= 12)
        assert first[:12] in files.replace("\n", ""), doc["url"]
        checked += 1
    assert checked >= 3


def test_no_stored_document_text_holds_its_site_navigation(family_crawl):
    _, _, data, _ = family_crawl
    leaking = [url for url, text in _texts(data).items()
               if sum(line.strip() in NAV for line in text.splitlines()) >= 3]
    assert leaking == []


def test_export_carries_every_attachment_with_its_text_and_capture(family_crawl):
    import csv
    import io
    import json

    from tests.conftest import run_govplans

    _, _, data, truth = family_crawl
    result = run_govplans("export", data=data)
    assert result.returncode == 0, result.stderr[-2000:]
    records = {r["url"]: r for r in map(json.loads, result.stdout.splitlines())}
    expected = [doc for doc in truth if doc["attachments"] and doc["url"] in records]
    assert len(expected) >= 10
    for doc in expected:
        files = records[doc["url"]]["attachments"]
        assert [(f["url"], f["type"]) for f in files] == [(f["url"], f["type"]) for f in doc["attachments"]]
        assert all(f["name"] and f["text"] and f["capture"]["warc_file"] and f["capture"]["http_status"] == 200
                   for f in files), files
    result = run_govplans("export", "--format", "csv", "--no-bom", data=data)
    rows = {r["url"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    doc = expected[0]
    assert [f["url"] for f in json.loads(rows[doc["url"]]["attachments"])] == [f["url"] for f in doc["attachments"]]
