"""Crawl runs and what a crawl needs to know from the archive: which URLs a site already has, the
validators of their last capture, what a run has fetched so far, and the counts of its crawl_runs row.

No Scrapy here (`crawler -> archive`, never the reverse).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import and_, func, select, update

from archive.clock import utcnow
from archive.models import Attachment, Capture, CrawlRun, Document, DocumentEvent
from archive.store.database import Archive

COVERAGE_FIELDS = ("title", "published", "agency", "doc_number", "index_number")
RUN_COUNTS = ("requests", "pages", "new", "changed", "unchanged", "withdrawn")
_CHUNK = 500


@dataclass(frozen=True)
class Validators:
    """What a conditional request sends back: the ETag and Last-Modified of the last capture."""
    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


def known_documents(archive: Archive, site_id: str) -> dict[str, str]:
    """URL -> status of every document the site has given us (withdrawn ones included)."""
    with archive.session() as s:
        rows = s.execute(select(Document.url, Document.status).where(Document.site_id == site_id)).all()
    return {url: status for url, status in rows}


def validators(archive: Archive, site_id: str) -> dict[str, Validators]:
    """URL -> validators of the newest 200/304 capture that carried any, for the site's documents."""
    newest = (select(Capture.url, func.max(Capture.id).label("id"))
              .join(Document, Document.url == Capture.url)
              .where(Document.site_id == site_id, Capture.status.in_((200, 304)))
              .group_by(Capture.url).subquery())
    with archive.session() as s:
        rows = s.execute(select(Capture.url, Capture.headers).join(newest, Capture.id == newest.c.id)).all()
    out = {}
    for url, headers in rows:
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        found = Validators(headers.get("etag"), headers.get("last-modified"))
        if found.etag or found.last_modified:
            out[url] = found
    return out


def stored_attachments(archive: Archive, site_id: str) -> dict[str, dict[str, Validators]]:
    """document URL -> {attachment URL: validators of its capture} for the site's captured files:
    what a full sweep asks again, conditionally, when the document's page is unchanged (a 304)."""
    query = (select(Document.url, Attachment.url, Capture.headers)
             .join(Attachment, Attachment.document_id == Document.id)
             .join(Capture, Capture.id == Attachment.capture_id)
             .where(Document.site_id == site_id))
    out: dict[str, dict[str, Validators]] = {}
    with archive.session() as s:
        for doc_url, url, headers in s.execute(query):
            headers = {k.lower(): v for k, v in (headers or {}).items()}
            out.setdefault(doc_url, {})[url] = Validators(headers.get("etag"), headers.get("last-modified"))
    return out


def captured_attachments(archive: Archive, site_id: str) -> set[str]:
    """Attachment URLs of the site's documents that already have a capture (not fetched again)."""
    with archive.session() as s:
        rows = s.scalars(select(Attachment.url).join(Document, Document.id == Attachment.document_id)
                         .where(Document.site_id == site_id, Attachment.capture_id.is_not(None))).all()
    return set(rows)


def interrupted_attachments(archive: Archive, site_id: str) -> list[tuple[str, str, str | None]]:
    """(document URL, attachment URL, ext) of files never captured whose document a run stored and
    then died before fetching them (its crawl_runs row never finished): what the next run asks for,
    since it does not fetch those documents' pages again."""
    query = (select(Document.url, Attachment.url, Attachment.ext)
             .join(Attachment, Attachment.document_id == Document.id)
             .join(DocumentEvent, DocumentEvent.document_id == Document.id)
             .join(CrawlRun, CrawlRun.id == DocumentEvent.run_id)
             .where(Document.site_id == site_id, Attachment.capture_id.is_(None),
                    DocumentEvent.kind.in_(("new", "changed")), CrawlRun.finished.is_(None))
             .distinct().order_by(Attachment.url))
    with archive.session() as s:
        return [tuple(row) for row in s.execute(query).all()]


def close_interrupted_runs(archive: Archive, site_id: str, before_run: int) -> int:
    """Runs of the site older than `before_run` that a killed crawl left open and nobody resumed:
    finished now, with an `interrupted` error. Returns how many."""
    with archive.session() as s:
        rows = s.scalars(select(CrawlRun).where(CrawlRun.site_id == site_id, CrawlRun.id < before_run,
                                                CrawlRun.finished.is_(None))).all()
        for run in rows:
            run.errors = dict(run.errors or {}, interrupted=1)
            run.finished = utcnow()
        return len(rows)


