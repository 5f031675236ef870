"""Captured pages -> their document fields: extraction as a pipeline step (no database here).

A detail page gets `item.document` (archive.extract, plus what its list row said for fields the
page lacks); an attachment fetched whole gets `item.text`, and `item.ocr` when its text must come from
recognition (an image, a scanned PDF, a text layer that is not text: archive.ocr.detect).
Everything else passes unchanged.
"""
from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from archive.extract import extract_document, parse_date, parse_doc_number
from archive.extract.attachment_text import attachment_text
from archive.extract.document import ExtractedDocument, RawPage
from archive.ocr.detect import needs_ocr


class ExtractionPipeline:
    def process_item(self, item):
        if item.kind == "detail":
            document = extract_document(RawPage(item.url, item.body, item.headers, item.status), item.site)
            item.document = with_listing(document, item.extra.get("listing"))
        elif item.kind == "attachment" and item.status == 200:
            ext = urlsplit(item.url).path.rsplit(".", 1)[-1]
            text, errors = attachment_text(item.body, ext, _content_type(item.headers))
            item.ocr = needs_ocr(item.body, ext, text, errors)
            # a text layer that is not text (mojibake, glyph soup) is not indexed: recognition replaces it
            item.text = "" if item.ocr and item.ocr.startswith("pdf: ") and "no text layer" not in item.ocr else text
        return item


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
