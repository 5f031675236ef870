"""The body text, by one of two strategies chosen from the page's own evidence, then our line filter.

Government pages (a .gov.cn host, TRS/Hanweb site meta tags, 信息公开 labels such as 索引号/文号,
a 人民政府 footer): trafilatura on a tree we pruned first. Gov templates put metadata tables,
share/print bars, QR codes and related-article lists next to the article, and trafilatura keeps
many of them; we cut them before and after. When the page has one article container (TRS_Editor,
zoom, article_content …) holding its longest text, trafilatura sees that container alone (with its
ancestors): a column's news list or the portal's name beside it stays out, and trafilatura, whose
work grows with the tree, runs faster.

Other pages (news, blogs, encyclopaedias): readability-lxml's densest-block candidate, which
leaves out the "related"/"others also read" lists, reference sections and comment threads that
trafilatura's recall mode keeps; when it finds next to nothing, the government cascade answers.
Only one extractor runs on most pages. Its block must be the article under the heading: the lead
(anchor.py) overrules a pick that stands apart from it, and keeps a short answer that holds it.
"""
from __future__ import annotations

import copy
import re
from functools import lru_cache

import trafilatura
from lxml import etree
from trafilatura.settings import Extractor

from .anchor import lead_of
from .dom import element_text, longest_text, raw_text, with_class_or_id
from .labels import TIERS
from .literals import Prefiltered
from .navigation import NEUTRAL, is_nav_line, key as _nav_key, nav_texts
from .readable import from_lead, readability_text

# class/id fragments of page chrome on TRS, Hanweb and xxgk templates
_CHROME_ATTR = re.compile(
    r"share|bdshare|print|close|footer|foot\b|copyright|qrcode|erweima|\bewm|xgwz|xgxx|related|"
    r"relevant|breadcrumb|crumb|position|location|\bdqwz|\bwzdh|pagenav|prev|next|\bsxy|"
    r"toolbar|tool-bar|fontsize|font-size|\bvisit|counter|\bjiathis|\bshouc|collect|"
    r"article-?info|\bxxgk-?(?:table|info|head)|\bmeta\b|\bdetail-?(?:info|meta)",
    re.I)
# Small blocks whose text says they are chrome.
_CHROME_TEXT = re.compile(
    r"^\s*(?:扫一扫|分享到|分享[：:]|【?\s*打印|【?\s*关闭|上一篇|下一篇|当前位置|您当前所在位置|"
    r"您的位置|您现在的位置|字体[：:]|字号[：:]|【\s*字体|浏览次数|访问量|访问次数|点击数|"
    r"索\s*引\s*号|版权所有|主办单位|网站标识码|相关文章|相关阅读|相关链接|相关新闻|热点推荐|关联稿件|"
    r"相关范文推荐|下载本文|声明[：:]|长者模式|无障碍)")
_META_TABLE = re.compile(r"索\s*引\s*号|发布机构|成文日期|公开方式|主题分类|生成日期")
# Every spelling of an xxgk table's labels (labels.py), followed by its colon: 信息索引：, 发文机构：
_META_LABELLED = re.compile("(?:" + "|".join(sorted(
    {re.escape(label) for field in ("index_number", "doc_number", "agency", "written", "subject", "validity")
     for label in TIERS[field][0]}, key=len, reverse=True)) + r")\s*[:：]")
# The article's own containers on TRS/Hanweb/xxgk templates: never pruned, whatever their size.
_CONTENT_ATTR = re.compile(
    r"TRS_Editor|TRS_UEDITOR|article_?content|art_?con|\bzoom\b|content_?text|main-?text|"
    r"Custom_UnionStyle|UCAP-CONTENT|xxgk_?content|detail_?content|pages_content|\bbody_?text", re.I)
SMALL, TINY = 200, 80
INDENTED = 2000  # the most raw characters an indented metadata table of SMALL text is looked at with
# Either test on the visible text can only pass when these words are in the raw text.
_CHROME_WORDS = Prefiltered(re.compile(_CHROME_TEXT.pattern.replace(r"^\s*", "", 1) + "|" + _META_TABLE.pattern
                                       + "|" + _META_LABELLED.pattern))

