"""The rows of the recrawl schedule (archive/operations/schedules.py decides the times): one
`schedules` row per site with its next run time, and `site_locks`, one crawl of a site at a time."""
from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from archive.clock import utcnow
from archive.models import Schedule, SiteLock
from archive.store.database import Archive

LOCK_TTL = timedelta(hours=6)   # a crawl lock nobody renews ends by itself after this


def sync(archive: Archive, sites: list[tuple[str, str, Callable[[], datetime], Callable[[], datetime]]],
         now: datetime) -> None:
    """A row per (site id, cron, first run time, next run time): a new site gets its first run time;
    a site whose cron changed moves to its next one (the times are computed only when needed)."""
    with archive.session() as s:
        rows = {row.site_id: row for row in s.scalars(select(Schedule))}
        for site_id, cron, first_run, next_run in sites:
            row = rows.get(site_id)
            if row is None:
                s.add(Schedule(site_id=site_id, cron=cron, next_run_at=first_run(), runs=0, updated=now))
            elif row.cron != cron:
                row.cron, row.next_run_at, row.updated = cron, next_run(), now


def due_rows(archive: Archive, now: datetime) -> list[tuple[str, datetime, int]]:
    """(site id, next run time, scheduled runs so far) of every row due at `now`, earliest first."""
    with archive.session() as s:
        rows = s.scalars(select(Schedule).where(Schedule.next_run_at <= now).order_by(Schedule.next_run_at)).all()
        return [(row.site_id, row.next_run_at, row.runs) for row in rows]


def record_run(archive: Archive, site_id: str, cron: str, started: datetime, run_id: int | None,
               following: datetime, now: datetime) -> None:
    """Count a scheduled run of the site and set its next run time."""
    with archive.session() as s:
        row = s.get(Schedule, site_id)
        if row is None:
            row = Schedule(site_id=site_id, cron=cron, runs=0)
            s.add(row)
        row.runs = (row.runs or 0) + 1
        row.last_run_at, row.last_run_id = started, run_id
        row.next_run_at, row.updated = following, now


def next_wakeup(archive: Archive, site_ids: list[str]) -> datetime | None:
    with archive.session() as s:
        return min((t for t in s.scalars(select(Schedule.next_run_at).where(Schedule.site_id.in_(site_ids)))),
                   default=None)


def schedule_rows(archive: Archive) -> dict[str, Schedule]:
    with archive.session() as s:
        return {row.site_id: row for row in s.scalars(select(Schedule))}


# -- one crawl of a site at a time ----------------------------------------------------------------

def owner_id() -> str:
    """host:pid:nonce of this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_gone(owner: str) -> bool:
    """Whether the owner is a process of this host that no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire(archive: Archive, site_id: str, owner: str, ttl: timedelta = LOCK_TTL,
            now: datetime | None = None) -> bool:
    """Take the site's lock; False while another live owner holds it."""
    now = now or utcnow()
    with archive.session() as s:
        row = s.get(SiteLock, site_id, with_for_update=True)
        if row is not None:
            if row.owner != owner and row.expires_at > now and not _owner_gone(row.owner):
                return False
            # expired, or its process died: take it over only if nobody else did meanwhile
            taken = s.execute(update(SiteLock).where(SiteLock.site_id == site_id, SiteLock.owner == row.owner)
                              .values(owner=owner, acquired_at=now, expires_at=now + ttl)).rowcount
            return bool(taken)
    try:
        with archive.session() as s:
            s.add(SiteLock(site_id=site_id, owner=owner, acquired_at=now, expires_at=now + ttl))
        return True
    except IntegrityError:   # another process inserted it first
        return False


def release(archive: Archive, site_id: str, owner: str) -> None:
    with archive.session() as s:
        s.execute(delete(SiteLock).where(SiteLock.site_id == site_id, SiteLock.owner == owner))


def lock_holder(archive: Archive, site_id: str) -> str | None:
    with archive.session() as s:
        row = s.get(SiteLock, site_id)
        return row.owner if row else None
