"""readability-lxml's article on our parsed tree, held to the article under the heading.

readability scores the page's blocks and keeps the densest; on a page whose own article is short
that is often another story (a related-news stream, a recommended article). The lead (anchor.py),
marked on the tree, overrules a pick that stands apart from it; then what stands between the
heading and the lead (bylines, dates, buttons, player controls, the title again) goes.
"""
from __future__ import annotations

import copy
import logging
import re
from functools import lru_cache

from lxml import etree
from lxml import html as lxml_html
from readability import Document
from readability.readability import REGEXES

from .dom import HTML_PARSER, raw_text, render_lines, with_class_or_id
from .navigation import key as _nav_key


def readability_text(tree, lead=None) -> str:
    """readability-lxml's article as lines ("" on failure); it works on a copy, the tree stays.
    lead: the element holding the article's first sentence (anchor.lead_of), marked for
    _Readability to keep to the blocks that hold it."""
    if lead is not None:
        lead.set(_LEAD_MARK, "")
    try:
        summary = _Readability(tree).summary(html_partial=True)
        return "\n".join(render_lines(lxml_html.fromstring(summary, parser=HTML_PARSER))) if summary else ""
    except Exception:  # readability bugs on odd trees must not stop extraction
        return ""
    finally:
        if lead is not None:
            lead.attrib.pop(_LEAD_MARK, None)


_LEAD_MARK = "data-govplans-lead"
# The block holding both readability's pick and the lead is one article when their text is at
# least 1/ARTICLE_SPREAD of it; two stories when the page's other blocks fill the rest (fit on
# the other sites: evaluation.loso).
ARTICLE_SPREAD = 2.0


# readability logs its own failures with a traceback before raising; we answer them (the cascade
# runs), so without a handler of the application's they would go to stderr as noise.
logging.getLogger("readability").addHandler(logging.NullHandler())


class _Readability(Document):
    """readability-lxml on our parsed tree, with a lighter cleaning: its lxml Cleaner pass and
    link rewriting cost a third of its time and change no text (we drop scripts, styles,
    comments and hidden blocks ourselves; relative links do not matter to text)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lengths: dict[str, int] = {}  # text -> readability's text_length of it

    def _parse(self, input):
        doc = copy.deepcopy(input)
        etree.strip_elements(doc, "script", "style", "link", "noscript", etree.Comment,
                             etree.ProcessingInstruction, with_tail=False)
        for el in doc.xpath("//*[@hidden] | //*[@style]"):
            if el.get("hidden") is not None or _DISPLAY_NONE.search(el.get("style") or ""):
                el.drop_tree()
        self.encoding = "utf-8"
        return doc

    def select_best_candidate(self, candidates):
        """readability's choice, unless it is another story than the one under the heading (a
        related-news stream or a recommended story beside a short article: a block apart from
        every scored block that holds the article's lead): then the best block that holds it."""
        best = super().select_best_candidate(candidates)
        lead = next(iter(self.html.xpath(f"//*[@{_LEAD_MARK}]")), None) if best is not None else None
        if lead is None:
            return best
        around = {lead, *lead.iterancestors()}
        if best["elem"] in around:
            return best
        holders = [c for c in candidates.values() if c["elem"] in around]
        if not holders:
            return best
        chosen = best["elem"]
        common = next((a for a in chosen.iterancestors() if a in around), None)
        lead_block = next((a for a in (lead, *lead.iterancestors()) if a in candidates), lead)
        if common is not None and len(common.text_content()) <= ARTICLE_SPREAD * (
                len(chosen.text_content()) + len(lead_block.text_content())):
            return best  # one article holds both (a summary or caption under the heading, then the text)
        apart = [c for c in holders if c["elem"] is not common and c["elem"] not in set(common.iterancestors())] \
            if common is not None else holders
        return max(apart or holders, key=lambda c: c["content_score"])

    def score_paragraphs(self):
        """readability's, each paragraph's cleaned length looked up (_text_length: the same texts
        come back as link-density blocks and on its retry) and its commas counted on the raw text
        (clean only touches whitespace); no describe() for a debug line nobody reads."""
        min_length = self.min_text_length
        candidates = {}
        ordered = []
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            parent_node = elem.getparent()
            if parent_node is None:
                continue
            grand_parent_node = parent_node.getparent()
            text = raw_text(elem)
            inner_text_len = _text_length(text, self._lengths)
            if inner_text_len < min_length:
                continue
            if parent_node not in candidates:
                candidates[parent_node] = self.score_node(parent_node)
                ordered.append(parent_node)
            if grand_parent_node is not None and grand_parent_node not in candidates:
                candidates[grand_parent_node] = self.score_node(grand_parent_node)
                ordered.append(grand_parent_node)
            content_score = 1
            content_score += text.count(",") + 1
            content_score += min((inner_text_len / 100), 3)
            candidates[parent_node]["content_score"] += content_score
            if grand_parent_node is not None:
                candidates[grand_parent_node]["content_score"] += content_score / 2.0
        for elem in ordered:
            candidates[elem]["content_score"] *= 1 - self.get_link_density(elem)
        return candidates

    def get_link_density(self, elem):
        """readability's, its text lengths looked up: a block's links are measured again for its
        parent and grandparent, and whole blocks again in sanitize."""
        link_length = sum(_text_length(raw_text(a), self._lengths) for a in elem.findall(".//a"))
        return float(link_length) / max(_text_length(elem.text_content() or "", self._lengths), 1)

    def remove_unlikely_candidates(self):
        """readability's, over the elements with a class or an id only (the others' "class id" is
        one space, which it skips) and its two searches done once per "class id" string."""
        for elem in with_class_or_id(self.html):
            s = "{} {}".format(elem.get("class", ""), elem.get("id", ""))
            if len(s) < 2 or elem is self.html:  # (.//* leaves the root out)
                continue
            if (_unlikely(s) and elem.tag not in ["html", "body"]
                    and not elem.xpath("ancestor-or-self::pre | ancestor-or-self::code")
                    and not elem.xpath("descendant-or-self::main | descendant-or-self::article | "
                                       "descendant-or-self::math")):
                elem.drop_tree()

    def transform_misused_divs_into_paragraphs(self):
        """readability's, a div's children tested for blocks by their tags (_holds_block) instead of
        serialising them for divToPElementsRe: every div of the page serialised its whole subtree."""
        for elem in self.tags(self.html, "div"):
            if not _holds_block(elem):
                elem.tag = "p"
        for elem in self.tags(self.html, "div"):
            children = list(elem)
            paragraph = None
            if elem.text and elem.text.strip():
                p = _paragraph()
                p.text = elem.text
                elem.text = None
                elem.insert(0, p)
                paragraph = p
            for child in children:
                if child.tag == "br":
                    paragraph = None
                    continue
                if child.tag not in _INLINE_TAGS or REGEXES["divToPElementsRe"].search(
                        etree.tounicode(child, method="html")):
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = _paragraph()
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    p = _paragraph()
                    p.text = child.tail
                    child.tail = None
                    elem.insert(pos + 1, p)
                if child.tag == "br":
                    child.drop_tree()


