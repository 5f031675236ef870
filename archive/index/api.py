"""The search interface the UI and CLI use; the engine behind it can be swapped.

Contract (archive.index; each engine implements it: archive.index.whoosh, archive.index.postgres,
chosen per location by archive.index.backends):
    index_documents(location, docs)                  add or replace (idempotent on doc_id)
    delete_documents(location, doc_ids)
    rebuild(location, docs, progress=None)           wipe and build from scratch
    search(location, query, filters, sort, page, page_size) -> SearchResults
    search(..., facets=False)                        the same without facet counts
    search(..., facet_limit=n)                       at most n values per facet (archive.index.facets)
    doc_count(location) -> int                       live documents
    state(location)                                  a token that changes with what a search finds
    close_searchers()                                close this thread's cached searchers
Query syntax: archive.index.syntax (words match as substrings; "phrase", OR, -word, title:,
year: region: theme: type: agency: site: status: cites:).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class IndexDoc:
    """What the index needs of one document (built from the database by archive.store)."""
    doc_id: int
    url: str
    title: str
    text: str
    published: date | None
    year: int | None
    region_code: str | None      # 6-digit county (or city/province) code
    province: str | None
    city: str | None
    county: str | None
    themes: tuple[str, ...] = ()
    doc_type: str | None = None
    agency: str | None = None
    site: str | None = None
    status: str = "active"
    cluster_id: int | None = None
    cites: tuple[str, ...] = ()   # the 文号 it cites, as archive.index.cites terms


@dataclass(frozen=True)
class SearchFilters:
    region: str | None = None     # 6-digit code; 430000 = all of Hunan, 431100 = all of 永州市
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    theme: str | None = None
    doc_type: str | None = None
    agency: str | None = None
    site: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class FacetValue:
    value: str      # what goes in the URL (?region=431121)
    label: str      # what a reader sees (祁阳市)
    count: int


class FacetList(list):
    """The values of one facet, most frequent first; `distinct` is how many values the hits
    have in all (more than len() when only the most frequent were listed)."""

    def __init__(self, values=(), distinct: int | None = None):
        super().__init__(values)
        self.distinct = len(self) if distinct is None else distinct


@dataclass(frozen=True)
class Hit:
    doc_id: int
    url: str
    title: str
    title_html: str      # escaped, with <mark> around matches
    snippet_html: str    # escaped, with <mark> around matches
    published: date | None
    year: int | None
    region_code: str | None
    province: str | None
    city: str | None
    county: str | None
    themes: tuple[str, ...]
    doc_type: str | None
    site: str | None
    score: float


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)  # region, year, theme, doc_type, agency, site, status
    page: int = 1
    page_size: int = 20
    error: str | None = None   # a malformed query: a message for the reader, never an exception


class IndexFormatError(RuntimeError):
    """The live index was written by an older version: `govplans index --rebuild`."""
