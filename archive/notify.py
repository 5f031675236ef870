"""What is new, and telling people: document events per run, saved searches, digests, webhooks.

Every crawl run records its new, changed and withdrawn documents (document_events, written by
Archive.ingest / mark_withdrawn with the run's id). A saved search is a query with filters; its
matches are the events whose documents the search finds, with the same semantics as the search
page (archive.index.search). `notify_all` sends each saved search the matches it has not been
sent yet, as an e-mail digest over SMTP and/or a JSON POST to its webhook, and remembers the last
event sent (last_event_id, last_notified_at) only once every channel accepted it.

Settings (environment): GOVPLANS_SMTP_HOST (no host: no e-mail), GOVPLANS_SMTP_PORT (25),
GOVPLANS_SMTP_FROM, GOVPLANS_SMTP_USER / GOVPLANS_SMTP_PASSWORD, GOVPLANS_SMTP_STARTTLS=1,
GOVPLANS_PUBLIC_URL (the UI's address, for links to archived copies).
"""
from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from email.message import EmailMessage
from typing import Iterable

from sqlalchemy import select

from archive import index as search_index
from archive.config import DataDir
from archive.index.api import SearchFilters
from archive.models import CrawlRun, Document
from archive.store import Archive, utcnow
from archive.watch_models import EVENT_KINDS, DocumentEvent, SavedSearch

log = logging.getLogger(__name__)
FILTER_NAMES = tuple(f.name for f in fields(SearchFilters))   # filters a saved search may keep
_INT_FILTERS = ("year", "year_from", "year_to")
PAGE = 200                      # the index's largest page
KIND_LABELS = {"new": "新增", "changed": "修改", "withdrawn": "撤下"}
WEBHOOK_TIMEOUT = 10.0
FEED_CHUNK = 1000               # events matched at a time when filling a feed


# -- events ---------------------------------------------------------------------------------------

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


# -- saved searches --------------------------------------------------------------------------------

def clean_filters(filters: dict | None) -> dict:
    """Only the known filters (SearchFilters' names), without empty values; years as numbers."""
    out = {}
    for name in FILTER_NAMES:
        value = (filters or {}).get(name)
        if value in (None, ""):
            continue
        out[name] = int(value) if name in _INT_FILTERS else str(value)
    return out


def add_saved(archive: Archive, name: str, query: str, filters: dict | None = None, email: str | None = None,
              webhook_url: str | None = None, owner: str | None = None, notify_from_now: bool = True) -> SavedSearch:
    """Save a search; by default only events after now will be sent (not the whole archive)."""
    if webhook_url and not webhook_url.startswith(("http://", "https://")):
        raise ValueError("a webhook must be an http:// or https:// URL")
    if email and "@" not in email:
        raise ValueError(f"not an e-mail address: {email}")
    with archive.session() as s:
        last = s.scalar(select(DocumentEvent.id).order_by(DocumentEvent.id.desc()).limit(1)) if notify_from_now else 0
        row = SavedSearch(name=name.strip() or query, query=query, filters=clean_filters(filters), owner=owner,
                          email=email or None, webhook_url=webhook_url or None, created=utcnow(),
                          last_event_id=last or 0)
        s.add(row)
        s.flush()
        return row


def list_saved(archive: Archive) -> list[SavedSearch]:
    with archive.session() as s:
        return list(s.scalars(select(SavedSearch).order_by(SavedSearch.id)))


def get_saved(archive: Archive, saved_id: int) -> SavedSearch | None:
    with archive.session() as s:
        return s.get(SavedSearch, saved_id)


def get_saved_by_feed_key(archive: Archive, feed_key: str) -> SavedSearch | None:
    with archive.session() as s:
        return s.scalar(select(SavedSearch).where(SavedSearch.feed_key == feed_key))


def matching_ids(index_dir, query: str, filters: dict, candidates: set[int]) -> set[int]:
    """Which candidate documents the search finds (same query semantics as the search page)."""
    if not candidates:
        return set()
    found: set[int] = set()
    search_filters = SearchFilters(**clean_filters(filters))
    page = 1
    while True:
        results = search_index.search(index_dir, query, search_filters, sort="date", page=page, page_size=PAGE,
                                      facets=False)
        if results.error:
            raise ValueError(results.error)
        found.update(hit.doc_id for hit in results.hits if hit.doc_id in candidates)
        if page * PAGE >= results.total or not results.hits or found == candidates:
            return found
        page += 1


def matches(archive: Archive, index_dir, saved: SavedSearch, after_id: int | None = None,
            limit: int | None = None) -> list[Event]:
    """The saved search's events after event `after_id` (default: after its last notified one),
    oldest first; with `limit`, only the newest `limit` of them (what a feed shows)."""
    after_id = saved.last_event_id if after_id is None else after_id
    if limit is None:
        events = events_since(archive, after_id=after_id)
        hits = matching_ids(index_dir, saved.query, saved.filters or {}, {e.document_id for e in events})
        return [e for e in events if e.document_id in hits]
    chosen: list[Event] = []
    below = None
    while len(chosen) < limit:   # newest events first, a chunk at a time, until enough match
        where = [DocumentEvent.id > after_id] + ([DocumentEvent.id < below] if below else [])
        chunk = _events(archive, *where, limit=FEED_CHUNK, newest_first=True)
        if not chunk:
            break
        hits = matching_ids(index_dir, saved.query, saved.filters or {}, {e.document_id for e in chunk})
        chosen += [e for e in chunk if e.document_id in hits]
        below = chunk[-1].id
    return list(reversed(chosen[:limit]))


# -- sending --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "govplans@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False

    @classmethod
    def from_env(cls) -> "SmtpSettings | None":
        host = os.environ.get("GOVPLANS_SMTP_HOST")
        if not host:
            return None
        return cls(host, int(os.environ.get("GOVPLANS_SMTP_PORT") or 25),
                   os.environ.get("GOVPLANS_SMTP_FROM") or "govplans@localhost",
                   os.environ.get("GOVPLANS_SMTP_USER") or None, os.environ.get("GOVPLANS_SMTP_PASSWORD") or None,
                   os.environ.get("GOVPLANS_SMTP_STARTTLS") == "1")


def public_url() -> str:
    return (os.environ.get("GOVPLANS_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")


def digest_text(saved: SavedSearch, events: list[Event]) -> str:
    """The plain-text digest: one block per kind, each event with its title and URLs."""
    base = public_url()
    filters = " ".join(f"{k}={v}" for k, v in (saved.filters or {}).items())
    lines = [f"保存的检索「{saved.name}」：{saved.query} {filters}".rstrip(), f"共 {len(events)} 条新结果。", ""]
    for kind in EVENT_KINDS:
        chosen = [e for e in events if e.kind == kind]
        if not chosen:
            continue
        lines.append(f"{KIND_LABELS[kind]}（{len(chosen)}）")
        for e in chosen:
            day = e.published.isoformat() if e.published else "----------"
            lines += [f"- {day} {e.title or '（无标题）'}", f"  {e.url}", f"  {base}/doc/{e.document_id}"]
        lines.append("")
    return "\n".join(lines)


def digest_message(saved: SavedSearch, events: list[Event], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[govplans] {saved.name}：{len(events)} 条新结果"
    message["From"] = sender
    message["To"] = saved.email
    message.set_content(digest_text(saved, events))
    return message


def send_email(message: EmailMessage, smtp: SmtpSettings) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        client.send_message(message)


def webhook_payload(saved: SavedSearch, events: list[Event]) -> dict:
    return {"saved_search": {"id": saved.id, "name": saved.name, "query": saved.query,
                             "filters": dict(saved.filters or {})},
            "events": [e.to_json() for e in events]}


def post_webhook(url: str, payload: dict) -> int:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "govplans-notify"})
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 (http/https only)
        return response.status


@dataclass
class NotifyResult:
    saved_id: int
    name: str
    events: int = 0
    emailed: bool = False
    posted: bool = False
    errors: list[str] = field(default_factory=list)


def notify_saved(archive: Archive, index_dir, saved: SavedSearch, smtp: SmtpSettings | None,
                 now: datetime | None = None) -> NotifyResult:
    """Send one saved search its new matches; advance its mark only if every channel took them."""
    result = NotifyResult(saved.id, saved.name)
    if not saved.email and not saved.webhook_url:
        return result
    try:
        events = matches(archive, index_dir, saved)
    except ValueError as error:
        result.errors.append(f"query: {error}")
        return result
    result.events = len(events)
    if not events:
        return result
    if saved.email:
        if smtp is None:
            result.errors.append("e-mail: GOVPLANS_SMTP_HOST is not set")
        else:
            try:
                send_email(digest_message(saved, events, smtp.sender), smtp)
                result.emailed = True
            except (OSError, smtplib.SMTPException) as error:
                result.errors.append(f"e-mail: {error}")
    if saved.webhook_url:
        try:
            result.posted = 200 <= post_webhook(saved.webhook_url, webhook_payload(saved, events)) < 300
        except OSError as error:
            result.errors.append(f"webhook: {error}")
    if not result.errors:
        with archive.session() as s:
            row = s.get(SavedSearch, saved.id)
            row.last_event_id = max(e.id for e in events)
            row.last_notified_at = now or utcnow()
    return result


def notify_all(data: DataDir, smtp: SmtpSettings | None = None, now: datetime | None = None) -> list[NotifyResult]:
    """Every saved search with an e-mail or a webhook gets its new matches."""
    smtp = smtp or SmtpSettings.from_env()
    archive = Archive(data.database_url)
    try:
        return [notify_saved(archive, data.index_dir, saved, smtp, now) for saved in list_saved(archive)]
    finally:
        archive.close()
