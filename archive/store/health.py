"""The rows behind the broken-site alarm (archive/operations/health.py): what each run saw of its
site (crawl_runs, run_checks) as RunFacts, and the verdict kept per site (site_health)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from archive.models import CrawlRun, RunCheck, SiteHealth
from archive.store.database import Archive

HISTORY = 10                # runs looked at (the newest and the ones before it)


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
    blocked: str | None = None           # the run's block class (archive/operations/blocking.py)

    @property
    def found(self) -> int:
        """How many items the run found on the site."""
        return max(self.listed or 0, self.items)


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
                    CrawlRun.changed, CrawlRun.unchanged, CrawlRun.errors, CrawlRun.block_class, RunCheck.run_id,
                    RunCheck.listed, RunCheck.extracted, RunCheck.coverage)
             .join(ranked, ranked.c.run_id == CrawlRun.id).outerjoin(RunCheck, RunCheck.run_id == CrawlRun.id)
             .where(ranked.c.recency <= limit).order_by(CrawlRun.site_id, CrawlRun.id))
    facts: dict[str, list[RunFacts]] = {}
    with archive.session() as s:
        rows = s.execute(query).all()
    for site_id, run_id, finished, pages, new, changed, unchanged, errors, blocked, checked, listed, extracted, \
            coverage in rows:
        facts.setdefault(site_id, []).append(RunFacts(
            run_id=run_id, finished=bool(finished), pages=pages or 0, items=(new or 0) + (changed or 0) + (unchanged or 0),
            errors=sum((errors or {}).values()), listed=listed if checked is not None else None,
            extracted=(extracted if checked is not None else 0) or 0,
            coverage=dict(coverage or {}) if checked is not None else {}, blocked=blocked))
    return facts


def facts_of(run: CrawlRun, check: RunCheck | None = None) -> RunFacts:
    return RunFacts(run_id=run.id, finished=run.finished is not None, pages=run.pages or 0,
                    items=(run.new or 0) + (run.changed or 0) + (run.unchanged or 0),
                    errors=sum((run.errors or {}).values()),
                    listed=check.listed if check else None, extracted=check.extracted if check else 0,
                    coverage=dict(check.coverage or {}) if check else {}, blocked=run.block_class)


def record_check(archive: Archive, run_id: int, site_id: str, listed: int | None, extracted: int,
                 coverage: dict[str, float]) -> None:
    with archive.session() as s:
        row = s.get(RunCheck, run_id) or RunCheck(run_id=run_id, site_id=site_id)
        row.listed, row.extracted, row.coverage = listed, extracted, dict(coverage)
        s.add(row)


def keep_verdict(archive: Archive, site_id: str, flagged: bool, reason: str | None, run_id: int | None,
                 now: datetime, blocked: str | None = None, blocked_runs: int = 0) -> None:
    """Keep a site's verdict; the flag's `since` survives re-flagging and clears when it passes, and
    so does `blocked_since` while the site keeps blocking us (`blocked`: the class, `blocked_runs`:
    how many runs in a row)."""
    with archive.session() as s:
        row = s.get(SiteHealth, site_id) or SiteHealth(site_id=site_id, flagged=False)
        if flagged and not row.flagged:
            row.since = now
        elif not flagged:
            row.since = None
        if blocked and not row.block_class:
            row.blocked_since = now
        elif not blocked:
            row.blocked_since = None
        row.flagged, row.reason, row.run_id, row.updated = flagged, reason, run_id, now
        row.block_class, row.blocked_runs = blocked, blocked_runs if blocked else None
        s.add(row)


def site_health(archive: Archive) -> dict[str, SiteHealth]:
    """site id -> its kept verdict (sites never judged are absent)."""
    with archive.session() as s:
        return {row.site_id: row for row in s.scalars(select(SiteHealth))}


def block_state(archive: Archive, site_id: str) -> tuple[str | None, int]:
    """(class, blocked runs in a row) of a site that blocks us, (None, 0) otherwise."""
    with archive.session() as s:
        row = s.get(SiteHealth, site_id)
        if row is None or not row.block_class:
            return None, 0
        return row.block_class, row.blocked_runs or 1
