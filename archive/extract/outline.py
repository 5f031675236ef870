"""The outline of a plan: 一、 (一) 1. headings, as the body prints them."""
from __future__ import annotations

import re

_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十百]+[章节部分条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|"
    r"\d{1,2}[.．、](?!\d))\s*\S")
_SENTENCE_END = re.compile(r"[。；;：:]")
MAX_HEADING = 40


def outline(text: str) -> tuple[str, ...]:
    """Heading lines; a heading run into its paragraph is cut at its first full stop."""
    found = []
    for line in text.split("\n"):
        line = line.strip()
        if not _HEADING.match(line):
            continue
        end = _SENTENCE_END.search(line)
        head = line[:end.start()] if end else line
        if len(head) <= MAX_HEADING:
            found.append(head)
    return tuple(found)
