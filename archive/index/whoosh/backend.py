"""The Whoosh engine behind archive.index.api: writing and searching an index directory.

Text and title are indexed for substring search (schema.py, substring.py) and matched by
matching.py; facets, filters and date order come from one column (columns.py,
facet_counts.py); searchers are pooled per index state (searchers.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from archive.index.api import Hit, IndexDoc, IndexFormatError, SearchFilters, SearchResults
from archive.index.highlight import mark, snippet, word_pattern
from archive.index.request import checked_facet_limit, checked_request, narrowest_region, page_window
from archive.index.syntax import QuerySyntaxError
# old_names: indexes written before the engines had packages of their own still open
from archive.index.whoosh import bulk, old_names, storage  # noqa: F401
from archive.index.whoosh.columns import Columns
from archive.index.whoosh.facet_counts import count_facets
from archive.index.whoosh.matching import match_query
from archive.index.whoosh.schema import (
    WRITER_ARGS, Codec, create_index, document_fields, open_index, open_writer,
)
from archive.index.whoosh.searchers import View, close_searchers, live_view, state

__all__ = ["WhooshIndex", "close_searchers", "delete_documents", "doc_count", "doc_ids", "index_documents", "rebuild",
           "search", "state"]

_REBUILD_BATCH = 1000


# -- writing -----------------------------------------------------------------

def _open_for_writing(index_dir: Path):
    live = storage.live_generation(index_dir)
    if live is not None:
        storage.check_format(live)
        return open_index(live)
    generation = storage.new_generation(index_dir)
    ix = create_index(generation)
    storage.make_live(index_dir, generation)
    return ix


def index_documents(index_dir, docs: Iterable[IndexDoc]) -> int:
    """Add or replace documents by doc_id; returns how many were written."""
    latest = {doc.doc_id: doc for doc in docs}   # one writer batch must not hold an id twice
    if not latest:
        return 0
    index_dir = Path(index_dir)
    with storage.write_lock(index_dir):
        writer = open_writer(_open_for_writing(index_dir))
        try:
            for doc in latest.values():
                writer.update_document(**document_fields(doc))
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
        writer = open_writer(_open_for_writing(index_dir))
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
        ix = create_index(generation)
        bulk.build(ix, unique(), document_fields, dict(codec=Codec(), limitmb=128, **WRITER_ARGS), procs=procs,
                   progress=progress, progress_every=_REBUILD_BATCH)
        storage.make_live(index_dir, generation)
    if progress:
        progress(len(seen))
    return len(seen)



# -- reading -----------------------------------------------------------------

def doc_count(index_dir) -> int:
    with live_view(Path(index_dir)) as view:
        return view.searcher.doc_count() if view else 0


def doc_ids(index_dir) -> set[int]:
    """Every document id the live index holds (deleted entries left out)."""
    with live_view(Path(index_dir)) as view:
        if view is None:
            return set()
        reader = view.searcher.reader()
        ids = view.columns["doc_id"]
        if not reader.has_deletions():
            return {int(i) for i in ids if i is not None}
        return {int(i) for n, i in enumerate(ids) if i is not None and not reader.is_deleted(n)}


def search(index_dir, query: str = "", filters: SearchFilters = SearchFilters(),
           sort: str = "relevance", page: int = 1, page_size: int = 20,
           facets: bool = True, facet_limit: int | None = None) -> SearchResults:
    """Never raises on what a reader typed: a bad query comes back with `error` set.

    facets=False skips the facet counts (for callers that only page through hits);
    facet_limit=n lists at most n values per facet (archive.index.facets).
    """
    page, page_size = page_window(page, page_size)
    facet_limit = checked_facet_limit(facet_limit)
    empty = SearchResults(query=query, total=0, hits=[], page=page, page_size=page_size)
    try:
        parsed, constraints = checked_request(query, filters, sort)
    except (QuerySyntaxError, TypeError, ValueError) as e:
        empty.error = str(e)
        return empty
    try:
        with live_view(Path(index_dir)) as view:
            if view is None:
                return empty
            return _search(view, query, parsed, constraints, sort, page, page_size, facets, facet_limit)
    except IndexFormatError as e:
        empty.error = str(e)
        return empty


def _search(view: View, query: str, parsed, constraints, sort: str, page: int, page_size: int,
            facets: bool, facet_limit: int | None) -> SearchResults:
    hits = match_query(view.segments, view.columns, parsed, constraints)
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
                         facets=count_facets(view.columns, hits.mask, narrowest_region(constraints), facet_limit)
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


class WhooshIndex:
    """This module's functions bound to one index directory (see archive.index.backends)."""

    def __init__(self, index_dir):
        self.index_dir = Path(index_dir)

    def index_documents(self, docs: Iterable[IndexDoc]) -> int:
        return index_documents(self.index_dir, docs)

    def delete_documents(self, doc_ids: Iterable[int]) -> int:
        return delete_documents(self.index_dir, doc_ids)

    def rebuild(self, docs: Iterable[IndexDoc], progress: Callable[[int], None] | None = None,
                procs: int = 1) -> int:
        return rebuild(self.index_dir, docs, progress=progress, procs=procs)

    def search(self, query: str = "", filters: SearchFilters = SearchFilters(), sort: str = "relevance",
               page: int = 1, page_size: int = 20, facets: bool = True,
               facet_limit: int | None = None) -> SearchResults:
        return search(self.index_dir, query, filters, sort, page, page_size, facets, facet_limit)

    def doc_count(self) -> int:
        return doc_count(self.index_dir)

    def doc_ids(self) -> set[int]:
        return doc_ids(self.index_dir)

    def state(self):
        return state(self.index_dir)
