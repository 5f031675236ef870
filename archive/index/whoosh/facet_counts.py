"""Facet counts of a Whoosh search, in the order of archive.index.facets, from the column codes.

Counting the hits of a field is one `bincount` over its codes (columns.py). Ordering the
counted values is numpy too (a rank per code by value, made once), so a facet with thousands
of values (agencies, sites) costs a few array operations, and with a limit only its most
frequent values become FacetValue objects.
"""
from __future__ import annotations

import numpy as np

from archive.index.api import FacetList, FacetValue
from archive.index.facets import counted_level
from archive.index.whoosh.columns import Columns


def count_facets(cols: Columns, hits: np.ndarray, region_filter: str | None,
                 limit: int | None = None) -> dict[str, FacetList]:
    """Facet values of the hits (a bool mask over document numbers), most frequent first (years:
    newest first), ties by value; at most `limit` per facet (None: all; regions always all)."""
    docnums = np.flatnonzero(hits)
    facets = {}
    facets["region"] = _ordered(cols, counted_level(region_filter), hits, docnums, None, cols.labels)
    facets["year"] = _years(cols, hits, docnums, limit)
    facets["theme"] = _ordered(cols, "themes", hits, docnums, limit)
    for name in ("doc_type", "agency", "site", "status"):
        facets[name] = _ordered(cols, name, hits, docnums, limit)
    return facets


def _ordered(cols: Columns, name: str, hits: np.ndarray, docnums: np.ndarray, limit: int | None,
             labels: dict | None = None) -> FacetList:
    """The values of `name` among the hits by count, then by value as text (as facets.in_order)."""
    counts, values = cols.counts(name, hits, docnums)
    rank, texts = cols.ranks(name)
    present = np.flatnonzero(counts)
    distinct = len(present)
    if limit == 0:
        return FacetList((), distinct)
    # one int64 key per value: count descending, then value as text ascending (ranks are < len)
    key = (int(counts.max(initial=0)) - counts[present]).astype(np.int64) * max(1, len(rank)) + rank[present]
    if limit is not None and distinct > limit:
        kept = np.argpartition(key, limit - 1)[:limit]
        present, key = present[kept], key[kept]
    order = present[np.argsort(key, kind="stable")]
    if labels:
        return FacetList((FacetValue(texts[i], labels.get(values[i], texts[i]), int(counts[i])) for i in order),
                         distinct)
    return FacetList((FacetValue(texts[i], texts[i], int(counts[i])) for i in order), distinct)


def _years(cols: Columns, hits: np.ndarray, docnums: np.ndarray, limit: int | None) -> FacetList:
    counts, values = cols.counts("year", hits, docnums)
    years = sorted(((values[i], int(counts[i])) for i in np.flatnonzero(counts)), reverse=True)
    return FacetList((FacetValue(str(y), str(y), n) for y, n in years[:limit]), len(years))
