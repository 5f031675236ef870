"""Which values a search counts per facet, and in which order, whatever the engine.

Regions are counted one level below the narrowest region filter (`counted_level`) and listed
whole: a drill-down sums them. Years come newest first; every other facet most frequent
first, ties by value as text. With a facet limit n, only the first n values of each facet but
region are listed (a FacetList, whose `distinct` still counts them all): a page that shows 50
agencies need not build 9,000 of them.
"""
from __future__ import annotations

from typing import Iterable

from archive.index.api import FacetList, FacetValue
from archive.regions import code_level

FACETS = ("region", "year", "theme", "doc_type", "agency", "site", "status")


def counted_level(region_filter: str | None) -> str:
    """The region level whose codes the region facet counts."""
    if not region_filter:
        return "province"
    return {"province": "city", "city": "county", "county": "county"}[code_level(region_filter)]


def in_order(name: str, values: Iterable[FacetValue], limit: int | None = None) -> FacetList:
    """The counted `values` of facet `name` in facet order, the first `limit` of them (None: all)."""
    values = list(values)
    if name == "year":
        values.sort(key=lambda f: -int(f.value))
    else:
        values.sort(key=lambda f: (-f.count, f.value))
    if limit is None or name == "region":
        return FacetList(values)
    return FacetList(values[:limit], len(values))
