"""When each site is due for a recrawl, and one crawl of a site at a time.

A site's schedule is a cron expression (its registry entry's `schedule:`, else its group's, else
the default) shifted by a per-site offset: a hash of the site id picks a minute within
min(cron period, spread), so sites sharing a cron do not all start at once. The state is one
`schedules` row per site with next_run_at: a scheduler that dies (kill -9) loses nothing, and the
next one runs what is due. A crawl holds a `site_locks` row (owner, expiry); a lock whose owner
process is gone (same host, dead pid) or whose expiry passed is taken over.

Pure functions first (spec resolution, offsets, due times), then the database side.
"""
from __future__ import annotations

import hashlib
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from croniter import croniter
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from archive.store import Archive, utcnow
from archive.watch_models import Schedule, SiteLock

DEFAULT_CRON = "0 3 * * *"      # every night at 03:00 (UTC, as every time in the archive)
DEFAULT_SPREAD_MINUTES = 60     # sites sharing a cron start within this many minutes of it
DEFAULT_FULL_EVERY = 7          # every 7th scheduled run of a site is a full sweep
LOCK_TTL = timedelta(hours=6)   # a crawl lock nobody renews ends by itself after this


# -- pure: what the schedule of a site is ---------------------------------------------------------

@dataclass(frozen=True)
class ScheduleSpec:
    cron: str = DEFAULT_CRON
    spread_minutes: int = DEFAULT_SPREAD_MINUTES
    full_every: int = DEFAULT_FULL_EVERY     # 1: every run is a full sweep; 0: never


@dataclass(frozen=True)
class ScheduleConfig:
    """The schedule file: a default and named groups, each a cron string or a mapping
    {cron, spread_minutes, full_every}; a site's `schedule:` and `group:` pick among them."""
    default: ScheduleSpec = ScheduleSpec()
    groups: dict | None = None

    @classmethod
    def from_mapping(cls, data: dict | None) -> "ScheduleConfig":
        data = data or {}
        default = spec_of(data.get("default"), ScheduleSpec())
        groups = {name: spec_of(value, default) for name, value in (data.get("groups") or {}).items()}
        return cls(default, groups)

    @classmethod
    def load(cls, path: str | os.PathLike | None) -> "ScheduleConfig":
        """A YAML schedule file (None: $GOVPLANS_SCHEDULE_FILE, else defaults; $GOVPLANS_SCHEDULE sets the default cron)."""
        path = path or os.environ.get("GOVPLANS_SCHEDULE_FILE")
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if path else {}
        if not data.get("default") and os.environ.get("GOVPLANS_SCHEDULE"):
            data = dict(data, default=os.environ["GOVPLANS_SCHEDULE"])
        return cls.from_mapping(data)


def spec_of(value, base: ScheduleSpec) -> ScheduleSpec:
    """A cron string or a mapping over `base`; raises ValueError on a bad cron expression."""
    if value is None:
        return base
    if isinstance(value, str):
        value = {"cron": value}
    spec = ScheduleSpec(cron=str(value.get("cron", base.cron)).strip(),
                        spread_minutes=int(value.get("spread_minutes", base.spread_minutes)),
                        full_every=int(value.get("full_every", base.full_every)))
    if not croniter.is_valid(spec.cron):
        raise ValueError(f"not a cron expression: {spec.cron!r}")
    return spec


def site_spec(site: dict, config: ScheduleConfig = ScheduleConfig()) -> ScheduleSpec:
    """The site's own `schedule:`, else its `group:`'s, else the default."""
    base = (config.groups or {}).get(site.get("group"), config.default)
    return spec_of(site.get("schedule"), base)


def period(cron: str, around: datetime) -> timedelta:
    """The gap between two consecutive firings of the cron after `around`."""
    it = croniter(cron, around)
    first = it.get_next(datetime)
    return it.get_next(datetime) - first


