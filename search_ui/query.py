"""The search state lives in the query string: parse it once, build every link from it.

A bad parameter (page=abc, year=xyz, region=hunan) is left out with a message: the page shows
the rest and says why (400), the data formats refuse the request (`refuse`, 400); links are
computed here, never in templates (datasette style).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from functools import cached_property, lru_cache
from typing import Mapping

from urllib.parse import urlencode

from flask import g, url_for
from werkzeug.routing import BuildError

from archive import regions
from archive.index.api import SearchFilters
from search_ui.params import Checker, settle, shown

MAX_PAGE = 500          # deeper pages cost the index a lot and help no reader
PAGER_WINDOW = 3        # page links either side of the current page
SORTS = ("relevance", "date")
FILTER_NAMES = tuple(f.name for f in fields(SearchFilters))
_INT_FILTERS = {"year", "year_from", "year_to"}
_REGION = re.compile(r"^\d{6}$")
_EXPANDABLE = ("year", "theme", "doc_type", "agency", "site", "status")   # facets ?more= can list in full

PARAM_LABELS = {"q": "检索词", "region": "地区", "year": "年度", "year_from": "起始年度", "year_to": "截止年度",
                "theme": "主题", "doc_type": "文种", "agency": "发布机构", "site": "网站", "status": "状态",
                "sort": "排序", "page": "页码"}


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: SearchFilters = SearchFilters()
    sort: str = "date"
    page: int = 1
    invalid: tuple[tuple[str, str], ...] = ()   # (parameter, message): refused, left out of this state
    endpoint: str = "search.search"   # the page these parameters belong to (search, templates)
    more: str | None = None           # ?more=agency: that facet lists every value (not kept in links)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(message for _, message in self.invalid)

    # links ---------------------------------------------------------------------------------
    def params(self) -> dict[str, str]:
        """The canonical query string of this state (defaults left out)."""
        return dict(self._params)

    @cached_property
    def _params(self) -> dict[str, str]:   # a page builds a hundred links from one state
        out: dict[str, str] = {}
        if self.q:
            out["q"] = self.q
        for name in FILTER_NAMES:
            value = getattr(self.filters, name)
            if value is not None:
                out[name] = str(value)
        if self.sort != default_sort(self.q):
            out["sort"] = self.sort
        if self.page != 1:
            out["page"] = str(self.page)
        return out

    def url(self, endpoint: str | None = None, **changes: object) -> str:
        """This state with some parameters changed (None removes one); filters reset the page."""
        params = self._params
        if changes:
            params = dict(params)
            if "page" in params and not _RESETS_PAGE.isdisjoint(changes):
                del params["page"]
            for name, value in changes.items():
                if value is None:
                    params.pop(name, None)
                else:
                    params[name] = str(value)
            if "sort" in params and params["sort"] == default_sort(params.get("q", "")):
                del params["sort"]
        return _build(endpoint or self.endpoint, params)

    def with_filter(self, name: str, value: object) -> str:
        return self.url(**{name: value})

    def active_filters(self) -> dict[str, object]:
        return {name: getattr(self.filters, name) for name in FILTER_NAMES
                if getattr(self.filters, name) is not None}


def _build(endpoint: str, params: dict[str, str]) -> str:
    """url_for(endpoint, **params) for an endpoint without path arguments, cheaply.

    A search page links every facet value (hundreds of links); url_for matches the whole
    URL map each time. The path is built once per request and the query string appended
    the way Werkzeug does (same order, same safe characters), so the links are identical.
    Each name=value pair is encoded once (_pair, shared by requests): the links of a page
    share all their pairs but one, and pages share most of theirs.
    """
    bases = g.get("_search_url_bases")
    if bases is None:
        bases = g._search_url_bases = {}
    base = bases.get(endpoint)
    if base is None:
        try:
            base = url_for(endpoint)
        except BuildError:                    # the endpoint wants arguments of its own
            base = ""
        bases[endpoint] = base
    if not base:
        return url_for(endpoint, **params)
    if not params:
        return base
    return base + "?" + "&".join([_pair(pair) for pair in params.items()])


@lru_cache(maxsize=8192)
def _pair(pair: tuple[str, str]) -> str:
    return urlencode((pair,), safe=_SAFE)


_SAFE = "!$'()*,/:;?@"   # werkzeug.urls._urlencode
_RESETS_PAGE = frozenset(FILTER_NAMES + ("q", "sort"))   # changing one of these goes back to page 1


ID_SLOT = 987654321987   # an id no archive has: url_pattern builds with it, then formats per id


def url_pattern(endpoint: str, **values: object) -> str:
    """url_for(endpoint, **values) with the value ID_SLOT (the last path argument given it)
    turned into a {} placeholder: one url_for for a page's twenty (or two hundred) links to
    documents, then str.format."""
    head, _, tail = url_for(endpoint, **values).rpartition(str(ID_SLOT))
    return head.replace("{", "{{").replace("}", "}}") + "{}" + tail.replace("{", "{{").replace("}", "}}")


def default_sort(q: str) -> str:
    return "relevance" if q else "date"


MAX_QUERY = 500         # characters of a query (the search box's maxlength)
STATUSES = ("active", "changed", "withdrawn")
YEARS = (1900, 2100)


def parse_request(args: Mapping[str, str], endpoint: str = "search.search") -> SearchRequest:
    """The search state of a query string; each invalid parameter is left out and named in
    `invalid` (search_ui/params.py: the page says why, data formats refuse with 400)."""
    check = Checker(args)
    q = check.raw("q")   # its syntax is the index's to judge (SearchResults.error)
    if len(q) > MAX_QUERY:
        check.problems["q"] = f"检索词太长（{len(q)} 字），最多 {MAX_QUERY} 字。"
        q = ""

    values: dict[str, object] = {}
    for name in FILTER_NAMES:
        if name in _INT_FILTERS:
            values[name] = check.integer(name, PARAM_LABELS[name], *YEARS)
        elif name == "region":
            values[name] = _region(check)
        elif name == "status":
            values[name] = check.choice(name, PARAM_LABELS[name], STATUSES)
        else:
            values[name] = check.text(name, PARAM_LABELS[name])
    if values["year_from"] is not None and values["year_to"] is not None and values["year_from"] > values["year_to"]:
        check.problems["year_to"] = (f"截止年度 {values['year_to']} 早于起始年度 {values['year_from']}，"
                                     "这个范围里没有年份。")
        values["year_to"] = None
    filters = replace(SearchFilters(), **{k: v for k, v in values.items() if v is not None})

    sort = check.choice("sort", PARAM_LABELS["sort"], SORTS) or default_sort(q)
    page = check.integer("page", PARAM_LABELS["page"], 1, MAX_PAGE) or 1
    more = check.choice("more", "可展开的筛选项 more", _EXPANDABLE)
    settle(check.problems)
    return SearchRequest(q=q, filters=filters, sort=sort, page=page, invalid=tuple(check.problems.items()),
                         endpoint=endpoint, more=more)


def _region(check: Checker) -> str | None:
    raw = check.raw("region")
    if check.empty("region", "地区"):
        return None
    if not _REGION.match(raw):
        check.problems["region"] = f"地区“{shown(raw)}”无效：应为六位行政区划代码，如 430000。"
    elif regions.lookup(raw) is None:
        check.problems["region"] = f"没有代码为 {raw} 的行政区划。"
    else:
        return raw
    return None


def pager(req: SearchRequest, pages: int) -> dict:
    """The page links of a result list (search_ui/templates/_pager.html)."""
    current = req.page
    numbers = range(max(1, current - PAGER_WINDOW), min(pages, current + PAGER_WINDOW) + 1)
    return {
        "prev_url": req.url(page=current - 1 if current > 2 else None) if current > 1 else None,
        "next_url": req.url(page=current + 1) if current < pages else None,
        "first_url": req.url(page=None) if numbers and numbers[0] > 1 else None,
        "last_url": req.url(page=pages) if numbers and numbers[-1] < pages else None,
        "last": pages,
        "numbers": [{"number": n, "current": n == current, "url": req.url(page=n if n > 1 else None)}
                    for n in numbers],
    }
