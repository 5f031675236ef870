"""Dedup: exact copies (content hash) and near copies (MinHash LSH, then an exact Jaccard check).

Pure functions: masked sentences (text.py), MinHash bands (minhash.py), the copy check and the
canonical-copy rule (keys.py), what a copy changed (copies.py). archive/store/clusters.py keeps
every document's cluster in SQL with them; a cluster's canonical copy is its earliest government
source, never an aggregator. Near copies across counties are a template family.
"""
from archive.dedup.copies import CopyDifferences, Fill, copy_differences
from archive.dedup.keys import AGGREGATOR, DedupSettings, canonical_copy, earliest_first

__all__ = ["AGGREGATOR", "CopyDifferences", "DedupSettings", "Fill", "canonical_copy", "copy_differences",
           "earliest_first"]
