"""The archive's handle on its database: engine, sessions, migrations, and the writes of a crawl
(sites, captures, documents and their versions, withdrawals, attachments, clusters).

Open one per process (or per crawl) and share it: opening runs the migrations.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Iterator

from sqlalchemy import create_engine, event, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from archive.clock import utcnow
from archive.config import sqlite_busy_timeout
from archive.dedup.keys import DEFAULT, DedupSettings
from archive.extract.document import ExtractedDocument
from archive.models import Attachment, Capture, Document, DocumentEvent, Site, Version
from archive.store.citations import rebuild_citations, refresh_citations
from archive.store.clusters import assign_cluster, rebuild_clusters
from archive.store.migrations import upgrade
from archive.store.documents import IngestResult, content_hash, fill, latest_version, printed_labels
from archive.warc import WarcLocation


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout() * 1000)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Archive:
    def __init__(self, database_url: str, dedup_settings: DedupSettings = DEFAULT):
        self.engine: Engine = create_engine(database_url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.dedup_settings = dedup_settings

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction, committed when the block ends without an error."""
        with self._sessions() as session:
            with session.begin():
                yield session

    def reading(self) -> Session:
        """A session for reads (`with archive.reading() as s:`): nothing is committed."""
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()

    def check_writable(self) -> None:
        """Take and release the write lock once: a locked or read-only database fails here, before a
        crawl starts, with the error storage_problem() explains."""
        with self.session() as s:
            s.execute(update(Site).where(Site.id.is_(None)).values(name=Site.name))

    # sites -------------------------------------------------------------------------------
    def upsert_site(self, entry: dict) -> None:
        with self.session() as s:
            site = s.get(Site, entry["id"]) or Site(id=entry["id"])
            site.name = entry.get("name") or entry["id"]
            site.region_code = str(entry["region"]) if entry.get("region") else None
            site.family = entry.get("family", "generic")
            site.base_url = entry["base_url"]
            site.columns = list(entry.get("columns") or [])
            site.farm = bool(entry.get("farm", False))
            s.add(site)

    # captures ----------------------------------------------------------------------------
    def record_capture(self, url: str, status: int, headers: dict, location: WarcLocation | None,
                       site_id: str | None = None, fetched_at: datetime | None = None) -> int:
        with self.session() as s:
            capture = Capture(url=url, site_id=site_id, fetched_at=fetched_at or utcnow(), status=status,
                              headers=dict(headers), payload_digest=location.payload_digest if location else "",
                              warc_file=location.file if location else None,
                              warc_offset=location.offset if location else None,
                              warc_length=location.length if location else None)
            s.add(capture)
            s.flush()
            return capture.id

    # documents ---------------------------------------------------------------------------
    def ingest(self, doc: ExtractedDocument, site_id: str | None = None, capture_id: int | None = None,
               seen_at: datetime | None = None, run_id: int | None = None) -> IngestResult:
        """Store one extracted page; the same content twice changes nothing but last_seen.
        With a run_id, a new or changed document is recorded as that run's event."""
        seen_at = seen_at or utcnow()
        digest = content_hash(doc.title, doc.text)
        with self.session() as s:
            row = s.scalar(select(Document).where(Document.url == doc.url))
            if row is None:
                row = Document(url=doc.url, first_seen=seen_at, status="active")
                outcome = "new"
            elif row.content_hash == digest:
                row.last_seen = max(row.last_seen, seen_at)
                s.execute(update(Version).where(Version.document_id == row.id,
                                                Version.number == latest_version(row.id),
                                                or_(Version.last_seen.is_(None), Version.last_seen < seen_at))
                          .values(last_seen=seen_at))
                if row.status == "withdrawn":
                    row.status = "active"
                    row.withdrawn_at = None
                    row.updated_at = seen_at
                # 有效性 can turn to 失效 without a word of the text changing: keep the page's latest say
                labels = printed_labels(doc)
                if labels != (row.subject, row.validity):
                    row.subject, row.validity = labels
                    row.updated_at = seen_at
                return IngestResult(row.id, "unchanged")
            else:
                row.status = "changed"
                outcome = "changed"
            fill(row, doc, site_id, capture_id, digest, seen_at)
            s.add(row)
            s.flush()
            number = (s.scalar(select(func.max(Version.number)).where(Version.document_id == row.id)) or 0) + 1
            s.add(Version(document_id=row.id, number=number, content_hash=digest, title=doc.title,
                          text=doc.text, seen_at=seen_at, last_seen=seen_at, capture_id=capture_id))
            row.withdrawn_at = None
            assign_cluster(s, row, self.dedup_settings)
            known = {a.url for a in row.attachments}
            for link in doc.attachments:
                if link.url not in known:
                    s.add(Attachment(document_id=row.id, url=link.url, name=link.name, ext=link.ext))
            s.flush()
            refresh_citations(s, row)
            if run_id is not None:
                s.add(DocumentEvent(run_id=run_id, document_id=row.id, kind=outcome, at=seen_at))
            return IngestResult(row.id, outcome)

    def mark_withdrawn(self, url: str, when: datetime | None = None, run_id: int | None = None) -> bool:
        """The page is gone from its site: keep the document, note when (never delete).
        With a run_id, the withdrawal is recorded as that run's event."""
        with self.session() as s:
            row = s.scalar(select(Document).where(Document.url == url))
            if row is None or row.status == "withdrawn":
                return False
            row.status = "withdrawn"
            row.withdrawn_at = row.updated_at = when or utcnow()
            if run_id is not None:
                s.add(DocumentEvent(run_id=run_id, document_id=row.id, kind="withdrawn", at=row.withdrawn_at))
            return True

    def mark_seen(self, url: str, when: datetime | None = None) -> int | None:
        """A 304 for a known document: it is still there, unchanged. Returns its id (None if unknown)."""
        when = when or utcnow()
        with self.session() as s:
            row = s.scalar(select(Document).where(Document.url == url))
            if row is None:
                return None
            row.last_seen = max(row.last_seen, when)
            if row.status == "withdrawn":
                row.status = "active"
                row.updated_at = when
            return row.id

    def link_attachment_capture(self, document_url: str | None, url: str, capture_id: int,
                                text: str | None = None) -> None:
        """Tie a downloaded attachment to its document's attachment row (made if the page lacked it).
        With text (archive.extract.attachment_text), the file's text is kept on the row; the
        document's index entry carries it from the next index update on."""
        with self.session() as s:
            doc = s.scalar(select(Document).where(Document.url == document_url)) if document_url else None
            if doc is None:
                return
            row = s.scalar(select(Attachment).where(Attachment.document_id == doc.id, Attachment.url == url))
            if row is None:
                row = Attachment(document_id=doc.id, url=url, name=url.rsplit("/", 1)[-1],
                                 ext=url.rsplit(".", 1)[-1].lower()[:10])
                s.add(row)
            row.capture_id = capture_id
            if text is not None:
                row.text = text
                s.flush()
                refresh_citations(s, doc)   # the file's references join the page's

    # dedup -------------------------------------------------------------------------------
    def assign_cluster(self, doc_id: int) -> int:
        """Recompute one document's cluster (ingest already does this for new and changed pages)."""
        with self.session() as s:
            return assign_cluster(s, s.get(Document, doc_id), self.dedup_settings, utcnow())

    def rebuild_clusters(self, progress=None) -> int:
        return rebuild_clusters(self._sessions, self.dedup_settings, progress)

    # the citation graph -------------------------------------------------------------------
    def rebuild_citations(self, progress=None) -> int:
        """Every document's references found and resolved again (ingest keeps them current)."""
        return rebuild_citations(self._sessions, progress)
