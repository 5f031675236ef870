"""Which registry sites a crawl has verified: a finished run that found documents on the site.

Registry entries say `verified: false` until then; nothing is written for it, the archive's
crawl_runs already record it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from archive.models import CrawlRun
from archive.store.database import Archive


def verified_sites(archive: Archive) -> dict[str, datetime]:
    """site id -> when its first successful run finished (one statement)."""
    found = CrawlRun.new + CrawlRun.changed + CrawlRun.unchanged
    query = (select(CrawlRun.site_id, func.min(CrawlRun.finished))
             .where(CrawlRun.finished.is_not(None), found > 0).group_by(CrawlRun.site_id))
    with archive.session() as s:
        return dict(s.execute(query).all())
