"""MinHash signatures and their LSH band keys (datasketch), stored as rows so any process can query."""
from __future__ import annotations

import hashlib
from functools import lru_cache

from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SEED = 1


@lru_cache(maxsize=8)
def bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(b, r) datasketch picks for this threshold: b bands of r rows."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


@lru_cache(maxsize=4)
def _permutations(num_perm: int):
    return MinHash(num_perm=num_perm, seed=SEED).permutations  # made once: they cost more than hashing


def signature(shingles: set[str], num_perm: int = NUM_PERM) -> MinHash:
    sig = MinHash(num_perm=num_perm, seed=SEED, permutations=_permutations(num_perm))
    sig.update_batch([s.encode("utf-8") for s in shingles])
    return sig


def band_keys(sig: MinHash, threshold: float) -> list[int]:
    """One signed 64-bit key per band (fits BIGINT on SQLite and PostgreSQL)."""
    b, r = bands(threshold, len(sig.hashvalues))
    keys = []
    for band in range(b):
        chunk = sig.hashvalues[band * r:(band + 1) * r].tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "big") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys
