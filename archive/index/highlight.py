"""Escaped text with <mark> around the query words, found by our own substring search.

Scraped text is untrusted: everything outside the marks is HTML-escaped. Matching follows
the index (terms.py): case-insensitive, Chinese characters as written, Latin/digit runs
as whole tokens, any punctuation where the query has punctuation.
"""
from __future__ import annotations

import re
from html import escape

from archive.index.terms import runs

SNIPPET_CHARS = 120
_LEAD = SNIPPET_CHARS // 3


def word_pattern(words) -> re.Pattern | None:
    parts = [_one_word(w) for w in sorted(set(words), key=len, reverse=True)]
    parts = [p for p in parts if p]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _one_word(word: str) -> str:
    pieces = [r for r in runs(word)]
    while pieces and pieces[0].kind == "sep":
        pieces.pop(0)
    while pieces and pieces[-1].kind == "sep":
        pieces.pop()
    if not pieces:
        return ""
    out = "".join(r"[\W_]+" if r.kind == "sep" else re.escape(r.text) for r in pieces)
    if pieces[0].kind == "latin":
        out = r"(?<![a-z0-9])" + out
    if pieces[-1].kind == "latin":
        out += r"(?![a-z0-9])"
    return out


_ESCAPED = re.compile(r"[&<>\"']")   # what html.escape changes


def mark(text: str, pattern: re.Pattern | None) -> str:
    if pattern is None:
        return escape(text)
    clean = _ESCAPED.search(text) is None   # then every piece escapes to itself (most pages)
    out, last = [], 0
    for m in pattern.finditer(text):
        if m.end() == m.start():
            continue
        if clean:
            out += [text[last:m.start()], "<mark>", m.group(), "</mark>"]
        else:
            out += [escape(text[last:m.start()]), "<mark>", escape(m.group()), "</mark>"]
        last = m.end()
    out.append(text[last:] if clean else escape(text[last:]))
    return "".join(out)


def snippet(text: str, pattern: re.Pattern | None, chars: int = SNIPPET_CHARS) -> str:
    """About `chars` characters around the first match (or the start), escaped and marked."""
    text = " ".join(text.split())   # runs of whitespace as one space, none at the ends (as re's \s)
    first = pattern.search(text) if pattern else None
    start = 0 if first is None else max(0, min(first.start() - _LEAD, len(text) - chars))
    if first is not None:
        chars = max(chars, first.end() - start)
    end = min(len(text), start + chars)
    body = mark(text[start:end], pattern)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
