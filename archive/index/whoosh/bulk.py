"""Fast segment writing for a rebuild: substring postings as arrays, written a block at a time.

Whoosh's SegmentWriter sends every posting through Python one at a time: a tuple into a
sorting pool, a sort of all of them, then `add_posting` with its checks, per posting. A
document has a few hundred substring terms (archive.index.terms), so that was nearly all of a
rebuild. `SubstringSegmentWriter` turns each document's text into arrays of term keys and
positions (terms.term_keys) and keeps them; at flush one stable sort of all the keys
puts every term's postings together in document order, and each term goes to Whoosh's own
postings writer a block (128 postings) at a time, so the files are what Whoosh writes
(the same codec reads them, merges them, deletes from them; tests/index/test_bulk.py
compares them). The other fields (ids, year, theme …) take Whoosh's ordinary path.

`build` writes a fresh index with this writer, in `procs` processes that each write their
own segments (at most SEGMENT_DOCS documents each), fed batches of documents by this one.
"""
from __future__ import annotations

import multiprocessing
import queue
import traceback
from array import array
from itertools import groupby
from operator import itemgetter
from typing import Callable, Iterable

import numpy as np
from whoosh.writing import SegmentWriter

from archive.index.terms import char_kinds, key_term, term_keys
from archive.index.whoosh.substring import SubstringText

SEGMENT_DOCS = 25_000   # documents per segment a rebuild process writes (~10 KB of memory each)
_BATCH = 250            # documents per message to a rebuild process
_WAIT = 1.0             # seconds between checks that the rebuild processes are alive


class _Postings:
    """The substring postings of one field in the segment being written, as arrays per document."""

    def __init__(self):
        self.docnums: list[int] = []
        self.keys: list[np.ndarray] = []        # per document: its distinct term keys, ascending
        self.counts: list[np.ndarray] = []      # per document: occurrences of each key
        self.positions: list[np.ndarray] = []   # per document: positions, grouped by key
        self.latin: dict[str, int] = {}         # Latin/digit term -> number (terms.term_keys)

    def __bool__(self):
        return bool(self.docnums)

    def add(self, docnum: int, text: str) -> None:
        keys, positions = term_keys(text, self.latin)
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")   # stable: positions stay ascending per key
        keys = keys[order]
        first = np.empty(len(keys), dtype=bool)
        first[0] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        self.docnums.append(docnum)
        self.keys.append(keys[starts])
        self.counts.append(np.diff(np.append(starts, len(keys))).astype(np.uint32))
        self.positions.append(positions[order])

    def terms(self):
        """(term, documents, counts, starts, positions blob) per term in byte order; `starts`
        index the blob's uint32 positions."""
        keys = np.concatenate(self.keys)
        counts = np.concatenate(self.counts)
        docs = np.repeat(np.array(self.docnums, dtype=np.uint32), [len(k) for k in self.keys])
        starts = (np.cumsum(counts, dtype=np.int64) - counts).astype(np.uint32)
        blob = np.concatenate(self.positions).tobytes()
        self.keys, self.counts, self.positions = [], [], []
        order = np.argsort(keys, kind="stable")   # stable: documents stay ascending per key
        keys, docs, counts, starts = keys[order], docs[order], counts[order], starts[order]
        first = np.empty(len(keys), dtype=bool)
        first[0] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        lows = np.flatnonzero(first).tolist()
        highs = lows[1:] + [len(keys)]
        latin = list(self.latin)
        names = [key_term(k, latin) for k in keys[lows].tolist()]
        for t in sorted(range(len(names)), key=names.__getitem__):   # code point order = UTF-8 byte order
            lo, hi = lows[t], highs[t]
            yield names[t], docs[lo:hi], counts[lo:hi], starts[lo:hi], blob


