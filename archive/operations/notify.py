"""What is new, and telling people: document events per run, saved searches, digests, webhooks.

Every crawl run records its new, changed and withdrawn documents (archive/read/events.py). A saved
search (archive/store/saved.py) is a query with filters; its
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
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from archive import index as search_index
from archive.clock import utcnow
from archive.config import DataDir
from archive.index.api import SearchFilters
from archive.read.events import EVENT_KINDS, Event, events_since, newest_events
from archive.store.database import Archive
from archive.store.saved import SavedSearch, clean_filters, list_saved, mark_notified

log = logging.getLogger(__name__)
PAGE = 200                      # the index's largest page
KIND_LABELS = {"new": "新增", "changed": "修改", "withdrawn": "撤下"}
WEBHOOK_TIMEOUT = 10.0
FEED_CHUNK = 1000               # events matched at a time when filling a feed


# -- which events a saved search finds -------------------------------------------------------------

# -- saved searches --------------------------------------------------------------------------------

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
        chunk = newest_events(archive, after_id, below, FEED_CHUNK)
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
        mark_notified(archive, saved.id, max(e.id for e in events), now or utcnow())
    return result


def notify_all(data: DataDir, smtp: SmtpSettings | None = None, now: datetime | None = None) -> list[NotifyResult]:
    """Every saved search with an e-mail or a webhook gets its new matches."""
    smtp = smtp or SmtpSettings.from_env()
    archive = Archive(data.database_url)
    try:
        return [notify_saved(archive, data.index_dir, saved, smtp, now) for saved in list_saved(archive)]
    finally:
        archive.close()