def _paragraph():
    """An empty <p>, as readability's fragment_fromstring("<p/>") makes it, without parsing a string."""
    return HTML_PARSER.makeelement("p")


_INLINE_TAGS = {"a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"}
# the tags divToPElementsRe finds at a "<" (a prefix of the name, in any case)
_BLOCK_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul")


@lru_cache(maxsize=8192)
def _unlikely(attrs: str) -> bool:
    return bool(REGEXES["unlikelyCandidatesRe"].search(attrs) and not REGEXES["okMaybeItsACandidateRe"].search(attrs))


def _holds_block(div) -> bool:
    """divToPElementsRe.search(str(b"".join(tostring(child) for child in div))), readability's test of
    a div for blocks, without serialising: text, tails and attribute values are escaped there, so
    the pattern finds the start tag of a descendant named so, or words inside a comment or a
    processing instruction (those, and names not plain ASCII, are serialised as before)."""
    for el in div.iterdescendants():
        tag = el.tag
        if isinstance(tag, str) and tag.isascii() and not tag.startswith("{"):
            if tag.lower().startswith(_BLOCK_PREFIXES):
                return True
        elif REGEXES["divToPElementsRe"].search(str(etree.tostring(el, encoding="utf-8", with_tail=False))):
            return True  # (an odd name too: as serialised, bytes escaped)
    return False


def _text_length(text: str, lengths: dict) -> int:
    """readability's text_length of an element of this text: len(clean(text)). clean collapses runs
    of 255 spaces or more, line breaks with the spaces around them, tabs and runs of spaces, then
    strips: a shorter text with neither a line break, a tab nor two spaces in a row is only stripped."""
    if len(text) < 255 and "\n" not in text and "\t" not in text and "  " not in text:
        return len(text.strip())
    length = lengths.get(text)
    if length is None:
        length = lengths[text] = len(_clean(text))
    return length


# readability's clean() with its patterns compiled once, each run only where it can match; a run
# of 255 spaces or more is matched from its first space only (leftmost, it starts there anyway).
_LONG_SPACE = re.compile(r"(?<!\s)\s{255,}")
_BREAK = re.compile(r"\s*\n\s*")
_TAB_OR_SPACES = re.compile(r"\t|[ \t]{2,}")


def _clean(text: str) -> str:
    """readability.readability.clean(text)."""
    if len(text) >= 255:
        text = _LONG_SPACE.sub(" " * 255, text)
    if "\n" in text:
        text = _BREAK.sub("\n", text)
    if "\t" in text or "  " in text:
        text = _TAB_OR_SPACES.sub(" ", text)
    return text.strip()


_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)


def from_lead(text: str, lead: str, title: str | None = None) -> str:
    """Between the heading and the article's first sentence stand bylines, dates, buttons and
    player controls: short lines there go, and the title printed again (it is a field); a
    subtitle or a caption (longer lines) stays."""
    lines = text.split("\n")
    want = _nav_key(lead)[:LEAD_PREFIX]
    start = next((n for n, line in enumerate(lines) if want in _nav_key(line)), 0)
    heading = _nav_key(title or "")
    above = [line for line in lines[:start] if len(_nav_key(line)) > PRE_LEAD_SHORT
             and not _BYLINE.search(line) and _nav_key(line) != heading]
    return "\n".join(above + lines[start:])


# Lines above the lead this short (characters) are controls or labels (fit on the other
# sites: evaluation.loso); a line with a clock time or 来源/作者 is a byline.
PRE_LEAD_SHORT = 12
LEAD_PREFIX = 20
_BYLINE = re.compile(r"\d{1,2}:\d{2}|来源\s*[:：]|作者\s*[:：]|编辑\s*[:：]|发布时间|阅读(?:量|数)?\s*[:：]?\s*\d")
