"""Facet counts and date order from one per-document column, never from stored fields.

Each document carries a small tuple (`facet_row`) in a Whoosh column. Column values are
loaded once per segment (segments are immutable; deletions never match) into Python lists
indexed by document number; a field that is filtered or counted is also turned, once per
searcher, into integer codes (numpy), so a filter is one comparison and counting the hits
of a field is one `bincount`, whatever the number of hits. Ordering the counted values is
numpy too (a rank per code by value, made once), so a facet with thousands of values (agencies,
sites) costs a few array operations, and under `top_values(n)` only its n most frequent values
become FacetValue objects (a FacetList, which also says how many values the hits have).
"""
from __future__ import annotations

from collections import Counter, OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Lock

import numpy as np

from archive.index.api import FacetValue, IndexDoc

COLUMN = "facets"
FIELDS = ("doc_id", "published", "year", "province", "city", "county", "province_name",
          "city_name", "county_name", "themes", "doc_type", "agency", "site", "status")
_POS = {name: i for i, name in enumerate(FIELDS)}
FACETS = ("region", "year", "theme", "doc_type", "agency", "site", "status")


def region_codes(code: str | None) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) codes of a GB/T 2260 code; 431121 -> 430000, 431100, 431121."""
    if not code or len(code) != 6 or not code.isdigit():
        return None, None, None
    province = code[:2] + "0000"
    city = code[:4] + "00" if code[2:4] != "00" else None
    county = code if code[4:] != "00" else None
    return province, city, county


def region_level(code: str | None) -> str:
    """Which region column a filter on `code` restricts, by the code's zeros."""
    if not code:
        return "province"
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def facet_row(doc: IndexDoc) -> tuple:
    province, city, county = region_codes(doc.region_code)
    published = doc.published.toordinal() if doc.published else 0
    return (doc.doc_id, published, doc.year, province, city, county,
            doc.province if province else None, doc.city if city else None,
            doc.county if county else None, tuple(doc.themes), doc.doc_type, doc.agency,
            doc.site, doc.status)


class SegmentColumns:
    """Every FIELDS value of one segment as a list per field, indexed by document number."""

    def __init__(self, reader):
        rows = list(reader.column_reader(COLUMN, translate=False)) if reader.has_column(COLUMN) else []
        rows = [r if r else (None,) * len(FIELDS) for r in rows]
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
            found = _themes_coded(self["themes"]) if name == "themes" else _coded(self[name])
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
        """(rank of each code's value as text, the values as text): the tie order of _values."""
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


class FacetList(list):
    """The values of one facet, most frequent first; `distinct` is how many values the hits
    have in all (more than len() when only the most frequent were listed)."""

    def __init__(self, values=(), distinct: int | None = None):
        super().__init__(values)
        self.distinct = len(self) if distinct is None else distinct


_limit: ContextVar[int | None] = ContextVar("facet_values_limit", default=None)


@contextmanager
def top_values(n: int | None):
    """Searches in this block list only the `n` most frequent values of each facet (the newest
    `n` years; regions whole: a drill-down sums them). A page that shows 50 agencies need not
    build 9,000 of them; FacetList.distinct still counts them all. None: every value."""
    token = _limit.set(n if n is None else max(0, int(n)))
    try:
        yield
    finally:
        _limit.reset(token)


def count_facets(cols: Columns, hits: np.ndarray, region_filter: str | None,
                 limit: int | None = None) -> dict[str, FacetList]:
    """Facet values of the hits (a bool mask over document numbers), most frequent first (years:
    newest first), ties by value; at most `limit` per facet (default: top_values's, else all)."""
    if limit is None:
        limit = _limit.get()
    docnums = np.flatnonzero(hits)
    facets = {}
    level = {"province": "city", "city": "county", "county": "county"}[region_level(region_filter)] \
        if region_filter else "province"
    facets["region"] = _ordered(cols, level, hits, docnums, None, cols.labels)
    facets["year"] = _years(cols, hits, docnums, limit)
    facets["theme"] = _ordered(cols, "themes", hits, docnums, limit)
    for name in ("doc_type", "agency", "site", "status"):
        facets[name] = _ordered(cols, name, hits, docnums, limit)
    return facets


def _ordered(cols: Columns, name: str, hits: np.ndarray, docnums: np.ndarray, limit: int | None,
             labels: dict | None = None) -> FacetList:
    """The values of `name` among the hits by count, then by value as text (as _values)."""
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


def _values(counts: Counter, labels: dict | None = None) -> list[FacetValue]:
    labels = labels or {}
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [FacetValue(str(v), labels.get(v, str(v)), n) for v, n in ordered]
