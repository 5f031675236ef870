"""When each site is due for a recrawl, and one crawl of a site at a time.

A site's schedule is a cron expression (its registry entry's `schedule:`, else its group's, else
the default) shifted by a per-site offset: a hash of the site id picks a minute within
min(cron period, spread), so sites sharing a cron do not all start at once. The state is one
`schedules` row per site with next_run_at: a scheduler that dies (kill -9) loses nothing, and the
next one runs what is due. A crawl holds a `site_locks` row (owner, expiry); a lock whose owner
process is gone (same host, dead pid) or whose expiry passed is taken over. A site whose last run
it blocked (a JS challenge, a WAF page …, archive/operations/blocking.py) is left alone longer:
its next run is the first of its run times after `blocking.pause(class, blocked runs in a row)`.

Pure functions first (spec resolution, offsets, due times), then what is due against the rows
(archive/store/schedules.py, which also holds the locks).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import yaml
from croniter import croniter

from archive.clock import utcnow
from archive.operations import blocking
from archive.store import schedules as rows
from archive.store.health import block_state
from archive.store.database import Archive
# the locks and rows a scheduler uses, so that this module is its one door
from archive.store.schedules import (LOCK_TTL, acquire, lock_holder, next_wakeup, owner_id,  # noqa: F401
                                     release, schedule_rows)

DEFAULT_CRON = "0 3 * * *"      # every night at 03:00 (UTC, as every time in the archive)
DEFAULT_SPREAD_MINUTES = 60     # sites sharing a cron start within this many minutes of it
DEFAULT_FULL_EVERY = 7          # every 7th scheduled run of a site is a full sweep


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


# -- what is due, against the rows (archive/store/schedules.py) ------------------------------------

@dataclass(frozen=True)
class Due:
    site_id: str
    next_run_at: datetime
    full: bool        # this run is a full sweep (every full_every-th)


def sync(archive: Archive, sites: list[dict], config: ScheduleConfig, now: datetime | None = None) -> None:
    """A schedules row per site: a new site is due from its latest run time; a site whose cron
    changed is moved to its next run time under the new cron."""
    now = now or utcnow()
    plans = []
    for site in sites:
        spec = site_spec(site, config)
        plans.append((site["id"], spec.cron, partial(last_due, site["id"], spec, now),
                      partial(next_due, site["id"], spec, now)))
    rows.sync(archive, plans, now)


def due(archive: Archive, sites: list[dict], config: ScheduleConfig, now: datetime | None = None) -> list[Due]:
    """The sites whose next run time has come, earliest first."""
    now = now or utcnow()
    wanted = {site["id"]: site for site in sites}
    out = []
    for site_id, next_run_at, runs in rows.due_rows(archive, now):
        if site_id in wanted:
            spec = site_spec(wanted[site_id], config)
            full = spec.full_every > 0 and runs % spec.full_every == 0
            out.append(Due(site_id, next_run_at, full))
    return out


def mark_ran(archive: Archive, site: dict, config: ScheduleConfig, started: datetime,
             run_id: int | None = None, now: datetime | None = None) -> datetime:
    """A scheduled run of the site is done: count it and move its next run time past `now`, or past
    the blocking pause when the site blocks us. Returns the new next_run_at."""
    now = now or utcnow()
    spec = site_spec(site, config)
    following = next_due(site["id"], spec, now)
    held = blocking.pause(*block_state(archive, site["id"]))
    if held:
        following = max(following, next_due(site["id"], spec, now + held))
    rows.record_run(archive, site["id"], spec.cron, started, run_id, following, now)
    return following
