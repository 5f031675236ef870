"""The Whoosh implementation of archive.index.api: schema, writing, searching.

Text and title are indexed for substring search (analysis.py) and queried by evaluate.py;
facets, filters and date order come from one column (facets.py).
"""
from __future__ import annotations

import os
import pickle
import threading
import time
import zlib
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from whoosh import columns, fields, index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.util.numeric import length_to_byte

from archive.index import bulk, storage
from archive.index.analysis import SubstringText
from archive.index.api import Hit, IndexDoc, SearchFilters, SearchResults
from archive.index.evaluate import Segments, evaluate
from archive.index.facets import COLUMN, Columns, count_facets, facet_row, region_codes, region_level
from archive.index.highlight import mark, snippet, word_pattern
from archive.index.request import narrowest_region, page_window, parse_request
from archive.index.syntax import QuerySyntaxError

_REBUILD_BATCH = 1000


def _schema() -> fields.Schema:
    return fields.Schema(
        doc_id=fields.ID(unique=True),
        title=SubstringText(stored=True),
        text=SubstringText(stored=True),
        year=fields.NUMERIC(int, bits=32),
        province=fields.ID(), city=fields.ID(), county=fields.ID(),
        theme=fields.KEYWORD(commas=True),
        doc_type=fields.ID(), agency=fields.ID(), site=fields.ID(), status=fields.ID(),
        hit=fields.STORED(),
        **{COLUMN: fields.COLUMN(columns.PickleColumn(columns.VarBytesColumn()))},
    )


def _fields(doc: IndexDoc) -> dict:
    province, city, county = region_codes(doc.region_code)
    values = dict(
        doc_id=str(doc.doc_id), title=doc.title or "", text=doc.text or "", year=doc.year,
        province=province, city=city, county=county,
        theme=",".join(t.replace(",", " ") for t in doc.themes) or None,
        doc_type=doc.doc_type, agency=doc.agency, site=doc.site, status=doc.status,
        hit=(doc.doc_id, doc.url, doc.published, doc.year, doc.region_code, doc.province, doc.city,
             doc.county, tuple(doc.themes), doc.doc_type, doc.site),
    )
    values[COLUMN] = facet_row(doc)
    return {k: v for k, v in values.items() if v is not None}


# -- writing -----------------------------------------------------------------

