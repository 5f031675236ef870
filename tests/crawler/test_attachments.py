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
    archive = Archive(DataDir.resolve(data).database_url)
    try:
        with archive.engine.connect() as connection:
            page_text = dict(connection.execute(select(Document.url, Document.text)).all())
    finally:
        archive.close()
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
