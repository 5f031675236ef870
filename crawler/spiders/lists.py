"""Reading list pages without knowing the CMS: dated links, pagers, createPageHTML.

Pure functions over an lxml tree or a Scrapy response, shared by the generic spider and the
family spiders that page the same way (下一页 / 尾页 / index_N / ?page=N).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from crawler.urls import canonical_url

DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
# createPageHTML(count, current, "index", "html") and the newer
# createPageHTML('page-div', count, current, 'index', 'html', total)
CREATE_PAGE = re.compile(r"createPageHTML\(\s*(?:['\"][\w-]*['\"]\s*,\s*)?['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
                         r"\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
NEXT_TEXTS = {"下一页", "下页", "后一页", "下一頁", "next", "next page", ">", "›", "»"}
LAST_TEXTS = {"尾页", "末页", "最后一页", "尾頁", "last", ">>", ">|", "»|"}
ITEM_CONTAINERS = {"li", "tr", "dd", "dt", "p"}
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_SKIP_HREF = ("javascript:", "mailto:", "#", "tel:")
MAX_PAGES = 5000


@dataclass(frozen=True)
class DatedLink:
    url: str
    text: str       # the link text (often cut short on list pages)
    title: str      # its title attribute, the full title when there is one
    date: str       # the date next to it, as written

    @property
    def label(self) -> str:
        return self.title or self.text


def clean(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def usable_href(href: str | None) -> bool:
    href = (href or "").strip()
    if not href or href.lower().startswith(_SKIP_HREF):
        return False
    try:
        urlsplit(href)              # http://[::1 … : urljoin would raise on it
    except ValueError:
        return False
    return True


def dated_links(root, base_url: str) -> list[DatedLink]:
    """Links that sit in a list item (li, tr, dd, p …) together with a date, in page order."""
    out, seen = [], set()
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if not usable_href(href):
            continue
        text = clean(anchor.text_content())
        if len(text) < 4 and not anchor.get("title"):
            continue
        container = _item_container(anchor)
        if container is None:
            continue
        context = clean(container.text_content())
        if len(context) > 400:
            continue
        match = DATE.search(context)
        if not match:
            continue
        url = urljoin(base_url, href.strip())
        if url in seen:
            continue
        seen.add(url)
        out.append(DatedLink(url, text, clean(anchor.get("title")), match.group(0)))
    return out


def _item_container(anchor):
    node = anchor.getparent()
    for _ in range(4):
        if node is None:
            return None
        if isinstance(node.tag, str) and node.tag.lower() in ITEM_CONTAINERS:
            return node
        node = node.getparent()
    return None


def create_page_urls(text: str, page_url: str) -> list[str] | None:
    """TRS createPageHTML: every list page of the column but this one (None when there is no call)."""
    match = CREATE_PAGE.search(text)
    if not match:
        return None
    count, current, stem, ext = int(match[1]), int(match[2]), match[3], match[4]
    base = page_url if page_url.endswith("/") else page_url.rsplit("/", 1)[0] + "/"
    names = [f"{stem}.{ext}"] + [f"{stem}_{n}.{ext}" for n in range(1, min(count, MAX_PAGES))]
    return [base + name for n, name in enumerate(names) if n != current]


@dataclass(frozen=True)
class Pager:
    pages: list[str]        # every further page when the pager reveals the count, in order
    next: str | None        # else the 下一页 link


def read_pager(root, page_url: str) -> Pager:
    """下一页 / 尾页 links: when both differ in one number, every page between them."""
    following = last = None
    numbered: dict[int, str] = {}
    for anchor in root.iter("a"):
        label = clean(anchor.text_content()).lower() or clean(anchor.get("title")).lower()
        href = anchor.get("href")
        if not usable_href(href):
            continue
        url = canonical_url(urljoin(page_url, href.strip()))
        if following is None and label in NEXT_TEXTS:
            following = url
        elif last is None and label in LAST_TEXTS:
            last = url
        elif label.isdigit() and len(label) <= 4:
            numbered[int(label)] = url
    if last is None and numbered and following:
        last = numbered[max(numbered)]  # 1 2 3 … 9 下一页, without 尾页
    page_url = canonical_url(page_url)
    if following and last and following != page_url:
        pages = _between(following, last)
        if pages:
            return Pager(pages, following)
    return Pager([], following if following != page_url else None)


def _between(first: str, last: str) -> list[str]:
    """index_1.html … index_9.html, or ?page=2 … ?page=7: the URLs from first to last."""
    a, b = _DIGITS.split(first), _DIGITS.split(last)
    na, nb = _DIGITS.findall(first), _DIGITS.findall(last)
    if a != b or len(na) != len(nb):
        return [first] if first == last else []
    differ = [i for i, (x, y) in enumerate(zip(na, nb)) if x != y]
    if not differ:
        return [first]
    if len(differ) != 1:
        return []
    i = differ[0]
    start, stop = int(na[i]), int(nb[i])
    if stop < start or stop - start > MAX_PAGES:
        return []

    def build(n: int) -> str:
        numbers = list(na)
        numbers[i] = str(n)
        return "".join(part + (numbers[k] if k < len(numbers) else "") for k, part in enumerate(a))

    return [build(n) for n in range(start, stop + 1)]
