"""Serving machinery under load: one search page computed at a time per process (Turns) and the
rendered pages kept while the index is unchanged (PageCache)."""
from __future__ import annotations

import threading
from collections import OrderedDict, deque


class Turns:
    """At most `limit` holders at a time, the others served in arrival order (0: no limit).

    A search page is CPU work under one GIL: twenty request threads computing at once share
    the interpreter in 5 ms slices, so every page takes about as long as twenty, and a costly
    one twenty times its own cost. Computed one at a time in arrival order (as a pre-forked
    worker per process would), the same throughput gives each page its queue wait plus its
    own time: the same mean, a much shorter tail.
    """

    def __init__(self, limit: int = 1):
        self.limit = limit
        self._running = 0
        self._waiting: deque = deque()
        self._lock = threading.Lock()

    def __enter__(self):
        if self.limit <= 0:
            return self
        with self._lock:
            if self._running < self.limit:
                self._running += 1
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()   # released by a holder leaving: its place is handed over
        return self

    def __exit__(self, *_exc) -> None:
        if self.limit <= 0:
            return
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._running -= 1


class PageCache:
    """Rendered search pages by (URL, index state, label version), least recently used out.

    A search page is a function of its query string, the index's contents and the region and
    site names; `archive.index.state` changes with every rebuild or commit, so a cached page
    is never older than the index it came from. The first page of a broad search (the home
    page above all) is asked for far more often than anything else and is the costliest to
    build: facets over every document and hundreds of links.
    """

    def __init__(self):
        self._pages: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
            return found

    def put(self, key, value, size: int) -> None:
        if size <= 0:
            return
        with self._lock:
            self._pages[key] = value
            self._pages.move_to_end(key)
            while len(self._pages) > size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
