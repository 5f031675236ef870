"""How a document is written: its content hash (a page seen again as it was), whether a different
extraction is an edit (archive/store/revisions.py) or the same content re-extracted in place, its row
filled from an extracted page, and a replaced attachment as a new version. Archive.ingest and
Archive.link_attachment_capture (database.py) use these."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.extract.citations import title_key
from archive.extract.docnumber import number_key, parse_doc_number
from archive.extract.document import ExtractedDocument
from archive.models import Attachment, Document, DocumentEvent, SiteEvent, Version
from archive.nfkc import nfkc
from archive.store import revisions

_SPACE = re.compile(r"\s+")


def content_hash(title: str | None, text: str) -> str:
    """Hash of the normalised title and text: whitespace and width differences are not edits."""
    normal = nfkc(f"{title or ''}\n{text}")
    return hashlib.sha256(_SPACE.sub("", normal).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IngestResult:
    document_id: int
    outcome: str  # new / changed / unchanged / reextracted (same content, extraction changed: no version)


def latest_version(doc_id: int):
    return select(func.max(Version.number)).where(Version.document_id == doc_id).scalar_subquery()


def printed_labels(doc: ExtractedDocument) -> tuple[str | None, str | None]:
    """主题分类 and 有效性, cut to their columns."""
    return (doc.subject[:200] if doc.subject else None), (doc.validity[:20] if doc.validity else None)


def fill(row: Document, doc: ExtractedDocument, site_id, capture_id, digest: str, seen_at: datetime) -> None:
    row.site_id = site_id
    row.title = doc.title
    row.published = doc.published
    row.written = doc.written
    row.agency = doc.agency
    row.doc_number = doc.doc_number.raw if doc.doc_number else None
    row.doc_number_key = number_key(doc.doc_number)
    # as citations.py reads it back: parsed from the 文号 as printed
    printed = parse_doc_number(row.doc_number)
    row.doc_number_issuer = printed.issuer if printed else None
    row.title_key = title_key(doc.title)
    row.index_number = doc.index_number
    row.subject, row.validity = printed_labels(doc)
    row.region_code = doc.region.code
    row.province, row.city, row.county = doc.region.province, doc.region.city, doc.region.county
    row.year = doc.year
    row.doc_type = doc.doc_type
    row.themes = list(doc.themes)
    row.text = doc.text
    row.outline = list(doc.outline)
    row.sources = dict(doc.sources)
    row.content_hash = digest
    row.last_seen = seen_at
    row.updated_at = seen_at
    row.capture_id = capture_id


# fields a new extraction leaves as they were when it finds nothing (a template that hides them)
KEPT_WHEN_MISSING = ("published", "written", "agency", "doc_number", "index_number", "subject", "validity")
SITE_EVENT_URLS = 5


def stored_content(s: Session, row: Document) -> revisions.Content:
    """What the stored document says on its page: the latest version's text (the row's text also
    holds its files' texts, store/composition.py; files are compared apart)."""
    page = s.scalar(select(Version.text).where(Version.document_id == row.id, Version.number == latest_version(row.id)))
    return revisions.Content(row.title, page if page is not None else (row.text or ""),
                             {name: getattr(row, name) for name in revisions.META_FIELDS})


def extracted_content(doc: ExtractedDocument) -> revisions.Content:
    meta = {name: getattr(doc, name) for name in revisions.META_FIELDS}
    meta["doc_number"] = doc.doc_number.raw if doc.doc_number else None
    return revisions.Content(doc.title, doc.text or "", meta)


def shared_with_site(s: Session, row: Document, learned: set[str]) -> Callable[[str], bool]:
    """Whether a line is the site's template: judged so earlier, carried by other documents of the
    site, or another document's title standing alone (a 相关文章 / 上一篇 list)."""
    def shared(line: str) -> bool:
        key = revisions.normal(line)
        if key in learned:
            return True
        if row.site_id is None:
            return False
        titled = s.scalar(select(Document.id).where(Document.site_id == row.site_id, Document.id != row.id,
                                                    Document.title == line.strip()).limit(1))
        if titled is not None:
            return True
        others = s.scalars(select(Document.id).where(Document.site_id == row.site_id, Document.id != row.id,
                                                     Document.text.contains(line.strip(), autoescape=True))
                           .limit(revisions.SHARED_MIN)).all()
        if len(others) >= revisions.SHARED_MIN:
            learned.add(key)
            return True
        return False
    return shared


