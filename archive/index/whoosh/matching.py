"""Run a parsed query over a Whoosh searcher with array arithmetic instead of a matcher tree.

Whoosh's matchers advance one posting at a time in Python (and its Phrase builds a Span per
occurrence). Here every query word is matched per segment from cached numpy postings
(postings.py: one term needs no positions; several are compared only where all occur), and
the words' results are sorted arrays of document numbers with their scores, so AND / OR /
NOT, filters and totals are array operations in C that cost what the matches number (a
rare word's few hits do not pay for a vector over the whole index; large sets switch to one).

Scores: a title match is worth TITLE_BOOST, a body match up to 1, both scaled by the
word's rarity (idf over the documents that contain the word).
"""
from __future__ import annotations

import io
import math
import mmap
import pickle
import zlib
from bisect import bisect_right
from functools import lru_cache

import numpy as np
from whoosh.codec.whoosh3 import STORED_COLUMN
from whoosh.columns import CompressedBytesColumn, PickleColumn

from archive.index.cites import matches as cite_matches
from archive.index.syntax import ParsedQuery, Word
from archive.index.terms import anchor_terms, pinned_terms
from archive.index.whoosh.columns import Columns
from archive.index.whoosh.postings import in_sorted, term_postings, word_occurrences
from archive.regions import code_level

TITLE_BOOST = 20.0   # a title match outranks any body-only match
_K1 = 1.2            # BM25-style saturation of repeated body matches


class Hits:
    """The matching live documents, ascending, with their scores (aligned with `docnums`).

    Kept as the list of matches, not as a vector over every document number: a rare word's
    few hits cost what they number, not what the index holds. `mask` (bool per document
    number) is made on demand, for the facet counts.
    """

    def __init__(self, docnums: np.ndarray, scores: np.ndarray, size: int, mask: np.ndarray | None = None):
        self.docnums, self.scores, self.size, self._mask = docnums, scores, size, mask

    @property
    def mask(self) -> np.ndarray:
        if self._mask is None:
            mask = np.zeros(self.size, dtype=bool)
            mask[self.docnums] = True
            self._mask = mask
        return self._mask


class Segments:
    """The segments of one searcher with their offsets, and which document numbers are live."""

    def __init__(self, searcher, index_key: str):
        self.index_key = index_key
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self._ids = [reader.segment().segment_id() for reader, _ in self.leaves]
        self._sizes = [reader.doc_count_all() for reader, _ in self.leaves]
        self.size = searcher.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        for reader, offset in self.leaves:
            if reader.has_deletions():
                dead = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
                self.live[dead + offset] = False
        self.live_count = int(self.live.sum())
        self._starts = [offset for _, offset in self.leaves]
        self._stored = [_StoredFields(reader) for reader, _ in self.leaves]
        self.all_live = self.live_count == self.size

    def stored_fields(self, docnum: int) -> dict:
        """The stored fields of one document number (what Searcher.stored_fields returns)."""
        i = bisect_right(self._starts, docnum) - 1
        return self._stored[i].get(docnum - self._starts[i])

    def occurrences(self, field: str, pinned, anchors=()) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, how often) of a word in `field`, over all segments: `pinned` as
        (term, offset, anywhere), `anchors` as (term, offset), see terms.anchor_terms."""
        docs, counts = [], []
        for (reader, offset), segment_id, size in zip(self.leaves, self._ids, self._sizes):
            entries, extra = [], []
            for term, off, anywhere in pinned:
                postings = term_postings(reader, self.index_key, field, term, anywhere, segment_id)
                if postings is None:
                    break
                entries.append((postings, off))
            else:
                for term, off in anchors:
                    postings = term_postings(reader, self.index_key, field, term, False, segment_id)
                    if postings is None:   # a bigram of the word: the word is not in this segment
                        break
                    extra.append((postings, off))
                else:
                    d, n = word_occurrences(entries, extra, size)
                    docs.append(d + offset)
                    counts.append(n)
        if not docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if len(docs) == 1:
            return docs[0], counts[0]
        return np.concatenate(docs), np.concatenate(counts)


class _StoredFields:
    """A segment's stored fields read from a memory map of their column: a document is a
    slice, zlib.decompress and pickle.loads, where Whoosh's reader seeks and reads a file
    object and copies the dict. Whoosh's reader is the fallback (another codec, no column)."""

    def __init__(self, reader):
        self._reader = reader
        self._map = None
        try:
            column = reader._perdoc._cached_reader("_stored", STORED_COLUMN)   # private to Whoosh 2.7's W3 codec
            raw = column._child
            if not (isinstance(column, PickleColumn.Reader) and isinstance(raw, CompressedBytesColumn.Reader)):
                return
            file = raw._dbfile.file
            if raw._basepos != 0 or not isinstance(file, io.BufferedReader):
                return   # a part of a compound file
            self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)   # holds its own descriptor
            self._base, self._offsets, self._lengths = raw._basepos, raw._offsets, raw._lengths
        except (AttributeError, TypeError, OSError, ValueError):
            self._map = None

    def get(self, docnum: int) -> dict:
        if self._map is None:
            return self._reader.stored_fields(docnum)
        length = self._lengths[docnum]
        if not length:
            return {}
        start = self._base + self._offsets[docnum]
        return pickle.loads(zlib.decompress(self._map[start:start + length]))


