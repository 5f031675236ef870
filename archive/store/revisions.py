"""What counts as a new version: the document's own content changed, not its page.

Two extractions of one document are the same content when their title, their body text and the
metadata values both have agree once normalised (NFKC, no whitespace), after leaving out the lines
that belong to the site's template rather than to the document: lines found on one side only that
are short navigation labels (首页, 政务公开, 今天是：) or that other documents of the same site also
carry (a footer, a nav bar a short body let through). A redesign changes those, and metadata the
new template hides (None) is not a change either; an edit changes a sentence of the body, the
title, or a value both templates show. Pure: the site's other documents are asked through `shared`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable

_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"[。，；！？、,;!?\d]")
NAV_LABEL_MAX = 8          # a line this short with no sentence punctuation nor digit is a label
SHARED_MIN = 2             # a line other documents of the site also carry (this many) is template
SHARED_ASK_MAX = 40        # lines asked about per comparison (a redesign of a huge page: the rest count)
META_FIELDS = ("published", "written", "doc_number", "index_number", "agency")


def normal(value) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(value or "")))


@dataclass(frozen=True)
class Content:
    """What a document says, as stored or as just extracted."""
    title: str | None
    text: str
    meta: dict


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if normal(line)]


def nav_label(line: str) -> bool:
    text = normal(line)
    return len(text) <= NAV_LABEL_MAX and not _SENTENCE.search(text)


def template_lines(old: list[str], new: list[str], shared: Callable[[str], bool] | None) -> set[str]:
    """Lines on one side only that belong to the site's template (by normal form)."""
    one_side = {normal(x) for x in old} ^ {normal(x) for x in new}
    raw = {normal(x): x for x in old + new}
    out, asked = set(), 0
    for key in sorted(one_side, key=len):
        if nav_label(key):
            out.add(key)
        elif shared is not None and asked < SHARED_ASK_MAX:
            asked += 1
            if shared(raw[key]):
                out.add(key)
    return out


def body_differs(old_text: str, new_text: str, shared: Callable[[str], bool] | None = None) -> bool:
    old, new = lines(old_text), lines(new_text)
    if [normal(x) for x in old] == [normal(x) for x in new]:
        return False
    template = template_lines(old, new, shared)
    keep = lambda side: "".join(n for n in map(normal, side) if n not in template)  # noqa: E731
    return keep(old) != keep(new)


def meta_differs(old: dict, new: dict) -> list[str]:
    """Fields both extractions have whose values differ (agency: unless one starts the other,
    widget words after a name are a template's)."""
    out = []
    for name in META_FIELDS:
        a, b = normal(old.get(name)), normal(new.get(name))
        if not a or not b or a == b:
            continue
        if name == "agency" and (a.startswith(b) or b.startswith(a)):
            continue
        out.append(name)
    return out


def content_changed(old: Content, new: Content, shared: Callable[[str], bool] | None = None) -> bool:
    """Whether `new` says something `old` did not (see the module's docstring)."""
    if normal(old.title) and normal(new.title) and normal(old.title) != normal(new.title):
        return True
    if meta_differs(old.meta, new.meta):
        return True
    return body_differs(old.text, new.text, shared)


def attachment_text(parts: Iterable[tuple[str, str | None]]) -> str | None:
    """The files' text of a version, each part marked with the file's name (None: no file has text)."""
    blocks = [f"【附件：{name}】\n{text.strip()}" for name, text in parts if text and text.strip()]
    return "\n\n".join(blocks) if blocks else None

