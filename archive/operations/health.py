"""Broken-site alarm: a pure rule over a site's last runs, and where its verdict is kept.

`assess(runs)` looks at the newest finished run against the runs before it and flags the site when
- the site blocked the run (a JS challenge, a WAF page, a refused or reset connection, a stub or
  script-rendered list: archive/operations/blocking.py), whatever else the run shows: a blocked
  run is never read as a quiet one;
- the run found no items where earlier runs did (its lists showed nothing: a redesign or an outage),
- a field most pages used to have went missing on most pages (dates gone after a redesign), or
- it had more errors than pages (at least ERROR_MIN of them).
`update_site_health(archive, site_id)` applies it after each run and keeps the verdict in
site_health (archive/store/health.py): a flag stays until a run passes the rules again (the site recovered).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from archive.clock import utcnow
from archive.operations import blocking
from archive.store.database import Archive
from archive.store.health import HISTORY, RunFacts, keep_verdict, run_facts

__all__ = ["COVERAGE_FIELDS", "HISTORY", "Health", "RunFacts", "assess", "update_site_health"]

# fields whose share on a run's pages is kept; each counts only on sites whose pages used to have it
COVERAGE_FIELDS = ("title", "published", "written", "agency", "doc_number", "index_number")
COVERAGE_USED = 0.8         # a field "used to be there" when earlier runs had it on this share of pages
COVERAGE_DROP = 0.5         # ... and is "missing on most items" below this share
COVERAGE_MIN_ITEMS = 3      # fewer extracted pages than this say nothing about coverage
ERROR_MIN = 1               # errors > pages, and at least this many, flags the run


@dataclass(frozen=True)
class Health:
    flagged: bool
    reason: str | None = None
    run_id: int | None = None
    blocked: str | None = None      # the newest finished run's block class
    blocked_runs: int = 0           # finished runs in a row (newest back) that were blocked


def assess(runs: list[RunFacts]) -> Health:
    """The verdict on a site from its runs, oldest first; unfinished runs are not judged."""
    done = [r for r in runs if r.finished]
    if not done:
        return Health(False)
    last, before = done[-1], done[:-1]
    if last.blocked:
        streak = next((n for n, r in enumerate(reversed(done)) if not r.blocked), len(done))
        runs = f"（连续 {streak} 次）" if streak > 1 else ""
        return Health(True, f"网站拦截了抓取：{blocking.label(last.blocked)}{runs}", last.run_id, last.blocked, streak)
    if last.found == 0:
        used = max((r.found for r in before), default=0)
        if used:
            return Health(True, f"最近一次抓取没有找到任何条目（此前找到 {used} 条）", last.run_id)
        if not last.pages:
            return Health(True, "最近一次抓取没有取得任何页面", last.run_id)
    if last.errors >= ERROR_MIN and last.errors > last.pages:
        return Health(True, f"最近一次抓取错误（{last.errors}）多于页面（{last.pages}）", last.run_id)
    judged = [r for r in done if r.extracted >= COVERAGE_MIN_ITEMS and r.coverage]
    if len(judged) >= 2:
        newest, earlier = judged[-1], judged[:-1]
        for name in COVERAGE_FIELDS:
            share = newest.coverage.get(name)
            used = max((r.coverage.get(name, 0.0) for r in earlier), default=0.0)
            if share is not None and share < COVERAGE_DROP and used >= COVERAGE_USED:
                return Health(True, f"字段 {name} 的覆盖率从 {used:.0%} 降到 {share:.0%}", newest.run_id)
    return Health(False, None, last.run_id)


def update_site_health(archive: Archive, site_id: str, now: datetime | None = None) -> Health:
    """Judge the site on its last runs and keep the verdict (the flag's `since` survives re-flagging)."""
    verdict = assess(run_facts(archive, site_id))
    keep_verdict(archive, site_id, verdict.flagged, verdict.reason, verdict.run_id, now or utcnow(),
                 verdict.blocked, verdict.blocked_runs)
    return verdict