def reextracted_in_place(s: Session, row: Document, doc: ExtractedDocument, site_id, capture_id, digest: str,
                         seen_at: datetime) -> None:
    """The same content extracted differently: the row and its latest version take the new extraction
    (a value the new one lacks is kept), no version is added, and the row is marked re-extracted."""
    kept = {name: getattr(row, name) for name in KEPT_WHEN_MISSING}
    status, first_seen = row.status, row.first_seen
    fill(row, doc, site_id, capture_id, digest, seen_at)
    for name, value in kept.items():
        if getattr(row, name) in (None, "") and value not in (None, ""):
            setattr(row, name, value)
    row.status = "active" if status == "withdrawn" else status
    row.withdrawn_at = None
    row.first_seen = first_seen
    row.reextracted_at = seen_at
    version = s.scalar(select(Version).where(Version.document_id == row.id, Version.number == latest_version(row.id)))
    if version is not None:
        version.title, version.text, version.content_hash = doc.title, doc.text, digest
        version.last_seen = seen_at
    known = {a.url for a in row.attachments}
    for link in doc.attachments:
        if link.url not in known:
            s.add(Attachment(document_id=row.id, url=link.url, name=link.name, ext=link.ext))


def note_site_event(s: Session, site_id: str | None, run_id: int | None, url: str, at: datetime,
                    kind: str = "reextracted") -> None:
    """Count one more page of the run that was re-extracted without a new version."""
    if site_id is None:
        return
    query = select(SiteEvent).where(SiteEvent.site_id == site_id, SiteEvent.kind == kind)
    query = query.where(SiteEvent.run_id == run_id) if run_id is not None else \
        query.where(SiteEvent.run_id.is_(None), SiteEvent.at == at)
    found = s.scalar(query)
    if found is None:
        found = SiteEvent(site_id=site_id, run_id=run_id, kind=kind, at=at, documents=0, detail={"urls": []})
        s.add(found)
    found.documents = (found.documents or 0) + 1
    urls = list((found.detail or {}).get("urls", []))
    if len(urls) < SITE_EVENT_URLS:
        found.detail = {"urls": urls + [url]}


def version_attachment_text(row: Document) -> str | None:
    return revisions.attachment_text((a.name or a.url.rsplit("/", 1)[-1], a.text)
                                     for a in sorted(row.attachments, key=lambda a: a.id or 0))


def attachment_replaced(attachment: Attachment, text: str | None, digest: str | None,
                        previous_digest: str | None) -> bool:
    """Whether a file fetched again says something else than the one stored: other bytes and other
    text, where both captures had text (a file first read, or read better, is not an edit)."""
    if previous_digest is None or digest is None or digest == previous_digest:
        return False
    if not attachment.text or not text:
        return False
    return revisions.body_differs(attachment.text, text)


def new_attachment_version(s: Session, doc: Document, at: datetime, run_id: int | None, capture_id: int) -> str:
    """The document's files changed: a new version (or, when this run already made one, that one
    takes the files' text) and a `changed` event of the run. Returns the outcome."""
    current = s.scalar(select(Version).where(Version.document_id == doc.id, Version.number == latest_version(doc.id)))
    same_run = run_id is not None and s.scalar(select(DocumentEvent.id).where(
        DocumentEvent.run_id == run_id, DocumentEvent.document_id == doc.id,
        DocumentEvent.kind.in_(("new", "changed"))).limit(1)) is not None
    if current is not None and same_run:
        current.attachment_text = version_attachment_text(doc)
        return "unchanged"
    number = (current.number if current is not None else 0) + 1
    page_text = current.text if current is not None else doc.text  # a version holds its page's text
    s.add(Version(document_id=doc.id, number=number, content_hash=doc.content_hash, title=doc.title, text=page_text,
                  seen_at=at, last_seen=at, capture_id=capture_id, attachment_text=version_attachment_text(doc)))
    doc.status = "changed"
    doc.updated_at = at
    if run_id is not None:
        s.add(DocumentEvent(run_id=run_id, document_id=doc.id, kind="changed", at=at))
    return "changed"
