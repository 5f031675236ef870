"""Run a parsed query over a Whoosh searcher with array arithmetic instead of a matcher tree.

Whoosh's matchers advance one posting at a time in Python (and its Phrase builds a Span per
occurrence). Here every query word is matched per segment from cached numpy postings
(postings.py: one term needs no positions; several are compared only where all occur), and
the words' results become a boolean mask and a score vector over all document numbers, so
AND / OR / NOT, filters, totals and facets are whole-array operations in C.

Scores: a title match is worth TITLE_BOOST, a body match up to 1, both scaled by the
word's rarity (idf over the documents that contain the word).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from archive.index.analysis import is_char_term, query_terms
from archive.index.facets import Columns, region_level
from archive.index.postings import term_postings, word_occurrences
from archive.index.syntax import ParsedQuery, Word

TITLE_BOOST = 20.0   # a title match outranks any body-only match
_K1 = 1.2            # BM25-style saturation of repeated body matches


@dataclass
class Hits:
    mask: np.ndarray     # bool per document number: matches query and filters (live only)
    scores: np.ndarray   # float64 per document number (0 where not matched)

    @property
    def docnums(self) -> np.ndarray:
        return np.flatnonzero(self.mask)


class Segments:
    """The segments of one searcher with their offsets, and which document numbers are live."""

    def __init__(self, searcher, index_key: str):
        self.index_key = index_key
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.size = searcher.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        for reader, offset in self.leaves:
            if reader.has_deletions():
                dead = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
                self.live[dead + offset] = False
        self.live_count = int(self.live.sum())

    def occurrences(self, field: str, pinned: list[tuple[str, int]]) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, how often) of a word in `field`, over all segments."""
        docs, counts = [], []
        for reader, offset in self.leaves:
            entries = []
            for term, off in pinned:
                postings = term_postings(reader, self.index_key, field, term, is_char_term(term))
                if postings is None:
                    break
                entries.append((postings, off))
            else:
                d, n = word_occurrences(entries)
                docs.append(d + offset)
                counts.append(n)
        if not docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if len(docs) == 1:
            return docs[0], counts[0]
        return np.concatenate(docs), np.concatenate(counts)


def evaluate(segments: Segments, columns: Columns, parsed: ParsedQuery,
             constraints: list[tuple[str, str]]) -> Hits:
    """Which live documents match query and filters, with their scores."""
    total = max(1, segments.live_count)
    mask = segments.live.copy()
    scores = np.zeros(segments.size)
    for group in parsed.required:
        either = np.zeros(segments.size, dtype=bool)
        for word in group:
            matched, score = _word(segments, word, total)
            either |= matched
            scores += score
        mask &= either
    for word in parsed.excluded:
        mask &= ~_word(segments, word, total, scored=False)[0]
    for name, value in constraints:
        mask &= _predicate(columns, name, value)
    scores[~mask] = 0.0
    return Hits(mask, scores)


def _word(segments: Segments, word: Word, total: int, scored: bool = True):
    """(bool mask, score vector) of one word over all document numbers."""
    pinned = query_terms(word.text)
    title, _ = segments.occurrences("title", pinned)
    body, tf = (np.zeros(0, dtype=np.int64),) * 2 if word.title_only else segments.occurrences("text", pinned)
    matched = np.zeros(segments.size, dtype=bool)
    matched[title] = True
    matched[body] = True
    matched &= segments.live
    if not scored:
        return matched, None
    idf = math.log(1.0 + total / max(1, int(np.count_nonzero(matched))))
    score = np.zeros(segments.size)
    score[body] = idf * tf / (tf + _K1)
    score[title] += TITLE_BOOST * idf
    return matched, score


def _predicate(columns: Columns, name: str, value: str) -> np.ndarray:
    """Bool per document number: the filter holds."""
    if name == "year":
        low, dash, high = value.partition("-")   # "2024", "2020-2024", "2020-", "-2024"
        lo = int(low) if low else -math.inf
        hi = (int(high) if high else math.inf) if dash else lo
        years = columns.numbers("year")   # NaN where unknown
        return (years >= lo) & (years <= hi)
    if name == "region":
        return columns.equals(region_level(value), value)
    if name == "theme":
        return columns.has_theme(value)
    return columns.equals(name, value)