_LINE_CHROME = re.compile(
    r"^(?:【|\[)?\s*(?:扫一扫|分享到|分享|打印(?:本页|此页|文章)?|关闭(?:窗口|本页)?|收藏|"
    r"上一篇|下一篇|上一条|下一条|当前位置|您当前所在位置|您的位置|您现在的位置|"
    r"字体|字号|浏览次数|访问量|访问次数|点击数|阅读次数|责任编辑|责编|作者|编辑|审核|校对|文章类型|"
    r"版权所有|主办单位|承办单位|网站标识码|ICP备|[京沪津渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川贵云陕甘青蒙桂藏宁新]ICP|"
    r"联系我们|网站地图|返回顶部|长者模式|无障碍|QQ空间|微信|微博|附件下载|点击右上角|选择在浏览器中打开|"
    r"索\s*引\s*号|发布机构|发文机关|成文日期|生成日期|发布日期|发布时间|公开方式|公开范围|主题分类|"
    r"信息来源|来源|时间|日期|文\s*号|发文字号|有效性)\s*[】\]]?\s*(?:[:：]|$|\s)")
# A site footer's line, wherever the words stand in it; only a run of them at the body's end goes.
_FOOTER = re.compile(r"ICP[备证]|公网安备|版权所有|All Rights Reserved|Copyright|©|举报电话|举报邮箱|"
                     r"许可证编号|网站标识码|技术支持[:：]|主办单位[:：]|承办单位[:：]", re.I)
FOOTER_LINE = 150
# Where the article ends: related lists, disclaimers and footers follow these lines.
_END_MARKER = re.compile(
    r"^\s*[【\[]?\s*(?:(?:相关|关联)(?:文章|阅读|链接|新闻|稿件|文件|文档|解读|信息)|热点推荐|推荐阅读|延伸阅读|"
    r"相关范文推荐|下载本文|以下是引用片段|版权与免责声明|免责声明|版权声明|特别声明|回到顶部|返回顶部|站点地图|"
    r"分享插件|版权所有|关键字|关键词|标签)\s*[】\]]?\s*(?:[:：]|$)")
_CODE = re.compile(r"^</?[a-zA-Z][\w-]*(?:\s[^>]*)?/?>|^</?[a-zA-Z]+\s+\w+=[\"']|</?script|document\.write|^var\s|function\s*\(|new RegExp|^[{}()\];]+$")
_DATE_LINE = re.compile(r"^[\d\s年月日时分秒:：\-/.]+$")
_FONT_BAR = re.compile(r"[【\[]?\s*(?:字体|字号)?[：:]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?")
SHORT_LINE = 60
_EMPTY_ATTACHMENT_LABEL = re.compile(r"附\s*件\s*[:：]?")


# Evidence that a page comes from a government site.
_GOV_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#]*\.gov\.cn(?::\d+)?(?:[/?#]|$)", re.I)
_GOV_FOOTER = re.compile(r"人民政府|政府网|政务|人民代表大会|政协|委员会办公室|党委|管委会")
_GOV_LABELS = ("index_number", "doc_number", "written", "validity")
READABILITY_MIN = 200  # chars: a readability answer shorter than this is taken as a miss


def looks_governmental(url: str | None, meta: dict, labelled: dict, lines: list[str]) -> bool:
    """True when the page shows a government site's marks: a .gov.cn host, the TRS/Hanweb
    SiteIdCode meta tag, 信息公开 labels (索引号, 文号, 成文日期, 有效性) or a government footer."""
    if url and _GOV_HOST.match(url):
        return True
    if "site_code" in meta or any(name in labelled for name in _GOV_LABELS):
        return True
    return bool(_GOV_FOOTER.search(" ".join(lines[-30:])))


