"""One per-document column that facets, filters and date order read, never stored fields.

Each document carries a small tuple (`facet_row`) in a Whoosh column. Column values are
loaded once per segment (segments are immutable; deletions never match) into Python lists
indexed by document number; a field that is filtered or counted is also turned, once per
searcher, into integer codes (numpy), so a filter is one comparison and counting the hits
of a field is one `bincount`, whatever the number of hits.
"""
from __future__ import annotations

from collections import Counter, OrderedDict
from threading import Lock

import numpy as np

from archive.index.api import IndexDoc
from archive.regions import region_codes

COLUMN = "facets"
FIELDS = ("doc_id", "published", "year", "province", "city", "county", "province_name",
          "city_name", "county_name", "themes", "doc_type", "agency", "site", "status", "cites")
_MULTI = ("themes", "cites")   # fields holding a tuple of values
_POS = {name: i for i, name in enumerate(FIELDS)}


def facet_row(doc: IndexDoc) -> tuple:
    province, city, county = region_codes(doc.region_code)
    published = doc.published.toordinal() if doc.published else 0
    return (doc.doc_id, published, doc.year, province, city, county,
            doc.province if province else None, doc.city if city else None,
            doc.county if county else None, tuple(doc.themes), doc.doc_type, doc.agency,
            doc.site, doc.status, tuple(doc.cites))


class SegmentColumns:
    """Every FIELDS value of one segment as a list per field, indexed by document number."""

    def __init__(self, reader):
        rows = list(reader.column_reader(COLUMN, translate=False)) if reader.has_column(COLUMN) else []
        # rows written before a field was added are shorter: the missing fields are None
        rows = [tuple(r) + (None,) * (len(FIELDS) - len(r)) if r else (None,) * len(FIELDS) for r in rows]
        self.lists = [list(col) for col in zip(*rows)] if rows else [[] for _ in FIELDS]


_segments: OrderedDict = OrderedDict()
_segments_lock = Lock()
_MAX_SEGMENTS = 256


def _segment_columns(reader, index_key: str) -> SegmentColumns:
    key = (index_key, reader.segment().segment_id())
    with _segments_lock:
        if key in _segments:
            _segments.move_to_end(key)
            return _segments[key]
    cols = SegmentColumns(reader)
    with _segments_lock:
        _segments[key] = cols
        while len(_segments) > _MAX_SEGMENTS:
            _segments.popitem(last=False)
    return cols