class SubstringSegmentWriter(SegmentWriter):
    """A SegmentWriter for new segments whose SubstringText fields skip the posting pool.

    Only for adding documents to a new segment (no `add_reader`, no merging into it): the
    substring postings live in memory until the segment is flushed.
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        assert not self.codec.length_stats, "substring fields keep no lengths"
        self._buffers = {name: _Postings() for name, field in self.schema.items()
                         if isinstance(field, SubstringText)}

    def add_reader(self, reader):
        raise NotImplementedError("SubstringSegmentWriter only adds documents")

    def add_document(self, **fields):
        """Whoosh's add_document for this schema (no vectors, spelling or lengths), with the
        substring fields buffered as arrays."""
        self._check_state()
        docnum = self.docnum
        perdoc = self.perdocwriter
        add_post = self.pool.add
        perdoc.start_doc(docnum)
        try:
            for name in sorted(fields):
                value = fields[name]
                if value is None or name.startswith("_"):
                    continue
                field = self.schema[name]
                buffered = self._buffers.get(name)
                if buffered is not None:
                    buffered.add(docnum, value)
                elif field.indexed:
                    boost = self._field_boost(fields, name)
                    for tbytes, _, weight, vbytes in field.index(value):
                        add_post((name, tbytes, docnum, weight * boost, vbytes))
                perdoc.add_field(name, field, value if field.stored else None, 0)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except BaseException:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        writer = self.fieldwriter
        pending = sorted(name for name, postings in self._buffers.items() if postings)
        for name, postings in groupby(self.pool.iter_postings(), key=itemgetter(0)):
            while pending and pending[0] < name:
                self._write_terms(pending.pop(0))
            assert name not in self._buffers
            writer.add_postings(self.schema, None, postings)
        for name in pending:
            self._write_terms(name)
        writer.close()

    def _write_terms(self, name: str) -> None:
        """One substring field's buffered terms through Whoosh's postings writer, a block at a time."""
        writer, field = self.fieldwriter, self.schema[name]
        boost = field.format.field_boost
        writer.start_field(name, field)
        post = writer._postwriter
        limit = post._blocklimit
        for term, docs, counts, starts, blob in self._buffers[name].terms():
            writer.start_term(term.encode("utf-8"))
            n = len(docs)
            for lo in range(0, n, limit):
                hi = min(n, lo + limit)
                ends = ((starts[lo:hi] + counts[lo:hi]) * 4).tolist()
                post._values = [blob[a:b] for a, b in zip((starts[lo:hi] * 4).tolist(), ends)]
                post._ids = docs[lo:hi].tolist()
                post._weights = array("f", counts[lo:hi].tolist())
                if boost != 1.0:
                    post._weights = array("f", (w * boost for w in post._weights))
                post._maxweight = max(post._weights)
                post._minlength, post._maxlength = None, 0
                if hi < n:
                    post._write_block()   # the last block is written by finish_term
            writer.finish_term()
        writer.finish_field()
        self._buffers[name] = _Postings()


# -- a rebuild in several processes ------------------------------------------

def _worker(storage, indexname, writer_args: dict, to_fields, segment_docs: int, jobs, results) -> None:
    try:
        ix = storage.open_index(indexname)
        segments = []
        writer = None
        while (batch := jobs.get()) is not None:
            for doc in batch:
                if writer is None:
                    writer = SubstringSegmentWriter(ix, _lk=False, **writer_args)
                writer.add_document(**to_fields(doc))
                if writer.docnum >= segment_docs:
                    segments.append(writer._finalize_segment())
                    writer = None
        if writer is not None:
            segments.append(writer._finalize_segment())
        results.put(("ok", segments))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def build(ix, docs: Iterable, to_fields: Callable[[object], dict], writer_args: dict, procs: int = 1,
          progress: Callable[[int], None] | None = None, progress_every: int = 1000,
          segment_docs: int | None = None) -> int:
    """Add `docs` (already unique) to the empty index `ix` and commit; returns how many.

    procs > 1 forks that many processes, each writing its own segments; this process only
    reads `docs` and hands them out in batches.
    """
    segment_docs = segment_docs or SEGMENT_DOCS
    main = SubstringSegmentWriter(ix, **writer_args)
    count = 0
    if procs <= 1:
        try:
            segments = []
            writer = main
            for doc in docs:
                writer.add_document(**to_fields(doc))
                count += 1
                if progress and count % progress_every == 0:
                    progress(count)
                if writer.docnum >= segment_docs:
                    segments.append(writer._finalize_segment())
                    writer = SubstringSegmentWriter(ix, _lk=False, **writer_args)
            if writer._added:
                segments.append(writer._finalize_segment())
            else:
                writer._close_segment()
            if writer is not main:
                main._close_segment()
        except BaseException:
            main.cancel()
            raise
        main._commit_toc(segments)
        main._finish()
        return count

    char_kinds()   # built once here, shared by the forked processes
    ctx = multiprocessing.get_context("fork")
    jobs, results = ctx.Queue(procs * 2), ctx.Queue()
    workers = [ctx.Process(target=_worker, daemon=True,
                           args=(ix.storage, ix.indexname, writer_args, to_fields, segment_docs, jobs, results))
               for _ in range(procs)]
    for w in workers:
        w.start()

    def put(item):
        while True:
            try:
                jobs.put(item, timeout=_WAIT)
                return
            except queue.Full:
                if not all(w.is_alive() for w in workers):
                    raise RuntimeError("a rebuild process died") from None

    segments = []
    try:
        batch = []
        for doc in docs:
            batch.append(doc)
            count += 1
            if len(batch) >= _BATCH:
                put(batch)
                batch = []
            if progress and count % progress_every == 0:
                progress(count)
        if batch:
            put(batch)
        for _ in workers:
            put(None)
        for _ in workers:
            while True:
                try:
                    status, value = results.get(timeout=_WAIT)
                    break
                except queue.Empty:
                    if not any(w.is_alive() for w in workers) and results.empty():
                        raise RuntimeError("the rebuild processes died") from None
            if status != "ok":
                raise RuntimeError("a rebuild process failed:\n" + value)
            segments.extend(value)
        for w in workers:
            w.join()
    except BaseException:
        for w in workers:
            if w.is_alive():
                w.kill()
        main.cancel()
        raise
    main._close_segment()
    main._commit_toc(segments)
    main._finish()
    return count
