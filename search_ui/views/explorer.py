"""The templates explorer: template families ranked by how many regions adopted them.

For staff looking for a model text. Filters work like search (in the URL, facet links
computed here); a family is listed when any of its copies matches, and is shown whole,
because who else adopted it is the point.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from datetime import date

from flask import Blueprint, current_app, request, url_for

from archive.index.api import FacetValue, SearchFilters, SearchResults
from archive import regions
from archive.read import templates as template_families
from search_ui import charts, facets
from search_ui.app_resources import resources
from search_ui.params import settle
from search_ui.query import MAX_PAGE, PARAM_LABELS, SearchRequest, pager, parse_request
from search_ui.views.render import twin

bp = Blueprint("explorer", __name__)

FILTERS = ("region", "year", "year_from", "year_to", "theme", "doc_type")
FACET_NAMES = ("region", "year", "theme", "doc_type")


twin(bp, "/templates", "templates", "templates.html", lambda: explorer_page(_request()))


def _request() -> SearchRequest:
    """The search parameters this page understands; others are left out with a note (the page) or
    refused (templates.json)."""
    req = parse_request(request.args, endpoint="explorer.templates")
    ignored = [name for name, value in req.active_filters().items() if name not in FILTERS]
    problems = tuple((name, f"模板页不支持按{PARAM_LABELS[name]}筛选。") for name in ignored)
    settle(dict(problems))
    kept = replace(req.filters, **{name: None for name in ignored})
    return replace(req, filters=kept, invalid=req.invalid + problems)


def matches(member: template_families.Member, f: SearchFilters, q: str) -> bool:
    if f.region and not (member.region_code and regions.child_of(member.region_code, f.region)):
        return False
    if (f.year is not None or f.year_from is not None or f.year_to is not None) and member.year is None:
        return False
    if f.year is not None and member.year != f.year:
        return False
    if f.year_from is not None and member.year < f.year_from:
        return False
    if f.year_to is not None and member.year > f.year_to:
        return False
    if f.theme and f.theme not in member.themes:
        return False
    if f.doc_type and member.doc_type != f.doc_type:
        return False
    return not q or q.casefold() in member.title.casefold()


def ranked(all_families: dict[int, list[template_families.Member]]) -> list[tuple[int, list[template_families.Member]]]:
    """Most regions first, then most copies, then the older template."""
    return sorted(all_families.items(),
                  key=lambda kv: (-template_families.region_count(kv[1]), -len(kv[1]), kv[1][0].published or date.max, kv[0]))


def explorer_page(req: SearchRequest) -> tuple[dict, int]:
    size = current_app.config["FAMILIES_PAGE_SIZE"]
    found = []
    for cluster_id, family in ranked(template_families.all_families(resources().archive)):
        hits = [m for m in family if matches(m, req.filters, req.q)]
        if hits:
            found.append((cluster_id, family, hits))
    labels = resources().labels
    results = SearchResults(query=req.q, total=len(found), hits=[], facets=_facet_counts(found, req.filters.region))
    sidebar = _fix_unknown_regions(facets.sidebar(results, req, labels, FACET_NAMES), found, req)
    pages = min(math.ceil(len(found) / size), MAX_PAGE)
    shown = found[(req.page - 1) * size: req.page * size]
    return {
        "query": req.q,
        "total": len(found),
        "page": req.page,
        "pages": pages,
        "page_size": size,
        "problems": list(req.problems),
        "filters": req.active_filters(),
        "chips": facets.chips(results, req, labels),
        "facets": sidebar,
        "families": [family_view(cid, family, {m.id for m in hits}) for cid, family, hits in shown],
        "pager": pager(req, pages),
        "json_url": req.url("explorer.templates_json"),
        "html_url": req.url(),
    }, 400 if req.problems else 200


def family_view(cluster_id: int, family: list[template_families.Member], matched: set[int]) -> dict:
    first = template_families.canonical(family)
    dated = [m.published for m in family if m.published]
    members = [{"id": m.id, "title": m.title, "region": m.region_label, "region_code": m.region_code,
                "published": m.published.isoformat() if m.published else None, "site": m.site_name,
                "aggregator": m.aggregator, "matched": m.id in matched,
                "doc_url": url_for("documents.show", doc_id=m.id)} for m in family]
    events = [{"date": m.published, "label": f"{m.region_label or m.site_name or ''} {m.title}",
               "url": url_for("documents.show", doc_id=m.id)} for m in family]
    return {
        "id": cluster_id,
        "title": (first or family[0]).title,
        "canonical": None if first is None else {"id": first.id, "title": first.title, "region": first.region_label,
                                                 "published": first.published.isoformat() if first.published else None,
                                                 "doc_url": url_for("documents.show", doc_id=first.id)},
        "regions": template_families.region_count(family),
        "documents": len(family),
        "first_published": min(dated).isoformat() if dated else None,
        "last_published": max(dated).isoformat() if dated else None,
        "members": members,
        "timeline": charts.timeline(events),
        "adoption_url": url_for("timelines.adoption", cluster_id=cluster_id),
    }


def _facet_counts(found, region: str | None) -> dict[str, list[FacetValue]]:
    """Per facet value, how many listed families have a matching copy with that value."""
    counters = {name: Counter() for name in FACET_NAMES}
    for _, _, hits in found:
        values: dict[str, set] = {name: set() for name in FACET_NAMES}
        for m in hits:
            if m.region_code and len(m.region_code) == 6 and m.region_code.isdigit():
                values["region"].add(regions.child_of(m.region_code, region))
            if m.year is not None:
                values["year"].add(str(m.year))
            values["theme"].update(m.themes)
            if m.doc_type:
                values["doc_type"].add(m.doc_type)
        for name, seen in values.items():
            counters[name].update(v for v in seen if v)
    return {name: [FacetValue(value, value, n) for value, n in counter.most_common()]
            for name, counter in counters.items()}


def _fix_unknown_regions(sidebar: list[dict], found, req: SearchRequest) -> list[dict]:
    """A family can sit in several regions, so 'unknown' is counted, not inferred from a sum."""
    unknown = sum(1 for _, _, hits in found if not any(m.region_code for m in hits))
    for facet in sidebar:
        if facet["name"] == "region":
            facet["values"] = [v for v in facet["values"] if v["value"] is not None]
            if unknown and req.filters.region is None:
                facet["values"].append({"value": None, "label": "地区不详", "count": unknown,
                                        "selected": False, "url": None})
    return [f for f in sidebar if f["values"]]
