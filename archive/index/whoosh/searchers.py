"""Searchers on the live Whoosh index, pooled per index state and shared by every thread.

`live_view(index_dir)` lends a searcher with what derives from its segments (facet columns,
segments for matching); `state(index_dir)` names what a search would find now, cheaply.
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from archive.index.whoosh import storage
from archive.index.whoosh.columns import Columns
from archive.index.whoosh.matching import Segments


@dataclass
class View:
    generation: Path
    toc: int            # the index's TOC generation (bumped by every commit to `generation`)
    searcher: object
    columns: Columns
    segments: Segments


class _Pool:
    """Searchers on one state of one index, shared by every thread of the process.

    A Whoosh searcher reads its files through file objects with a position, so one is used
    by one thread at a time: `search` takes an idle one (or opens one) and gives it back.
    At most _MAX_SEARCHERS are open (a thread waits for one beyond that): each opens the
    segment files anew, and under the GIL more searchers than cores bring no speed.
    What derives from the segments alone (the facet columns with their numpy codes, the
    sort keys) is built once per state and shared by all its searchers: with a server that
    starts a thread per connection, a per-thread cache rebuilt it for every connection.
    """

    def __init__(self, generation: Path, toc: int):
        self.generation, self.toc = generation, toc
        self.idle: list[View] = []
        self.columns: Columns | None = None
        self.closed = False
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(_MAX_SEARCHERS)

    def take(self) -> View:
        self.slots.acquire()
        try:
            return self._take()
        except BaseException:
            self.slots.release()
            raise

    def _take(self) -> View:
        with self.lock:
            if self.idle:
                return self.idle.pop()
        storage.check_format(self.generation)
        searcher = index.open_dir(str(self.generation)).searcher()
        for sub, _ in searcher.leaf_searchers():   # open the stored fields now, not in a first search
            if sub.doc_count_all():
                sub.reader().stored_fields(0)
        key = str(self.generation)
        toc = searcher.ixreader.generation()
        if toc != self.toc:   # a commit since the pool was made: a view of its own, not pooled
            return View(self.generation, toc, searcher, Columns(searcher, key), Segments(searcher, key))
        with self.lock:
            if self.columns is None:
                self.columns = Columns(searcher, key)
            columns = self.columns
        return View(self.generation, self.toc, searcher, columns, Segments(searcher, key))

    def give_back(self, view: View) -> None:
        try:
            with self.lock:
                if not self.closed and view.toc == self.toc:
                    self.idle.append(view)
                    return
            view.searcher.close()
        finally:
            self.slots.release()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            idle, self.idle = self.idle, []
        for view in idle:
            view.searcher.close()


_pools: OrderedDict[str, _Pool] = OrderedDict()   # index path -> pool, most recently opened last
_pools_lock = threading.Lock()
_MAX_SEARCHERS = 2   # searchers open at once per index (1 per core)
_MAX_INDEXES = 8     # indexes with pooled searchers (the least recently opened are closed)


def _toc_generation(generation: Path) -> int:
    """The newest TOC generation in `generation` (a directory listing; nothing is read)."""
    return TOC._latest_generation(FileStorage(str(generation)), index._DEF_INDEX_NAME)


# What a search checks first, cheaply: index location -> (signature, pool, paths). The
# signature is the stat of CURRENT and of the live generation's directory, taken before the
# pool's state is read (and kept only if that state is of the same generation): a rebuild
# replaces CURRENT (a new inode) and every commit adds a TOC file to the directory (its mtime
# and ctime change), so while both stats are the same, so are the live generation and its
# TOC, and the pool found for them is still right. Two stat calls replace reading CURRENT,
# listing the directory and resolving the path (~40 us of a 100 us search). Only states whose
# files are _SETTLED_NS older than the moment they were read are remembered, so a change within
# the file system's timestamp granularity of the one before cannot go unseen.
_seen: dict[str, tuple[tuple, _Pool, str, str, tuple]] = {}   # location -> (signature, pool, CURRENT, generation, state)
_SETTLED_NS = 2_000_000_000


def _stat_signature(current: str, generation: str) -> tuple | None:
    try:
        a, b = os.stat(current), os.stat(generation)
    except OSError:
        return None
    return (a.st_ino, a.st_mtime_ns, a.st_ctime_ns, a.st_size, b.st_ino, b.st_mtime_ns, b.st_ctime_ns)


def _pool(index_dir: Path) -> _Pool | None:
    """The pool of searchers on the live state of `index_dir` (None: no index yet)."""
    name = str(index_dir)
    seen = _seen.get(name)
    if seen is not None:
        signature, pool, current, generation, _ = seen
        if not pool.closed and _stat_signature(current, generation) == signature:
            return pool
        _seen.pop(name, None)
    live = storage.live_generation(index_dir)
    current, generation = str(index_dir / storage.CURRENT), str(live)
    signature = _stat_signature(current, generation) if live is not None else None
    pool = _fresh_pool(index_dir)
    if (pool is not None and signature is not None and pool.generation == live
            and time.time_ns() - max(signature[1], signature[2], signature[5], signature[6]) > _SETTLED_NS):
        with _pools_lock:
            _seen[name] = (signature, pool, current, generation, (str(live.resolve()), pool.toc))
            while len(_seen) > 2 * _MAX_INDEXES:   # locations seen under other spellings, or long gone
                _seen.pop(next(iter(_seen)))
    return pool


def _fresh_pool(index_dir: Path) -> _Pool | None:
    key = str(index_dir.resolve())
    live = storage.live_generation(index_dir)
    with _pools_lock:
        pool = _pools.get(key)
    if live is None:
        if pool is not None:
            with _pools_lock:
                _pools.pop(key, None)
            pool.close()
        return None
    toc = _toc_generation(live)
    if pool is not None and pool.generation == live and pool.toc == toc:
        return pool
    storage.check_format(live)
    # A new generation, or a commit to the live one: new searchers. (Not Searcher.refresh():
    # it reuses segment readers whose deletion sets are stale, deleted documents would match.)
    fresh = _Pool(live, toc)
    with _pools_lock:
        current = _pools.get(key)
        if current is not None and current.generation == live and current.toc == toc:
            return current
        _pools[key] = fresh
        _pools.move_to_end(key)
        old = [current] if current is not None else []
        while len(_pools) > _MAX_INDEXES:
            old.append(_pools.popitem(last=False)[1])
    for pool in old:
        pool.close()
    return fresh


@contextmanager
def live_view(index_dir: Path):
    """A searcher on the live index, for this thread until the block ends (None: no index)."""
    pool = _pool(index_dir)
    if pool is None:
        yield None
        return
    view = pool.take()
    try:
        yield view
    finally:
        pool.give_back(view)


def state(index_dir) -> tuple[str, int] | None:
    """What identifies the searchable contents of `index_dir` now: (live generation, TOC
    generation); it changes with every rebuild and commit (None: no index). Two searches with
    the same state, query and filters give the same results, so callers may cache them."""
    seen = _seen.get(str(index_dir))
    if seen is not None:   # as _pool: unchanged since a search saw it settled
        signature, pool, current, generation, known = seen
        if not pool.closed and _stat_signature(current, generation) == signature:
            return known
    index_dir = Path(index_dir)
    live = storage.live_generation(index_dir)
    return None if live is None else (str(live.resolve()), _toc_generation(live))


def close_searchers() -> None:
    """Close the idle pooled searchers of every index (tests, shutdown)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
        _seen.clear()
    for pool in pools:
        pool.close()

