"""The archive's handle on its database: engine, sessions, migrations, and the writes of a crawl
(sites, captures, documents and their versions, withdrawals, attachments, clusters).

Open one per process (or per crawl) and share it: opening runs the migrations.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator

from sqlalchemy import DateTime, bindparam, create_engine, event, func, insert, or_, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

from archive.clock import utcnow
from archive.config import sqlite_busy_timeout
from archive.dedup.keys import DEFAULT, DedupSettings
from archive.extract.composed import compose
from archive.extract.document import ExtractedDocument
from archive.models import Attachment, Capture, Document, DocumentEvent, Site, Version
from archive.store.citations import rebuild_citations, refresh_citations, refresh_many
from archive.store.clusters import assign_cluster, lock_batch_keys, rebuild_clusters
from archive.store.committed import write_committed
from archive.store.composition import composed_change, recompose
from archive.store.migrations import upgrade
from archive.store.documents import (IngestResult, attachment_replaced, content_hash, extracted_content, fill,
                                     new_attachment_version, note_site_event, printed_labels,
                                     reextracted_in_place, shared_with_site, stored_content, version_attachment_text)
from archive.store.revisions import content_changed
from archive.store.site_templates import TemplateCache, learn_and_strip
from archive.warc import WarcLocation


# statements of every page, built once (building one costs more than SQLite running it)
_INSERT_CAPTURE = insert(Capture.__table__).returning(Capture.__table__.c.id)
_DOCUMENT_BY_URL = select(Document).where(Document.url == bindparam("url"))
_DOCUMENTS_BY_URL = select(Document).where(Document.url.in_(bindparam("urls", expanding=True)))
_URLS_PER_SELECT = 500
_CAPTURE_DIGEST = select(Capture.__table__.c.payload_digest).where(Capture.__table__.c.id == bindparam("id"))
_LATEST_NUMBER = select(func.max(Version.number)).where(Version.document_id == bindparam("doc")).scalar_subquery()
_LATEST_VERSION = select(Version.id, Version.text, Version.attachment_text).where(
    Version.document_id == bindparam("doc"), Version.number == _LATEST_NUMBER)
_DOCUMENT_COLUMNS = [c.key for c in Document.__table__.columns if c.key != "id"]
_INSERT_DOCUMENT = insert(Document.__table__).returning(Document.__table__.c.id)
_INSERT_VERSION = insert(Version.__table__)
_INSERT_ATTACHMENT = insert(Attachment.__table__)
_INSERT_EVENT = insert(DocumentEvent.__table__)
# PostgreSQL: a new or changed page's version and its run's event by one statement
_INSERT_VERSION_AND_EVENT_PG = text(
    "WITH version AS (INSERT INTO versions (document_id, number, content_hash, title, text, seen_at, last_seen, "
    "attachment_text, capture_id) VALUES (:document_id, :number, :content_hash, :title, :text, :seen_at, :last_seen, "
    ":attachment_text, :capture_id)) "
    "INSERT INTO document_events (run_id, document_id, kind, at) VALUES (:run_id, :document_id, :kind, :seen_at)"
).bindparams(bindparam("seen_at", type_=DateTime), bindparam("last_seen", type_=DateTime))
_versions = Version.__table__.c
_VERSION_SEEN = (update(Version.__table__)   # an unchanged page: its latest version seen again
                 .where(_versions.document_id == bindparam("doc"),
                        _versions.number == select(func.max(_versions.number))
                        .where(_versions.document_id == bindparam("doc")).scalar_subquery(),
                        or_(_versions.last_seen.is_(None), _versions.last_seen < bindparam("seen")))
                 .values(last_seen=bindparam("seen")))


# pages a connection keeps (KiB): with SQLite's default (2 MiB) most lookups in a 100k archive's
# dedup_keys (23 MB) and LSH key index (52 MB) are read from the OS again; a connection fills its
# cache only as far as it reads
SQLITE_CACHE_KIB = 65536


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout() * 1000)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@dataclass
class _Batch:
    """One batch's transaction and what it settles when it commits: the documents whose cluster or
    citations must be brought up to date (once each, however many of their pages and files came in
    the batch), and the sites' templates learnt from its pages (written once)."""
    session: Session
    settle: dict[int, list] = field(default_factory=dict)   # document id -> [row, cluster?, citations?, now]
    templates: TemplateCache = field(default_factory=TemplateCache)
    documents: dict[str, Document] = field(default_factory=dict)   # url -> row, as its pages read or made it
    ahead: dict[str, Document | None] = field(default_factory=dict)   # url -> row or None, read ahead, not yet asked


