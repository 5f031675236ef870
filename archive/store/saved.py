"""Saved searches: a query with filters, who to tell, and the last event they were sent."""
from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from sqlalchemy import select

from archive.clock import utcnow
from archive.index.api import SearchFilters
from archive.models import DocumentEvent, SavedSearch
from archive.store.database import Archive

FILTER_NAMES = tuple(f.name for f in fields(SearchFilters))   # filters a saved search may keep
_INT_FILTERS = ("year", "year_from", "year_to")


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


def mark_notified(archive: Archive, saved_id: int, last_event_id: int, now: datetime) -> None:
    """Every channel of the saved search took the events up to `last_event_id`."""
    with archive.session() as s:
        row = s.get(SavedSearch, saved_id)
        row.last_event_id = last_event_id
        row.last_notified_at = now
