"""Which platform a portal runs, and which of its links lead to columns of plans and notices.

Pure functions over page text and lxml trees, for `govplans sites discover` (crawler/discover.py).
The markers are what each platform's pages show in the wild (README, "Platforms")."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from crawler.spiders.lists import clean, usable_href

# (family, pattern, weight): a page showing the pattern counts weight for the family.
MARKERS = (
    ("gkmlpt", re.compile(r"/gkmlpt/(?:index|api|content|search)|window\._CONFIG\s*=\s*\{[^<]{0,200}SID"), 5),
    ("gkmlpt", re.compile(r"NFCMS_SITE_ID"), 2),
    ("hanweb", re.compile(r"/module/web/jpage/dataproxy\.jsp|/module/jslib/jquery/jpage/"), 5),
    ("hanweb", re.compile(r"/col/col\d+/|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html|jcms_files|大汉网络|hanweb\.com"), 2),
    ("trs", re.compile(r"createPageHTML\(|TRS_(?:Editor|UEDITOR)|trs_editor_view"), 3),
    ("trs", re.compile(r"/t\d{8}_\d+\.s?html?\b"), 2),
    ("trs", re.compile(r"/W0\d{17,}\.\w{2,4}\b"), 2),      # TRS WCM names uploads W0 + date + serial
    ("kaipu", re.compile(r"websiteCode\s*=|<ucapcontent>|<ucaptitle>|技术支持：开普云"), 5),
    ("kaipu", re.compile(r"/\d{6}/[0-9a-f]{32}\.shtml"), 1),
    ("vsb", re.compile(r"Visual SiteBuilder|/_sitegray/|/system/resource/js/(?:vsbscreen|counter)|_showDynClickBatch"), 5),
    ("vsb", re.compile(r"(?:^|[\"'/])info/\d+/\d+\.htm\b"), 1),
    ("empire", re.compile(r"EmpireCMS|/e/action/ListInfo/|InEmpireCMS"), 5),
    ("empire", re.compile(r"/d/file/|/\d{4}-\d{2}-\d{2}/\d+\.html\b"), 1),
    ("legacy", re.compile(r"\b(?:list|ins|show|view)\.asp\?", re.I), 3),
    ("xxgk", re.compile(r"索引号[\s\u3000]*</t[hd]>|<t[hd][^>]*>[\s\u3000]*索引号"), 2),
)
# Link texts of columns that hold plans and notices, with a weight (after AE's probe-policy scores).
COLUMN_WORDS = (
    (re.compile(r"政策文件|规范性文件|政府文件|文件库|政策法规"), 100),
    (re.compile(r"规划计划|计划规划|计划总结|工作计划|规划信息|发展规划|年度计划|计划|规划|总结"), 90),
    (re.compile(r"通知公告|公告公示|公示公告|通知|公告"), 80),
    (re.compile(r"重点领域|政务公开|信息公开|政府信息公开|公开目录|主动公开|法定主动"), 60),
    (re.compile(r"方案|要点|文件|法规|主题日"), 40),
)
COLUMN_HREFS = re.compile(r"zwgk|xxgk|zcwj|gfxwj|tzgg|ghjh|jhzj|gkml|gkmlpt|zfwj|zcfg|/col/col\d+|ListInfo|"
                          r"list\.(?:s?html?|asp|jsp|shtml)|/zwgk\.htm", re.I)
NOT_COLUMNS = re.compile(r"登录|注册|english|无障碍|长者|繁體|繁体|首页|网站地图|联系我们|办事|互动|领导|机构|"
                         r"指南|年报|年度报告|制度|依申请|申请|"
                         r"信箱|留言|调查|访谈|走进|概况|旅游|招聘|搜索|APP|微信|微博", re.I)
MORE = re.compile(r"^[+＋]?\s*(?:更多|more|查看更多)?\s*(?:>+|»|＞+|》+|[+＋]+)?\s*(?:更多)?$", re.I)   # 更多>> 更多+ +更多
# Detail pages by URL shape: an item, not a column.
DETAIL_SHAPES = re.compile(r"/t\d{8}_\d+\.|/art_\d+_\d+\.html|/post_\d+\.html|/[0-9a-f]{32}\.s?html|/info/\d+/\d+\.htm|"
                           r"/\d{4}-\d{2}-\d{2}/\d+\.html|content_\d+\.html|[?&](?:i|id|articleid)=\d+", re.I)
MAX_TEXT = 14


@dataclass(frozen=True)
class Candidate:
    url: str
    label: str
    score: int


def platform_scores(texts: list[str]) -> Counter:
    """Family -> weight of the markers the pages show (each marker counted once per page)."""
    scores: Counter = Counter()
    for text in texts:
        for family, pattern, weight in MARKERS:
            if pattern.search(text):
                scores[family] += weight
    return scores


def anchor_label(anchor) -> str:
    """The link's text (or its title, or its image's alt); for 更多 / more, the heading of its block."""
    text = clean(anchor.text_content()) or clean(anchor.get("title"))
    if not text:
        image = next(anchor.iter("img"), None)
        return clean(image.get("alt")) if image is not None else ""
    if not MORE.match(text):
        return text
    node = anchor.getparent()
    for _ in range(3):                      # the nearest text before the 更多 link, a few levels up
        if node is None:
            break
        before = []
        for child in node.iter():
            if child is anchor:
                break
            if isinstance(child.tag, str) and child.tag not in ("ul", "li", "table", "tr", "script", "style"):
                own = clean(child.text or "")
                if own and not MORE.match(own) and len(own) <= MAX_TEXT:
                    before.append(own)
        if before:
            return before[-1]
        node = node.getparent()
    return text


def column_words_match(label: str) -> bool:
    """Whether a column's name says it holds plans or notices."""
    return not NOT_COLUMNS.search(label) and any(pattern.search(label) for pattern, _ in COLUMN_WORDS)


def column_score(label: str, href: str) -> int:
    if not label or len(label) > MAX_TEXT or NOT_COLUMNS.search(label) or DETAIL_SHAPES.search(href):
        return 0
    score = max((weight for pattern, weight in COLUMN_WORDS if pattern.search(label)), default=0)
    if score and COLUMN_HREFS.search(href):
        score += 20
    return score


def column_candidates(root, page_url: str, in_site) -> list[Candidate]:
    """Links of a page that look like columns of plans and notices, best first, one per URL."""
    from urllib.parse import urljoin

    best: dict[str, Candidate] = {}
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if not usable_href(href):
            continue
        url = urljoin(page_url, href.strip())
        if not in_site(url) or url.split("#")[0] == page_url.split("#")[0] and "#" not in href:
            continue
        label = anchor_label(anchor)
        score = column_score(label, href)
        if score and (url not in best or best[url].score < score):
            best[url] = Candidate(url, label, score)
    return sorted(best.values(), key=lambda c: -c.score)
