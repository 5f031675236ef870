"""Status for operators: per site the documents, the last crawl run, its errors by kind, and
whether the site looks broken (archive/operations/health.py: the verdict kept after its last run, or judged
here from its runs when none was kept), and whether it blocks us (a JS challenge, a WAF page, a refused
or reset connection, a stub or script-rendered list: archive/operations/blocking.py): a blocked run
shows its class, never a count of no new documents.

The figures for every site come from a fixed number of grouped queries (no query per site), and
the page is bounded: the sites flagged broken first, always in full (on page 1), then the others
PAGE_SIZE a page (`?page=N`), narrowed by `?q=` (site name or id contains) or `?flagged=1` (only
the flagged ones). The totals count every site. /status.json takes the same parameters.
"""
from __future__ import annotations

import math
from flask import Blueprint, request, url_for

from archive.operations.blocking import BY_NAME, label as block_label
from archive.read.status import SiteEntry, site_index
from search_ui.app_resources import resources
from search_ui.errors import BadParameters
from search_ui.params import Checker
from search_ui.views.render import twin

bp = Blueprint("status", __name__)

PAGE_SIZE = 100          # sites not flagged, per page
MAX_QUERY = 100          # characters of ?q=
MAX_PAGE = 100_000


twin(bp, "/status", "status", "status.html", lambda: status_view(**_params()))


def _params() -> dict:
    """page, q and flagged; an invalid one is refused (400) on the page and in status.json."""
    check = Checker(request.args)
    page = check.integer("page", "页码", 1, MAX_PAGE) or 1
    q = check.text("q", "网站名称或代码", MAX_QUERY) or ""
    flagged = check.choice("flagged", "只看疑似失效 flagged", ("0", "1"))
    if check.problems:
        raise BadParameters(check.problems)
    return {"page": page, "q": " ".join(q.split()), "flagged_only": flagged == "1"}


def status_view(page: int = 1, q: str = "", flagged_only: bool = False, page_size: int = PAGE_SIZE) -> dict:
    """The totals over every site, the flagged sites (page 1) and one page of the others."""
    sites = site_index(resources().archive)
    needle = q.casefold()
    matched = [e for e in sites if not needle or needle in e.name.casefold() or needle in (e.id or "").casefold()]
    flagged = [e for e in matched if e.broken]
    others = [] if flagged_only else [e for e in matched if not e.broken]
    pages = max(1, math.ceil(len(others) / page_size))
    page = min(page, pages)
    shown = [site_row(e) for e in others[(page - 1) * page_size: page * page_size]]
    listed_flagged = [site_row(e) for e in flagged] if page == 1 else []
    return {
        "documents": sum(e.documents for e in sites),      # the grouped counts add up to every document
        "totals": {"sites": len(sites), "broken": sum(e.broken for e in sites),
                   "with_runs": sum(e.run is not None for e in sites),
                   "with_errors": sum(e.error_total > 0 for e in sites),
                   "blocked": sum(e.blocked is not None for e in sites)},
        "blocked_by_class": _blocked_by_class(sites),
        "broken": [e.id for e in sites if e.broken],
        "query": q, "flagged_only": flagged_only,
        "matched": len(matched), "matched_broken": len(flagged),
        "page": page, "pages": pages, "page_size": page_size,
        "flagged": listed_flagged, "others": shown,
        "sites": listed_flagged + shown,
        "pager": _pager(page, pages, q, flagged_only),
        "json_url": _url("status.status_json", page, q, flagged_only),
        "html_url": _url("status.status", page, q, flagged_only),
    }


def _blocked_by_class(sites: list[SiteEntry]) -> list[dict]:
    """[{"class", "label", "sites"}] in the classes' order, the classes no site is blocked by left out."""
    counts: dict[str, int] = {}
    for entry in sites:
        if entry.blocked:
            counts[entry.blocked] = counts.get(entry.blocked, 0) + 1
    order = list(BY_NAME)
    return [{"class": name, "label": block_label(name), "sites": n}
            for name, n in sorted(counts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0]))]


def _url(endpoint: str, page: int, q: str, flagged_only: bool) -> str:
    return url_for(endpoint, q=q or None, flagged=1 if flagged_only else None, page=page if page > 1 else None)


def _pager(current: int, pages: int, q: str, flagged_only: bool, window: int = 4) -> dict:
    """Links for search_ui/templates/_pager.html (the shape search.pager gives)."""
    def link(n: int) -> str:
        return _url("status.status", n, q, flagged_only)
    numbers = range(max(1, current - window), min(pages, current + window) + 1)
    return {"prev_url": link(current - 1) if current > 1 else None,
            "next_url": link(current + 1) if current < pages else None,
            "first_url": link(1) if numbers[0] > 1 else None,
            "last_url": link(pages) if numbers[-1] < pages else None, "last": pages,
            "numbers": [{"number": n, "current": n == current, "url": link(n)} for n in numbers]}


def site_row(entry: SiteEntry) -> dict:
    """A site as the page and /status.json show it."""
    site, kept = entry.site, entry.kept
    _, last_seen, newest = entry.counts
    return {
        "id": entry.id, "name": entry.name,
        "base_url": site.base_url if site else None, "family": site.family if site else None,
        "documents": entry.documents, "last_seen": _iso(last_seen), "newest_document": _iso(newest),
        "run": _run(entry.run), "broken": entry.broken, "broken_reason": entry.reason,
        "broken_since": _iso(kept.since) if kept is not None and kept.flagged else None,
        "blocked": _blocked(entry),
    }


def _blocked(entry: SiteEntry) -> dict | None:
    """How the site blocks us: its class, since when and for how many runs, and the last run's evidence."""
    if entry.blocked is None:
        return None
    kept, run = entry.kept, entry.run
    detail = dict(run.block_detail or {}) if run is not None and run.block_class == entry.blocked else {}
    return {"class": entry.blocked, "label": block_label(entry.blocked),
            "since": _iso(kept.blocked_since) if kept is not None else None,
            "runs": kept.blocked_runs if kept is not None else None,
            "vendor": detail.get("vendor"), "status": detail.get("status"), "error": detail.get("error"),
            "url": detail.get("url"), "signals": detail.get("signals") or {}}


def _run(run) -> dict | None:
    if run is None:
        return None
    errors = dict(sorted((run.errors or {}).items(), key=lambda kv: (-kv[1], kv[0])))
    return {"id": run.id, "started": _iso(run.started), "finished": _iso(run.finished), "pages": run.pages,
            "new": run.new, "changed": run.changed, "unchanged": run.unchanged, "withdrawn": run.withdrawn,
            "errors": errors, "error_total": sum(errors.values()), "newest_item": _iso(run.newest_item),
            "full_sweep": run.full_sweep, "block_class": run.block_class}


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat(sep=" ", timespec="minutes") if hasattr(value, "hour") else value.isoformat()