def match_query(segments: Segments, columns: Columns, parsed: ParsedQuery,
             constraints: list[tuple[str, str]]) -> Hits:
    """Which live documents match query and filters, with their scores.

    Each word's matches are a sorted array of document numbers with a score each; AND, OR
    and NOT are set operations on those arrays (on a bool vector when they are large), and
    a document's score is the sum of its words' scores, added in query order.
    """
    size = segments.size
    total = max(1, segments.live_count)
    scored: list[tuple[np.ndarray, np.ndarray]] = []
    groups: list[np.ndarray] = []
    for group in parsed.required:
        either = None
        for word in group:
            docs, score = _word(segments, word, total)
            scored.append((docs, score))
            either = docs if either is None else _union(either, docs, size)
        groups.append(either)
    if groups:
        groups.sort(key=len)
        docs = groups[0]
        for other in groups[1:]:
            if not len(docs):
                break
            docs = _intersect(docs, other, size)
    else:
        docs = np.arange(size, dtype=np.int64) if segments.all_live else np.flatnonzero(segments.live)
    for word in parsed.excluded:
        if not len(docs):
            break
        docs = docs[~_member(docs, _word(segments, word, total, scored=False)[0], size)]
    for name, value in constraints:
        if not len(docs):
            break
        docs = docs[_predicate(columns, name, value, docs)]
    scores = np.zeros(len(docs))
    if len(scored) == 1 and len(scored[0][0]) == len(docs):   # one word, nothing removed
        scores += scored[0][1]
    else:
        for word_docs, word_scores in scored:
            scores += _gather(word_docs, word_scores, docs, size)
    return Hits(docs, scores, size)


# Set operations on ascending arrays of distinct document numbers. Below these fractions of
# the index, sorted-array searches; above, a bool or float vector over every document number
# (a few passes over the whole index in C, whatever the arrays hold).
_SPARSE = 32


def _small(n: int, size: int) -> bool:
    return n * _SPARSE < size


def _union(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    if not len(a):
        return b
    if not len(b):
        return a
    if _small(len(a) + len(b), size):
        return np.union1d(a, b)
    mask = np.zeros(size, dtype=bool)
    mask[a] = True
    mask[b] = True
    return np.flatnonzero(mask)


def _member(needles: np.ndarray, haystack: np.ndarray, size: int) -> np.ndarray:
    """Bool per needle: it is in `haystack` (both ascending)."""
    if _small(len(needles), size) or _small(len(haystack), size):
        return in_sorted(needles, haystack)
    mask = np.zeros(size, dtype=bool)
    mask[haystack] = True
    return mask[needles]


def _intersect(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    return a[_member(a, b, size)]


def _gather(word_docs: np.ndarray, word_scores: np.ndarray, docs: np.ndarray, size: int) -> np.ndarray:
    """The scores of `word_docs` at `docs` (0 where the word is not)."""
    if not len(word_docs) or not len(docs):
        return np.zeros(len(docs))
    if _small(len(docs), size):
        idx = np.searchsorted(word_docs, docs)
        idx[idx == len(word_docs)] = 0
        return np.where(word_docs[idx] == docs, word_scores[idx], 0.0)
    dense = np.zeros(size)
    dense[word_docs] = word_scores
    return dense[docs]


def _word(segments: Segments, word: Word, total: int, scored: bool = True):
    """(live document numbers ascending, their scores or None) of one word."""
    pinned, anchors = _pinned(word.text)
    title, _ = segments.occurrences("title", pinned, anchors)
    body, tf = (np.zeros(0, dtype=np.int64),) * 2 if word.title_only else segments.occurrences("text", pinned, anchors)
    docs = _union(title, body, segments.size)
    if not segments.all_live and len(docs):
        docs = docs[segments.live[docs]]
    if not scored:
        return docs, None
    if not len(docs):
        return docs, np.zeros(0)
    idf = math.log(1.0 + total / max(1, len(docs)))
    score = np.zeros(len(docs))
    if len(body):
        if len(body) == len(docs) and not len(title):   # every body match is live: docs is body
            score[:] = idf * tf / (tf + _K1)
        else:
            idx = np.searchsorted(docs, body)
            idx[idx == len(docs)] = 0
            there = docs[idx] == body
            score[idx[there]] = (idf * tf / (tf + _K1))[there]
    if len(title):
        idx = np.searchsorted(docs, title)
        idx[idx == len(docs)] = 0
        there = docs[idx] == title
        score[idx[there]] += TITLE_BOOST * idf
    return docs, score


@lru_cache(maxsize=1024)
def _pinned(text: str) -> tuple[tuple[tuple[str, int, bool], ...], tuple[tuple[str, int], ...]]:
    return tuple(pinned_terms(text)), tuple(anchor_terms(text))


def _predicate(columns: Columns, name: str, value: str, docs: np.ndarray) -> np.ndarray:
    """Bool per document of `docs`: the filter holds."""
    if name == "year":
        low, dash, high = value.partition("-")   # "2024", "2020-2024", "2020-", "-2024"
        lo = int(low) if low else -math.inf
        hi = (int(high) if high else math.inf) if dash else lo
        years = columns.numbers("year")[docs]   # NaN where unknown
        return (years >= lo) & (years <= hi)
    if name == "region":
        return columns.equals_at(code_level(value), value, docs)
    if name == "theme":
        return columns.has_theme(value)[docs]
    if name == "cites":
        return columns.has_any("cites", lambda cited: cite_matches(cited, value))[docs]
    return columns.equals_at(name, value, docs)
