"""Crawl status for operators: every site with its document counts, its last run and whether it looks
broken (the verdict archive/operations/health.py kept after its last run, or judged here from its runs
when none was kept). Five statements whatever the number of sites."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from archive.models import CrawlRun, Document, Site, SiteHealth
from archive.operations import health
from archive.store.database import Archive
from archive.store.health import recent_run_facts, run_facts

NO_SITE = "（未关联网站）"
RUN_COLUMNS = ("site_id", "id", "started", "finished", "pages", "new", "changed", "unchanged", "withdrawn", "errors",
               "newest_item", "full_sweep", "block_class", "block_detail")


def broken_reason(run: CrawlRun | None) -> str | None:
    """The health rules (archive/operations/health.py) applied to one run alone."""
    if run is None:
        return None
    facts = health.RunFacts(run_id=getattr(run, "id", 0), finished=run.finished is not None, pages=run.pages or 0,
                            items=sum(getattr(run, name, 0) or 0 for name in ("new", "changed", "unchanged")),
                            errors=sum((run.errors or {}).values()), blocked=getattr(run, "block_class", None))
    return health.assess([facts]).reason


def site_verdict(archive: Archive, site_id: str | None, kept: dict, facts: dict | None = None) -> str | None:
    """Why the site looks broken (None: it does not): the kept verdict, else judged from its runs
    (`facts`: health.recent_run_facts for the sites without a kept verdict; None: ask for this one)."""
    if site_id is None:
        return None
    if site_id in kept:
        return kept[site_id].reason if kept[site_id].flagged else None
    runs = run_facts(archive, site_id) if facts is None else facts.get(site_id, [])
    return health.assess(runs).reason


@dataclass(frozen=True)
class SiteEntry:
    """What sorting, filtering and the totals need of a site, and the raw rows its full row is made of."""
    id: str | None
    name: str
    documents: int
    reason: str | None          # why it looks broken; None: it does not
    error_total: int            # errors of its last run
    site: Any = None            # (id, name, base_url, family) from sites
    counts: tuple = (0, None, None)   # documents, newest last_seen, newest published
    run: Any = None             # its last run (RUN_COLUMNS)
    kept: Any = None            # its kept verdict (site_health)

    @property
    def broken(self) -> bool:
        return self.reason is not None

    @property
    def blocked(self) -> str | None:
        """The class of blocking its last finished run met (None: it was not blocked)."""
        if self.kept is not None:
            return self.kept.block_class
        return self.run.block_class if self.run is not None and self.run.finished is not None else None


def site_index(archive: Archive) -> list[SiteEntry]:
    """Every site, broken first, then most documents, then by id.

    Five statements whatever the number of sites: sites, documents grouped by site, each site's
    latest run, the kept verdicts (site_health), and the recent runs of the sites without one
    (health.recent_run_facts, a window function)."""
    counts = (select(Document.site_id, func.count(Document.id), func.max(Document.last_seen), func.max(Document.published))
              .group_by(Document.site_id))
    latest = (select(CrawlRun.site_id, func.max(CrawlRun.id).label("run_id"))
              .group_by(CrawlRun.site_id).subquery())
    # plain columns, not ORM objects: a few thousand rows each on a national archive
    run_columns = [getattr(CrawlRun, name) for name in RUN_COLUMNS]
    with archive.session() as s:
        sites = {row.id: row for row in s.execute(select(Site.id, Site.name, Site.base_url, Site.family))}
        documents = {site_id: (n, last, newest) for site_id, n, last, newest in s.execute(counts)}
        runs = {row.site_id: row for row in s.execute(select(*run_columns).join(latest, CrawlRun.id == latest.c.run_id))}
        kept = {row.site_id: row for row in s.execute(select(SiteHealth.site_id, SiteHealth.flagged, SiteHealth.reason,
                                                             SiteHealth.since, SiteHealth.block_class,
                                                             SiteHealth.blocked_since, SiteHealth.blocked_runs))}
    facts = recent_run_facts(archive, unjudged=True)
    entries = []
    for site_id in set(sites) | set(documents):
        site, run = sites.get(site_id), runs.get(site_id)
        count = documents.get(site_id, (0, None, None))
        entries.append(SiteEntry(id=site_id, name=site.name if site else NO_SITE, documents=count[0],
                                 reason=site_verdict(archive, site_id, kept, facts),
                                 error_total=sum((run.errors or {}).values()) if run else 0,
                                 site=site, counts=count, run=run, kept=kept.get(site_id)))
    entries.sort(key=lambda e: (not e.broken, -e.documents, e.id is None, e.id or ""))
    return entries
