"""The facet sidebar and the active-filter chips, with every link computed here."""
from __future__ import annotations

import heapq

from archive.index.api import FacetValue, SearchResults
from archive import regions
from archive.read.labels import Labels
from search_ui.query import PARAM_LABELS, SearchRequest

# the sidebar, in reading order; region is drilled down by code, the rest are flat lists
FACETS = ("region", "year", "theme", "doc_type", "agency", "site", "status")
STATUS_LABELS = {"active": "在线", "changed": "有修改", "withdrawn": "已撤下"}
SHOWN = 8   # values listed before the rest fold into "更多"
LISTED = 20    # values a facet lists at most (the most frequent; a selected one always); ?more=NAME: all


def listed_limit(req: SearchRequest) -> int | None:
    """How many values per facet the search must count out (`facet_limit` of archive.index.search):
    LISTED, or all of them when the reader asked for one facet in full (?more=agency)."""
    return None if req.more else LISTED


def sidebar(results: SearchResults, req: SearchRequest, labels: Labels, names=FACETS) -> list[dict]:
    out = []
    for name in names:
        given = results.facets.get(name) or []
        expanded = req.more == name
        if name == "region":
            values, omitted = _region_values(given, req, labels, results.total), 0
        else:
            ordered, omitted = _listed(name, given, req, None if expanded else LISTED)
            values = [_flat_value(name, fv, req, labels) for fv in ordered]
        if values:
            out.append({"name": name, "title": PARAM_LABELS[name], "values": values, "shown": SHOWN,
                        "omitted": omitted, "expanded": expanded,
                        "more_url": req.url(more=name) if omitted else None})
    return out


def _listed(name: str, given: list[FacetValue], req: SearchRequest,
            limit: int | None = LISTED) -> tuple[list[FacetValue], int]:
    """The first `limit` values in _ordered order (and the selected one wherever it is), and
    how many are left out (None: every value).

    A broad search has a value per agency and per site: thousands of links on every page,
    which cost more to build and send than the search itself and no reader scrolls through.
    The search itself usually returns only the most frequent (a FacetList, whose `distinct`
    counts the values it left out).
    """
    distinct = max(getattr(given, "distinct", len(given)), len(given))
    if limit is None or len(given) <= limit:
        ordered = _ordered(name, given)
        return ordered, distinct - len(ordered)
    key = _ORDER_KEYS.get(name, _ORDER_KEYS[None])
    kept = heapq.nsmallest(limit, given, key=key)   # = _ordered(...)[:limit], without sorting all
    selected = str(getattr(req.filters, name) or "")
    if selected and all(fv.value != selected for fv in kept):
        kept += [fv for fv in given if fv.value == selected][:1]
    return kept, distinct - len(kept)


_ORDER_KEYS = {"year": lambda fv: _Reversed(fv.value), None: lambda fv: (-fv.count, fv.label)}


class _Reversed:
    """Sorts in reverse order of its value (years, newest first, as _ordered does)."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return self.value > other.value

    def __eq__(self, other):
        return self.value == other.value


def _ordered(name: str, given: list[FacetValue]) -> list[FacetValue]:
    if name == "year":
        return sorted(given, key=lambda fv: fv.value, reverse=True)
    return sorted(given, key=lambda fv: (-fv.count, fv.label))


def _flat_value(name: str, fv: FacetValue, req: SearchRequest, labels: Labels) -> dict:
    selected = str(getattr(req.filters, name) or "") == fv.value
    return {"value": fv.value, "label": _label(name, fv.value, fv.label, labels), "count": fv.count,
            "selected": selected, "url": req.with_filter(name, None if selected else fv.value)}


def _label(name: str, value: str, given: str | None, labels: Labels) -> str:
    if name == "status":
        return STATUS_LABELS.get(value, value)
    if name == "site":
        return labels.site(value)
    if name == "region":
        return given if given and given != value else labels.region(value)
    return given or value


def _region_values(given: list[FacetValue], req: SearchRequest, labels: Labels, total: int) -> list[dict]:
    """Counts one level below the current region: provinces, then cities, then counties.

    The region chosen comes first, selected (湖南省 ×, a link that removes it), as a chosen year
    or 文种 does. Whatever level the index counts at, counts are summed per child code; documents
    filed at the current region itself show as 本级, unlinked.
    """
    current = req.filters.region
    names = {fv.value: fv.label for fv in given}
    chosen = [{"value": current, "label": _label("region", current, names.get(current), labels), "count": total,
               "selected": True, "url": req.with_filter("region", None)}] if current else []
    if current and regions.code_level(current) == "county":
        return chosen
    buckets: dict[str, int] = {}
    own = 0
    for fv in given:
        if not (fv.value and len(fv.value) == 6 and fv.value.isdigit()):
            continue
        child = regions.child_of(fv.value, current)
        if child is None:
            continue
        if child == current:
            own += fv.count
        else:
            buckets[child] = buckets.get(child, 0) + fv.count
    values = [{"value": code, "label": _label("region", code, names.get(code), labels), "count": count,
               "selected": False, "url": req.with_filter("region", code)}
              for code, count in sorted(buckets.items(), key=lambda item: (-item[1], item[0]))]
    if own:
        values.append({"value": current, "label": "（本级）", "count": own, "selected": False, "url": None})
    unknown = total - sum(v["count"] for v in values)
    if current is None and unknown > 0:
        values.append({"value": None, "label": "地区不详", "count": unknown, "selected": False, "url": None})
    return chosen + values


def filter_words(req: SearchRequest, labels: Labels) -> list[str]:
    """The active filters as a reader names them (湖南省, 2024年, 有修改): feed titles."""
    words = []
    for name, value in req.active_filters().items():
        if name == "year":
            words.append(f"{value}年")
        elif name == "year_from":
            words.append(f"{value}年起")
        elif name == "year_to":
            words.append(f"至{value}年")
        else:
            words.append(_label(name, str(value), None, labels))
    return words


def chips(results: SearchResults, req: SearchRequest, labels: Labels) -> list[dict]:
    """One removable chip per active filter; the region chip links to its broader regions."""
    out = []
    for name, value in req.active_filters().items():
        value = str(value)
        given = next((fv.label for fv in results.facets.get(name) or [] if fv.value == value), None)
        chip = {"name": name, "title": PARAM_LABELS[name], "value": value,
                "label": _label(name, value, given, labels), "remove_url": req.with_filter(name, None),
                "broader": []}
        if name == "region":
            chain = regions.ancestry(value)
            chip["label"] = labels.region(value)
            chip["broader"] = [{"label": labels.region(code), "url": req.with_filter("region", code)}
                               for code in chain[:-1]]
        out.append(chip)
    return out
