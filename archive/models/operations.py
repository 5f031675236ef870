"""The tables of running the archive: crawl runs and what each found (events), saved searches, site
health, the recrawl schedule, the per-site crawl locks and the OCR queue."""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base

EVENT_KINDS = ("new", "changed", "withdrawn")


def new_feed_key() -> str:
    return secrets.token_urlsafe(18)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    started: Mapped[datetime] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[dict] = mapped_column(JSON, default=dict)  # kind -> count
    newest_item: Mapped[date | None] = mapped_column(Date)
    coverage: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> share of documents that have it
    full_sweep: Mapped[bool] = mapped_column(default=False)
    # how the site blocked this run (archive/operations/blocking.py: challenge, waf, dns, refused, reset,
    # timeout, js_list, stub); None: it did not
    block_class: Mapped[str | None] = mapped_column(String(32))
    block_detail: Mapped[dict | None] = mapped_column(JSON)      # signals counted, first evidence


class DocumentEvent(Base):
    """A document became new, changed or withdrawn in a crawl run."""
    __tablename__ = "document_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))   # new / changed / withdrawn
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class SiteEvent(Base):
    """Something a run (or `reextract`) did to a site's pages that was not an edit of a document:
    kind `reextracted`, pages whose extraction changed while their content did not (a redesign)."""
    __tablename__ = "site_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict | None] = mapped_column(JSON)       # a few of the documents' URLs


class RunCheck(Base):
    """What a run saw of its site's pages, for the broken-site rules (archive/operations/health.py):
    how many items its lists showed, and field coverage of the pages it extracted as served."""
    __tablename__ = "run_checks"
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64), index=True)
    listed: Mapped[int | None] = mapped_column(Integer)           # detail URLs the lists showed (None: unknown)
    extracted: Mapped[int] = mapped_column(Integer, default=0)    # pages extracted this run
    coverage: Mapped[dict] = mapped_column(JSON, default=dict)    # field -> share of the extracted pages


class SiteHealth(Base):
    __tablename__ = "site_health"
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(Integer)          # the run judged last
    since: Mapped[datetime | None] = mapped_column(DateTime)      # flagged since (None when healthy)
    updated: Mapped[datetime] = mapped_column(DateTime)
    block_class: Mapped[str | None] = mapped_column(String(32))   # the last run's, while it blocks us
    blocked_since: Mapped[datetime | None] = mapped_column(DateTime)
    blocked_runs: Mapped[int | None] = mapped_column(Integer)     # blocked runs in a row (scheduler's backoff)


class SavedSearch(Base):
    __tablename__ = "saved_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # the feed URL's secret part: ids count up, so a feed by id could be read by anyone guessing
    feed_key: Mapped[str] = mapped_column(String(64), unique=True, index=True, default=new_feed_key)
    query: Mapped[str] = mapped_column(Text, default="")
    filters: Mapped[dict] = mapped_column(JSON, default=dict)     # region / year / theme (SearchFilters names)
    owner: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    webhook_url: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime)
    last_notified_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)  # events up to this id were notified


class Schedule(Base):
    """When each site is next due for a recrawl (the scheduler's whole state: it survives kill -9)."""
    __tablename__ = "schedules"
    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cron: Mapped[str] = mapped_column(String(100))
    next_run_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_run_id: Mapped[int | None] = mapped_column(Integer)
    runs: Mapped[int] = mapped_column(Integer, default=0)          # scheduled runs so far (every Nth is full)
    updated: Mapped[datetime] = mapped_column(DateTime)


class SiteLock(Base):
    """One crawl of a site at a time: a row per locked site, with its owner and an expiry."""
    __tablename__ = "site_locks"
    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))                # host:pid:nonce
    acquired_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class OcrJob(Base):
    """One attached file (or body image) whose text must come from recognition: the OCR queue.
    status: pending -> running (claimed by a worker until lease_until) -> done / failed. The text
    itself goes to the attachment's row (what the index reads); confidence and engine stay here."""
    __tablename__ = "ocr_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(64))                # image, pdf: no text layer, pdf: glyph soup …
    status: Mapped[str] = mapped_column(String(16), index=True)    # pending / running / done / failed
    queued_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    engine: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    pages: Mapped[int | None] = mapped_column(Integer)
    recognised_pages: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
