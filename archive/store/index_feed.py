"""What the search index is built from: a document's fields, its text and its attachments' texts.
The index is derived: archive/operations/indexing.py feeds these to archive.index."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Iterator

from sqlalchemy import select

from archive.index.api import IndexDoc
from archive.index.cites import term as cite_term
from archive.models import Attachment, Citation, Document
from archive.store.database import Archive


def iter_documents(archive: Archive, batch: int = 500) -> Iterator[Document]:
    """All documents in id order, streamed in batches to keep memory flat."""
    last = 0
    while True:
        with archive.reading() as s:
            rows = s.scalars(select(Document).where(Document.id > last).order_by(Document.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def iter_index_docs(archive: Archive, updated_since: datetime | None = None, batch: int = 500) -> Iterator[IndexDoc]:
    """Index entries: a document's text followed by its attachments' texts (a page that says
    only 详见附件 is found by its file's words). Attachments linked after a document's last
    update reach its entry at the next full index update (`govplans index`, or a crawl,
    which updates the index after its pipeline has stored the files)."""
    pending: list[Document] = []
    for row in iter_documents(archive, batch):
        if updated_since is None or row.updated_at >= updated_since:
            pending.append(row)
            if len(pending) >= batch:
                yield from _index_docs(archive, pending)
                pending = []
    yield from _index_docs(archive, pending)


def _index_docs(archive: Archive, rows: list[Document]) -> Iterator[IndexDoc]:
    if not rows:
        return
    texts: dict[int, list[str]] = {}
    with archive.reading() as s:
        found = s.execute(select(Attachment.document_id, Attachment.text)
                          .where(Attachment.document_id.in_([row.id for row in rows]),
                                 Attachment.text.is_not(None), Attachment.text != "")
                          .order_by(Attachment.id))
        for doc_id, text in found:
            texts.setdefault(doc_id, []).append(text)
        cited: dict[int, list[str]] = {}
        found = s.execute(select(Citation.document_id, Citation.number_key, Citation.issuer)
                          .where(Citation.document_id.in_([row.id for row in rows]), Citation.number_key.is_not(None))
                          .order_by(Citation.position))
        for doc_id, key, issuer in found:
            cited.setdefault(doc_id, []).append(cite_term(key, issuer))
    for row in rows:
        yield to_index_doc(row, texts.get(row.id, ()), cited.get(row.id, ()))


def to_index_doc(row: Document, attachment_texts: Iterable[str] = (), cites: Iterable[str] = ()) -> IndexDoc:
    """The index entry of a document; attachment texts follow its own text, one per line."""
    text = row.text or ""
    extra = [t for t in attachment_texts if t]
    if extra:
        text = text + "\n" + "\n".join(extra)
    return IndexDoc(doc_id=row.id, url=row.url, title=row.title or "", text=text,
                    published=row.published, year=row.year, region_code=row.region_code,
                    province=row.province, city=row.city, county=row.county, themes=tuple(row.themes or ()),
                    doc_type=row.doc_type, agency=row.agency, site=row.site_id, status=row.status,
                    cluster_id=row.cluster_id, cites=tuple(dict.fromkeys(cites)))
