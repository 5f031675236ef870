"""The benchmark's queries, chosen from the corpus: every class at three selectivities.

A query class (1-char, 2-char word, 3+ char word, AND, phrase, OR, with filter, facets) gets one query
whose hits are in at most 0.1% of the documents ("≤0.1%"), one near 1% ("~1%") and one in at least
10% ("≥10%"), so no class is empty and none is measured only where it is trivially fast.

How: a sample of the texts (up to 1,500, evenly spaced, their first 4,000 characters) is cut by
jieba; characters, 2-character words, 3+ character words and two words either side of a "，" are
counted by document frequency in the sample; for each level the candidates nearest its target are
then counted exactly by our own index (search(...).total) and the nearest within the level's bounds
wins. A level without a candidate inside its bounds (a tiny corpus) takes the nearest one outside
them, and its hit count says so. Both engines then report their hit counts per query.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from archive.index import SearchFilters, search

LEVELS = ("≤0.1%", "~1%", "≥10%")
TARGET = {"≤0.1%": 0.0004, "~1%": 0.01, "≥10%": 0.25}
CJK = re.compile(r"^[\u4e00-\u9fff]+$")
SAMPLE, SAMPLE_CHARS, CANDIDATES = 1500, 4000, 12


@dataclass(frozen=True)
class Case:
    level: str
    query: str                     # ours (archive.index.syntax)
    filters: SearchFilters | None
    fts: tuple[str, str]           # ("like", word) or ("match", FTS5 MATCH expression)
    where: str = ""                # FTS5: more WHERE
    hits: int = 0                  # ours, counted when chosen


def within(level: str, hits: int, n: int) -> bool:
    return {"≤0.1%": 0 < hits <= 0.001 * n, "~1%": 0.005 * n <= hits <= 0.02 * n,
            "≥10%": hits >= 0.1 * n}[level]


def distance(level: str, hits: int, n: int) -> float:
    return abs(math.log(max(hits, 0.1) / (TARGET[level] * n)))


class Chooser:
    def __init__(self, index_dir, texts: list[str], n_docs: int):
        import jieba

        jieba.setLogLevel(60)
        self.index_dir, self.n = index_dir, n_docs
        step = max(1, len(texts) // SAMPLE)
        sample = texts[::step][:SAMPLE]
        self.sample_n = len(sample)
        self.df: dict[str, Counter] = {"char": Counter(), "word2": Counter(), "word3": Counter(), "phrase": Counter()}
        for text in sample:
            text = text[:SAMPLE_CHARS]
            words = [w for w in jieba.cut(text) if w.strip()]
            self.df["char"].update({c for c in text if CJK.match(c)})
            self.df["word2"].update({w for w in words if len(w) == 2 and CJK.match(w)})
            self.df["word3"].update({w for w in words if len(w) >= 3 and CJK.match(w)})
            self.df["phrase"].update({f"{a}，{b}" for a, comma, b in zip(words, words[1:], words[2:])
                                      if comma == "，" and len(a) >= 2 and len(b) >= 2 and CJK.match(a) and CJK.match(b)})
        self._hits: dict[tuple, int] = {}
        jieba.dt.check_initialized()
        self.words = jieba.dt.FREQ

    def hits(self, query: str, filters: SearchFilters | None = None) -> int:
        key = (query, filters)
        if key not in self._hits:
            self._hits[key] = search(self.index_dir, query, filters or SearchFilters(), facets=False).total
        return self._hits[key]

    def near(self, kind: str, share: float, k: int = CANDIDATES) -> list[str]:
        """The k terms of the sample whose document share is nearest `share` (rarest first on ties); words
        of jieba's dictionary first among those within a factor of 3 (not a run of name characters)."""
        counts = self.df[kind]
        gap = {t: abs(math.log(counts[t] / self.sample_n / share)) for t in counts}
        ranked = sorted(counts, key=lambda t: (gap[t], counts[t], t))
        if kind == "char":
            return ranked[:k]
        words = [t for t in ranked if gap[t] < math.log(3) and all(self.words.get(w) for w in t.split("，"))]
        return (words + [t for t in ranked if t not in set(words)])[:k]

    def best(self, level: str, options: list[tuple]) -> tuple:
        """options: (hits, …); the nearest to the level's target, those within its bounds first."""
        return min(options, key=lambda o: (not within(level, o[0], self.n), distance(level, o[0], self.n)))

    def word(self, kind: str, level: str, exclude: tuple = ()) -> tuple[int, str]:
        options = [(self.hits(t), t) for t in self.near(kind, TARGET[level]) if t not in exclude]
        return self.best(level, options)