def offset(site_id: str, spec: ScheduleSpec, around: datetime) -> timedelta:
    """The site's fixed shift after each firing: a hash of its id, in whole minutes below
    min(period, spread)."""
    window = min(period(spec.cron, around), timedelta(minutes=spec.spread_minutes))
    minutes = int(window.total_seconds() // 60)
    if minutes <= 0:
        return timedelta(0)
    digest = int.from_bytes(hashlib.sha256(site_id.encode("utf-8")).digest()[:8], "big")
    return timedelta(minutes=digest % minutes)


def next_due(site_id: str, spec: ScheduleSpec, after: datetime) -> datetime:
    """The first of the site's run times (cron firing + offset) strictly after `after`."""
    shift = offset(site_id, spec, after)
    return croniter(spec.cron, after - shift).get_next(datetime) + shift


def last_due(site_id: str, spec: ScheduleSpec, at: datetime) -> datetime:
    """The latest of the site's run times at or before `at` (a new site is due from there)."""
    shift = offset(site_id, spec, at)
    return croniter(spec.cron, at - shift + timedelta(seconds=1)).get_prev(datetime) + shift


# -- the database: schedule rows ------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    site_id: str
    next_run_at: datetime
    full: bool        # this run is a full sweep (every full_every-th)


def sync(archive: Archive, sites: list[dict], config: ScheduleConfig, now: datetime | None = None) -> None:
    """A schedules row per site: a new site is due from its latest run time; a site whose cron
    changed is moved to its next run time under the new cron."""
    now = now or utcnow()
    with archive.session() as s:
        rows = {row.site_id: row for row in s.scalars(select(Schedule))}
        for site in sites:
            spec = site_spec(site, config)
            row = rows.get(site["id"])
            if row is None:
                s.add(Schedule(site_id=site["id"], cron=spec.cron, next_run_at=last_due(site["id"], spec, now),
                               runs=0, updated=now))
            elif row.cron != spec.cron:
                row.cron, row.next_run_at, row.updated = spec.cron, next_due(site["id"], spec, now), now


def due(archive: Archive, sites: list[dict], config: ScheduleConfig, now: datetime | None = None) -> list[Due]:
    """The sites whose next run time has come, earliest first."""
    now = now or utcnow()
    wanted = {site["id"]: site for site in sites}
    with archive.session() as s:
        rows = s.scalars(select(Schedule).where(Schedule.next_run_at <= now).order_by(Schedule.next_run_at)).all()
    out = []
    for row in rows:
        if row.site_id in wanted:
            spec = site_spec(wanted[row.site_id], config)
            full = spec.full_every > 0 and row.runs % spec.full_every == 0
            out.append(Due(row.site_id, row.next_run_at, full))
    return out


def mark_ran(archive: Archive, site: dict, config: ScheduleConfig, started: datetime,
             run_id: int | None = None, now: datetime | None = None) -> datetime:
    """A scheduled run of the site is done: count it and move its next run time past `now`.
    Returns the new next_run_at."""
    now = now or utcnow()
    spec = site_spec(site, config)
    following = next_due(site["id"], spec, now)
    with archive.session() as s:
        row = s.get(Schedule, site["id"])
        if row is None:
            row = Schedule(site_id=site["id"], cron=spec.cron, runs=0)
            s.add(row)
        row.runs = (row.runs or 0) + 1
        row.last_run_at, row.last_run_id = started, run_id
        row.next_run_at, row.updated = following, now
    return following


def next_wakeup(archive: Archive, site_ids: list[str]) -> datetime | None:
    with archive.session() as s:
        return min((t for t in s.scalars(select(Schedule.next_run_at).where(Schedule.site_id.in_(site_ids)))),
                   default=None)


def schedule_rows(archive: Archive) -> dict[str, Schedule]:
    with archive.session() as s:
        return {row.site_id: row for row in s.scalars(select(Schedule))}


# -- the database: one crawl of a site at a time ----------------------------------------------------

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
