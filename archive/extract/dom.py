"""Parsing and rendering: one lxml tree per page, and its visible text as lines."""
from __future__ import annotations

import re

from lxml import etree, html

SKIP = {"script", "style", "noscript", "template", "head", "title", "select", "option", "iframe",
        "object", "svg", "textarea"}
BLOCK = {"p", "div", "br", "tr", "li", "ul", "ol", "table", "tbody", "thead", "h1", "h2", "h3",
         "h4", "h5", "h6", "section", "article", "header", "footer", "nav", "aside", "dd", "dt",
         "dl", "form", "blockquote", "pre", "hr", "center", "body", "main", "figure", "figcaption"}
CELL = {"td", "th"}
_SPACES = re.compile(r"[ \u00a0\u3000\u2002\u2003\u200b\ufeff\r\f\v]+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# characters lxml keeps from a parse but refuses to set later (vertical tabs from Word, stray C0 bytes)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def parse(text: str) -> html.HtmlElement | None:
    """An lxml tree, or None when there is nothing to parse."""
    text = _NOT_XML.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", _XML_DECLARATION.sub("", text or ""))
    if not text.strip():
        return None
    try:
        return html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        try:
            return html.fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, ValueError):
            return None


def clean_text(s: str | None) -> str:
    return _SPACES.sub(" ", s or "").strip()


def element_text(el) -> str:
    """An element's text on one line, scripts left out."""
    return clean_text(" ".join(render_lines(el)))


def render_lines(root) -> list[str]:
    """Visible text as lines: a line per block, table cells separated by a tab."""
    parts: list[str] = []
    skipping = None
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else None
        if skipping is not None:
            if event == "end" and el is skipping:
                skipping = None
                _tail(parts, el)
            continue
        if event == "start":
            if tag is None:
                continue
            if tag.lower() in SKIP:
                skipping = el
                continue
            if tag.lower() in BLOCK:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if tag is not None:
                name = tag.lower()
                if name in CELL:
                    parts.append("\t")
                elif name in BLOCK:
                    parts.append("\n")
            if el is not root:
                _tail(parts, el)
    lines = []
    for line in "".join(parts).split("\n"):
        cells = [clean_text(c) for c in line.split("\t")]
        line = "\t".join(c for c in cells if c)
        if line:
            lines.append(line)
    return lines


def _tail(parts: list[str], el) -> None:
    if el.tail:
        parts.append(el.tail)
