"""The title: the page's heading, not the site name that <title> often is."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .dom import clean_text, render_lines
from .metadata import Found

_TITLE_ATTR = re.compile(r"title|tit\b|\btit|biaoti|\bbt\b|headline|article-?h|wzbt|xxbt|detail-?h", re.I)
_HEADING_TAGS = ("h1", "h2", "h3")
_SEPARATORS = re.compile(r"\s*(?:_|\||｜|--|—{1,2}|-|–|\s{2,})\s*")
_SITE_NAME = re.compile(r"(?:人民政府|政府网|门户网站|网站|政府门户|官网|网)$|^中国\S{2,3}$")
_NOT_TITLE = re.compile(r"当前位置|您的位置|首页|^\s*(?:正文|详情|文章详情|信息公开|政务公开)\s*$")
# A column's name (a 信息公开目录 heading over the document): never the document's title.
COLUMN_NAME = re.compile(
    r"^(?:(?:政府)?信息公开(?:目录|专栏|平台|指南|制度|年报)?|政务公开|(?:政府|部门|政策|规范性|最新)文件|"
    r"通知公告|公示公告|公告公示|工作动态|政务动态|部门动态|乡镇动态|规划计划|发展规划|政策解读|政策法规|"
    r"法定主动公开内容|主动公开|新闻中心|新闻动态|要闻动态|本市要闻|图片新闻|文件通知|计划总结|"
    r"其他文件|其他|正文|详细信息|内容详情|相关(?:文章|阅读|链接|文件|新闻|信息|推荐)|推荐阅读|热点推荐|热门文章|"
    r"上一篇|下一篇)$")
MIN_LEN, MAX_LEN = 4, 150
# A nav link names a column in a few characters; a longer heading that a link also names is a
# document's title that a 相关文章 or 上一篇 list links to (another document may share it).
NAV_NAME_MAX = 12
_HAN = re.compile(r"[\u4e00-\u9fff]")


def pick_title(tree, meta: dict[str, list[Found]], page_title: str | None,
               labelled: list[Found] = (), nav: frozenset[str] = frozenset()) -> Found | None:
    """ArticleTitle, an xxgk table's 标题, a heading that <title> confirms, <title> minus the site."""
    # The portal's own name: a <title> part beside others that reads as one (…_兰坪白族普米族
    # 自治县人民政府) and the SiteName meta tag. Banners print it as a heading and <title>
    # repeats it, so it would pass for a confirmed heading (a long county name is as long as a
    # short title); it is never the document's title. A <title> of one part is left alone:
    # it may be the document's own title that happens to end in 网.
    parts = _title_parts(page_title)
    site_names = {_key(p) for p in parts if _SITE_NAME.search(p)} if len(parts) > 1 else set()
    site_names.update(_key(f.value) for f in meta.get("site_name", []) if f.value)
    blocks = heading_blocks(tree)
    parts = [p for p in parts if not _column(_key(p), nav)]
    for found in meta.get("title", []):
        if found.source.lower() == "meta:articletitle" and _plausible(found.value):
            return found
    for found in labelled:
        if _plausible(found.value):
            return found
    # rendered only now: most pages of TRS sites are answered by ArticleTitle above.
    # A heading that is one of the page's own nav links, or a column's name, is that column.
    headings = [h for h in heading_candidates(blocks)
                if _key(h[0]) not in site_names and not _column(_key(h[0]), nav)]
    cleaned = [part for part in parts if not _SITE_NAME.search(part)]
    longest = max((len(_key(p)) for p in cleaned), default=0)
    page_key = _key(page_title or "")
    for text, where, _ in headings:  # a heading that <title> repeats
        key = _key(text)
        if page_key and key in page_key and len(key) >= max(MIN_LEN, 0.6 * longest):
            return Found(text, where)
    for text, where, lines in headings:  # a heading block that also holds the date line
        first = lines[0] if lines else text
        if any(len(_key(p)) >= 6 and _key(p) in _key(first) for p in cleaned):
            return Found(first, where)
    for found in meta.get("title", []):
        if _plausible(found.value) and not _SITE_NAME.search(found.value):
            return found
    if cleaned:
        return Found(max(cleaned[:2], key=len) if len(cleaned) > 1 else cleaned[0], "title")
    if headings:
        return Found(headings[0][0], headings[0][1])
    if page_title and page_title.strip():
        return Found(page_title.strip(), "title")
    return None


def _column(key: str, nav: frozenset[str]) -> bool:
    return bool(COLUMN_NAME.match(key)) or (key in nav and len(key) <= NAV_NAME_MAX)


def heading_blocks(tree) -> list[tuple[object, str]]:
    """(element, where) for h1-h3 and title-classed blocks, in document order."""
    blocks = []
    for el in tree.iter(*_HEADING_TAGS, "div", "p", "td", "span", "strong", "font", "b"):
        tag = el.tag
        if tag in _HEADING_TAGS:
            blocks.append((el, tag))
        elif _title_attrs(el.get("class", ""), el.get("id", "")):
            blocks.append((el, f"{tag}.{(el.get('class') or el.get('id') or '').split()[0]}"))
    return blocks


def heading_candidates(blocks):
    """(text, where, lines) for the heading_blocks whose text can be a title."""
    for el, where in blocks:
        lines = render_lines(el)
        text = clean_text(" ".join(lines))
        if _plausible(text) and not _NOT_TITLE.search(text):
            yield text, where, lines


# Templates repeat their class/id values on every page: the case-insensitive search runs once per pair.
@lru_cache(maxsize=8192)
def _title_attrs(cls: str, id_: str) -> bool:
    return bool(_TITLE_ATTR.search(f"{cls} {id_}"))


def _title_parts(page_title: str | None) -> list[str]:
    if not page_title:
        return []
    return [p for p in _SEPARATORS.split(page_title.strip()) if len(p) >= MIN_LEN]


def _plausible(text: str) -> bool:
    return MIN_LEN <= len(text) <= MAX_LEN and bool(_HAN.search(text))


def _key(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())
