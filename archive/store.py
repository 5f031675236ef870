"""The archive's one door to the database: sites, captures, documents and their versions."""
from __future__ import annotations

import errno
import hashlib
import re
import unicodedata
from contextlib import contextmanager
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable, Iterator

from sqlalchemy import create_engine, event, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from archive import dedup, migrations
from archive.config import sqlite_busy_timeout
from archive.diffs import DiffOp, diff_texts
from archive.extract.document import ExtractedDocument
from archive.index.api import IndexDoc
from archive.models import Attachment, Capture, Cluster, CrawlRun, Document, Site, Version
from archive.watch_models import DocumentEvent
from archive.warc import WarcLocation


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


_SPACE = re.compile(r"\s+")


def content_hash(title: str | None, text: str) -> str:
    """Hash of the normalised title and text: whitespace and width differences are not edits."""
    normal = unicodedata.normalize("NFKC", f"{title or ''}\n{text}")
    return hashlib.sha256(_SPACE.sub("", normal).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IngestResult:
    document_id: int
    outcome: str  # new / changed / unchanged


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout() * 1000)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class StorageError(RuntimeError):
    """The archive cannot be written (disk full, database locked, read-only): the operator must act."""


_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def storage_problem(error: BaseException) -> str | None:
    """One clear sentence for the storage errors an operator has to fix (a full disk, a database
    another process holds locked, a read-only one), looking through wrapped causes; None otherwise."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, StorageError):
            return str(error)
        if isinstance(error, OSError) and error.errno in _FULL:
            where = f" ({error.filename})" if error.filename else ""
            return f"disk full: no space left on the device holding the data directory{where}"
        if isinstance(error, OSError) and error.errno == errno.EROFS:
            return f"read-only file system: cannot write {error.filename or 'the data directory'}"
        message = str(error).lower()
        if type(error).__name__ in ("OperationalError", "DatabaseError"):
            if "database is locked" in message or "database table is locked" in message:
                return (f"the archive database is locked by another process (waited {sqlite_busy_timeout():.0f} s; "
                        f"$GOVPLANS_SQLITE_BUSY_TIMEOUT): is another govplans process writing to it?")
            if "disk is full" in message or "disk full" in message:
                return "disk full: no space left for the archive database"
            if "readonly database" in message or "read-only" in message:
                return "the archive database is read-only: check the data directory's permissions"
            if "unable to open database" in message:
                return "cannot open the archive database: check that the data directory exists and is writable"
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
    return None


@dataclass(frozen=True)
class ExportFilters:
    region: str | None = None   # 430000 = a province, 431100 = a city, 431121 = a county
    year: int | None = None
    site: str | None = None
    status: str | None = None
    since: datetime | None = None  # new, changed or withdrawn since then (updated_at)


class Archive:
    def __init__(self, database_url: str, dedup_settings: dedup.DedupSettings = dedup.DedupSettings()):
        self.engine: Engine = create_engine(database_url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        migrations.upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.dedup_settings = dedup_settings

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            with session.begin():
                yield session

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
                                                Version.number == _latest_version(row.id),
                                                or_(Version.last_seen.is_(None), Version.last_seen < seen_at))
                          .values(last_seen=seen_at))
                if row.status == "withdrawn":
                    row.status = "active"
                    row.withdrawn_at = None
                    row.updated_at = seen_at
                # 有效性 can turn to 失效 without a word of the text changing: keep the page's latest say
                labels = _printed_labels(doc)
                if labels != (row.subject, row.validity):
                    row.subject, row.validity = labels
                    row.updated_at = seen_at
                return IngestResult(row.id, "unchanged")
            else:
                row.status = "changed"
                outcome = "changed"
            _fill(row, doc, site_id, capture_id, digest, seen_at)
            s.add(row)
            s.flush()
            number = (s.scalar(select(func.max(Version.number)).where(Version.document_id == row.id)) or 0) + 1
            s.add(Version(document_id=row.id, number=number, content_hash=digest, title=doc.title,
                          text=doc.text, seen_at=seen_at, last_seen=seen_at, capture_id=capture_id))
            row.withdrawn_at = None
            dedup.assign_cluster(s, row, self.dedup_settings)
            known = {a.url for a in row.attachments}
            for link in doc.attachments:
                if link.url not in known:
                    s.add(Attachment(document_id=row.id, url=link.url, name=link.name, ext=link.ext))
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

    def get_document(self, doc_id: int) -> Document | None:
        with self._sessions() as s:
            row = s.get(Document, doc_id)
            if row is not None:
                # load what a document page shows before the session closes
                _ = row.versions, row.attachments, row.site, row.capture
            return row

    def count_documents(self) -> int:
        with self._sessions() as s:
            return s.scalar(select(func.count(Document.id))) or 0

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        """All documents in id order, streamed in batches to keep memory flat."""
        last = 0
        while True:
            with self._sessions() as s:
                rows = s.scalars(select(Document).where(Document.id > last).order_by(Document.id).limit(batch)).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def iter_index_docs(self, updated_since: datetime | None = None, batch: int = 500) -> Iterator[IndexDoc]:
        """Index entries: a document's text followed by its attachments' texts (a page that says
        only 详见附件 is found by its file's words). Attachments linked after a document's last
        update reach its entry at the next full index update (`govplans index`, or a crawl,
        which updates the index after its pipeline has stored the files)."""
        pending: list[Document] = []
        for row in self.iter_documents(batch):
            if updated_since is None or row.updated_at >= updated_since:
                pending.append(row)
                if len(pending) >= batch:
                    yield from self._index_docs(pending)
                    pending = []
        yield from self._index_docs(pending)

    def _index_docs(self, rows: list[Document]) -> Iterator[IndexDoc]:
        if not rows:
            return
        texts: dict[int, list[str]] = {}
        with self._sessions() as s:
            found = s.execute(select(Attachment.document_id, Attachment.text)
                              .where(Attachment.document_id.in_([row.id for row in rows]),
                                     Attachment.text.is_not(None), Attachment.text != "")
                              .order_by(Attachment.id))
            for doc_id, text in found:
                texts.setdefault(doc_id, []).append(text)
        for row in rows:
            yield to_index_doc(row, texts.get(row.id, ()))

    # history -----------------------------------------------------------------------------
    def version_diff(self, doc_id: int, a: int, b: int) -> list[DiffOp]:
        """Paragraph-level ops turning version number a of a document into version number b."""
        with self._sessions() as s:
            texts = dict(s.execute(select(Version.number, Version.text)
                                   .where(Version.document_id == doc_id, Version.number.in_((a, b)))).all())
        missing = [n for n in (a, b) if n not in texts]
        if missing:
            raise KeyError(f"document {doc_id} has no version {missing[0]}")
        return diff_texts(texts[a], texts[b])

    # dedup -------------------------------------------------------------------------------
    def assign_cluster(self, doc_id: int) -> int:
        """Recompute one document's cluster (ingest already does this for new and changed pages)."""
        with self.session() as s:
            return dedup.assign_cluster(s, s.get(Document, doc_id), self.dedup_settings, utcnow())

    def rebuild_clusters(self, progress=None) -> int:
        return dedup.rebuild_clusters(self._sessions, self.dedup_settings, progress)

    def get_cluster(self, cluster_id: int) -> Cluster | None:
        with self._sessions() as s:
            return s.get(Cluster, cluster_id)

    def template_family(self, cluster_id: int, include_aggregators: bool = False) -> list[dedup.Adoption]:
        with self._sessions() as s:
            return dedup.template_family(s, cluster_id, include_aggregators)

    def copy_differences(self, doc_a: int, doc_b: int) -> dedup.CopyDifferences:
        with self._sessions() as s:
            a, b = s.get(Document, doc_a), s.get(Document, doc_b)
            if a is None or b is None:
                raise KeyError(f"no document {doc_a if a is None else doc_b}")
            return dedup.copy_differences(a, b)

    # export and stats --------------------------------------------------------------------
    def count_export(self, filters: ExportFilters = ExportFilters()) -> int:
        with self._sessions() as s:
            return s.scalar(select(func.count(Document.id)).where(*_export_where(filters))) or 0

    def export_records(self, filters: ExportFilters = ExportFilters(), batch: int = 500) -> Iterator[dict]:
        """Matching documents with provenance, cluster and canonical flag, in id order, batch by batch."""
        query = (select(Document, Capture, Cluster.canonical_document_id)
                 .outerjoin(Capture, Capture.id == Document.capture_id)
                 .outerjoin(Cluster, Cluster.id == Document.cluster_id)
                 .where(*_export_where(filters)).order_by(Document.id).limit(batch))
        last = 0
        while True:
            with self._sessions() as s:
                rows = s.execute(query.where(Document.id > last)).all()
            if not rows:
                return
            for row, capture, canonical_id in rows:
                yield export_record(row, capture, canonical_id)
            last = rows[-1][0].id

    def stats(self) -> dict[str, dict]:
        """Document counts by site, province, year, theme and status, plus cluster figures."""
        out: dict[str, dict] = {}
        with self._sessions() as s:
            for name, column in (("site", Document.site_id), ("province", Document.province),
                                 ("year", Document.year), ("status", Document.status)):
                counts = s.execute(select(column, func.count(Document.id)).group_by(column)).all()
                out[name] = dict(sorted(counts, key=lambda kv: (-kv[1], str(kv[0]))))
            shared = select(Cluster.id).where(Cluster.size > 1)
            out["clusters"] = {
                "clusters": s.scalar(select(func.count(Cluster.id))) or 0,
                "with copies": s.scalar(select(func.count()).select_from(shared.subquery())) or 0,
                "documents in them": s.scalar(select(func.coalesce(func.sum(Cluster.size), 0))
                                              .where(Cluster.size > 1)) or 0,
            }
        themes: Counter = Counter()
        for values in self._iter_column(Document.themes):
            themes.update(values or ())
        out["theme"] = dict(themes.most_common())
        return out

    def _iter_column(self, column, batch: int = 2000) -> Iterator:
        last = 0
        while True:
            with self._sessions() as s:
                rows = s.execute(select(Document.id, column).where(Document.id > last)
                                 .order_by(Document.id).limit(batch)).all()
            if not rows:
                return
            for _id, value in rows:
                yield value
            last = rows[-1][0]

    # crawl runs --------------------------------------------------------------------------
    def start_run(self, site_id: str) -> int:
        with self.session() as s:
            run = CrawlRun(site_id=site_id, started=utcnow(), errors={})
            s.add(run)
            s.flush()
            return run.id

    def finish_run(self, run_id: int, **counts) -> None:
        with self.session() as s:
            run = s.get(CrawlRun, run_id)
            for name, value in counts.items():
                setattr(run, name, value)
            run.finished = utcnow()


def _latest_version(doc_id: int):
    return select(func.max(Version.number)).where(Version.document_id == doc_id).scalar_subquery()


def _export_where(filters: ExportFilters) -> list:
    where = []
    if filters.region:
        code = filters.region
        prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
        where.append(Document.region_code.startswith(prefix, autoescape=True))
    if filters.year is not None:
        where.append(Document.year == filters.year)
    if filters.site:
        where.append(Document.site_id == filters.site)
    if filters.status:
        where.append(Document.status == filters.status)
    if filters.since:
        where.append(Document.updated_at >= filters.since)
    return where


def _printed_labels(doc: ExtractedDocument) -> tuple[str | None, str | None]:
    """主题分类 and 有效性, cut to their columns."""
    return (doc.subject[:200] if doc.subject else None), (doc.validity[:20] if doc.validity else None)


def _fill(row: Document, doc: ExtractedDocument, site_id, capture_id, digest: str, seen_at: datetime) -> None:
    row.site_id = site_id
    row.title = doc.title
    row.published = doc.published
    row.written = doc.written
    row.agency = doc.agency
    row.doc_number = doc.doc_number.raw if doc.doc_number else None
    row.index_number = doc.index_number
    row.subject, row.validity = _printed_labels(doc)
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


def to_index_doc(row: Document, attachment_texts: Iterable[str] = ()) -> IndexDoc:
    """The index entry of a document; attachment texts follow its own text, one per line."""
    text = row.text or ""
    extra = [t for t in attachment_texts if t]
    if extra:
        text = text + "\n" + "\n".join(extra)
    return IndexDoc(doc_id=row.id, url=row.url, title=row.title or "", text=text,
                    published=row.published, year=row.year, region_code=row.region_code,
                    province=row.province, city=row.city, county=row.county, themes=tuple(row.themes or ()),
                    doc_type=row.doc_type, agency=row.agency, site=row.site_id, status=row.status,
                    cluster_id=row.cluster_id)


def document_record(row: Document) -> dict:
    """The export/API shape of a document: every field plus its provenance."""
    return {
        "id": row.id, "url": row.url, "site": row.site_id, "title": row.title,
        "published": row.published.isoformat() if row.published else None,
        "written": row.written.isoformat() if row.written else None,
        "agency": row.agency, "doc_number": row.doc_number, "index_number": row.index_number,
        "subject": row.subject, "validity": row.validity,
        "region": {"province": row.province, "city": row.city, "county": row.county, "code": row.region_code},
        "year": row.year, "doc_type": row.doc_type, "themes": list(row.themes or ()),
        "status": row.status, "first_seen": row.first_seen.isoformat(), "last_seen": row.last_seen.isoformat(),
        "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
        "cluster": row.cluster_id, "sources": dict(row.sources or {}), "outline": list(row.outline or ()),
        "text": row.text,
    }


def export_record(row: Document, capture: Capture | None, canonical_id: int | None) -> dict:
    """document_record plus where the page came from and whether it is its cluster's canonical copy."""
    record = document_record(row)
    record["canonical"] = canonical_id is not None and canonical_id == row.id
    record["provenance"] = {
        "url": row.url, "site": row.site_id,
        "captured_at": capture.fetched_at.isoformat() if capture else None,
        "http_status": capture.status if capture else None,
        "warc_file": capture.warc_file if capture else None,
        "warc_offset": capture.warc_offset if capture else None,
        "warc_length": capture.warc_length if capture else None,
        "payload_digest": capture.payload_digest if capture else None,
    }
    return record