def choose(index_dir, texts: list[str], n_docs: int, provinces: list[str], years: list[int]) -> dict[str, list[Case]]:
    """class -> its three Cases. provinces / years: filter values of the corpus, most frequent first."""
    c = Chooser(index_dir, texts, n_docs)
    classes: dict[str, list[Case]] = {name: [] for name in
                                      ("1-char", "2-char word", "3+ char word", "AND of two words", "phrase", "OR",
                                       "with filter")}
    for level in LEVELS:
        hits, w = c.word("char", level)
        classes["1-char"].append(Case(level, w, None, ("like", w), hits=hits))
        hits, w = c.word("word2", level)
        classes["2-char word"].append(Case(level, w, None, ("like", w), hits=hits))
        hits, w = c.word("word3", level)
        classes["3+ char word"].append(Case(level, w, None, ("match", f'"{w}"'), hits=hits))
        hits, p = c.word("phrase", level)
        classes["phrase"].append(Case(level, f'"{p}"', None, ("match", f'"{p}"'), hits=hits))
        classes["AND of two words"].append(_and(c, level))
        classes["OR"].append(_or(c, level))
        classes["with filter"].append(_filtered(c, level, provinces, years))
    classes["facets"] = [Case(case.level, case.query, None, case.fts, hits=case.hits) for case in classes["3+ char word"]]
    return classes


def _and(c: Chooser, level: str) -> Case:
    firsts = {"≤0.1%": 0.0004, "~1%": 0.02, "≥10%": 0.5}[level]
    seconds = {"≤0.1%": 0.3, "~1%": 0.4, "≥10%": 0.5}[level]
    options = [(c.hits(f"{a} {b}"), a, b) for a in c.near("word3", firsts, 6) for b in c.near("word3", seconds, 6)
               if a != b and a not in b and b not in a]
    hits, a, b = c.best(level, options)
    return Case(level, f"{a} {b}", None, ("match", f'"{a}" AND "{b}"'), hits=hits)


def _or(c: Chooser, level: str) -> Case:
    share = {"≤0.1%": 0.0002, "~1%": 0.005, "≥10%": 0.12}[level]
    terms = c.near("word3", share, 8)
    options = [(c.hits(f"{a} OR {b}"), a, b) for n, a in enumerate(terms) for b in terms[n + 1:]
               if a not in b and b not in a]
    hits, a, b = c.best(level, options)
    return Case(level, f"{a} OR {b}", None, ("match", f'"{a}" OR "{b}"'), hits=hits)


def _filtered(c: Chooser, level: str, provinces: list[str], years: list[int]) -> Case:
    """A word and a filter (a province, a year or a span of years) both engines have."""
    filters = [(SearchFilters(region=p), f"AND m.province = '{p}'") for p in provinces[:3] + provinces[-2:]]
    filters += [(SearchFilters(year=y), f"AND m.year = {y}") for y in years[:2]]
    if years:
        low, high = min(years), max(years)
        filters.append((SearchFilters(year_from=low + 1, year_to=high), f"AND m.year BETWEEN {low + 1} AND {high}"))
    words = c.near("word3", {"≤0.1%": 0.01, "~1%": 0.1, "≥10%": 0.6}[level], 4)
    options = [(c.hits(w, f), w, f, where) for w in words for f, where in filters]
    hits, w, f, where = c.best(level, options)
    return Case(level, w, f, ("match", f'"{w}"'), where, hits=hits)