def seen_since(archive: Archive, site_id: str, since: datetime) -> set[str]:
    """Documents of the site stored or sighted at or after a moment: what a resumed run need not ask
    again. (A capture alone does not count: the crawl may have died before the page was ingested.)"""
    with archive.session() as s:
        rows = s.scalars(select(Document.url).where(Document.site_id == site_id, Document.last_seen >= since)).all()
    return set(rows)


def mark_withdrawn(archive: Archive, urls: Iterable[str], when: datetime | None = None,
                   run_id: int | None = None) -> int:
    """Withdraw documents (404/410, or gone from every list); returns how many changed status.
    With a run_id, each withdrawal is recorded as that run's event."""
    return sum(1 for url in urls if archive.mark_withdrawn(url, when, run_id=run_id))


def coverage(archive: Archive, urls: Iterable[str]) -> dict[str, float]:
    """Share of these documents that have each field; {} when there are none."""
    urls = list(dict.fromkeys(urls))
    if not urls:
        return {}
    have = dict.fromkeys(COVERAGE_FIELDS, 0)
    total = 0
    columns = [getattr(Document, name) for name in COVERAGE_FIELDS]
    with archive.session() as s:
        for start in range(0, len(urls), _CHUNK):
            for row in s.execute(select(*columns).where(Document.url.in_(urls[start:start + _CHUNK]))):
                total += 1
                for name, value in zip(COVERAGE_FIELDS, row):
                    if value not in (None, ""):
                        have[name] += 1
    return {name: round(count / total, 4) for name, count in have.items()} if total else {}


def open_runs(archive: Archive, site_ids: Iterable[str], since: datetime) -> dict[str, int]:
    """site -> the newest unfinished crawl_runs row started at or after `since` (an interrupted run)."""
    site_ids = list(site_ids)
    with archive.session() as s:
        rows = s.execute(select(CrawlRun.site_id, func.max(CrawlRun.id))
                         .where(and_(CrawlRun.site_id.in_(site_ids), CrawlRun.finished.is_(None),
                                     CrawlRun.started >= since))
                         .group_by(CrawlRun.site_id)).all()
    return {site: run_id for site, run_id in rows}


def start_run(archive: Archive, site_id: str, full_sweep: bool = False) -> int:
    with archive.session() as s:
        run = CrawlRun(site_id=site_id, started=utcnow(), errors={}, full_sweep=full_sweep)
        s.add(run)
        s.flush()
        return run.id


def finish_run(archive: Archive, run_id: int, **counts) -> None:
    with archive.session() as s:
        run = s.get(CrawlRun, run_id)
        for name, value in counts.items():
            setattr(run, name, value)
        run.finished = utcnow()


def run_counts(archive: Archive, run_id: int) -> dict:
    """The counts a run row holds so far (what a resumed run continues from)."""
    with archive.session() as s:
        run = s.get(CrawlRun, run_id)
        if run is None:
            return {}
        counts = {name: getattr(run, name) or 0 for name in RUN_COUNTS}
        counts["errors"] = dict(run.errors or {})
        return counts


def save_progress(archive: Archive, run_id: int, **values) -> None:
    """Write a run's counts so far without finishing it, so a killed crawl leaves them behind."""
    with archive.session() as s:
        s.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))


def listing_basis(archive: Archive, site_id: str) -> dict[str, tuple[str | None, object]]:
    """URL -> (title, 发布日期) as stored for the site's documents: what a list entry is compared with
    to tell an edited (re-published) document from an unchanged one without fetching it."""
    with archive.session() as s:
        rows = s.execute(select(Document.url, Document.title, Document.published)
                         .where(Document.site_id == site_id)).all()
    return {url: (title, published) for url, title, published in rows}


def latest_runs_since(archive: Archive, site_ids: list[str], started: datetime) -> dict[str, int]:
    """site -> its newest crawl_runs row started at `started` or later (a second's grace)."""
    with archive.session() as s:
        rows = s.execute(select(CrawlRun.site_id, func.max(CrawlRun.id))
                         .where(CrawlRun.site_id.in_(site_ids), CrawlRun.started >= started - timedelta(seconds=1))
                         .group_by(CrawlRun.site_id)).all()
    return dict(rows)


def save_progress_of_runs(archive: Archive, values_by_run: dict[int, dict]) -> None:
    """save_progress for many runs in one transaction (one wait for a SQLite write lock, not one per site)."""
    with archive.session() as s:
        for run_id, values in values_by_run.items():
            s.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))
