"""Search behind the functions of api.py: a derived index, rebuildable from the database.

The engine is chosen per index location by archive.index.backends (Whoosh in a directory, or
PostgreSQL when the location is a database URL or $GOVPLANS_SEARCH_URL is set).
"""
from __future__ import annotations

from typing import Callable, Iterable

from archive.index.api import FacetValue, Hit, IndexDoc, SearchFilters, SearchResults
from archive.index.backends import backend_for, close_all
from archive.index.storage import IndexFormatError
from archive.index.syntax import ParsedQuery, QuerySyntaxError, parse_query

__all__ = [
    "FacetValue", "Hit", "IndexDoc", "IndexFormatError", "SearchFilters", "SearchResults",
    "ParsedQuery", "QuerySyntaxError", "parse_query",
    "close_searchers", "delete_documents", "doc_count", "index_documents", "rebuild", "search", "state",
]


def index_documents(index_dir, docs: Iterable[IndexDoc]) -> int:
    """Add or replace documents by doc_id; returns how many were written."""
    return backend_for(index_dir).index_documents(docs)


def delete_documents(index_dir, doc_ids: Iterable[int]) -> int:
    """Remove documents by doc_id; returns how many were in the index."""
    return backend_for(index_dir).delete_documents(doc_ids)


def rebuild(index_dir, docs: Iterable[IndexDoc], progress: Callable[[int], None] | None = None,
            procs: int = 1) -> int:
    """Build a fresh index and switch to it; returns the document count."""
    return backend_for(index_dir).rebuild(docs, progress=progress, procs=procs)


def search(index_dir, query: str = "", filters: SearchFilters = SearchFilters(), sort: str = "relevance",
           page: int = 1, page_size: int = 20, facets: bool = True) -> SearchResults:
    """Never raises on what a reader typed: a bad query comes back with `error` set."""
    return backend_for(index_dir).search(query, filters, sort, page, page_size, facets)


def state(index_dir):
    """A hashable token that changes whenever what `index_dir` finds changes, or None when
    the engine cannot tell (then nothing derived from a search may be cached)."""
    get = getattr(backend_for(index_dir), "state", None)
    return get() if get else None


def doc_count(index_dir) -> int:
    return backend_for(index_dir).doc_count()


def close_searchers() -> None:
    """Close this thread's cached searchers and pooled connections (tests, shutdown)."""
    close_all()
