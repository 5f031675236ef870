"""What replay tools need of the archive: each document's page (URL, title, capture time), the WARC
records its evidence is in, and the address of its archived copy in the form pywb and
ReplayWeb.page use: PREFIX/YYYYMMDDhhmmss/URL (the `id_` modifier asks for the bytes as captured)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import select

from archive.models import Attachment, Capture, Document, Version
from archive.read.export import ExportFilters, filter_clauses
from archive.store.database import Archive


@dataclass(frozen=True)
class ReplayPage:
    doc_id: int
    url: str
    title: str
    fetched_at: datetime
    record: tuple[str, int]                      # (WARC file, offset) of its own capture's record
    records: tuple[tuple[str, int, int], ...]   # (WARC file, offset, length) of every capture it rests on


def stamp(moment: datetime) -> str:
    """The 14-digit timestamp of replay addresses."""
    return moment.strftime("%Y%m%d%H%M%S")


def replay_address(prefix: str, moment: datetime, url: str, raw: bool = False) -> str:
    """PREFIX/TIMESTAMP/URL, or PREFIX/TIMESTAMPid_/URL for the bytes as captured."""
    return f"{prefix.rstrip('/')}/{stamp(moment)}{'id_' if raw else ''}/{url}"


def replay_pages(archive: Archive, filters: ExportFilters = ExportFilters(), batch: int = 500) -> Iterator[ReplayPage]:
    """Documents matching `filters` that rest on a capture, in id order, with their versions' and
    attachments' records."""
    query = (select(Document.id, Document.url, Document.title, Capture.fetched_at, Capture.warc_file,
                    Capture.warc_offset, Capture.warc_length)
             .join(Capture, Capture.id == Document.capture_id)
             .where(Capture.warc_file.is_not(None), *filter_clauses(filters)).order_by(Document.id).limit(batch))
    last = 0
    while True:
        with archive.reading() as s:
            rows = s.execute(query.where(Document.id > last)).all()
            if not rows:
                return
            ids = [row[0] for row in rows]
            more: dict[int, set] = {i: set() for i in ids}
            for table in (Version, Attachment):
                for doc_id, *where in s.execute(
                        select(table.document_id, Capture.warc_file, Capture.warc_offset, Capture.warc_length)
                        .join(Capture, Capture.id == table.capture_id)
                        .where(table.document_id.in_(ids), Capture.warc_file.is_not(None))):
                    more[doc_id].add(tuple(where))
        for doc_id, url, title, fetched_at, file, offset, length in rows:
            records = {(file, offset, length)} | more[doc_id]
            yield ReplayPage(doc_id, url, title or "", fetched_at, (file, offset), tuple(sorted(records)))
        last = ids[-1]
