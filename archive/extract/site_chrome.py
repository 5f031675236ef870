"""A site's template learnt from its own pages: what repeats across them (navigation, footers,
related lists, share widgets, metadata labels) is chrome; the body is what varies.

    keys = page_keys(lines)               # the page's short lines and their pieces, normalised
    template = template.learn(keys)       # counts per key over the template's pages
    strip_chrome(text, template.chrome()) # chrome runs at the ends of a body, and long runs inside

A single line that repeats inside a body (an addressee, 附件：) stays: only runs at the ends and
runs of three or more inside are cut, and only once the template has seen MIN_PAGES pages. A page
that shows little of a ready template's chrome belongs to another template (a redesign, another
column layout): `fits` tells, and the store starts a new template for it. Pure: no I/O.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Iterable

from archive.nfkc import nfkc

from .dom import raw_text

MIN_PAGES = 5          # pages a template must have seen before its chrome is trusted
SHARE = 0.6            # a key on this share of the template's pages is chrome
FIT = 0.4              # a page showing less of a ready template's chrome is not of that template
HEAD_SHARE = 0.4       # lines above the title that are this much chrome are all template
INNER_RUN = 3          # chrome lines in a row inside a body that are cut
MAX_KEY = 80           # longer lines are body text, never chrome
MAX_KEYS = 2000        # keys kept per template; the rarest go first
SHORT_LINE = 120       # lines up to this long have their keys remembered
_SPACE = re.compile(r"\s+")
_PIECES = re.compile(r"[\s|｜>»/]+")
_BULLET = re.compile(r"^[-•·*]\s*")
# a sentence is body even where a site repeats it on most pages (a standard closing paragraph)
_SENTENCE = re.compile(r"^.{12,}[。！？；]$")
_PIECE_TAGS = ("a", "li", "label", "dt", "dd", "span", "button", "th", "td")


def key(line: str) -> str:
    """A line as the template counts it: no bullet, no spaces, NFKC. Short lines (menus, labels,
    footers: the ones that repeat on every page and at every cleaning of a site) are remembered."""
    return _short_key(line) if len(line) <= SHORT_LINE else _key(line)


def _key(line: str) -> str:
    return _SPACE.sub("", nfkc(_BULLET.sub("", line.strip())))


_short_key = functools.lru_cache(maxsize=16384)(_key)


def template_lines(tree, lines: Iterable[str]) -> tuple[str, ...]:
    """The page's visible lines plus the text of each of its short inline pieces (links, labels,
    list items): a menu of links rendered as one line is, in a body, often one line per link."""
    out = list(lines)
    for el in tree.iter(*_PIECE_TAGS):
        text = raw_text(el)
        if text and len(text) <= MAX_KEY and not text.isspace():
            out.append(text)
    return tuple(out)


def page_keys(lines: Iterable[str]) -> frozenset[str]:
    """A page's visible lines and their space- or bar-separated pieces, normalised; long lines left out."""
    keys: set[str] = set()
    for line in lines:
        keys.update(_short_line_keys(line) if len(line) <= SHORT_LINE else _line_keys(line))
    return frozenset(keys)


def _line_keys(line: str) -> tuple[str, ...]:
    return tuple(k for k in (key(line), *map(key, _PIECES.split(line)))
                 if k and len(k) <= MAX_KEY and not _SENTENCE.search(k))


# A site's menus, labels and footers are the same lines on every page: their keys are worked out once.
_short_line_keys = functools.lru_cache(maxsize=16384)(_line_keys)


@dataclass(frozen=True)
class Template:
    pages: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.pages >= MIN_PAGES

    def chrome(self) -> frozenset[str]:
        return self._chrome

    @functools.cached_property
    def _chrome(self) -> frozenset[str]:   # a page asks each template it may fit: computed once
        if not self.ready:
            return frozenset()
        floor = max(3, SHARE * self.pages)
        return frozenset(k for k, n in self.counts.items() if n >= floor)

    def fit(self, keys: frozenset[str]) -> float:
        """The share of this template's chrome the page shows (1.0 while it is not ready)."""
        chrome = self.chrome()
        return len(chrome & keys) / len(chrome) if chrome else 1.0

    def learn(self, keys: frozenset[str]) -> "Template":
        counts = dict(self.counts)
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
        if len(counts) > MAX_KEYS:
            counts = dict(sorted(counts.items(), key=lambda kv: -kv[1])[:MAX_KEYS * 3 // 4])
            return Template(self.pages + 1, counts)
        learnt = Template(self.pages + 1, counts)
        if self.ready:   # its chrome is among ours and the page's keys: the floor only rises, other counts stay
            floor = max(3, SHARE * learnt.pages)
            learnt.__dict__["_chrome"] = frozenset(k for k in (*self.chrome(), *keys) if counts[k] >= floor)
        return learnt


def best_template(templates: Iterable[tuple[int, Template]], keys: frozenset[str]) -> int | None:
    """The id of the ready template the page fits best, None when it fits none."""
    scored = [(t.fit(keys), n) for n, t in templates if t.ready]
    scored = [(score, n) for score, n in scored if score >= FIT]
    return max(scored)[1] if scored else None


def is_chrome_line(line: str, chrome: frozenset[str], whole: str | None = None) -> bool:
    """whole: the line's key, if the caller has it."""
    whole = key(line) if whole is None else whole
    if not whole:
        return True
    if whole in chrome:
        return True
    pieces = [key(p) for p in _PIECES.split(line)]
    pieces = [p for p in pieces if p]
    return len(pieces) > 1 and all(p in chrome for p in pieces)


def strip_chrome(text: str, chrome: frozenset[str], keep: str | None = None, signature: str | None = None) -> str:
    """The text without the template's chrome: runs at its start and end, and runs of INNER_RUN or
    more lines inside. `keep` (the title) is never cut; the end run stops at `signature` (the
    agency, printed on every page's fields and under the body)."""
    if not chrome or not text:
        return text
    lines = text.split("\n")
    kept_key = key(keep) if keep else None
    keys = [key(line) for line in lines]
    marks = [is_chrome_line(line, chrome, whole) and whole != kept_key for line, whole in zip(lines, keys)]
    heading = next((n for n, whole in enumerate(keys) if kept_key and whole == kept_key), None)
    if heading and sum(marks[:heading]) >= HEAD_SHARE * heading:
        # chrome and metadata values above the title
        lines, marks, keys = lines[heading:], marks[heading:], keys[heading:]
    start, end = 0, len(lines)
    while start < end and marks[start]:
        start += 1
    signed = key(signature) if signature else None
    while end > start and marks[end - 1] and keys[end - 1] != signed:
        end -= 1
    out: list[str] = []
    n = start
    while n < end:
        if not marks[n]:
            out.append(lines[n])
            n += 1
            continue
        run = n
        while run < end and marks[run]:
            run += 1
        if run - n < INNER_RUN:
            out.extend(lines[n:run])
        n = run
    return "\n".join(out)
