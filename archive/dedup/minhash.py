"""MinHash signatures of masked-sentence keys and their LSH band keys, stored as rows so any process can query.

A signature is 128 multiply-shift hashes of 64-bit keys, minimised over the document's keys, all in
one numpy expression (no Python loop per key or per permutation). Band sizes are picked for the threshold
the way datasketch's MinHashLSH picks them.
"""
from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

import numpy as np

NUM_PERM = 128
SEED = 1
EMPTY = np.uint32(0xFFFFFFFF)
_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 names it trapz


@lru_cache(maxsize=8)
def bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(b, r): b bands of r rows, as datasketch's MinHashLSH picks them: the least sum of the chances of
    a false candidate below the threshold and of a missed one above it (equal weights)."""
    best, error = (1, 1), float("inf")
    below, above = np.linspace(0.0, threshold, 1001), np.linspace(threshold, 1.0, 1001)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            false_positive = _trapezoid(1 - (1 - below ** r) ** b, below)
            false_negative = _trapezoid((1 - above ** r) ** b, above)
            if false_positive + false_negative < error:
                best, error = (b, r), false_positive + false_negative
    return best


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """h_i(x) = (a_i * x + b_i mod 2^64) >> 32 with a_i odd: a universal family on 64-bit keys."""
    rng = np.random.default_rng(SEED)
    a = rng.integers(1, 2**63, size=(num_perm, 1), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=(num_perm, 1), dtype=np.uint64)
    return a, b


def signature(keys: Collection[int], num_perm: int = NUM_PERM) -> np.ndarray:
    """uint32[num_perm]: per permutation, the least hash over the keys (all EMPTY without keys)."""
    if not keys:
        return np.full(num_perm, EMPTY, dtype=np.uint32)
    x = np.fromiter(keys, dtype=np.uint64, count=len(keys))
    a, b = _permutations(num_perm)
    return ((a * x + b) >> np.uint64(32)).min(axis=1).astype(np.uint32)


_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_FINAL = np.uint64(0xBF58476D1CE4E5B9)


def band_keys(sig: np.ndarray, threshold: float) -> list[int]:
    """One signed 64-bit key per band (fits BIGINT on SQLite and PostgreSQL): its rows folded
    multiply-xor into one number, band number first, so equal rows in different bands differ."""
    b, r = bands(threshold, len(sig))
    rows = sig[:b * r].reshape(b, r).astype(np.uint64)
    key = np.arange(1, b + 1, dtype=np.uint64) * _MULTIPLIER
    for column in rows.T:
        key = (key ^ column) * _MULTIPLIER
    key ^= key >> np.uint64(31)
    key *= _FINAL
    key ^= key >> np.uint64(29)
    return key.view(np.int64).tolist()
