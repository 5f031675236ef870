"""What every search engine checks before it searches: the page window, the facet limit, the
sort, the query, the filters."""
from __future__ import annotations

from archive.index.api import SearchFilters
from archive.index.syntax import ParsedQuery, QuerySyntaxError, parse_query
from archive.regions import code_level

MAX_PAGE_SIZE = 200
SORTS = ("relevance", "date")


def page_window(page, page_size) -> tuple[int, int]:
    """A usable (page, page_size) from whatever the caller passed."""
    try:
        return max(1, int(page)), min(MAX_PAGE_SIZE, max(1, int(page_size)))
    except (TypeError, ValueError):
        return 1, 20


def checked_facet_limit(limit) -> int | None:
    """How many values per facet a search lists: None (all) or a count, at least 0."""
    return None if limit is None else max(0, int(limit))


def checked_request(query: str, filters: SearchFilters, sort: str) -> tuple[ParsedQuery, list[tuple[str, str]]]:
    """The parsed query and every (field, value) constraint; raises QuerySyntaxError on bad input."""
    if sort not in SORTS:
        raise QuerySyntaxError(f"未知排序“{sort}” / Unknown sort {sort!r}: use relevance or date")
    parsed = parse_query(query or "")
    return parsed, filter_pairs(filters) + list(parsed.filters)


def narrowest_region(constraints: list[tuple[str, str]]) -> str | None:
    codes = [v for name, v in constraints if name == "region"]
    return max(codes, key=lambda c: ("province", "city", "county").index(code_level(c)), default=None)


def filter_pairs(filters: SearchFilters) -> list[tuple[str, str]]:
    pairs = []
    if filters.year is not None:
        pairs.append(("year", str(int(filters.year))))
    if filters.year_from is not None or filters.year_to is not None:
        low = "" if filters.year_from is None else int(filters.year_from)
        high = "" if filters.year_to is None else int(filters.year_to)
        pairs.append(("year", f"{low}-{high}"))
    for name in ("region", "theme", "doc_type", "agency", "site", "status"):
        value = getattr(filters, name)
        if value:
            pairs.append((name, str(value)))
    for name, value in pairs:
        if name == "region" and not (len(value) == 6 and value.isdigit()):
            raise QuerySyntaxError(f"地区代码应为 6 位数字 / region {value!r} should be a 6-digit code")
    return pairs
