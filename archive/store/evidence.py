"""What `govplans verify` reads of the database and the repairs it writes: every pointer into the
WARC files (captures, and the documents, versions and attachments resting on them), documents
re-pointed at an intact capture of their URL, and documents whose evidence is gone marked."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

from sqlalchemy import select, update

from archive.models import Attachment, Capture, Document, Site, Version
from archive.store.database import Archive


@dataclass(frozen=True)
class CaptureRow:
    id: int
    url: str
    status: int
    warc_file: str | None
    warc_offset: int | None
    payload_digest: str
    fetched_at: datetime
    site_id: str | None


def iter_captures(archive: Archive, batch: int = 5000) -> Iterator[CaptureRow]:
    last = 0
    columns = (Capture.id, Capture.url, Capture.status, Capture.warc_file, Capture.warc_offset,
               Capture.payload_digest, Capture.fetched_at, Capture.site_id)
    while True:
        with archive.reading() as s:
            rows = s.execute(select(*columns).where(Capture.id > last).order_by(Capture.id).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield CaptureRow(*row)
        last = rows[-1][0]


def pointers(archive: Archive) -> dict[str, list[tuple[int, int | None, str]]]:
    """(row id, capture id, URL) of every document, version and attachment."""
    with archive.reading() as s:
        return {
            "document": [tuple(r) for r in s.execute(select(Document.id, Document.capture_id, Document.url))],
            "version": [tuple(r) for r in s.execute(
                select(Version.id, Version.capture_id, Document.url).join(Document, Document.id == Version.document_id))],
            "attachment": [tuple(r) for r in s.execute(select(Attachment.id, Attachment.capture_id, Attachment.url))],
        }


def document_ids(archive: Archive) -> set[int]:
    with archive.reading() as s:
        return set(s.scalars(select(Document.id)))


def marked_lost(archive: Archive) -> set[int]:
    with archive.reading() as s:
        return set(s.scalars(select(Document.id).where(Document.evidence_lost_at.is_not(None))))


def site_hints(archive: Archive) -> dict[str, tuple[str, str | None, str | None, str]]:
    """site id -> (id, name, region code, family), for extracting a page again."""
    with archive.reading() as s:
        return {row.id: (row.id, row.name, row.region_code, row.family) for row in s.scalars(select(Site))}


def site_of_document(archive: Archive, doc_id: int) -> str | None:
    with archive.reading() as s:
        return s.scalar(select(Document.site_id).where(Document.id == doc_id))


def repoint(archive: Archive, kind: str, row_id: int, capture_id: int) -> None:
    """A document, version or attachment now rests on another (intact) capture."""
    table = {"document": Document, "version": Version, "attachment": Attachment}[kind]
    with archive.session() as s:
        s.execute(update(table).where(table.id == row_id).values(capture_id=capture_id))


def mark_lost(archive: Archive, doc_ids: Iterable[int], when: datetime) -> int:
    ids = sorted(set(doc_ids))
    with archive.session() as s:
        for start in range(0, len(ids), 500):
            s.execute(update(Document).where(Document.id.in_(ids[start:start + 500]),
                                             Document.evidence_lost_at.is_(None)).values(evidence_lost_at=when))
    return len(ids)


def clear_lost(archive: Archive, doc_ids: Iterable[int]) -> None:
    """Documents found resting on intact evidence again (a repair re-pointed them)."""
    ids = sorted(set(doc_ids))
    with archive.session() as s:
        for start in range(0, len(ids), 500):
            s.execute(update(Document).where(Document.id.in_(ids[start:start + 500]))
                      .values(evidence_lost_at=None))


def iter_captures_by_id(archive: Archive, ids: Iterable[int]) -> Iterator[CaptureRow]:
    wanted = sorted(set(ids))
    columns = (Capture.id, Capture.url, Capture.status, Capture.warc_file, Capture.warc_offset,
               Capture.payload_digest, Capture.fetched_at, Capture.site_id)
    with archive.reading() as s:
        for start in range(0, len(wanted), 500):
            for row in s.execute(select(*columns).where(Capture.id.in_(wanted[start:start + 500]))):
                yield CaptureRow(*row)