class Archive:
    def __init__(self, database_url: str, dedup_settings: DedupSettings = DEFAULT):
        self.engine: Engine = create_engine(database_url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.dedup_settings = dedup_settings
        self._template_lines: dict[str | None, set[str]] = {}   # site -> lines judged its template
        self._local = threading.local()                          # the thread's open batch, if any

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction, committed when the block ends without an error (inside a
        batch: the batch's, committed with it)."""
        batch = self._batch()
        if batch is not None:
            yield batch.session
            return
        with self._sessions() as session:
            with session.begin():
                yield session

    @contextmanager
    def batch(self) -> Iterator[Session]:
        """Many writes in one transaction (the crawl's archive writer: a batch of pages).

        Every write of this Archive in the block (record_capture, ingest, link_attachment_capture,
        mark_seen …) joins it; a document's cluster and citations are computed once, when the
        block ends, and the batch commits then; an error rolls all of it back (nothing half-written:
        the caller stores the pages again one by one, or stops). One thread, one batch at a time."""
        if self._batch() is not None:
            raise RuntimeError("a batch is already open in this thread")
        if not hasattr(self._local, "templates"):
            self._local.templates = {}   # what this thread's committed batches left of the sites' templates
        batch = _Batch(self._sessions(), templates=TemplateCache(self._local.templates))
        self._local.batch = batch
        try:
            with batch.session.begin():
                yield batch.session
                self._settle(batch)
            batch.templates.keep()
        finally:
            self._local.batch = None
            batch.session.close()

    def _batch(self) -> _Batch | None:
        return getattr(self._local, "batch", None)

    def _after(self, s: Session, row: Document, now: datetime | None, cluster: bool = False,
               citations: bool = False) -> None:
        """The document's cluster and/or citations brought up to date: now, or when its batch ends."""
        batch = self._batch()
        if batch is None:
            if cluster:
                assign_cluster(s, row, self.dedup_settings, now)
            if citations:
                refresh_citations(s, row)
            return
        entry = batch.settle.setdefault(row.id, [row, False, False, now])
        entry[1] |= cluster
        entry[2] |= citations
        if now is not None and (entry[3] is None or now > entry[3]):
            entry[3] = now

    def _settle(self, batch: _Batch) -> None:
        s = batch.session
        batch.templates.write(s)
        pending = list(batch.settle.values())   # in the order the pages came
        keys = lock_batch_keys(s, [row for row, cluster, _, _ in pending if cluster], self.dedup_settings)
        for row, cluster, _, now in pending:
            if cluster:
                assign_cluster(s, row, self.dedup_settings, now, keys.get(row.id))
        # every cluster settled first: resolution may read them
        refresh_many(s, [row for row, _, citations, _ in pending if citations])
        batch.settle.clear()

    def read_ahead(self, urls) -> None:
        """In a batch: the documents of these URLs read at once (one SELECT for a batch's pages, not one
        per page); each page then finds its row, or that there is none, without a query."""
        batch = self._batch()
        if batch is None:
            raise RuntimeError("read_ahead needs an open batch")
        wanted = sorted({url for url in urls if url and url not in batch.documents and url not in batch.ahead})
        for start in range(0, len(wanted), _URLS_PER_SELECT):
            chunk = wanted[start:start + _URLS_PER_SELECT]
            batch.ahead.update(dict.fromkeys(chunk))
            batch.ahead.update((row.url, row) for row in batch.session.scalars(_DOCUMENTS_BY_URL, {"urls": chunk}))

    def _document(self, s: Session, url: str) -> Document | None:
        """The document of a URL; in a batch, the row an earlier page of it read or made, or read
        ahead (no query: the session holds that very object)."""
        batch = self._batch()
        if batch is not None and url in batch.documents:
            return batch.documents[url]
        if batch is not None and url in batch.ahead:
            s.flush()   # what the query it stands for would have flushed first
            row = batch.ahead.pop(url)
        else:
            row = s.scalar(_DOCUMENT_BY_URL, {"url": url})
        if batch is not None and row is not None:
            batch.documents[url] = row
        return row

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
        with self.session() as s:   # one INSERT … RETURNING on the connection: no ORM object, no flush
            return s.connection().scalar(_INSERT_CAPTURE, dict(
                url=url, site_id=site_id, fetched_at=fetched_at or utcnow(), status=status, headers=dict(headers),
                payload_digest=location.payload_digest if location else "",
                warc_file=location.file if location else None,
                warc_offset=location.offset if location else None,
                warc_length=location.length if location else None))

    # documents ---------------------------------------------------------------------------
    def ingest(self, doc: ExtractedDocument, site_id: str | None = None, capture_id: int | None = None,
               seen_at: datetime | None = None, run_id: int | None = None,
               page_keys: frozenset[str] | None = None) -> IngestResult:
        """Store one extracted page; the same content twice changes nothing but last_seen.
        With a run_id, a new or changed document is recorded as that run's event. A different
        extraction is a new version when the content changed (archive/store/revisions.py), else the
        row is re-extracted in place (outcome `reextracted`, a site event of the run, no version).
        page_keys: the page's template keys if computed already (site_chrome.page_keys of its page_lines)."""
        seen_at = seen_at or utcnow()
        with self.session() as s:
            batch = self._batch()
            doc, redesigned = learn_and_strip(s, doc, site_id, seen_at, self.dedup_settings,  # chrome cut
                                              batch.templates if batch is not None else None, page_keys)
            if redesigned:  # a new template: recorded for the site, never as edits of its documents
                note_site_event(s, site_id, run_id, doc.url, seen_at, kind="redesign")
            digest = content_hash(doc.title, doc.text)
            row = self._document(s, doc.url)
            if row is None:
                row = Document(url=doc.url, first_seen=seen_at, status="active")
                outcome = "new"
            elif row.content_hash == digest:
                if seen_at > row.last_seen:   # an unchanged value left alone: the row stays clean (no flush work)
                    row.last_seen = seen_at
                s.connection().execute(_VERSION_SEEN, {"doc": row.id, "seen": seen_at})
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
            elif not content_changed(stored_content(s, row), extracted_content(doc),
                                     shared_with_site(s, row, self._template_lines.setdefault(row.site_id, set()))):
                reextracted_in_place(s, row, doc, site_id, capture_id, digest, seen_at)
                s.flush()
                recompose(s, row, self.dedup_settings, seen_at, page_text=doc.text, cluster=False)
                self._after(s, row, None, cluster=True)
                note_site_event(s, row.site_id, run_id, row.url, seen_at)
                return IngestResult(row.id, "reextracted")
            else:
                row.status = "changed"
                outcome = "changed"
            fill(row, doc, site_id, capture_id, digest, seen_at)
            row.withdrawn_at = None   # before the flush: part of the row's INSERT, not an UPDATE after it
            if outcome == "new":   # its files have no text yet: its text is its page's (no query)
                row.text = compose(doc.text or "", ())
                _insert_document(s, row)
            else:
                s.add(row)
                s.flush()
            if batch is not None:
                batch.documents[row.url] = row
                batch.ahead.pop(row.url, None)
            number = 1 if outcome == "new" else \
                (s.scalar(select(func.max(Version.number)).where(Version.document_id == row.id)) or 0) + 1
            # rows never read back as objects here: Core INSERTs, no unit of work to track them
            connection = s.connection()
            version = dict(document_id=row.id, number=number, content_hash=digest, title=doc.title, text=doc.text,
                           seen_at=seen_at, last_seen=seen_at, capture_id=capture_id,
                           attachment_text=version_attachment_text(row) if outcome == "changed" else None)
            if run_id is not None and connection.dialect.name == "postgresql":   # the run's event with it
                connection.execute(_INSERT_VERSION_AND_EVENT_PG, {**version, "run_id": run_id, "kind": outcome})
            else:
                connection.execute(_INSERT_VERSION, version)
                if run_id is not None:
                    connection.execute(_INSERT_EVENT, dict(run_id=run_id, document_id=row.id, kind=outcome,
                                                           at=seen_at))
            known = set() if outcome == "new" else {a.url for a in row.attachments}   # a new row has none yet
            files = [dict(document_id=row.id, url=link.url, name=link.name, ext=link.ext)
                     for link in doc.attachments if link.url not in known]
            if files:
                connection.execute(_INSERT_ATTACHMENT, files)
            if outcome != "new":
                recompose(s, row, self.dedup_settings, seen_at, page_text=doc.text, cluster=False)
            self._after(s, row, None, cluster=True, citations=True)
            return IngestResult(row.id, outcome)

    def mark_withdrawn(self, url: str, when: datetime | None = None, run_id: int | None = None) -> bool:
        """The page is gone from its site: keep the document, note when (never delete).
        With a run_id, the withdrawal is recorded as that run's event."""
        with self.session() as s:
            row = self._document(s, url)
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
            row = self._document(s, url)
            if row is None:
                return None
            row.last_seen = max(row.last_seen, when)
            if row.status == "withdrawn":
                row.status = "active"
                row.updated_at = when
            return row.id

    def link_attachment_capture(self, document_url: str | None, url: str, capture_id: int,
                                text: str | None = None, run_id: int | None = None,
                                digest: str | None = None, at: datetime | None = None,
                                replaced: bool | None = None, ocr: str | None = None) -> str | None:
        """Tie a downloaded attachment to its document's attachment row (made if the page lacked it).
        With text (archive.extract.attachment_text), the file's text is kept on the row and the
        document's text is composed again (store/composition.py), so its index entry, its cluster
        and its export carry the file's words from the next index update on. A file fetched again with
        other bytes and other text (digest: its payload digest) is a new version of its document,
        `changed` in the run (returns "changed"; None when the document is unknown); a caller that
        knows says so with `replaced`. With ocr (why: image, pdf: no text layer …), the file is queued
        for recognition (archive/store/ocr.py)."""
        at = at or utcnow()
        with self.session() as s:
            doc = self._document(s, document_url) if document_url else None
            if doc is None:
                return None
            # the document's files read once, fresh (rows another write added by Core join them), and
            # kept for what follows: the version's and the composed text read them too
            s.expire(doc, ["attachments"])
            row = next((a for a in doc.attachments if a.url == url), None)
            made = row is None
            if made:
                row = Attachment(document_id=doc.id, url=url, name=url.rsplit("/", 1)[-1],
                                 ext=url.rsplit(".", 1)[-1].lower()[:10])
                s.add(row)
            previous = s.connection().scalar(_CAPTURE_DIGEST, {"id": row.capture_id}) if row.capture_id else None
            # a scan fetched again unchanged keeps its recognised text (its own text layer is empty)
            same = bool(ocr) and _same_payload(s, row.capture_id, capture_id)
            if replaced is None:
                replaced = attachment_replaced(row, text, digest, previous)
            text_changed = text is not None and not same and text != row.text
            if made:
                row.capture_id = capture_id
                if text_changed:
                    row.text = text
                s.flush()
                s.expire(doc, ["attachments"])   # read again (with the row above) when next used
            else:   # a known row: Core writes from here (the flush leaves the version below read as stored)
                s.flush()
                write_committed(s, Attachment, row.id, row=row, values={
                    **({"capture_id": capture_id} if row.capture_id != capture_id else {}),
                    **({"text": text} if text_changed else {})})
            # the latest version: the page's own text, and where the files' text is kept
            latest = None if replaced else s.connection().execute(_LATEST_VERSION, {"doc": doc.id}).first()
            if text_changed:   # the document's text holds its files'; the file's references join the page's
                files = [(a.name, a.text) for a in sorted(doc.attachments, key=lambda a: a.id)]
                composed = composed_change(s, doc, at, files=files,
                                           page_text=latest.text if latest is not None else None)
                write_committed(s, Document, doc.id, composed or {}, row=doc)
                self._after(s, doc, at, cluster=composed is not None, citations=True)
            if ocr:
                from archive.store.ocr import enqueue

                enqueue(s, row, ocr, same_bytes=same)
            if replaced:
                return new_attachment_version(s, doc, at, run_id, capture_id)
            if latest is not None:   # the file first read (or read again the same): the version's files
                files_text = version_attachment_text(doc)
                if files_text != latest.attachment_text:   # else not written
                    write_committed(s, Version, latest.id, {"attachment_text": files_text})
            return "unchanged"

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


def _insert_document(s: Session, row: Document) -> None:
    """A new document's row by one Core INSERT, then the object joins the session as if read back
    (no unit of work for a row whose every column is known)."""
    row.reextracted_at = row.evidence_lost_at = row.cluster_id = None
    row.id = s.connection().scalar(_INSERT_DOCUMENT, {column: getattr(row, column) for column in _DOCUMENT_COLUMNS})
    make_transient_to_detached(row)
    s.add(row)


def _same_payload(s: Session, before: int | None, after: int) -> bool:
    """Two captures of a file hold the same bytes (a recrawl fetched it again unchanged)."""
    if before is None or before == after:
        return False
    digests = dict(s.execute(select(Capture.id, Capture.payload_digest).where(Capture.id.in_((before, after)))).all())
    return bool(digests.get(before)) and digests.get(before) == digests.get(after)