def main_text(tree, url: str | None = None, title: str | None = None, government: bool = True,
              nav: frozenset[str] | None = None) -> str:
    """The article's text, paragraphs joined by "\\n"; "" when none is found. nav: the page's
    nav set (navigation.nav_texts), computed here when not given."""
    nav = nav_texts(tree) if nav is None else nav
    if not government:
        lead = lead_of(tree, title)
        text = filter_lines(readability_text(tree, lead[0] if lead else None), title, nav)
        if lead and _nav_key(lead[1]) in _nav_key(text):
            return from_lead(text, lead[1], title)  # the article under the heading, however short
        if len(text) >= READABILITY_MIN:
            return text
    pruned, containers = _pruned(tree)
    text = None
    if _cut_to_article(pruned, containers):
        # the tree is the article already: the second opinion, a third of trafilatura's time on a
        # short page, changed no text on the real and farm pages measured (bench/RESULTS.md)
        text = _trafilatura(pruned, url, fast=True)
        if not text:   # nothing in the article's container: the whole pruned page, as without one
            pruned, _ = _pruned(tree)
    text = text or _trafilatura(pruned, url) or _trafilatura(copy.deepcopy(tree), url) or ""
    return filter_lines(text, title, nav)


def _pruned(tree) -> tuple:
    """A copy of the page without its chrome, its layout tables unwrapped, and the article
    containers on it (prune_chrome keeps them all)."""
    pruned = copy.deepcopy(tree)
    containers = prune_chrome(pruned)
    unwrap_layout_tables(pruned)
    return pruned, containers


def _cut_to_article(pruned, containers: list) -> bool:
    """When the page has exactly one article container (outermost of `containers`, the page's
    article containers in document order), cut the tree down to it in
    place: what stands beside it and beside each of its ancestors is the template's (navigation,
    breadcrumbs, related lists, footers), and trafilatura's work grows with the tree it is given.
    The ancestors and the head stay (trafilatura reads the structure around the article).
    Returns whether the tree was cut. A container class on the body (or the html) marks no
    article: the whole page would pass for one."""
    outermost = _outermost(containers)
    if len(outermost) != 1 or outermost[0].tag in ("html", "body") or not _holds_longest_text(outermost[0], pruned):
        return False
    kept = outermost[0]
    for ancestor in kept.iterancestors():
        if ancestor.tag != "html":
            for sibling in list(ancestor):
                if sibling is not kept:
                    ancestor.remove(sibling)   # its tail, text beside the article, goes with it
        kept = ancestor
    return True


_BODY_TEXTS = etree.XPath("//body//text()")   # strings that know their element (getparent, is_tail)


def _holds_longest_text(container, tree) -> bool:
    """Whether the page's longest run of text (scripts and styles aside) stands in the container:
    an article's container holds the article's longest paragraph; a container class on a widget
    or a sidebar does not."""
    longest, owner = 0, None
    for run in _BODY_TEXTS(tree):
        if len(run) <= longest or len(stripped := run.strip()) <= longest:
            continue
        element = run.getparent()
        if run.is_tail:   # a tail is text of its element's parent
            element = element.getparent()
        if element is not None and element.tag not in ("script", "style", "noscript"):
            longest, owner = len(stripped), element
    return owner is not None and (owner is container or any(a is container for a in owner.iterancestors()))


def _outermost(containers: list) -> list:
    inner = set(containers)
    return [node for node in containers if not any(ancestor in inner for ancestor in node.iterancestors())]


def prune_chrome(tree) -> list:
    """Drop share/print bars, metadata tables, QR codes and related lists in place. Returns the
    article's own containers (_CONTENT_ATTR), in document order: never pruned."""
    doomed = []
    containers = _containers(tree)
    holders = _content_holders(tree, containers)
    # Blocks whose raw text has no chrome word; an element's raw text is a run of its parent's
    # (_CHROME_WORDS has no anchors), so their descendants have none either and are not searched.
    plain: set = set()
    gone: set = set()  # doomed blocks and all inside them: what they hold goes with them
    for el in tree.iter(etree.Element):
        tag = el.tag
        parent = el.getparent()
        if parent in gone:
            gone.add(el)
            continue
        inherited = parent in plain
        if inherited:
            plain.add(el)
        if tag in ("html", "body") or el in holders:
            continue
        chrome_attrs = _chrome_attrs(el.get("class"), el.get("id"))
        if not chrome_attrs and (tag not in _BLOCKS or inherited):
            continue  # rendering the visible text is the slow part: only for blocks that may go
        # text_content() is cheap and never shorter than the visible text: big blocks stay
        raw = raw_text(el)
        if len(raw) >= SMALL + 100 and (len(raw) > INDENTED or tag not in ("table", "ul", "dl", "div")
                                        or len("".join(raw.split())) >= SMALL + 100):
            continue  # (templates indent their metadata tables: that whitespace is no text)
        if not chrome_attrs and not _CHROME_WORDS.search(raw):
            plain.add(el)
            continue
        if (chrome_attrs and longest_text(el, raw) < SMALL) or _goes(el, tag, element_text(el), chrome_attrs):
            doomed.append(el)
            gone.add(el)
    for el in doomed:
        _drop(el)
    return containers


