"""Extraction: the bytes of one page -> its document fields, as a cascade of pure steps.

    decode -> parse -> metadata (meta tags, labelled lines) -> body -> fields -> classify
"""
from __future__ import annotations

from datetime import date
from typing import Callable, TypeVar

from .attachments import attachments as find_attachments
from .body import looks_governmental, main_text
from .classify import doc_type as find_doc_type, plan_year
from .dates import parse_date
from .decoding import decode
from .docnumber import parse_doc_number
from .document import (AttachmentLink, DocNumber, ExtractedDocument, RawPage, Region,
                       SiteHint)
from .dom import clean_text, parse, render_lines
from .images import body_images
from .fields import (date_near_title, first_date, pick_agency, pick_doc_number,
                     pick_index_number, pick_subject, pick_validity, signature_date)
from .navigation import nav_texts
from .metadata import labelled_values, merged, meta_tags, paired_values
from .outline import outline as find_outline
from .region import pick_region
from .site_chrome import template_lines
from .titles import pick_title

__all__ = ["extract_document", "decode", "parse_doc_number", "parse_date", "RawPage",
           "ExtractedDocument", "SiteHint", "DocNumber", "Region", "AttachmentLink"]

T = TypeVar("T")


def extract_document(raw: RawPage, site: SiteHint | None = None) -> ExtractedDocument:
    """Bytes of one page -> its document fields; never raises: problems go into .errors."""
    errors: list[str] = []
    try:
        return _extract(raw, site, errors)
    except Exception as exc:  # the last net: a bug in one step must not lose the page
        errors.append(f"extract: {type(exc).__name__}: {exc}")
        return ExtractedDocument(url=raw.url if isinstance(raw.url, str) else "", errors=tuple(errors))


def _extract(raw: RawPage, site: SiteHint | None, errors: list[str]) -> ExtractedDocument:
    body = raw.body if isinstance(raw.body, (bytes, bytearray)) else b""
    if not body:
        errors.append("empty body")
    if raw.status and raw.status >= 400:
        errors.append(f"http status {raw.status}")
    html, encoding = _step("decode", errors, ("", None), lambda: decode(bytes(body), raw.headers or {}))
    tree = _step("parse", errors, None, lambda: parse(html))
    if tree is None:
        if body:
            errors.append("no html to parse")
        return ExtractedDocument(url=raw.url, errors=tuple(errors),
                                 sources={"encoding": encoding} if encoding else {})
    if "\ufffd" in html[:20000] and html[:20000].count("\ufffd") > 20:
        errors.append(f"decode: many undecodable bytes with {encoding}")

    sources: dict[str, str] = {"encoding": encoding}
    lines = _step("lines", errors, [], lambda: render_lines(tree))
    meta = _step("meta", errors, {}, lambda: meta_tags(tree))
    labelled = _step("labels", errors, {}, lambda: labelled_values(lines))
    labelled = _step("label layouts", errors, labelled, lambda: merged(labelled, paired_values(tree)))
    page_title = clean_text(tree.findtext(".//title")) if tree.find(".//title") is not None else None
    nav = _step("navigation", errors, frozenset(), lambda: nav_texts(tree))
    title = _step("title", errors, None, lambda: pick_title(tree, meta, page_title, labelled.get("title", []), nav))
    government = _step("government", errors, True, lambda: looks_governmental(raw.url, meta, labelled, lines))
    text = _step("body", errors, "", lambda: main_text(tree, raw.url, title.value if title else None,
                                                       government, nav))

    if title:
        sources["title"] = title.source

    published, where = _pick_published(labelled, lines, meta, title.value if title else None, errors)
    if where:
        sources["published"] = where

    written, where = first_date(labelled.get("written", []))
    if not written:
        written, where = _step("signature", errors, (None, None), lambda: signature_date(text))
    if where:
        sources["written"] = where

    agency = pick_agency(labelled.get("agency", []))  # an unprinted ContentSource is often stale
    if agency:
        sources["agency"] = agency.source
    index_number = pick_index_number(labelled.get("index_number", []))
    if index_number:
        sources["index_number"] = index_number.source
    doc_number, where = _step("doc_number", errors, (None, None), lambda: pick_doc_number(
        labelled.get("doc_number", []), title.value if title else None, text, lines))
    if where:
        sources["doc_number"] = where

    subject = pick_subject(labelled.get("subject", []))
    if subject:
        sources["subject"] = subject.source
    validity = pick_validity(labelled.get("validity", []))
    if validity:
        sources["validity"] = validity.source

    title_text = title.value if title else None
    pictures = _step("images", errors, (), lambda: body_images(tree, raw.url))
    if pictures:
        sources["text_in"] = "image"     # the body is a picture: its text comes from recognition
    year, where = plan_year(title_text, published or written)
    if where:
        sources["year"] = where
    region, where = _step("region", errors, (Region(), None), lambda: pick_region(
        site, meta, lines, agency.value if agency else None))
    if where:
        sources["region"] = where

    return ExtractedDocument(
        url=raw.url,
        title=title_text,
        published=published,
        written=written,
        agency=agency.value if agency else None,
        doc_number=doc_number,
        index_number=index_number.value if index_number else None,
        subject=subject.value if subject else None,
        validity=validity.value if validity else None,
        region=region,
        year=year,
        doc_type=find_doc_type(title_text),
        themes=_step("themes", errors, (), lambda: _themes(title_text, text)),
        text=text,
        outline=_step("outline", errors, (), lambda: find_outline(text)),
        attachments=_step("attachments", errors, (), lambda: find_attachments(tree, raw.url) + pictures),
        sources=sources,
        errors=tuple(errors),
        page_lines=_step("template lines", errors, (), lambda: template_lines(tree, lines)),
    )


def _pick_published(labelled, lines, meta, title, errors) -> tuple[date | None, str | None]:
    """Visible 发布日期 beats the meta tag: CMS rebuilds rewrite PubDate."""
    published, where = first_date(labelled.get("published", []))
    if not published:
        published, where = _step("near-title date", errors, (None, None),
                                 lambda: date_near_title(lines, title))
    if not published:
        published, where = first_date(meta.get("published", []))
    return published, where


def _themes(title: str | None, text: str) -> tuple[str, ...]:
    from archive.themes import themes_for
    return themes_for(title, text)


def _step(name: str, errors: list[str], default: T, run: Callable[[], T]) -> T:
    try:
        return run()
    except Exception as exc:  # one failed step leaves its fields empty, the rest go on
        errors.append(f"{name}: {type(exc).__name__}: {exc}")
        return default
