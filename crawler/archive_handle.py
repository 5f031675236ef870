"""One archive handle per crawl, shared by every component of it (spiders, the WARC middleware, the
store pipeline, the crawl-runs extension): the migrations run once, one engine and its pool serve all.

`run_crawl` opens the handle for its database and closes it when the crawl ends; a component asks
`archive_for(settings)`. A component used outside run_crawl (a test building one directly) opens the
handle the first time it asks, and every later ask in the process shares it.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from archive.store import Archive

ARCHIVE_THREADS = 2
_handles: dict[str, Archive] = {}
_lock = threading.Lock()


@contextmanager
def crawl_archive(database_url: str) -> Iterator[Archive]:
    """The handle of `database_url` for the length of a crawl (opened here unless one is open)."""
    with _lock:
        archive = _handles.get(database_url)
        owned = archive is None
        if owned:
            archive = _handles[database_url] = Archive(database_url)
    try:
        yield archive
    finally:
        if owned:
            with _lock:
                _handles.pop(database_url, None)
            archive.close()


def archive_for(settings) -> Archive | None:
    """The crawl's handle on the database its settings name (None: no GOVPLANS_DATABASE_URL)."""
    url = settings.get("GOVPLANS_DATABASE_URL")
    if not url:
        return None
    with _lock:
        archive = _handles.get(url)
        if archive is None:
            archive = _handles[url] = Archive(url)
        return archive


_pool = None


def in_archive_thread(function, *args, **kwargs):
    """A Deferred of function(*args) run in one of the process's two archive threads: database round
    trips of a crawl's bookkeeping (opening and finishing its runs, reading what the archive knows of
    its sites) that would stall every other crawl of the reactor. Two threads, not the reactor's pool
    of ten: more at once than the archive's connection pool keeps would open and close connections."""
    global _pool
    from twisted.internet import reactor
    from twisted.internet.threads import deferToThreadPool
    from twisted.python.threadpool import ThreadPool

    with _lock:
        if _pool is None:
            _pool = ThreadPool(minthreads=0, maxthreads=ARCHIVE_THREADS, name="archive")
            _pool.start()
            reactor.addSystemEventTrigger("during", "shutdown", _stop_pool)
        pool = _pool
    return deferToThreadPool(reactor, pool, function, *args, **kwargs)


def _stop_pool() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.stop()
