"""Postings of the substring fields as numpy arrays, decoded once per segment and cached.

Whoosh segments are immutable (deletions live beside them), so the postings of one term in
one segment can be decoded once and kept: `term_postings` returns the documents (local
document numbers, ascending, deleted ones included), how often the term occurs in each,
and on demand every occurrence as one int64 `doc << 32 | position`, ascending. With those,
a word of several terms is matched by sorted-array searches in C (see `word_occurrences`),
not by a Python loop per document.

The cache is shared by all threads and bounded by bytes (CACHE_BYTES, least recently used
first out); its keys carry the index path and the segment id, so a new generation or a
merged segment simply misses.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from itertools import chain

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

CACHE_BYTES = 256 * 1024 * 1024
_SHIFT = 32
_EMPTY = np.zeros(0, dtype=np.int64)


class TermPostings:
    """One term in one segment: `docs`, `tf`, and lazily `occurrences`."""

    __slots__ = ("docs", "tf", "_blob", "_occ", "nbytes", "count", "_bits")

    def __init__(self, docs: np.ndarray, tf: np.ndarray, blob: bytes | None):
        self.docs, self.tf, self._blob, self._occ, self._bits = docs, tf, blob, None, None
        self.count = int(tf.sum())   # occurrences
        # Counted up front as if decoded (int64 per position, twice the blob) so the cache's
        # budget holds whether or not `occurrences` is ever called.
        self.nbytes = docs.nbytes + tf.nbytes + 2 * (len(blob) if blob else 0) + 200

    def doc_bits(self, size: int) -> np.ndarray:
        """The documents as a bitmap (np.packbits) over the segment's `size` documents: one bit
        per document, made once (a 25,000-document segment: 3 KB, outside the cache's count)."""
        bits = self._bits
        if bits is None or len(bits) != (size + 7) // 8:
            present = np.zeros(size, dtype=bool)
            present[self.docs] = True
            bits = self._bits = np.packbits(present)
        return bits

    def occurrences(self) -> np.ndarray:
        """Every occurrence as `doc << 32 | position`, ascending (int64)."""
        if self._occ is None:
            positions = np.frombuffer(self._blob, dtype=np.uint32).astype(np.int64)
            positions |= np.repeat(self.docs, self.tf) << _SHIFT
            self._occ, self._blob = positions, None
        return self._occ


_ABSENT = TermPostings(_EMPTY, _EMPTY, None)   # cached for a term the segment does not have

_cache: OrderedDict = OrderedDict()
_cache_bytes = 0
_lock = threading.Lock()


def term_postings(reader, index_key: str, field: str, term: str, char: bool = False,
                  segment_id: str | None = None) -> TermPostings | None:
    """The cached postings of `term` in the segment `reader` reads, or None if it has none.

    char=True: `term` is one character, wherever it is (terms.is_char_term).
    segment_id: the segment's id, when the caller has it.
    """
    key = (index_key, segment_id or reader.segment().segment_id(), field, term, char)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return None if found is _ABSENT else found
    if char:
        found = _decode_char(reader, index_key, field, term)
    else:
        found = _decode(reader, field, term) if (field, term) in reader else None
    _remember(key, _ABSENT if found is None else found)   # absent terms too: a segment never gains one
    return found


def _remember(key, postings: TermPostings) -> None:
    global _cache_bytes
    with _lock:
        if key in _cache:
            return
        _cache[key] = postings
        _cache_bytes += postings.nbytes
        while _cache_bytes > CACHE_BYTES and len(_cache) > 1:
            _cache_bytes -= _cache.popitem(last=False)[1].nbytes


def clear_cache() -> None:
    global _cache_bytes
    with _lock:
        _cache.clear()
        _cache_bytes = 0


def _decode(reader, field: str, term: str) -> TermPostings:
    m = reader.postings(field, term)
    leaf = m.child if isinstance(m, FilterMatcher) else m   # deletions are applied by the caller
    if isinstance(leaf, W3LeafMatcher) and not leaf._byteids:
        # A block at a time, as stored (private to Whoosh 2.7's codec; the generic loop below
        # is the fallback): each block is (document numbers delta-coded from 0, weights,
        # values), so the numbers are one cumulative sum, less each block's start.
        deltas, values = [], []
        while leaf.is_active():
            if leaf._data is None:
                leaf._read_data()
            deltas.append(leaf._data[0])
            values.append(leaf._data[2])
            leaf._next_block()
        if not deltas:
            return TermPostings(_EMPTY, _EMPTY, b"")
        sizes = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
        docs = np.cumsum(np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(sizes.sum())))
        block_base = np.concatenate(([0], docs[np.cumsum(sizes)[:-1] - 1]))
        docs -= np.repeat(block_base, sizes)
        values = list(chain.from_iterable(values))
    else:
        ids, values = [], []
        while leaf.is_active():
            ids.append(leaf.id())
            values.append(leaf.value())
            leaf.next()
        docs = np.array(ids, dtype=np.int64)
    tf = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // 4
    return TermPostings(docs, tf, b"".join(values))


