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


def _html_classes() -> etree.ElementNamespaceClassLookup:
    """lxml.html's element classes (HtmlElement; FormElement, InputElement … by tag), looked up in C.

    lxml.html's own lookup is a Python method that runs each time an element is touched from
    Python: a thousand calls a page between our rules, trafilatura and readability. The HTML
    parser lowercases tag names, so a lookup by exact name gives the same classes."""
    lookup = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction,
        entity=html.HtmlEntity))
    by_tag = lookup.get_namespace(None)
    for tag, cls in html.HtmlElementClassLookup._default_element_classes.items():
        by_tag[tag] = cls
    return lookup


# Processing instructions are never text: left out at parse time, as trafilatura's
# own parser does, so no later pass walks them. Copies of a tree keep its parser, and so
# its lookup (readability's summary is read back with it, and its new paragraphs made by it).
HTML_PARSER = html.HTMLParser(remove_pis=True, collect_ids=False)
HTML_PARSER.set_element_class_lookup(_html_classes())


def parse(text: str) -> html.HtmlElement | None:
    """An lxml tree, or None when there is nothing to parse."""
    text = _NOT_XML.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", _XML_DECLARATION.sub("", text or ""))
    if not text.strip():
        return None
    try:
        return html.document_fromstring(text, parser=HTML_PARSER)
    except (etree.ParserError, ValueError):
        try:
            return html.fragment_fromstring(text, create_parent="div", parser=HTML_PARSER)
        except (etree.ParserError, ValueError):
            return None


# The tree's elements with a class or an id, in document order: the only ones a class or id rule can pick.
# (The owners of those attributes: libxml2 reaches them twice as fast as by testing every element.)
with_class_or_id = etree.XPath("(descendant-or-self::*/@class | descendant-or-self::*/@id)/..")


def raw_text(el) -> str:
    """el.text_content(), read from el.text when el has no child (most links, cells and labels):
    without one, its text is all the text it holds; an XPath evaluation costs three times as much."""
    return el.text_content() if len(el) else (el.text or "")


def clean_text(s: str | None) -> str:
    return _SPACES.sub(" ", s or "").strip()


def element_text(el) -> str:
    """An element's text on one line, scripts left out."""
    return clean_text(" ".join(render_lines(el)))


def longest_text(el, raw: str) -> int:
    """The most characters element_text(el) can have, from its raw text (el.text_content()) without
    rendering: rendering adds at most a line break at each end of a block and a tab after a cell,
    and only removes otherwise (spaces collapsed, scripts left out)."""
    return len(raw) + 2 * sum(1 for _ in el.iter())


def render_lines(root) -> list[str]:
    """Visible text as lines: a line per block, table cells separated by a tab."""
    parts: list[str] = []
    add = parts.append
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        kind = _KINDS.get(tag)  # one lookup for the tags seen most
        if kind is None:
            kind = _KIND.get(tag.lower(), _INLINE) if tag.__class__ is str else _NOT_ELEMENT
        if event == "start":
            if kind:
                if kind == _SKIPPED:
                    walker.skip_subtree()  # its end still comes, for its tail
                    continue
                if kind == _BLOCKED:
                    add("\n")
                elif kind == _NOT_ELEMENT:
                    continue  # a comment's or a processing instruction's text is not shown
            if el.text:
                add(el.text)
        else:
            if kind:
                if kind == _CELLED:
                    add("\t")
                elif kind == _BLOCKED:
                    add("\n")
                elif kind == _SKIPPED:
                    if el.tail:
                        add(el.tail)  # (the root's too)
                    continue
            if el.tail and el is not root:
                add(el.tail)
    lines = []
    # the same as clean_text on every cell: _SPACES has neither tab nor newline
    for line in _SPACES.sub(" ", "".join(parts)).split("\n"):
        if "\t" in line:
            line = "\t".join(c for c in (c.strip() for c in line.split("\t")) if c)
        else:
            line = line.strip()
        if line:
            lines.append(line)
    return lines


_INLINE, _SKIPPED, _BLOCKED, _CELLED, _NOT_ELEMENT = 0, 1, 2, 3, 4
_KIND = {**{t: _SKIPPED for t in SKIP}, **{t: _BLOCKED for t in BLOCK}, **{t: _CELLED for t in CELL}}
# inline tags seen most often, and every tag of _KIND: a tag not here is looked up lowercased
_KINDS = {**{t: _INLINE for t in ("a", "span", "font", "b", "strong", "i", "em", "img", "u", "sup", "sub", "label",
                                  "small", "input", "button", "meta", "link", "base")}, **_KIND}
