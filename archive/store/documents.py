"""How a document is written: its content hash (what counts as an edit) and its row filled from an
extracted page. Archive.ingest (database.py) uses these."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from archive.extract.citations import title_key
from archive.extract.docnumber import number_key
from archive.extract.document import ExtractedDocument
from archive.models import Document, Version

_SPACE = re.compile(r"\s+")


def content_hash(title: str | None, text: str) -> str:
    """Hash of the normalised title and text: whitespace and width differences are not edits."""
    normal = unicodedata.normalize("NFKC", f"{title or ''}\n{text}")
    return hashlib.sha256(_SPACE.sub("", normal).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IngestResult:
    document_id: int
    outcome: str  # new / changed / unchanged


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
