"""A document's text as search, dedup, templates and export see it: the page's own text, then each
attached file's text under a 【附件：name】 heading, in the order the page links them.

A plan page that says only 详见附件 is its file: without the file's words it would be found by no
query and match every other 详见附件 page. The page's own text stays apart (versions, edits).
"""
from __future__ import annotations

import re
from typing import Iterable

HEADING = "【附件：{name}】"
COPY = 0.8      # a file whose 4-character shingles are this much in the text already is a copy
SHINGLE = 4
OWN_TEXT = 300  # characters: a page with less is a pointer to its files
_FIRST_HEADING = re.compile(r"^【附件：[^\n]*】$", re.M)
_SPACE = re.compile(r"\s+")


def compose(page_text: str, attachments: Iterable[tuple[str, str | None]]) -> str:
    """page text + ("name", "text") parts; files without text add nothing. A file that repeats
    text already there (the signed copy of the page as a PDF) keeps its heading only: its words
    twice would make the document unlike every other copy of it."""
    parts = [page_text.strip()] if page_text and page_text.strip() else []
    seen = None   # the page's shingles: read only once a file has text
    for name, text in attachments:
        if not (text and text.strip()):
            continue
        if seen is None:
            seen = _shingles("".join(parts))
        heading = HEADING.format(name=_one_line(name) or "附件")
        mine = _shingles(text)
        if mine and len(mine & seen) >= COPY * len(mine):
            parts.append(heading)
            continue
        parts.append(heading + "\n" + text.strip())
        seen |= mine
    return "\n".join(parts)


def dedup_text(text: str) -> str:
    """What copies are found on: the page's own text when it holds the document (attached forms
    and tables differ from county to county), the whole composition when the page only points at
    its files (详见附件)."""
    match = _FIRST_HEADING.search(text or "")
    if match is None:
        return text or ""
    page = text[:match.start()].rstrip("\n")
    return page if len(_SPACE.sub("", page)) >= OWN_TEXT else text


def _shingles(text: str) -> set[str]:
    flat = _SPACE.sub("", text)
    return {flat[n:n + SHINGLE] for n in range(0, max(len(flat) - SHINGLE + 1, 0))}


def _one_line(name: str | None) -> str:
    return re.sub(r"\s+", " ", name or "").strip().replace("】", "]")[:200]
