"""The article's lead: the first sentence printed after the page's heading.

An article starts right under its title. On news and portal pages whose own article is short
(a three-line wire story, a video page's caption), the densest block of the page is often a
"related news" stream or a recommended story beside it, and a density extractor takes that
instead. The lead says where the article is: a block the extractor picks that does not hold
it is another story, and a short answer that does hold it is the whole article.
"""
from __future__ import annotations

import re

from lxml import etree

from .navigation import key

# The least a lead holds (characters, whitespace left out): shorter texts under a heading are
# bylines, dates, "来源：…" lines and buttons (fit on the other sites: evaluation.loso).
LEAD_MIN = 30
# A sentence, not a byline or a caption list: it has running punctuation.
_SENTENCE = re.compile(r"[，。；！？、,;]")
_NOT_TEXT = frozenset(("script", "style", "noscript", "template", "select", "option", "textarea",
                       "button", "a", "iframe", "svg", "title", "head"))
_HEADINGS = ("h1", "h2", "h3")
SCAN_LIMIT = 400  # elements looked at after the heading: the lead is near it or nowhere


def heading_of(tree, title: str | None):
    """The element that prints the title: an h1-h3 first, else any element whose own text is it."""
    want = key(title or "")
    if len(want) < 4:
        return None
    for el in tree.iter(*_HEADINGS):
        if key(el.text_content()) == want:
            return el
    for el in tree.iter(etree.Element):
        if el.text and el.tag not in _NOT_TEXT and key(el.text) == want and not _in_head(el):
            return el
    return None


def lead_after(heading) -> tuple[object, str] | None:
    """(element holding the text, the text) of the first sentence after the heading, or None."""
    seen = 0
    node = heading
    if heading.tail and _is_lead(heading.tail):
        return heading.getparent(), heading.tail
    while node is not None and node.tag not in ("body", "html"):
        for sibling in node.itersiblings():
            for el in sibling.iter():
                seen += 1
                if seen > SCAN_LIMIT:
                    return None
                if not isinstance(el.tag, str):
                    continue
                if el.text and el.tag not in _NOT_TEXT and not _in_link(el) and _is_lead(el.text):
                    return el, el.text
                parent = el.getparent()
                if el.tail and parent is not None and parent.tag not in _NOT_TEXT and not _in_link(parent) \
                        and _is_lead(el.tail):
                    return parent, el.tail
        node = node.getparent()
    return None


def lead_of(tree, title: str | None) -> tuple[object, str] | None:
    heading = heading_of(tree, title)
    return lead_after(heading) if heading is not None else None


def _is_lead(text: str) -> bool:
    return len(key(text)) >= LEAD_MIN and bool(_SENTENCE.search(text))


def _in_link(el) -> bool:
    for ancestor in (el, *el.iterancestors()):
        if ancestor.tag == "a":
            return True
        if ancestor.tag in ("p", "div", "li", "td", "body"):
            return False
    return False


def _in_head(el) -> bool:
    return any(a.tag == "head" for a in el.iterancestors())
