"""The page's own navigation, so that it is never returned as a body.

A portal's header (国务院 省政府 … 首页 政务公开 … 热门搜索：) and its link farms (ministries,
sister sites) are blocks whose text is almost all link text. Their anchor texts make the page's
nav set; a body line made only of nav items or header words (今天是：, 搜索, 无障碍 …) is chrome.
When a short article (详见附件, a few lines and a PDF link) leaves the extractor with little to
keep, it falls back to the whole page: what comes back then is mostly nav lines, and those go.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .dom import raw_text


# A block is a nav list when this share of its text, or more, is link text (fit on the labelled
# pages: evaluation.loso fits it per held-out site and reports what it chose).
NAV_LINK_SHARE = 0.7
MIN_LINKS = 3
_NAV_BLOCKS = frozenset(("ul", "ol", "nav", "div", "p", "td", "tr", "table", "header", "dl", "section", "span"))
# Links to documents are attachment lists, not navigation.
_FILE_LINK = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|ofd|zip|rar|txt|et)(?:[?#]|$)", re.I)
# Header and accessibility words that are never a body line on their own.
HEADER_WORD = re.compile(
    r"^(?:今天是|今日是|热门搜索|热搜词|搜索|搜\s*索|站内搜索|高级搜索|全站搜索|政务全搜索|智能问答|"
    r"无障碍(?:浏览|阅读)?|长者(?:模式|版|专区|专版)|适老化|关怀版|繁體(?:中文|版)?|繁体版?|简体版?|切换繁体版|"
    r"English|EN|手机版|电脑版|移动版|网站地图|设为首页|加入收藏|个人中心|登录|注册|用户登录|"
    r"跳转到主要内容区域|网站支持IPv6|支持IPv6|首\s*页|网站首页|返回首页)(?:[:：].*)?$", re.I)
_SEPARATORS = re.compile(r"[\s|｜/·•>»＞]+")
_CONTENT = re.compile(
    r"TRS_Editor|TRS_UEDITOR|article_?content|art_?con|\bzoom\b|content_?text|main-?text|"
    r"Custom_UnionStyle|UCAP-CONTENT|xxgk_?content|detail_?content|pages_content|\bbody_?text", re.I)


def key(s: str) -> str:
    return "".join((s or "").split())  # runs on every anchor: no NFKC (both sides of a compare use it)


def nav_texts(tree, share: float | None = None) -> frozenset[str]:
    """Anchor texts of the page's link-dense blocks (nav bars, link farms), as keys."""
    share = NAV_LINK_SHARE if share is None else share
    found: set[str] = set()
    density: dict = {}
    keys: dict = {}  # anchor -> its key: a block's link share reads its anchors again
    in_content: dict = {}
    for anchor in tree.iter("a"):
        text = _anchor_key(anchor, keys)
        if not text or len(text) > 80 or _FILE_LINK.search(anchor.get("href") or ""):
            continue
        block = _block_of(anchor)
        if block is None:
            continue
        if block not in density:
            density[block] = _link_share(block, keys)
        if density[block] >= share and not _in_content(anchor, in_content):  # the article's own link lists are its text
            found.add(text)
    return frozenset(found)


def _anchor_key(anchor, keys: dict) -> str:
    text = keys.get(anchor)
    if text is None:
        text = keys[anchor] = key(raw_text(anchor))
    return text


def _in_content(el, known: dict) -> bool:
    """The element is in (or is) one whose class or id names the article's own container; known:
    the answers found so far, for the element and each of its ancestors."""
    path = []
    answer = None
    while el is not None:
        answer = known.get(el)
        if answer is not None:
            break
        if _content_attrs(el.get("class"), el.get("id")):
            answer = True
            break
        path.append(el)
        el = el.getparent()
    answer = bool(answer)
    for el in path:
        known[el] = answer
    return answer


@lru_cache(maxsize=8192)
def _content_attrs(cls: str | None, id_: str | None) -> bool:
    return bool((cls or id_) and _CONTENT.search(f"{cls or ''} {id_ or ''}"))


def _block_of(anchor):
    for ancestor in anchor.iterancestors():
        if isinstance(ancestor.tag, str) and ancestor.tag in _NAV_BLOCKS:
            return ancestor
    return None


def _link_share(block, keys: dict) -> float:
    anchors = [a for a in block.iter("a")]
    if len(anchors) < MIN_LINKS:
        return 0.0
    total = len(key(_DATE.sub("", _visible(block))))  # a link list's dates are part of it
    linked = sum(len(_anchor_key(a, keys)) for a in anchors)
    return linked / total if total else 0.0


def _visible(el) -> str:
    """text_content() less scripts and styles (their text is no one's to read)."""
    text = el.text_content()
    for hidden in el.iter("script", "style", "noscript"):
        text = text.replace(raw_text(hidden), "", 1)
    return text


_LIST_MARK = re.compile(r"^[-•·*]\s+")
_MARKS = "-•·*"  # the characters _LIST_MARK starts with
# Lines between nav items that say nothing: list marks, separators, a list item's date.
NEUTRAL = re.compile(r"^[\s\-–—|｜>»＞/·•*]*$|^[\[【(（]?\s*\d{2,4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?\s*[\]】)）]?$")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/]\d{1,2}(?!\d)")


def is_nav_line(line: str, nav: frozenset[str]) -> bool:
    """A line made only of nav items and header words (国务院 | 省政府, 今天是：…, 搜索)."""
    item = line.strip()
    if item[:1] in _MARKS:
        item = _LIST_MARK.sub("", item).strip()
    if key(item) in nav:  # [科技日报]… keeps its brackets
        return True
    bare = item.strip("【】[]")
    if not bare:
        return False
    if HEADER_WORD.match(bare) and len(bare) <= 40:
        return True
    if bare is not item and key(bare) in nav:  # (the same key as the item's when nothing was stripped)
        return True
    tokens = [t for t in _SEPARATORS.split(bare) if t]
    return len(tokens) > 1 and all(key(t) in nav or HEADER_WORD.match(t) for t in tokens)
