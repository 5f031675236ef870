"""The coverage ledger (archive/read/coverage.py): per province, prefecture and county, the portals
registered, discovered, verified and blocked by class, the last successful crawl, the documents and
the years they cover; a grid of provinces drawn as SVG on the server (no script).

/coverage is the country, /coverage?region=430000 a province (its prefectures and its own portals),
/coverage?region=431100 a prefecture (its counties), /coverage?region=431181 a county (its portals;
a retired code such as 431121 means its successor). `portals=1` lists the portals of any scope.
/coverage.json is the same view; /coverage.csv has every region under the scope at every level.
"""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, request, url_for

from archive import regions
from archive.operations.blocking import CLASSES
from archive.read import coverage
from search_ui.app_resources import resources
from search_ui.charts import province_tiles
from search_ui.errors import BadParameters
from search_ui.params import Checker, shown
from search_ui.views.render import twin

bp = Blueprint("coverage", __name__)
LEVEL_NAMES = {"country": "全国", "province": "省级", "city": "地级", "county": "县级", "own": "本级", "unplaced": "未标地区"}


def _params() -> dict:
    """region (a six-digit code) and portals (0 or 1); an invalid one is refused (400), as everywhere
    (search_ui/params.py); a well-formed code that names no unit is a 404."""
    check = Checker(request.args)
    region = None if check.empty("region", "地区") else check.raw("region")
    if region is not None and not (region.isascii() and region.isdigit() and len(region) == 6):
        check.problems["region"] = f"地区参数“{shown(region)}”不是六位行政区划代码。"
    portals = check.choice("portals", "列出网站 portals", ("0", "1"))
    if check.problems:
        raise BadParameters(check.problems)
    return {"region": region, "with_portals": portals == "1"}


twin(bp, "/coverage", "coverage", "coverage.html", lambda: coverage_view(**_params()))


def scope_or_404(region: str | None) -> str | None:
    """The unit a ?region= names (None: the country); a code that names none is a 404."""
    if region is None:
        return None
    unit = coverage.tree().unit(regions.current_code(region))
    if unit is None:
        abort(404)
    return unit


def coverage_view(region: str | None = None, with_portals: bool = False) -> dict:
    scope = scope_or_404(region)
    found = coverage.ledger(resources().archive, resources().registry(), scope, with_portals)
    classes = [{"class": c.name, "label": c.label} for c in CLASSES]
    return {
        "scope": tally_record(found.scope),
        "trail": ([{"name": "全国", "url": url_for("coverage.coverage")}]
                  + [{"name": t.name, "url": _link(t.code)} for t in found.trail]) if scope else [],
        "rows": [tally_record(row) for row in found.rows],
        "portals": [portal_record(p) for p in found.portals],
        "with_portals": with_portals,
        "classes": classes,
        "grid": province_tiles([{"code": t.code, "name": t.name, "covered": t.covered, "units": t.units,
                                 "portals": t.portals, "blocked": t.blocked_total, "url": _link(t.code),
                                 "selected": bool(scope) and scope[:2] == t.code[:2]} for t in found.provinces]),
        "registry_entries": len(resources().registry()),
        "html_url": _link(scope), "json_url": _link(scope, "coverage.coverage_json"),
        "csv_url": _link(scope, "coverage.coverage_csv"),
    }


def _link(code: str | None, endpoint: str = "coverage.coverage", **extra) -> str:
    return url_for(endpoint, region=code or None, **extra)


def tally_record(t: coverage.Tally) -> dict:
    """A region's line as the page and /coverage.json show it: the ledger's record and its links."""
    drill = t.level in ("province", "city", "county")
    return dict(t.record(), level_name=LEVEL_NAMES.get(t.level, t.level),
                url=_link(t.code) if drill else None)


def portal_record(p: coverage.Portal) -> dict:
    return dict(p.record(), search_url=url_for("search.search", site=p.id) if p.documents else None)


@bp.get("/coverage.csv")
def coverage_csv() -> Response:
    scope = scope_or_404(_params()["region"])
    rows = coverage.every_row(resources().archive, resources().registry(), scope)
    buffer = io.StringIO()
    buffer.write("\ufeff")                       # a BOM, so spreadsheet programs read the Chinese as UTF-8
    out = csv.writer(buffer)
    out.writerow(coverage.CSV_COLUMNS)
    out.writerows(coverage.csv_rows(rows))
    response = Response(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="govplans-coverage{"-" + scope if scope else ""}.csv"'
    return response
