"""What crawl runs found: the new, changed and withdrawn documents of each run (document_events,
written by Archive.ingest / mark_withdrawn with the run's id), with their documents' URL and title;
and what happened to a site's pages that was no edit (site_events: pages re-extracted without a new
version after a redesign, or by `reextract`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import select

from archive.models import EVENT_KINDS, CrawlRun, Document, DocumentEvent, SiteEvent
from archive.store.database import Archive

__all__ = ["EVENT_KINDS", "Event", "SiteEventRow", "events_since", "events_of_runs_since", "newest_events",
           "run_events", "site_events_since"]


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    at: datetime
    run_id: int | None
    document_id: int
    url: str
    title: str | None
    site: str | None
    published: date | None

    def to_json(self) -> dict:
        record = asdict(self)
        record["at"] = self.at.isoformat()
        record["published"] = self.published.isoformat() if self.published else None
        return record


def _events(archive: Archive, *where, limit: int | None = None, newest_first: bool = False) -> list[Event]:
    query = (select(DocumentEvent, Document.url, Document.title, Document.site_id, Document.published)
             .join(Document, Document.id == DocumentEvent.document_id).where(*where)
             .order_by(DocumentEvent.id.desc() if newest_first else DocumentEvent.id))
    if limit:
        query = query.limit(limit)
    with archive.session() as s:
        rows = s.execute(query).all()
    return [Event(e.id, e.kind, e.at, e.run_id, e.document_id, url, title, site, published)
            for e, url, title, site, published in rows]


def events_since(archive: Archive, since: datetime | None = None, kinds: Iterable[str] = EVENT_KINDS,
                 after_id: int = 0, site: str | None = None) -> list[Event]:
    """Events at or after `since` (all when None) and with an id above after_id, oldest first."""
    where = [DocumentEvent.kind.in_(tuple(kinds)), DocumentEvent.id > after_id]
    if since is not None:
        where.append(DocumentEvent.at >= since)
    if site:
        where.append(Document.site_id == site)
    return _events(archive, *where)


def run_events(archive: Archive, run_id: int) -> list[Event]:
    return _events(archive, DocumentEvent.run_id == run_id)


def events_of_runs_since(archive: Archive, since: datetime) -> list[Event]:
    """Events of the runs started at or after `since` (what `govplans new --since` lists)."""
    runs = select(CrawlRun.id).where(CrawlRun.started >= since)
    return _events(archive, DocumentEvent.run_id.in_(runs))


def newest_events(archive: Archive, after_id: int, below: int | None, limit: int) -> list[Event]:
    """Up to `limit` events with an id above `after_id` (and below `below`), newest first."""
    where = [DocumentEvent.id > after_id] + ([DocumentEvent.id < below] if below else [])
    return _events(archive, *where, limit=limit, newest_first=True)


@dataclass(frozen=True)
class SiteEventRow:
    kind: str            # reextracted (a run's pages, e.g. after a redesign) / reextract (the command)
    at: datetime
    site: str
    run_id: int | None
    documents: int
    urls: list

    def to_json(self) -> dict:
        return dict(asdict(self), at=self.at.isoformat())


def site_events_since(archive: Archive, since: datetime | None = None, site: str | None = None) -> list[SiteEventRow]:
    """Site events at or after `since` (all when None), oldest first."""
    query = select(SiteEvent).order_by(SiteEvent.id)
    if since is not None:
        query = query.where(SiteEvent.at >= since)
    if site:
        query = query.where(SiteEvent.site_id == site)
    with archive.session() as s:
        rows = s.scalars(query).all()
    return [SiteEventRow(e.kind, e.at, e.site_id, e.run_id, e.documents, list((e.detail or {}).get("urls", [])))
            for e in rows]
