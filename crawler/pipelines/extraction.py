"""Captured pages -> their document fields: extraction as a pipeline step (no database here).

A detail page gets `item.document` (archive.extract, plus what its list row said for fields the
page lacks); an attachment fetched whole gets `item.text`, and `item.ocr` when its text must come from
recognition (an image, a scanned PDF, a text layer that is not text: archive.ocr.detect).
Everything else passes unchanged.

A file's text depends on its bytes, extension and content type alone, so a file whose very bytes
were read already (the same form or table attached to many notices; sha256 of the bytes) gets the
text read then (FileTexts), as a web archive stores a revisit for a payload it holds.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from urllib.parse import urlsplit

from archive.extract import extract_document, parse_date, parse_doc_number
from archive.extract.attachment_text import attachment_text
from archive.extract.document import ExtractedDocument, RawPage
from archive.ocr.detect import needs_ocr


class ExtractionPipeline:
    def __init__(self, reuse_file_texts: bool = True):
        self.file_texts = FileTexts() if reuse_file_texts else None

    def process_item(self, item):
        if item.kind == "detail":
            document = extract_document(RawPage(item.url, item.body, item.headers, item.status), item.site)
            item.document = with_listing(document, item.extra.get("listing"))
        elif item.kind == "attachment" and item.status == 200:
            ext = urlsplit(item.url).path.rsplit(".", 1)[-1]
            content_type = _content_type(item.headers)
            if self.file_texts is None:
                item.text, item.ocr = file_text(item.body, ext, content_type)
            else:
                item.text, item.ocr = self.file_texts.read(item.body, ext, content_type)
        return item


def file_text(body: bytes, ext: str, content_type: str | None) -> tuple[str, str | None]:
    """(the text kept of a file, why it needs recognition or None)."""
    text, errors = attachment_text(body, ext, content_type)
    ocr = needs_ocr(body, ext, text, errors)
    # a text layer that is not text (mojibake, glyph soup) is not indexed: recognition replaces it
    return ("" if ocr and ocr.startswith("pdf: ") and "no text layer" not in ocr else text), ocr


class FileTexts:
    """file_text by the file's bytes (sha256), extension and content type: what was read of the same
    bytes before, else read now. Holds up to `limit` characters of text, the least recently asked
    dropped first."""

    def __init__(self, limit: int = 16 * 1024 * 1024):
        self.limit = limit
        self.size = 0
        self.reused = 0
        self._texts: OrderedDict[tuple, tuple[str, str | None]] = OrderedDict()

    def read(self, body: bytes, ext: str, content_type: str | None) -> tuple[str, str | None]:
        if not isinstance(body, (bytes, bytearray)):
            return file_text(body, ext, content_type)
        key = (hashlib.sha256(body).digest(), ext, content_type)
        known = self._texts.get(key)
        if known is not None:
            self._texts.move_to_end(key)
            self.reused += 1
            return known
        known = file_text(body, ext, content_type)
        if len(known[0]) <= self.limit:
            self._texts[key] = known
            self.size += len(known[0])
            while self.size > self.limit:
                _, (dropped, _) = self._texts.popitem(last=False)
                self.size -= len(dropped)
        return known


def with_listing(document: ExtractedDocument, listing: dict | None) -> ExtractedDocument:
    """Fill the fields a page lacks from what its list row said (dates, 发布机构, 文号, 索引号)."""
    if not listing:
        return document
    changes, sources = {}, dict(document.sources)
    for name in ("published", "written"):
        if getattr(document, name) is None and (value := parse_date(listing.get(name))):
            changes[name] = value
    for name in ("agency", "index_number"):
        if not getattr(document, name) and listing.get(name):
            changes[name] = listing[name]
    if document.doc_number is None and listing.get("doc_number"):
        changes["doc_number"] = parse_doc_number(listing["doc_number"])
    if not changes:
        return document
    sources.update({name: "list" for name in changes})
    return dataclasses.replace(document, sources=sources, **changes)


def _content_type(headers: dict | None) -> str | None:
    return next((str(v) for k, v in (headers or {}).items() if str(k).lower() == "content-type"), None)


WARM_UP_PAGE = ("<html><head><title>关于印发工作方案的通知</title></head><body><h1>关于印发工作方案的通知</h1>"
                "<div class='content'><p>发布日期：2024-06-01</p><p>为做好相关工作，制定本方案。</p></div></body></html>")


def warm_up() -> None:
    """Load what extraction loads on first use (file readers, charset detection, themes and regions
    tables, trafilatura's first call), so that processes forked after it share it instead of each
    paying for it: the archive writer calls this before it forks several extractors."""
    import charset_normalizer  # noqa: F401
    import docx  # noqa: F401
    import openpyxl  # noqa: F401
    import pypdf  # noqa: F401

    extract_document(RawPage("http://warm-up.invalid/t20240601_1.html", WARM_UP_PAGE.encode("utf-8"),
                             {"Content-Type": "text/html; charset=utf-8"}, 200))
