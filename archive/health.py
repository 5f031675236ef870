"""Broken-site alarm: a pure rule over a site's last runs, and where its verdict is kept.

`assess(runs)` looks at the newest finished run against the runs before it and flags the site when
- the run found no items where earlier runs did (its lists showed nothing: a redesign or an outage),
- a field most pages used to have went missing on most pages (dates gone after a redesign), or
- it had more errors than pages (at least ERROR_MIN of them).
`update_site_health(archive, site_id)` applies it after each run and keeps the verdict in
site_health: a flag stays until a run passes the rules again (the site recovered).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from archive.models import CrawlRun
from archive.store import Archive, utcnow
from archive.watch_models import RunCheck, SiteHealth

HISTORY = 10                # runs looked at (the newest and the ones before it)
# fields whose share on a run's pages is kept; each counts only on sites whose pages used to have it
COVERAGE_FIELDS = ("title", "published", "written", "agency", "doc_number", "index_number")
COVERAGE_USED = 0.8         # a field "used to be there" when earlier runs had it on this share of pages
COVERAGE_DROP = 0.5         # ... and is "missing on most items" below this share
COVERAGE_MIN_ITEMS = 3      # fewer extracted pages than this say nothing about coverage
ERROR_MIN = 1               # errors > pages, and at least this many, flags the run


@dataclass(frozen=True)
class RunFacts:
    """What the rules need of one run (from crawl_runs and run_checks)."""
    run_id: int
    finished: bool
    pages: int = 0
    items: int = 0                       # new + changed + unchanged documents
    errors: int = 0
    listed: int | None = None            # items the lists showed (None: not recorded)
    extracted: int = 0                   # pages extracted as served this run
    coverage: dict = field(default_factory=dict)   # field -> share of the extracted pages

    @property
    def found(self) -> int:
        """How many items the run found on the site."""
        return max(self.listed or 0, self.items)


@dataclass(frozen=True)
class Health:
    flagged: bool
    reason: str | None = None
    run_id: int | None = None


def assess(runs: list[RunFacts]) -> Health:
    """The verdict on a site from its runs, oldest first; unfinished runs are not judged."""
    done = [r for r in runs if r.finished]
    if not done:
        return Health(False)
    last, before = done[-1], done[:-1]
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


def run_facts(archive: Archive, site_id: str, limit: int = HISTORY) -> list[RunFacts]:
    """The site's last runs, oldest first."""
    with archive.session() as s:
        rows = s.execute(select(CrawlRun, RunCheck).outerjoin(RunCheck, RunCheck.run_id == CrawlRun.id)
                         .where(CrawlRun.site_id == site_id).order_by(CrawlRun.id.desc()).limit(limit)).all()
    return [facts_of(run, check) for run, check in reversed(rows)]


def recent_run_facts(archive: Archive, site_ids: Iterable[str] | None = None, *, unjudged: bool = False,
                     limit: int = HISTORY) -> dict[str, list[RunFacts]]:
    """site id -> its last runs, oldest first (as `run_facts`), for many sites in one query.

    `site_ids` narrows to those sites (None: every site with runs); `unjudged` to sites without a
    kept verdict in site_health. ROW_NUMBER() OVER (PARTITION BY ...) works on SQLite 3.25+ and
    PostgreSQL, so the cost is one statement however many sites there are.
    """
    ranked = select(CrawlRun.id.label("run_id"),
                    func.row_number().over(partition_by=CrawlRun.site_id, order_by=CrawlRun.id.desc()).label("recency"))
    if site_ids is not None:
        ranked = ranked.where(CrawlRun.site_id.in_(list(site_ids)))
    if unjudged:
        ranked = ranked.where(CrawlRun.site_id.not_in(select(SiteHealth.site_id)))
    ranked = ranked.subquery()
    # plain columns, not ORM objects: thousands of rows on a national archive
    query = (select(CrawlRun.site_id, CrawlRun.id, CrawlRun.finished.is_not(None), CrawlRun.pages, CrawlRun.new,
                    CrawlRun.changed, CrawlRun.unchanged, CrawlRun.errors, RunCheck.run_id, RunCheck.listed,
                    RunCheck.extracted, RunCheck.coverage)
             .join(ranked, ranked.c.run_id == CrawlRun.id).outerjoin(RunCheck, RunCheck.run_id == CrawlRun.id)
             .where(ranked.c.recency <= limit).order_by(CrawlRun.site_id, CrawlRun.id))
    facts: dict[str, list[RunFacts]] = {}
    with archive.session() as s:
        rows = s.execute(query).all()
    for site_id, run_id, finished, pages, new, changed, unchanged, errors, checked, listed, extracted, coverage in rows:
        facts.setdefault(site_id, []).append(RunFacts(
            run_id=run_id, finished=bool(finished), pages=pages or 0, items=(new or 0) + (changed or 0) + (unchanged or 0),
            errors=sum((errors or {}).values()), listed=listed if checked is not None else None,
            extracted=(extracted if checked is not None else 0) or 0,
            coverage=dict(coverage or {}) if checked is not None else {}))
    return facts


def facts_of(run: CrawlRun, check: RunCheck | None = None) -> RunFacts:
    return RunFacts(run_id=run.id, finished=run.finished is not None, pages=run.pages or 0,
                    items=(run.new or 0) + (run.changed or 0) + (run.unchanged or 0),
                    errors=sum((run.errors or {}).values()),
                    listed=check.listed if check else None, extracted=check.extracted if check else 0,
                    coverage=dict(check.coverage or {}) if check else {})


def record_check(archive: Archive, run_id: int, site_id: str, listed: int | None, extracted: int,
                 coverage: dict[str, float]) -> None:
    with archive.session() as s:
        row = s.get(RunCheck, run_id) or RunCheck(run_id=run_id, site_id=site_id)
        row.listed, row.extracted, row.coverage = listed, extracted, dict(coverage)
        s.add(row)


def update_site_health(archive: Archive, site_id: str, now: datetime | None = None) -> Health:
    """Judge the site on its last runs and keep the verdict (the flag's `since` survives re-flagging)."""
    verdict = assess(run_facts(archive, site_id))
    now = now or utcnow()
    with archive.session() as s:
        row = s.get(SiteHealth, site_id) or SiteHealth(site_id=site_id, flagged=False)
        if verdict.flagged and not row.flagged:
            row.since = now
        elif not verdict.flagged:
            row.since = None
        row.flagged, row.reason, row.run_id, row.updated = verdict.flagged, verdict.reason, verdict.run_id, now
        s.add(row)
    return verdict


def site_health(archive: Archive) -> dict[str, SiteHealth]:
    """site id -> its kept verdict (sites never judged are absent)."""
    with archive.session() as s:
        return {row.site_id: row for row in s.scalars(select(SiteHealth))}