def _goes(el, tag: str, text: str, chrome_attrs: bool) -> bool:
    """A small block that is chrome by its class or id, by its words, or a metadata table."""
    if chrome_attrs and len(text) < SMALL:
        return True
    if tag not in _BLOCKS:
        return False
    if len(text) < TINY and _CHROME_TEXT.search(text):
        return True
    if tag in ("table", "ul", "dl", "div") and (
            len(_META_TABLE.findall(text)) >= 2 or len(set(_META_LABELLED.findall(text))) >= 2):
        return True
    return tag == "table" and _label_cells(el) >= 2  # labels as a header row over a row of values (索取号 | 发布机构 | 文件编号)


# Every metadata label of the label table, as a cell's whole text (no colon in a header row).
_LABELS = frozenset(label for field in ("index_number", "doc_number", "agency", "written", "published", "subject",
                                        "validity") for tier in TIERS.get(field, ()) for label in tier)


def _label_cells(table) -> int:
    """How many of the table's cells hold nothing but a metadata label."""
    return sum("".join(raw_text(cell).split()).rstrip(":：") in _LABELS for cell in table.iter("td", "th"))


def unwrap_layout_tables(tree) -> None:
    """Legacy portals lay pages out in tables; as divs their paragraphs stay paragraphs.

    A table whose cells hold paragraphs, nested tables or long text is layout; data tables
    (attachment lists, statistics) have short cells and are left alone."""
    for table in list(tree.iter("table")):
        cells = [c for c in table.iter("td", "th") if _owner_table(c) is table]
        if any(_is_layout_cell(c) for c in cells):
            for el in [table, *cells, *(r for r in table.iter("tr", "tbody", "thead", "tfoot")
                                         if _owner_table(r) is table)]:
                el.tag = "div"


def _owner_table(el):
    return next(el.iterancestors("table"), None)


def _is_layout_cell(cell) -> bool:
    length = len(raw_text(cell).strip())
    if next(cell.iterdescendants("p", "div", "table", "h1", "h2", "h3", "ul"), None) is not None:
        return length > 60
    return length > 150


_BLOCKS = frozenset(("div", "table", "ul", "p", "span", "li", "tr", "dl", "section"))


# Templates repeat the same class/id values on every page of a site: the regexes (long
# case-insensitive alternations) run once per distinct pair.
@lru_cache(maxsize=8192)
def _chrome_attrs(cls: str | None, id_: str | None) -> bool:
    attrs = f"{cls or ''} {id_ or ''}"
    return bool(attrs.strip() and _CHROME_ATTR.search(attrs))


@lru_cache(maxsize=8192)
def _content_attrs(cls: str | None, id_: str | None) -> bool:
    return bool((cls or id_) and _CONTENT_ATTR.search(f"{cls or ''} {id_ or ''}"))


def _containers(tree) -> list:
    """The article's own containers (_CONTENT_ATTR), in document order."""
    return [node for node in with_class_or_id(tree) if _content_attrs(node.get("class"), node.get("id"))]


def _content_holders(tree, containers: list | None = None) -> set:
    """The article's own containers and every element around one."""
    holders: set = set()
    for node in _containers(tree) if containers is None else containers:
        holders.add(node)
        for ancestor in node.iterancestors():
            if ancestor in holders:
                break
            holders.add(ancestor)
    return holders