class _PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer with its blocks pickled at protocol 4 instead of 2.

    Protocol 2 has no opcode for bytes: each posting's positions became a call of
    `_codecs.encode(str, "latin-1")`, which made unpickling a block (a search's first read of
    a term) take ~20 times as long. Whoosh reads blocks with `pickle.loads`, which reads any
    protocol, so blocks of both kinds read the same, in one index or across versions.
    """

    def _write_block(self, last=False):   # Whoosh 2.7's W3PostingsWriter._write_block, protocol 4
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 4)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, comp, length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class _Codec(W3Codec):
    """Whoosh's codec without per-posting field lengths: they only serve Whoosh's own scorers,
    and looking one up for every posting cost a fifth of indexing time. Posting blocks are
    compressed at zlib level 1, not 3 (the same size on our postings in two thirds of the
    time; each block records its level) and pickled by _PostingsWriter."""
    length_stats = False

    def __init__(self, blocklimit=128, compression=1, inlinelimit=1):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


# Segments are left as separate files, not assembled into one compound file: Whoosh reads a
# compound file's parts through BytesIO copies of its memory map, so every searcher opened
# copied the whole index into memory first (~0.1 s and the index's size per searcher).
_WRITER_ARGS = dict(compound=False)


def _writer(ix, **kwargs):
    return ix.writer(codec=_Codec(), **_WRITER_ARGS, **kwargs)


def _open_for_writing(index_dir: Path):
    live = storage.live_generation(index_dir)
    if live is not None:
        storage.check_format(live)
        return index.open_dir(str(live))
    generation = storage.new_generation(index_dir)
    ix = index.create_in(str(generation), _schema())
    storage.make_live(index_dir, generation)
    return ix


def index_documents(index_dir, docs: Iterable[IndexDoc]) -> int:
    """Add or replace documents by doc_id; returns how many were written."""
    latest = {doc.doc_id: doc for doc in docs}   # one writer batch must not hold an id twice
    if not latest:
        return 0
    index_dir = Path(index_dir)
    with storage.write_lock(index_dir):
        writer = _writer(_open_for_writing(index_dir))
        try:
            for doc in latest.values():
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return len(latest)


def delete_documents(index_dir, doc_ids: Iterable[int]) -> int:
    """Remove documents by doc_id; returns how many were in the index."""
    index_dir = Path(index_dir)
    ids = {str(i) for i in doc_ids}
    if not ids or storage.live_generation(index_dir) is None:
        return 0
    with storage.write_lock(index_dir):
        writer = _writer(_open_for_writing(index_dir))
        deleted = sum(writer.delete_by_term("doc_id", i) for i in ids)
        writer.commit()
    return deleted


def rebuild(index_dir, docs: Iterable[IndexDoc], progress: Callable[[int], None] | None = None,
            procs: int = 1) -> int:
    """Build a fresh index beside the live one, then switch to it; returns the document count.

    A doc_id seen twice keeps its first version (the database has unique ids). procs > 1
    indexes documents in that many processes, each writing its own segments (searches read
    segments one by one anyway, so they are not merged); see bulk.py. `progress(n)` is
    called in this process every _REBUILD_BATCH documents and at the end.
    """
    index_dir = Path(index_dir)
    procs = max(1, int(procs or 1))
    seen: set[int] = set()

    def unique():
        for doc in docs:
            if doc.doc_id not in seen:
                seen.add(doc.doc_id)
                yield doc

    with storage.write_lock(index_dir):
        generation = storage.new_generation(index_dir)
        ix = index.create_in(str(generation), _schema())
        bulk.build(ix, unique(), _fields, dict(codec=_Codec(), limitmb=128, **_WRITER_ARGS), procs=procs,
                   progress=progress, progress_every=_REBUILD_BATCH)
        storage.make_live(index_dir, generation)
    if progress:
        progress(len(seen))
    return len(seen)


# -- reading -----------------------------------------------------------------

@dataclass
class _View:
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
        self.idle: list[_View] = []
        self.columns: Columns | None = None
        self.closed = False
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(_MAX_SEARCHERS)

    def take(self) -> _View:
        self.slots.acquire()
        try:
            return self._take()
        except BaseException:
            self.slots.release()
            raise

    def _take(self) -> _View:
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
            return _View(self.generation, toc, searcher, Columns(searcher, key), Segments(searcher, key))
        with self.lock:
            if self.columns is None:
                self.columns = Columns(searcher, key)
            columns = self.columns
        return _View(self.generation, self.toc, searcher, columns, Segments(searcher, key))

    def give_back(self, view: _View) -> None:
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
def _view(index_dir: Path):
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


def doc_count(index_dir) -> int:
    with _view(Path(index_dir)) as view:
        return view.searcher.doc_count() if view else 0


def search(index_dir, query: str = "", filters: SearchFilters = SearchFilters(),
           sort: str = "relevance", page: int = 1, page_size: int = 20,
           facets: bool = True) -> SearchResults:
    """Never raises on what a reader typed: a bad query comes back with `error` set.

    facets=False skips the facet counts (for callers that only page through hits).
    """
    page, page_size = page_window(page, page_size)
    empty = SearchResults(query=query, total=0, hits=[], page=page, page_size=page_size)
    try:
        parsed, constraints = parse_request(query, filters, sort)
    except (QuerySyntaxError, TypeError, ValueError) as e:
        empty.error = str(e)
        return empty
    try:
        with _view(Path(index_dir)) as view:
            if view is None:
                return empty
            return _search(view, query, parsed, constraints, sort, page, page_size, facets)
    except storage.IndexFormatError as e:
        empty.error = str(e)
        return empty


def _search(view: _View, query: str, parsed, constraints, sort: str, page: int, page_size: int,
            facets: bool) -> SearchResults:
    hits = evaluate(view.segments, view.columns, parsed, constraints)
    docnums, scores = hits.docnums, hits.scores
    top = _top(view.columns, docnums, scores if sort == "relevance" else None, page * page_size)
    top = top[(page - 1) * page_size:]
    found = []
    if len(top):
        title_pattern = word_pattern(w.text for w in parsed.words)
        body_pattern = word_pattern(w.text for w in parsed.words if not w.title_only)
        stored = view.segments.stored_fields
        found = [_hit(stored(d), s, title_pattern, body_pattern)
                 for d, s in zip(docnums[top].tolist(), scores[top].tolist())]
    return SearchResults(query=query, total=len(docnums), hits=found,
                         facets=count_facets(view.columns, hits.mask, narrowest_region(constraints))
                         if facets else {},
                         page=page, page_size=page_size)


def _top(columns: Columns, docnums: np.ndarray, scores: np.ndarray | None, wanted: int) -> np.ndarray:
    """Where in `docnums` the first `wanted` documents are by (score,) published date, doc_id,
    highest first (`scores`: aligned with `docnums`).

    Only the documents that can reach the first `wanted` places are sorted: those whose
    primary key is at least the `wanted`-th largest.
    """
    places = np.arange(len(docnums))
    if scores is not None and len(docnums) > wanted:   # the score decides first: cut before the keys
        kth = np.partition(scores, len(scores) - wanted)[len(scores) - wanted]
        places = np.flatnonzero(scores >= kth)
    published, doc_ids = columns.sort_keys()
    chosen = docnums[places]
    keys = (published[chosen] << 40) + doc_ids[chosen]   # doc ids below 2**40
    if scores is None:
        if len(places) > wanted:
            kth = np.partition(keys, len(keys) - wanted)[len(keys) - wanted]
            reach = keys >= kth
            places, keys = places[reach], keys[reach]
        order = np.argsort(-keys, kind="stable")
    else:
        order = np.lexsort((-keys, -scores[places]))
    return places[order[:wanted]]


def _hit(stored: dict, score: float, title_pattern, body_pattern) -> Hit:
    doc_id, url, published, year, region_code, province, city, county, themes, doc_type, site = stored["hit"]
    title, text = stored.get("title", ""), stored.get("text", "")
    return Hit(doc_id=doc_id, url=url, title=title,
               title_html=mark(title, title_pattern), snippet_html=snippet(text, body_pattern),
               published=published, year=year, region_code=region_code, province=province,
               city=city, county=county, themes=themes, doc_type=doc_type, site=site,
               score=float(score))
