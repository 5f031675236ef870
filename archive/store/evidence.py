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


@dataclass
class Rows:
    """What verify checks, read so that it is consistent while crawls write on (see read_rows)."""
    captures: list[CaptureRow]
    pointers: dict[str, list[tuple[int, int | None, str]]]
    documents: set[int]
    marked: set[int]


_CAPTURE_COLUMNS = (Capture.id, Capture.url, Capture.status, Capture.warc_file, Capture.warc_offset,
                    Capture.payload_digest, Capture.fetched_at, Capture.site_id)


def read_rows(archive: Archive) -> Rows:
    """The rows that point at captures first, the captures after them: a capture is committed before
    any row names it, so every capture these rows name is in the list, whether or not the reads
    share one transaction (pysqlite starts none for a SELECT)."""
    with archive.reading() as s:
        pointing = _pointers(s)
        marked = set(s.scalars(select(Document.id).where(Document.evidence_lost_at.is_not(None))))
        captures = [CaptureRow(*row) for row in s.execute(select(*_CAPTURE_COLUMNS).order_by(Capture.id))]
    return Rows(captures, pointing, {row_id for row_id, _, _ in pointing["document"]}, marked)


def _pointers(s) -> dict[str, list[tuple[int, int | None, str]]]:
    """(row id, capture id, URL) of every document, version and attachment."""
    return {
        "document": [tuple(r) for r in s.execute(select(Document.id, Document.capture_id, Document.url))],
        "version": [tuple(r) for r in s.execute(
            select(Version.id, Version.capture_id, Document.url).join(Document, Document.id == Version.document_id))],
        "attachment": [tuple(r) for r in s.execute(select(Attachment.id, Attachment.capture_id, Attachment.url))],
    }


def site_hints(archive: Archive) -> dict[str, tuple[str, str | None, str | None, str]]:
    """site id -> (id, name, region code, family), for extracting a page again."""
    with archive.reading() as s:
        return {row.id: (row.id, row.name, row.region_code, row.family) for row in s.scalars(select(Site))}


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
    with archive.reading() as s:
        for start in range(0, len(wanted), 500):
            for row in s.execute(select(*_CAPTURE_COLUMNS).where(Capture.id.in_(wanted[start:start + 500]))):
                yield CaptureRow(*row)
