"""Which search engine serves an index location: the one place that decides.

A location is what the callers of archive.index pass first:
- a ``postgresql…://`` URL: the PostgreSQL engine (archive.index.postgres) on that database
  (``?schema=NAME`` for a schema of its own);
- a directory, while $GOVPLANS_SEARCH_URL is set: the PostgreSQL engine on that URL (so
  `govplans index`, which passes DataDir.index_dir, is switched by configuration alone);
- otherwise a directory: the Whoosh engine (archive.index.whoosh).
Each engine is imported only when a location needs it.
"""
from __future__ import annotations

import os
import sys

SEARCH_URL_ENV = "GOVPLANS_SEARCH_URL"


def is_database_url(location) -> bool:
    return isinstance(location, str) and location.startswith("postgresql")


def backend_for(location):
    """The engine for `location` (see the module docstring), bound to it."""
    url = str(location) if is_database_url(str(location)) else os.environ.get(SEARCH_URL_ENV)
    if url:
        from archive.index.postgres.backend import index_at
        return index_at(url)
    from archive.index.whoosh.backend import WhooshIndex
    return WhooshIndex(location)


def close_all() -> None:
    """Close this thread's Whoosh searchers and the PostgreSQL connection pools."""
    searchers = sys.modules.get("archive.index.whoosh.searchers")   # no pools unless it was imported
    if searchers is not None:
        searchers.close_searchers()
    pg = sys.modules.get("archive.index.postgres.backend")
    if pg is not None:
        pg.close_engines()
