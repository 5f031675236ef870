"""Which search engine serves an index location: the one place that decides.

A location is what the callers of archive.index pass as `index_dir`:
- a ``postgresql…://`` URL: the PostgreSQL backend (pg_backend.py) on that database
  (``?schema=NAME`` for a schema of its own);
- a directory, while $GOVPLANS_SEARCH_URL is set: the PostgreSQL backend on that URL (so
  `govplans index`, which passes DataDir.index_dir, is switched by configuration alone);
- otherwise a directory: the Whoosh backend (whoosh_backend.py).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from archive.index.api import IndexDoc, SearchFilters, SearchResults

SEARCH_URL_ENV = "GOVPLANS_SEARCH_URL"


class WhooshIndex:
    """whoosh_backend's functions bound to one index directory."""

    def __init__(self, index_dir):
        self.index_dir = Path(index_dir)

    def index_documents(self, docs: Iterable[IndexDoc]) -> int:
        from archive.index import whoosh_backend
        return whoosh_backend.index_documents(self.index_dir, docs)

    def delete_documents(self, doc_ids: Iterable[int]) -> int:
        from archive.index import whoosh_backend
        return whoosh_backend.delete_documents(self.index_dir, doc_ids)

    def rebuild(self, docs: Iterable[IndexDoc], progress: Callable[[int], None] | None = None,
                procs: int = 1) -> int:
        from archive.index import whoosh_backend
        return whoosh_backend.rebuild(self.index_dir, docs, progress=progress, procs=procs)

    def search(self, query: str = "", filters: SearchFilters = SearchFilters(), sort: str = "relevance",
               page: int = 1, page_size: int = 20, facets: bool = True) -> SearchResults:
        from archive.index import whoosh_backend
        return whoosh_backend.search(self.index_dir, query, filters, sort, page, page_size, facets)

    def doc_count(self) -> int:
        from archive.index import whoosh_backend
        return whoosh_backend.doc_count(self.index_dir)

    def state(self):
        from archive.index import whoosh_backend
        return whoosh_backend.state(self.index_dir)


def is_database_url(location) -> bool:
    return isinstance(location, str) and location.startswith("postgresql")


def backend_for(index_dir):
    """The engine for `index_dir` (see the module docstring)."""
    url = str(index_dir) if is_database_url(str(index_dir)) else os.environ.get(SEARCH_URL_ENV)
    if url:
        from archive.index.pg_backend import index_at   # SQLAlchemy/psycopg only when asked for
        return index_at(url)
    return WhooshIndex(index_dir)


def close_all() -> None:
    """Close this thread's Whoosh searchers and the PostgreSQL connection pools."""
    import sys
    from archive.index import whoosh_backend
    whoosh_backend.close_searchers()
    pg = sys.modules.get("archive.index.pg_backend")
    if pg is not None:
        pg.close_engines()
