"""A national archive for the coverage ledger (tests/ui/test_coverage.py at a small size,
bench/coverage.py at full size): registry entries for every province and prefecture government and
the first `counties` county-level ones, and in the archive what crawls of half of them left.

Deterministic by an entry's position i (every count below is a rule of i, so a test can check it):
- no base URL on every 17th entry; start columns beyond the home page on two entries in three;
- crawled (a sites row and `runs` crawl runs): every 2nd entry with a URL; of those, every 7th is
  blocked on its last run, the class cycling through archive.operations.blocking.CLASSES (its
  site_health says so), the others succeeded (pages and documents, published over up to 9 years);
- names carry markup (`<b>`), which every page must show as text.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from archive import regions
from archive.config import DataDir
from archive.models import CrawlRun, Document, RunCheck, Site, SiteHealth
from archive.operations.blocking import CLASSES
from archive.read.coverage import tree
from archive.store import Archive

T0 = datetime(2025, 6, 1, 3, 0)


def national_registry(counties: int | None = None) -> list[dict]:
    """An entry per province and prefecture government and per county-level one (the first `counties`)."""
    governments = tree().names                     # no pseudo-city of a municipality, no 海域
    upper = [code for code in governments if regions.code_level(code) != "county"]
    lower = [code for code in governments if regions.code_level(code) == "county"][:counties]
    out = []
    for i, code in enumerate(upper + lower):
        entry = {"id": f"r{code}", "name": f"{governments[code]}人民政府<b>网</b>", "region": code,
                 "family": "trs" if i % 2 else "generic", "verified": False}
        if i % 17:
            entry["base_url"] = f"http://www.r{code}.gov.cn.test"
        entry["columns"] = ["/zwgk/zcwj/"] if i % 3 else ["/"]
        out.append(entry)
    return out


def crawled(i: int, entry: dict) -> bool:
    return bool(entry.get("base_url")) and i % 2 == 0


def blocked_class(i: int) -> str | None:
    """The class entry i's last run was blocked by (crawled entries only), else None."""
    return CLASSES[(i // 14) % len(CLASSES)].name if i % 14 == 0 else None


def build_national(root: Path, counties: int | None = None, runs: int = 2, docs_per_site: int = 3):
    """(data dir, registry) of a national archive under `root`."""
    data = DataDir(root).ensure()
    registry = national_registry(counties)
    archive = Archive(data.database_url)
    sites, crawl_runs, checks, health, documents = [], [], [], [], []
    for i, entry in enumerate(registry):
        if not crawled(i, entry):
            continue
        sites.append({"id": entry["id"], "name": entry["name"], "region_code": entry["region"], "family": entry["family"],
                      "base_url": entry["base_url"], "columns": entry["columns"], "farm": False})
        block = blocked_class(i)
        for r in range(runs):
            last = r == runs - 1
            run_id = len(crawl_runs) + 1
            started = T0 + timedelta(days=r, minutes=i % 60)
            blocked = block if last else None
            crawl_runs.append({"id": run_id, "site_id": entry["id"], "started": started,
                               "finished": started + timedelta(minutes=5), "pages": 0 if blocked else 5,
                               "new": 0 if blocked else (docs_per_site if r == 0 else 0),
                               "unchanged": 0 if blocked else 5, "errors": {blocked: 2} if blocked else {},
                               "block_class": blocked, "block_detail": {"signals": {blocked: 2}} if blocked else None})
            checks.append({"run_id": run_id, "site_id": entry["id"], "listed": 0 if blocked else 20, "extracted": 5,
                           "coverage": {}})
        if block:
            health.append({"site_id": entry["id"], "flagged": True, "reason": "blocked", "run_id": len(crawl_runs),
                           "since": T0, "updated": T0, "block_class": block, "blocked_since": T0, "blocked_runs": 1})
        for d in range(docs_per_site):
            documents.append({"url": f"{entry['base_url']}/zwgk/{d}.html", "site_id": entry["id"],
                              "published": date(2016 + (i + d) % 9, 5, 1), "content_hash": f"{i}-{d}",
                              "title": f"文件{d}", "first_seen": T0, "last_seen": T0, "updated_at": T0})
    with archive.session() as s:
        for model, rows in ((Site, sites), (CrawlRun, crawl_runs), (RunCheck, checks), (SiteHealth, health),
                            (Document, documents)):
            if rows:
                s.execute(insert(model), rows)
    archive.close()
    return data, registry