def _decode_char(reader, index_key: str, field: str, char: str) -> TermPostings | None:
    """One character anywhere: the bigrams that start with it and the character alone."""
    parts = [term_postings(reader, index_key, field, term.decode("utf-8"))
             for term in reader.expand_prefix(field, char.encode("utf-8"))]
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([p.docs for p in parts])
    merged, where = np.unique(docs, return_inverse=True)
    tf = np.bincount(where, weights=np.concatenate([p.tf for p in parts])).astype(np.int64)
    found = TermPostings(merged, tf, None)
    found._occ = np.sort(np.concatenate([p.occurrences() for p in parts]))
    found.nbytes += found._occ.nbytes
    return found


def in_sorted(needles: np.ndarray, sorted_haystack: np.ndarray) -> np.ndarray:
    """Boolean mask: which needles occur in the ascending array `sorted_haystack`."""
    if not len(sorted_haystack) or not len(needles):
        return np.zeros(len(needles), dtype=bool)
    idx = np.searchsorted(sorted_haystack, needles)
    idx[idx == len(sorted_haystack)] = 0
    return sorted_haystack[idx] == needles


def word_occurrences(entries: list[tuple[TermPostings, int]],
                     anchors: list[tuple[TermPostings, int]] = (), size: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(docs, how often) where every term of `entries` occurs at its offset from one common start.

    One term needs no positions at all. For several, the occurrences of the rarest term (of
    `entries` or `anchors`, more terms of the same word that need not be checked) are the
    possible starts, and each other term of `entries`, rarest first, keeps those where it
    occurs at its offset (a sorted-array search in C; the candidates only shrink). Narrowing
    the starts to the documents that hold every term first cost more than it saved.
    """
    if len(entries) == 1 and not anchors:
        only = entries[0][0]
        return only.docs, only.tf
    entries = sorted(entries, key=lambda e: e[0].count)
    first, first_off = min(entries[0], *anchors, key=lambda e: e[0].count) if anchors else entries[0]
    # Is there a document with every term? Asked of the terms' bitmaps (a few KB each), so a
    # word made of common terms that occurs nowhere ends here, before any position is compared.
    if size and len(entries) > 1:
        common = entries[0][0].doc_bits(size) & entries[1][0].doc_bits(size)
        for postings, _ in entries[2:]:
            common &= postings.doc_bits(size)
        if not common.any():
            return _EMPTY, _EMPTY
    starts = first.occurrences() - first_off
    for postings, off in entries:
        if postings is first and off == first_off:
            continue
        starts = starts[in_sorted(starts + off, postings.occurrences())]
        if not len(starts):
            return _EMPTY, _EMPTY
    docs = starts >> _SHIFT
    change = np.flatnonzero(np.diff(docs)) + 1
    bounds = np.concatenate(([0], change, [len(docs)]))
    return docs[bounds[:-1]], np.diff(bounds)
