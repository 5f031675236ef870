"""Status for operators: per site the documents, the last crawl run, its errors by kind, and
whether the site looks broken (archive/health.py: the verdict kept after its last run, or judged
here from its runs when none was kept)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select

from archive import health
from archive.models import CrawlRun, Document, Site
from search_ui import resources

bp = Blueprint("status", __name__)


@bp.get("/status")
def status():
    return render_template("status.html", view=status_view())


@bp.get("/status.json")
def status_json():
    return jsonify(status_view())


def status_view() -> dict:
    sites = site_rows()
    return {"documents": resources().archive.count_documents(), "sites": sites,
            "broken": [s["id"] for s in sites if s["broken"]]}


def broken_reason(run: CrawlRun | None) -> str | None:
    """The health rules (archive/health.py) applied to one run alone."""
    if run is None:
        return None
    facts = health.RunFacts(run_id=getattr(run, "id", 0), finished=run.finished is not None, pages=run.pages or 0,
                            items=sum(getattr(run, name, 0) or 0 for name in ("new", "changed", "unchanged")),
                            errors=sum((run.errors or {}).values()))
    return health.assess([facts]).reason


def site_verdict(site_id: str | None, kept: dict) -> str | None:
    """Why the site looks broken (None: it does not): the kept verdict, else judged from its runs."""
    if site_id is None:
        return None
    if site_id in kept:
        return kept[site_id].reason if kept[site_id].flagged else None
    return health.assess(health.run_facts(resources().archive, site_id)).reason


def site_rows() -> list[dict]:
    """One row per site (plus one for documents without a site): broken first, then most documents."""
    counts = (select(Document.site_id, func.count(Document.id), func.max(Document.last_seen), func.max(Document.published))
              .group_by(Document.site_id))
    latest = (select(CrawlRun.site_id, func.max(CrawlRun.id).label("run_id"))
              .group_by(CrawlRun.site_id).subquery())
    with resources().archive.session() as s:
        sites = {site.id: site for site in s.scalars(select(Site))}
        documents = {site_id: (n, last, newest) for site_id, n, last, newest in s.execute(counts)}
        runs = {run.site_id: run for run in s.scalars(select(CrawlRun).join(latest, CrawlRun.id == latest.c.run_id))}
    kept = health.site_health(resources().archive)
    rows = []
    for site_id in sorted(set(sites) | set(documents), key=lambda k: (k is None, k or "")):
        site = sites.get(site_id)
        n, last_seen, newest = documents.get(site_id, (0, None, None))
        run = runs.get(site_id)
        reason = site_verdict(site_id, kept)
        rows.append({
            "id": site_id, "name": site.name if site else "（未关联网站）",
            "base_url": site.base_url if site else None, "family": site.family if site else None,
            "documents": n, "last_seen": _iso(last_seen), "newest_document": _iso(newest),
            "run": _run(run), "broken": reason is not None, "broken_reason": reason,
            "broken_since": _iso(kept[site_id].since) if site_id in kept and kept[site_id].flagged else None,
        })
    rows.sort(key=lambda r: (not r["broken"], -r["documents"]))
    return rows


def _run(run: CrawlRun | None) -> dict | None:
    if run is None:
        return None
    errors = dict(sorted((run.errors or {}).items(), key=lambda kv: (-kv[1], kv[0])))
    return {"id": run.id, "started": _iso(run.started), "finished": _iso(run.finished), "pages": run.pages,
            "new": run.new, "changed": run.changed, "unchanged": run.unchanged, "withdrawn": run.withdrawn,
            "errors": errors, "error_total": sum(errors.values()), "newest_item": _iso(run.newest_item),
            "full_sweep": run.full_sweep}


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat(sep=" ", timespec="minutes") if hasattr(value, "hour") else value.isoformat()