def filter_lines(text: str, title: str | None = None, nav: frozenset[str] = frozenset()) -> str:
    """Line-level pruning of what trafilatura kept; nav is the page's nav set (navigation.nav_texts)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    lines = _from_title(lines, title, nav)
    total = sum(len(line) for line in lines) or 1
    kept: list[str] = []
    seen = 0
    for line in lines:
        seen += len(line)
        bare = line.lstrip("-•·* ").strip()
        if _END_MARKER.match(bare) and seen > total * 0.3:
            break
        if _is_chrome(bare) or _CODE.search(bare):
            continue
        if not kept and _DATE_LINE.match(bare):
            continue  # the date under the heading, already a field
        kept.append(line)
    kept = without_navigation(kept, nav)
    while kept and (_EMPTY_ATTACHMENT_LABEL.fullmatch(kept[-1])
                    or (len(kept[-1]) <= FOOTER_LINE and _FOOTER.search(kept[-1]))):
        kept.pop()  # an empty 附件 label; the site's footer (ICP 备案, 版权所有, 举报电话) under the text
    return "\n".join(kept)


# A body whose lines are this share of nav lines or more is navigation: every nav line goes.
NAV_BODY_SHARE = 0.3


def without_navigation(lines: list[str], nav: frozenset[str]) -> list[str]:
    """Never navigation as a body: nav runs at either end go, and every nav line goes when
    they are much of what is left (a short page whose extractor fell back to the whole page)."""
    neutral = [bool(NEUTRAL.match(line)) for line in lines]
    flags = [n or is_nav_line(line, nav) for line, n in zip(lines, neutral)]
    start, end = 0, len(lines)
    while start < end and flags[start]:
        start += 1
    while end > start and flags[end - 1]:
        end -= 1
    if all(neutral[:start]):
        start = 0  # a date alone above the text, no nav: not ours to drop here
    if all(neutral[end:]):
        end = len(lines)  # the signature's date
    lines, flags, neutral = lines[start:end], flags[start:end], neutral[start:end]
    flags = [f and not n for f, n in zip(flags, neutral)]  # a date alone stays unless nav surrounds it
    total = sum(len(line) for line in lines)
    navigation = sum(len(line) for line, flag in zip(lines, flags) if flag)
    if total and navigation >= NAV_BODY_SHARE * total:
        return [line for line, flag in zip(lines, flags) if not flag]
    return lines


def _is_chrome(line: str) -> bool:
    if line.startswith("|"):  # a table row: chrome when every filled cell is
        cells = [c.strip() for c in line.strip("|").split("|") if c.strip()]
        return bool(cells) and all(_is_chrome(c) for c in cells)
    line = line.lstrip("（(")
    return len(line) <= SHORT_LINE and bool(_LINE_CHROME.match(line) or _FONT_BAR.fullmatch(line))


def _from_title(lines: list[str], title: str | None, nav: frozenset[str] = frozenset()) -> list[str]:
    """Column names, breadcrumbs and header navigation printed above the heading are not the
    article: past the first few lines, the heading is looked for while the lines are nav or short."""
    if not title:
        return lines
    key = _nav_key(title)
    only_chrome = True  # so far, every line above was nav or short
    for n, line in enumerate(lines[:TITLE_SEARCH]):
        if _nav_key(line) == key and (n < 6 or only_chrome):
            return lines[n:]
        only_chrome = only_chrome and (len(_nav_key(line)) <= SHORT_NAV or is_nav_line(line, nav))
        if n >= 6 and not only_chrome:
            break
    return lines


TITLE_SEARCH, SHORT_NAV = 80, 12


# trafilatura's options, built once: building them per call (config reads, date parameters) costs
# about a twentieth of trafilatura's own work on a short page. Per page only the URL changes.
_OPTIONS = Extractor(output_format="txt", recall=True, comments=False, links=False, tables=True, dedup=False,
                     with_metadata=False)


def trafilatura_options(url: str | None, fast: bool = False) -> Extractor:
    """_OPTIONS for one page: what Extractor(url=url, fast=fast, …) would build."""
    options = copy.copy(_OPTIONS)
    options.url = url = url or None
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    options.fast = fast
    return options


def _trafilatura(tree, url: str | None, fast: bool = False) -> str | None:
    """fast: without trafilatura's second opinion (readability-lxml, then jusText, on the same tree)."""
    try:
        return trafilatura.extract(tree, options=trafilatura_options(url, fast))
    except Exception:  # trafilatura bugs on odd trees must not stop extraction
        return None


def _drop(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    # keep the tail text, it belongs to the parent
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
