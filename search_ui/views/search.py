"""Search: `/` and `/search` render the page that `/search.json` returns as data."""
from __future__ import annotations

import math

from flask import Blueprint, current_app, jsonify, render_template, request

import archive.index as index
from archive.index.api import Hit, SearchResults
from archive import regions
from search_ui import charts, facets
from search_ui.app_resources import resources
from search_ui.errors import error_response
from search_ui.filters import marks
from search_ui.query import ID_SLOT, MAX_PAGE, SearchRequest, pager, parse_request, url_pattern

bp = Blueprint("search", __name__)

SORT_LABELS = {"relevance": "相关度", "date": "发布日期"}


@bp.get("/")
@bp.get("/search")
def search():
    return _cached("html", lambda view: render_template("search.html", view=view))


@bp.get("/search.json")
def search_json():
    return _cached("json", jsonify)


def _cached(kind: str, render):
    """The page for this query string, from PageCache while the index and the labels are
    unchanged (only pages that were answered 200 are kept)."""
    res = resources()
    size = current_app.config["SEARCH_CACHE_SIZE"]
    key = None
    if size > 0:
        try:
            token = index.state(res.index_dir)
        except Exception:   # the search below reports a broken index
            token = None
        if token is not None:
            key = (kind, request.path, tuple(request.args.items(multi=True)), token, res.labels.version())
            found = res.pages.get(key)
            if found is not None:
                body, mimetype = found
                return current_app.response_class(body, status=200, mimetype=mimetype)
    req = parse_request(request.args)   # search.json refuses invalid parameters here (400)
    with res.search_turns:   # one page computed at a time per process, in arrival order
        view, status = search_page(req)
        if status >= 500 and kind == "json":
            return error_response(status, view["error"])
        body = render(view)
    response = current_app.make_response(body)
    response.status_code = status
    if key is not None and status == 200:
        res.pages.put(key, (response.get_data(), response.mimetype), size)
    return response


def search_page(req: SearchRequest) -> tuple[dict, int]:
    """Everything the search page shows, JSON-ready, and the HTTP status to send it with."""
    results, status = _run(req)
    if req.problems and status == 200:
        status = 400
    labels = resources().labels
    pages = min(math.ceil(results.total / results.page_size), MAX_PAGE) if results.page_size else 0
    sidebar = facets.sidebar(results, req, labels)
    doc_url = url_pattern("documents.show", doc_id=ID_SLOT) if results.hits else ""
    return {
        "query": req.q,
        "sort": req.sort,
        "total": results.total,
        "page": req.page,
        "pages": pages,
        "page_size": results.page_size,
        "error": results.error,
        "problems": list(req.problems),
        "filters": req.active_filters(),
        "chips": facets.chips(results, req, labels),
        "sorts": [{"value": value, "label": label, "selected": value == req.sort, "url": req.url(sort=value)}
                  for value, label in SORT_LABELS.items()],
        "hits": [_hit(hit, doc_url) for hit in results.hits],
        "facets": sidebar,
        "charts": facet_charts(sidebar, req),
        "pager": pager(req, pages),
        "json_url": req.url("search.search_json"),
        "feed_url": req.url("feeds.atom", page=None, sort=None),
        "save_fields": {k: v for k, v in req.params().items() if k not in ("page", "sort")},  # POST /saved
        "csv_url": req.url("feeds.csv_download", page=None),
        "jsonl_url": req.url("feeds.jsonl_download", page=None),
        "cite_url": req.url("citations.cite_search", page=None),
        "timeline_url": req.url("timelines.timeline", page=None, sort=None),
        "export_max": current_app.config["EXPORT_MAX_ROWS"],
        "html_url": req.url(),
        "first_page_url": req.url(page=None),
    }, status


REGION_CHART_TITLES = {None: "各省份文件数", "province": "各市文件数", "city": "各县（市、区）文件数"}


def facet_charts(sidebar: list[dict], req: SearchRequest) -> dict:
    """Documents per year and per region one level down, drawn from the facet counts."""
    values = {facet["name"]: facet["values"] for facet in sidebar}
    years = sorted((v for v in values.get("year", []) if v["value"]), key=lambda v: v["value"])
    places = [v for v in values.get("region", []) if v["url"] and not v["selected"]]   # not 本级 / 地区不详 / the chosen one
    level = regions.code_level(req.filters.region) if req.filters.region else None
    return {"years": charts.columns(years, "各年度文件数"),
            "regions": charts.rows(places, REGION_CHART_TITLES[level]) if level in REGION_CHART_TITLES else None}


def _run(req: SearchRequest) -> tuple[SearchResults, int]:
    size = current_app.config["SEARCH_PAGE_SIZE"]
    index_dir = resources().index_dir
    try:
        # the sidebar lists only the most frequent values of each facet
        return index.search(index_dir, req.q, filters=req.filters, sort=req.sort, page=req.page,
                            page_size=size, facet_limit=facets.listed_limit(req)), 200
    except Exception:  # the index is a cache: a broken or missing one must not take the page down
        current_app.logger.exception("search failed in %s", index_dir)
        return SearchResults(query=req.q, total=0, hits=[], page=req.page, page_size=size,
                             error="检索服务暂时不可用（索引缺失或损坏），请稍后再试或联系管理员重建索引。"), 503


def _hit(hit: Hit, doc_url: str) -> dict:
    place = [p for p in (hit.province, hit.city, hit.county) if p]
    return {
        "id": hit.doc_id,
        "doc_url": doc_url.format(hit.doc_id),
        "url": hit.url,
        "title": hit.title,
        "title_html": marks(hit.title_html),       # Markup (a str): JSON as is, the page unescaped
        "snippet_html": marks(hit.snippet_html),
        "published": hit.published.isoformat() if hit.published else None,
        "year": hit.year,
        "region": {"code": hit.region_code, "province": hit.province, "city": hit.city, "county": hit.county,
                   "label": " ".join(dict.fromkeys(place))},
        "themes": list(hit.themes),
        "doc_type": hit.doc_type,
        "site": hit.site,
        "score": round(hit.score, 3) if hit.score is not None else None,
    }
