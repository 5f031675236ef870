"""Search behind the functions of api.py: a derived index, rebuildable from the database.

The engine is chosen per location by archive.index.backends: Whoosh in a directory
(archive.index.whoosh), or PostgreSQL (archive.index.postgres) when the location is a
database URL or $GOVPLANS_SEARCH_URL is set. What both share has no engine in it: api.py
(the data), syntax.py (the query language), terms.py (text -> terms), request.py (what a
search checks first), facets.py (facet order and limit), highlight.py (marks and snippets).
"""
from __future__ import annotations

from typing import Callable, Iterable

from archive.index.api import FacetValue, Hit, IndexDoc, IndexFormatError, SearchFilters, SearchResults
from archive.index.backends import backend_for, close_all
from archive.index.syntax import ParsedQuery, QuerySyntaxError, parse_query

__all__ = [
    "FacetValue", "Hit", "IndexDoc", "IndexFormatError", "SearchFilters", "SearchResults",
    "ParsedQuery", "QuerySyntaxError", "parse_query",
    "close_searchers", "delete_documents", "doc_count", "doc_ids", "index_documents", "rebuild", "search", "state",
]


def index_documents(location, docs: Iterable[IndexDoc]) -> int:
    """Add or replace documents by doc_id; returns how many were written."""
    return backend_for(location).index_documents(docs)


def delete_documents(location, doc_ids: Iterable[int]) -> int:
    """Remove documents by doc_id; returns how many were in the index."""
    return backend_for(location).delete_documents(doc_ids)


def rebuild(location, docs: Iterable[IndexDoc], progress: Callable[[int], None] | None = None,
            procs: int = 1) -> int:
    """Build a fresh index and switch to it; returns the document count."""
    return backend_for(location).rebuild(docs, progress=progress, procs=procs)


def search(location, query: str = "", filters: SearchFilters = SearchFilters(), sort: str = "relevance",
           page: int = 1, page_size: int = 20, facets: bool = True,
           facet_limit: int | None = None) -> SearchResults:
    """Never raises on what a reader typed: a bad query comes back with `error` set.

    facets=False skips the facet counts; facet_limit=n lists only the n first values of each
    facet but region (archive.index.facets), and each list's `distinct` still counts them all.
    """
    return backend_for(location).search(query, filters, sort, page, page_size, facets, facet_limit)


def state(location):
    """A hashable token that changes whenever what `location` finds changes, or None when
    the engine cannot tell (then nothing derived from a search may be cached)."""
    get = getattr(backend_for(location), "state", None)
    return get() if get else None


def doc_count(location) -> int:
    return backend_for(location).doc_count()


def doc_ids(location) -> set[int]:
    """Every document id the index holds (what `govplans verify` compares with the database)."""
    return backend_for(location).doc_ids()


def close_searchers() -> None:
    """Close this thread's cached searchers and pooled connections (tests, shutdown)."""
    close_all()
