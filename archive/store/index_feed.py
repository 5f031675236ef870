"""What the search index is built from: a document's fields and its text (its attachments' included).
The index is derived: archive/operations/indexing.py feeds these to archive.index."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Iterator

from sqlalchemy import select

from archive.index.api import IndexDoc
from archive.index.cites import term as cite_term
from archive.models import Citation, Document
from archive.store.database import Archive


def iter_documents(archive: Archive, batch: int = 500, updated_since: datetime | None = None) -> Iterator[Document]:
    """All documents (or those updated since a time) in id order, streamed in batches to keep memory flat."""
    last = 0
    since = () if updated_since is None else (Document.updated_at >= updated_since,)
    while True:
        with archive.reading() as s:
            rows = s.scalars(select(Document).where(Document.id > last, *since)
                             .order_by(Document.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def iter_index_docs(archive: Archive, updated_since: datetime | None = None, batch: int = 500) -> Iterator[IndexDoc]:
    """Index entries. A document's text already holds its attachments' texts (store/composition.py:
    a page that says only 详见附件 is found by its file's words); a file's text arriving after the
    page moves the document's updated_at, so an update since then re-indexes it. Each entry carries
    the 文号 its document cites (`cites:` in a query). An update reads the documents it indexes, not
    the archive: updated_at is indexed."""
    pending: list[Document] = []
    for row in iter_documents(archive, batch, updated_since):
        pending.append(row)
        if len(pending) >= batch:
            yield from _index_docs(archive, pending)
            pending = []
    yield from _index_docs(archive, pending)


def _index_docs(archive: Archive, rows: list[Document]) -> Iterator[IndexDoc]:
    if not rows:
        return
    cited: dict[int, list[str]] = {}
    with archive.reading() as s:
        found = s.execute(select(Citation.document_id, Citation.number_key, Citation.issuer)
                          .where(Citation.document_id.in_([row.id for row in rows]), Citation.number_key.is_not(None))
                          .order_by(Citation.position))
        for doc_id, key, issuer in found:
            cited.setdefault(doc_id, []).append(cite_term(key, issuer))
    for row in rows:
        yield to_index_doc(row, cited.get(row.id, ()))


def to_index_doc(row: Document, cites: Iterable[str] = ()) -> IndexDoc:
    """The index entry of a document."""
    return IndexDoc(doc_id=row.id, url=row.url, title=row.title or "", text=row.text or "",
                    published=row.published, year=row.year, region_code=row.region_code,
                    province=row.province, city=row.city, county=row.county, themes=tuple(row.themes or ()),
                    doc_type=row.doc_type, agency=row.agency, site=row.site_id, status=row.status,
                    cluster_id=row.cluster_id, cites=tuple(dict.fromkeys(cites)))