class Columns:
    """FIELDS for every document number of a searcher (all its segments, in order)."""

    def __init__(self, searcher, index_key: str):
        lists = [[] for _ in FIELDS]
        for sub, _ in searcher.leaf_searchers():
            seg = _segment_columns(sub.reader(), index_key)
            for whole, part in zip(lists, seg.lists):
                whole.extend(part)
        self.lists = lists
        self.size = len(lists[0])
        self.labels = {}
        for level in ("province", "city", "county"):
            codes, names = self[level], self[level + "_name"]
            self.labels.update((c, n) for c, n in zip(codes, names) if c and n)
        self._coded: dict[str, tuple[np.ndarray, list]] = {}
        self._numbers: dict[str, np.ndarray] = {}
        self._ranks: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._shifted_codes: dict[str, tuple[np.ndarray, list, np.ndarray]] = {}
        self._code_of: dict[str, dict] = {}
        self._lock = Lock()

    def __getitem__(self, name: str) -> list:
        return self.lists[_POS[name]]

    def coded(self, name: str) -> tuple[np.ndarray, list]:
        """(code per document number, value per code); code -1 = no value. For themes, the
        codes are one per (document, theme) pair and the first array is their documents."""
        found = self._coded.get(name)
        if found is None:
            found = _themes_coded(self[name]) if name in _MULTI else _coded(self[name])
            with self._lock:
                self._coded[name] = found
        return found

    def numbers(self, name: str) -> np.ndarray:
        """A numeric field as float64 per document number, NaN where unknown."""
        found = self._numbers.get(name)
        if found is None:
            found = np.array([np.nan if v is None else v for v in self[name]], dtype=np.float64)
            with self._lock:
                self._numbers[name] = found
        return found

    def sort_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """(published as a day number, 0 when unknown; doc_id), int64 per document number."""
        found = self._numbers.get("sort")
        if found is None:
            found = np.array([[p or 0 for p in self["published"]], [d or 0 for d in self["doc_id"]]],
                             dtype=np.int64).reshape(2, self.size)
            with self._lock:
                self._numbers["sort"] = found
        return found[0], found[1]

    def equals(self, name: str, value) -> np.ndarray:
        codes, values = self.coded(name)
        try:
            return codes == values.index(value)
        except ValueError:
            return np.zeros(self.size, dtype=bool)

    def equals_at(self, name: str, value, docnums: np.ndarray) -> np.ndarray:
        """`equals(name, value)` at `docnums` only."""
        codes, values = self.coded(name)
        found = self._code_of.get(name)
        if found is None:
            found = {v: i for i, v in enumerate(values)}
            with self._lock:
                self._code_of[name] = found
        code = found.get(value)
        if code is None:
            return np.zeros(len(docnums), dtype=bool)
        return codes[docnums] == code

    def has_theme(self, theme: str) -> np.ndarray:
        (docs, codes), values = self.coded("themes")
        mask = np.zeros(self.size, dtype=bool)
        if theme in values:
            mask[docs[codes == values.index(theme)]] = True
        return mask

    def has_any(self, name: str, test) -> np.ndarray:
        """Bool per document: one of its values of a tuple field passes `test`."""
        (docs, codes), values = self.coded(name)
        mask = np.zeros(self.size, dtype=bool)
        wanted = [i for i, v in enumerate(values) if test(v)]
        if wanted:
            mask[docs[np.isin(codes, wanted)]] = True
        return mask

    def count(self, name: str, hits: np.ndarray) -> Counter:
        """value -> how many of `hits` (a bool mask over document numbers) have it."""
        counts, values = self.counts(name, hits)
        return Counter({values[i]: int(counts[i]) for i in np.flatnonzero(counts)})

    def counts(self, name: str, hits: np.ndarray, docnums: np.ndarray | None = None) -> tuple[np.ndarray, list]:
        """(how many of `hits` have each code, value per code); `docnums` = np.flatnonzero(hits),
        when the caller has it. Gathering the hits' codes costs what the hits number, so when
        they are most documents the others are counted and taken from the whole's counts."""
        if name == "themes":
            (docs, codes), values = self.coded(name)
            return np.bincount(codes[hits[docs]], minlength=len(values)), values
        shifted, values, whole = self._shifted(name)
        if docnums is None:
            docnums = np.flatnonzero(hits)
        if 2 * len(docnums) > self.size:
            rest = np.flatnonzero(~hits)
            return (whole - np.bincount(shifted[rest], minlength=len(whole)))[1:], values
        return np.bincount(shifted[docnums], minlength=len(whole))[1:], values

    def _shifted(self, name: str) -> tuple[np.ndarray, list, np.ndarray]:
        """(coded(name) plus one as intp, so 0 is "no value" and bincount needs no pass to drop
        it nor a conversion; values; the counts over every document, in the same shift)."""
        found = self._shifted_codes.get(name)
        if found is None:
            codes, values = self.coded(name)
            shifted = codes.astype(np.intp) + 1
            found = (shifted, values, np.bincount(shifted, minlength=len(values) + 1))
            with self._lock:
                self._shifted_codes[name] = found
        return found

    def ranks(self, name: str) -> tuple[np.ndarray, list[str]]:
        """(rank of each code's value as text, the values as text): the tie order of facets.in_order."""
        found = self._ranks.get(name)
        if found is None:
            texts = [str(v) for v in self.coded(name)[1]]
            rank = np.empty(len(texts), dtype=np.int64)
            rank[sorted(range(len(texts)), key=texts.__getitem__)] = np.arange(len(texts))
            found = (rank, texts)
            with self._lock:
                self._ranks[name] = found
        return found


def _coded(column: list) -> tuple[np.ndarray, list]:
    ids: dict = {}
    codes = np.fromiter((-1 if v is None else ids.setdefault(v, len(ids)) for v in column),
                        dtype=np.int32, count=len(column))
    return codes, list(ids)


def _themes_coded(column: list) -> tuple[tuple[np.ndarray, np.ndarray], list]:
    ids: dict = {}
    docs, codes = [], []
    for d, themes in enumerate(column):
        for theme in themes or ():
            docs.append(d)
            codes.append(ids.setdefault(theme, len(ids)))
    return (np.array(docs, dtype=np.int64), np.array(codes, dtype=np.int64)), list(ids)
