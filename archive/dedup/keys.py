"""The copy check's arithmetic: masked-sentence keys as sorted arrays, exact Jaccard, and which
copy of a family is canonical. Pure functions; archive/store/clusters.py keeps clusters in SQL with them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Collection, Iterable, TypeVar

import numpy as np

from archive.dedup.text import place_names, sentence_keys

AGGREGATOR = "aggregator"   # the CMS family of 范文/文库 sites: their copies are kept, never canonical


@dataclass(frozen=True)
class DedupSettings:
    lsh_threshold: float = 0.5     # candidates: estimated Jaccard of masked-sentence keys (25 bands of 5)
    match_threshold: float = 0.72  # copies: exact Jaccard of masked sentences (farm seeds 0-5: 0.66-0.76 all pass)
    min_chars: int = 50            # shorter texts cluster only as exact copies
    same_doc_type: bool = True     # a 方案 and a 通知 built from one boilerplate are not copies


DEFAULT = DedupSettings()


def pack_keys(keys: Collection[int]) -> bytes:
    """Keys as dedup_keys stores them: a sorted little-endian uint64 array's bytes."""
    return sorted_array(keys).tobytes()


def unpack_keys(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=_KEY_DTYPE)


_KEY_DTYPE = np.dtype("<u8")


def sorted_array(keys: Collection[int]) -> np.ndarray:
    array = np.fromiter(keys, dtype=_KEY_DTYPE, count=len(keys))
    array.sort()
    return array


def similarities(mine: np.ndarray, others: list[np.ndarray]) -> np.ndarray:
    """Exact Jaccard of sorted distinct keys `mine` with each of `others` (sorted, distinct), all at once:
    the same figures as similarity (shared / union in float64, 1.0 for two empty sets)."""
    lengths = np.fromiter((len(o) for o in others), dtype=np.int64, count=len(others))
    every = np.concatenate(others)
    if len(mine):
        at = np.searchsorted(mine, every)
        at[at == len(mine)] = 0
        hit = mine[at] == every
    else:
        hit = np.zeros(len(every), dtype=bool)
    ends = np.cumsum(lengths)
    running = np.concatenate(([0], np.cumsum(hit, dtype=np.int64)))
    shared = running[ends] - running[ends - lengths]
    union = len(mine) + lengths - shared
    return np.where(union > 0, shared / np.maximum(union, 1), 1.0)


@lru_cache(maxsize=1024)  # keys of candidates are stored: only a document's own, and fallbacks
def document_keys(body: str, code: str | None, county: str | None, city: str | None,
                  min_chars: int) -> frozenset[int] | None:
    return sentence_keys(body, place_names(code, county, city), min_chars)


def similarity(mine: frozenset[int], other: Collection[int]) -> float:
    """Exact Jaccard; `other` may be any collection of distinct keys (a tuple in the rebuild)."""
    shared = len(mine.intersection(other))
    union = len(mine) + len(other) - shared
    return shared / union if union else 1.0


# -- the canonical copy: the earliest published government copy ------------------------------------

def earliest_first(published: date | None, first_seen: datetime | None, doc_id: int) -> tuple:
    """The order of a template family's copies: by 发布日期 (undated last), then first seen, then id."""
    return (published is None, published or date.min, first_seen or datetime.min, doc_id)


Copy = TypeVar("Copy")


def canonical_copy(copies: Iterable[Copy], order, is_aggregator) -> Copy | None:
    """The family's canonical copy: the first government copy in `order`; None when only aggregators have it."""
    return min((c for c in copies if not is_aggregator(c)), key=order, default=None)
