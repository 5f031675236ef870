"""Time lines: a search's documents per year per province (per county within a province or a
city), and the order regions adopted a template family; each as a picture, JSON and CSV."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request, url_for

import archive.index as index
from archive import regions
from archive.read import templates
from archive.read.timelines import adoption_order, year_by_region
from search_ui import timelines as svg
from search_ui.app_resources import resources
from search_ui.query import ID_SLOT, SearchRequest, parse_request, url_pattern
from search_ui.views.render import twin

bp = Blueprint("timelines", __name__)
MAX_DOCS = 20_000      # hits counted; past this the note says so
_BATCH = 200
LEVEL_NAMES = {"province": "省份", "city": "市", "county": "县（市、区）"}


def _level(req: SearchRequest) -> str:
    """Provinces for the country; counties within a province or a city."""
    return "province" if not req.filters.region else "county"


def _counts(req: SearchRequest):
    ids, page, total, error = [], 1, 0, None
    while len(ids) < MAX_DOCS:
        found = index.search(resources().index_dir, req.q, filters=req.filters, sort="date", page=page,
                             page_size=_BATCH, facets=False)
        total, error = found.total, found.error
        ids.extend(h.doc_id for h in found.hits)
        if not found.hits or len(ids) >= found.total:
            break
        page += 1
    return year_by_region(resources().archive, ids[:MAX_DOCS], _level(req)), total, min(total, MAX_DOCS), error


def search_timeline() -> dict:
    req = parse_request(request.args, endpoint="timelines.timeline")
    rows, total, counted, error = _counts(req)
    level = _level(req)
    years = svg.years_of(rows)
    place = regions.lookup(req.filters.region) if req.filters.region else None
    scope = " ".join(p for p in (place.province, place.city, place.county) if p) if place else None
    title = f"每年文件数（按{LEVEL_NAMES[level]}）"

    def cell_url(row, year):
        if not row.code:
            return None
        return req.url("search.search", region=row.code, year=year, page=None)

    return {"query": req.q, "filters": req.active_filters(), "level": level, "total": total, "counted": counted,
            "error": error, "problems": [m for _, m in req.invalid], "years": years,
            "rows": [{"code": r.code, "name": r.name, "years": {str(y): c for y, c in r.years.items()},
                      "total": r.total} for r in rows],
            "chart_title": title, "scope": scope,
            "svg": str(svg.heatmap_svg(rows, title, "timeline-chart", cell_url)) if rows else None,
            "csv_url": req.url("timelines.timeline_csv", page=None), "json_url": req.url("timelines.timeline_json"),
            "search_url": req.url("search.search", page=None)}


twin(bp, "/timeline", "timeline", "timeline.html", search_timeline)


@bp.get("/timeline.csv")
def timeline_csv():
    req = parse_request(request.args, endpoint="timelines.timeline")
    rows, _total, _counted, _error = _counts(req)
    years = svg.years_of(rows)
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["region_code", "region", *years, "total"])
    for r in rows:
        out.writerow([r.code or "", _cell(r.name), *(r.years.get(y, 0) for y in years), r.total])
    return _csv(buffer.getvalue(), "govplans-timeline.csv")


def adoption_view(cluster_id: int) -> dict:
    if templates.cluster(resources().archive, cluster_id) is None:
        abort(404)
    found = adoption_order(resources().archive, cluster_id)
    doc_url = url_pattern("documents.show", doc_id=ID_SLOT)
    title = f"采用顺序：{len(found)} 个地区"
    picture = svg.adoption_svg(found, title, "adoption-chart", lambda a: doc_url.format(a.doc_id))
    return {"cluster": cluster_id, "title": found[0].title if found else None, "regions": len(found),
            "adoptions": [{"order": a.order, "region_code": a.code, "region": a.region,
                           "first": a.first.isoformat() if a.first else None, "doc_id": a.doc_id, "title": a.title,
                           "copies": a.copies, "doc_url": doc_url.format(a.doc_id)} for a in found],
            "svg": str(picture) if picture else None,
            "csv_url": url_for("timelines.adoption_csv", cluster_id=cluster_id),
            "json_url": url_for("timelines.adoption_json", cluster_id=cluster_id)}


twin(bp, "/templates/<id:cluster_id>/adoption", "adoption", "adoption.html", adoption_view)


@bp.get("/templates/<id:cluster_id>/adoption.csv")
def adoption_csv(cluster_id: int):
    view = adoption_view(cluster_id)
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["order", "region_code", "region", "first_published", "doc_id", "title", "copies"])
    for a in view["adoptions"]:
        out.writerow([a["order"], a["region_code"] or "", _cell(a["region"]), a["first"] or "", a["doc_id"],
                      _cell(a["title"] or ""), a["copies"]])
    return _csv(buffer.getvalue(), f"govplans-adoption-{cluster_id}.csv")


def _cell(value: str) -> str:
    """A cell a spreadsheet would take for a formula gets a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv(body: str, name: str) -> Response:
    response = Response("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
