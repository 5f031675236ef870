"""`govplans sites discover URL`: from a portal's homepage to a registry entry.

1. Fetch the homepage (robots.txt first, the crawler's User-Agent, a pause between requests).
2. Follow the links that look like columns of plans and notices (crawler/platforms.py: link text
   and URL shape, 更多 links named by their block), and from a hub (政务公开, 信息公开) one level more.
3. Recognise the platform by the markers the pages show; gkmlpt's columns come from its
   category tree, 大汉's from their jpage config, a list whose HTML holds no items but a script
   that fetches them is JS-rendered (render: browser, confirmed in Chromium when it is there).
4. Read one list page of each column with the family's own spider and one detail page, keep the
   columns that hold items, and say how sure it is and what it saw.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

from scrapy.http import HtmlResponse, Request

from archive import divisions
from archive.extract import RawPage, extract_document
from crawler.check import Fetcher
from crawler.platforms import column_candidates, column_words_match, platform_scores
from crawler.render import render_page
from crawler.spiders import spider_for
from crawler.spiders.gkmlpt import leaves, read_config
from crawler.spiders.hanweb import jpage_config
from crawler.spiders.lists import dated_links

FIRST_LEVEL = 14            # column links followed from the homepage
SECOND_LEVEL = 8            # from each hub
SCRIPTED_LIST = re.compile(r"fetch\(|\$\.(?:ajax|get|post|getJSON)\(|XMLHttpRequest|axios\.|\.jhtml|datacall", re.I)
# 网站标识码: the SiteIDCode meta, or the 纠错 widget's sitecode; its first six digits are the region code
SITE_CODE = re.compile(r"""<meta\s+name=["']SiteIDCode["']\s+content=["'](\d{6})|\bsitecode\s*=\s*['"]?(\d{6})\d{4}""", re.I)
SITE_NAME = re.compile(r"""<meta\s+name=["']SiteName["']\s+content=["']([^"']+)""", re.I)
# A title's site words around the unit's name: 北京市丰台区人民政府网站, 阿勒泰市政府网站, XX县人民政府门户网站
TITLE_SUFFIX = re.compile(r"(?:人民政府|政府)?(?:门户|官方)?(?:网站|网)$")
# A 引导页 sends the browser on: a meta refresh, or a script setting location to a literal URL
META_REFRESH = re.compile(r"""<meta[^>]*http-equiv=["']?refresh[^>]*>""", re.I)
REFRESH_URL = re.compile(r"""url\s*=\s*['"]?([^'">\s]+)""", re.I)
# the URL may be written in pieces: 'http:/'+'/'+'www.bjsat.gov.cn/bjsat/'
SCRIPT_LOCATION = re.compile(r"""location(?:\.href)?\s*=\s*((?:["'][^"'\n]*["']\s*\+?\s*)+)|"""
                             r"""location\.replace\(\s*((?:["'][^"'\n]*["']\s*\+?\s*)+)\)""")
STRING_PIECE = re.compile(r"""["']([^"'\n]*)["']""")
REDIRECT_HOPS = 2
MIN_LIST_LINKS = 4


@dataclass
class Seen:
    url: str
    what: str


@dataclass
class Proposal:
    entry: dict
    confidence: float
    seen: list[Seen] = field(default_factory=list)
    scores: dict = field(default_factory=dict)


@dataclass
class Page:
    url: str
    kind: str                  # list / jpage / gkmlpt / js-list / hub / other / failed
    label: str = ""
    text: str = ""
    links: int = 0             # dated links
    config: dict | None = None


def discover(url: str, user_agent: str, test_hosts: bool = False, delay: float = 1.0,
             chromium: str | None = None) -> Proposal:
    """A registry entry proposed for the portal at url, with what was seen on the way."""
    fetcher = Fetcher(user_agent, test_hosts, delay)
    seen: list[Seen] = []
    home, status = fetcher.get(url)
    if home is None or home.status != 200 or not hasattr(home, "text"):
        seen.append(Seen(url, f"homepage: {status}"))
        return Proposal({}, 0.0, seen)
    in_site = _same_site(home.url)
    given = home
    home = _follow_client_redirects(fetcher, home, in_site, seen)
    base = f"{urlsplit(home.url).scheme}://{urlsplit(home.url).netloc}"
    texts = [home.text]
    pages = _explore(fetcher, home, in_site, seen, texts)
    if home is given and urlsplit(home.url).path not in ("", "/", "/index.html", "/index.htm", "/index.shtml"):
        start = _read(home, "the page given")         # a column page given as the start: a list itself?
        if start.kind in ("list", "jpage", "gkmlpt", "js-list"):
            pages.insert(0, start)
            seen.insert(0, Seen(home.url, f"the page given: {start.kind}"))
    scores = platform_scores(texts)
    if scores.get("gkmlpt") and not any(page.kind == "gkmlpt" for page in pages):
        pages += _gkmlpt_index(fetcher, base, seen, texts)      # Guangdong's catalogue, linked or not
        scores = platform_scores(texts)
    family, render = _family(scores, pages)
    columns = _columns(family, pages, base)
    entry = _entry(home, base, family, columns, render)
    checked = _check(entry, fetcher, seen, texts, chromium) if columns else {}
    kept = [c for c in columns if checked.get(c, (0, False))[0] > 0]
    entry["columns"] = _distinct(kept, checked) or columns or ["/"]
    verified_share = sum(1 for c in entry["columns"] if checked.get(c, (0, False))[1]) / len(entry["columns"])
    platform = min(1.0, scores.get(family, 0) / 5) if family != "generic" else 0.5
    confidence = round(0.3 * platform + 0.4 * (1.0 if kept else 0.0) + 0.3 * verified_share, 2)
    return Proposal(entry, confidence, seen, dict(scores))


def _same_site(home_url: str):
    host = urlsplit(home_url).hostname or ""
    domain = host[4:] if host.startswith("www.") else host
    original = host.removesuffix(".test")      # a replayed page's absolute links name its original host

    def in_site(url: str) -> bool:
        other = urlsplit(url).hostname or ""
        return other in (host, domain, original) or other.endswith("." + domain)
    return in_site


def localize(url: str, home_url: str) -> str:
    """A link to a replayed page's original host, sent to the replay (www.x.gov.cn -> www.x.gov.cn.test:PORT)."""
    home, parts = urlsplit(home_url), urlsplit(url)
    if home.hostname and home.hostname.endswith(".test") and parts.hostname == home.hostname.removesuffix(".test"):
        return parts._replace(scheme=home.scheme, netloc=home.netloc).geturl()
    return url


def client_redirect(text: str) -> str | None:
    """Where a page sends the browser without HTTP: its meta refresh, else a script setting location."""
    if (tag := META_REFRESH.search(text)) and (target := REFRESH_URL.search(tag.group(0))):
        return target.group(1)
    if found := SCRIPT_LOCATION.search(text):
        return "".join(STRING_PIECE.findall(found.group(1) or found.group(2))) or None
    return None


def _follow_client_redirects(fetcher: Fetcher, home, in_site, seen: list[Seen]):
    """A homepage with no column links that only sends the browser on (引导页跳转) is left for its target."""
    for _ in range(REDIRECT_HOPS):
        if column_candidates(home.selector.root, home.url, in_site) or not (target := client_redirect(home.text)):
            break
        url = localize(urljoin(home.url, target.strip()), home.url)
        if not in_site(url) or url.split("#")[0] == home.url.split("#")[0]:
            break
        response, status = fetcher.get(url)
        seen.append(Seen(url, f"sent on by the page {home.url}: {status}"))
        if response is None or response.status != 200 or not hasattr(response, "text"):
            break
        home = response
    return home


def _read(response, label: str) -> Page:
    text = response.text if hasattr(response, "text") else ""
    if (config := read_config(text)) and "/gkmlpt/" in response.url:
        return Page(response.url, "gkmlpt", label, text, config=config)
    if jpage_config(text):
        return Page(response.url, "jpage", label, text)
    links = len(dated_links(response.selector.root, response.url)) if text else 0
    if links >= MIN_LIST_LINKS:
        return Page(response.url, "list", label, text, links)
    if text and SCRIPTED_LIST.search(text) and links == 0:
        return Page(response.url, "js-list", label, text)
    return Page(response.url, "hub" if text else "other", label, text, links)


def _explore(fetcher: Fetcher, home, in_site, seen: list[Seen], texts: list[str]) -> list[Page]:
    pages: list[Page] = []
    visited = {home.url}
    queue = [(c, 1) for c in _candidates(home, in_site)[:FIRST_LEVEL]]
    while queue:
        candidate, level = queue.pop(0)
        target = candidate.url.split("#")[0]
        if target in visited:
            continue
        visited.add(target)
        response, status = fetcher.get(target)
        if response is None or response.status != 200:
            seen.append(Seen(candidate.url, f"{candidate.label}: {status}"))
            continue
        page = _read(response, candidate.label)
        texts.append(page.text)
        pages.append(page)
        seen.append(Seen(candidate.url, f"{candidate.label}: {page.kind}"
                         + (f", {page.links} dated links" if page.links else "")))
        if page.kind == "hub" and level == 1:
            found = _candidates(response, in_site)
            queue += [(c, 2) for c in found[:SECOND_LEVEL] if c.url.split("#")[0] not in visited]
    return pages


def _candidates(response, in_site) -> list:
    return [replace(c, url=localize(c.url, response.url))
            for c in column_candidates(response.selector.root, response.url, in_site)]


def _gkmlpt_index(fetcher: Fetcher, base: str, seen: list[Seen], texts: list[str]) -> list[Page]:
    url = base + "/gkmlpt/index"
    response, status = fetcher.get(url)
    if response is None or response.status != 200 or not hasattr(response, "text"):
        seen.append(Seen(url, f"gkmlpt catalogue: {status}"))
        return []
    page = _read(response, "政府信息公开目录")
    seen.append(Seen(url, f"gkmlpt catalogue: {page.kind}"))
    texts.append(page.text)
    return [page]


def _family(scores, pages: list[Page]) -> tuple[str, bool]:
    """(family, render in a browser)."""
    kinds = {page.kind for page in pages}
    if "gkmlpt" in kinds:
        return "gkmlpt", False
    if "jpage" in kinds:
        return "hanweb", False
    family, score = scores.most_common(1)[0] if scores else ("generic", 0)
    if family == "xxgk" and "list" not in kinds:
        family = "generic"
    lists = kinds & {"list", "jpage"}
    if score >= (2 if family == "xxgk" or lists else 3) and family != "gkmlpt":
        return family, False
    if "js-list" in kinds and "list" not in kinds:
        return "generic", True
    return "generic", False


def _relative(url: str, base: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _columns(family: str, pages: list[Page], base: str) -> list[str]:
    if family == "gkmlpt":
        index = next(p for p in pages if p.kind == "gkmlpt")
        nodes = [n for n in leaves(index.config["tree"]) if (n.get("post_count") or 0) > 0]
        chosen = [n for n in nodes if column_words_match(str(n.get("name", "")))] or nodes
        path = _relative(index.url, base).split("#")[0]
        return [f"{path}#{n['id']}" for n in chosen] or [path]
    wanted = {"list", "jpage", "js-list"}
    return list(dict.fromkeys(_relative(p.url, base) for p in pages if p.kind in wanted))


def _entry(home, base: str, family: str, columns: list[str], render: bool) -> dict:
    text = home.text
    code = SITE_CODE.search(text)
    name = SITE_NAME.search(text)
    title = home.css("title::text").get() or ""
    unit = divisions.division(code.group(1) or code.group(2)) if code else None
    for words in ([name.group(1)] if name else []) + re.split(r"[_|\-—\s]+", title):
        words = TITLE_SUFFIX.sub("", words.strip())
        unit = unit or (divisions.resolve(name=words) if words else None)
    host = urlsplit(base).hostname or ""
    entry = {"id": _site_id(host), "name": name.group(1).strip() if name else (unit.government if unit else host),
             "region": unit.code if unit else None, "family": family, "base_url": base, "columns": columns,
             "verified": False, "url_source": f"sites discover {home.url}"}
    if render:
        entry["render"] = "browser"
    return entry


def _site_id(host: str) -> str:
    """www.qiyang.gov.cn(.test) -> qiyang."""
    parts = [p for p in host.split(".") if p not in ("www", "gov", "cn", "test", "com", "org", "net")]
    return "-".join(parts) or host


def _check(entry: dict, fetcher: Fetcher, seen: list[Seen], texts: list[str], chromium: str | None) -> dict:
    """column -> (items on its first list page, whether its first item reads as a document)."""
    spider = spider_for(entry["family"])(sites=[entry])
    out = {}
    for column in entry["columns"]:
        url = urljoin(entry["base_url"], column)
        response, status = _list_response(spider, entry, url, fetcher, chromium)
        if response is None:
            seen.append(Seen(url, f"list: {status}"))
            out[column] = (0, False)
            continue
        items = list(dict.fromkeys(u for u, _ in spider.list_items(response)))
        pages = len(list(spider.list_pages(response, url))) or (1 if spider.next_page(response) else 0)
        is_document = False
        if items:
            detail, detail_status = fetcher.get(localize(items[0], url))
            if detail is not None and detail.status == 200:
                texts.append(getattr(detail, "text", ""))
                doc = extract_document(RawPage(detail.url, detail.body, {}, 200))
                is_document = bool(doc.title) and len(doc.text) >= 100
            seen.append(Seen(items[0], f"detail: {detail_status}" + (
                f", a document ({doc.title[:30]})" if is_document else ", not a document")))
        seen.append(Seen(url, f"list: {len(items)} items, {pages} more list pages"))
        out[column] = (len(items), is_document, frozenset(items))
    return out


def _list_response(spider, entry: dict, url: str, fetcher: Fetcher, chromium: str | None):
    """The first list page as the family's spider reads it (through the dataproxy or the API,
    or rendered when the entry says so)."""
    if entry.get("render") == "browser":
        if not chromium:
            return None, "JS-rendered list; no browser here to confirm it"
        html, status = render_page(url, chromium, fetcher.test_hosts, fetcher.user_agent)
        if html is None:
            return None, status
        return HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8",
                            request=Request(url, cb_kwargs={"site": entry})), status
    response, status = fetcher.get(spider.list_request(url, entry, url))
    follow = getattr(spider, "first_list_request", None)
    if response is not None and response.status == 200 and follow is not None:
        request = follow(response, entry, url)
        if request is not None:          # 大汉's dataproxy, gkmlpt's API
            response, status = fetcher.get(request)
    if response is None or response.status != 200:
        return None, status
    return response, status


def _distinct(columns: list[str], checked: dict) -> list[str]:
    """Columns whose first pages list different items (a hub repeating a column's items goes)."""
    out, seen_sets = [], []
    for column in columns:
        items = checked[column][2] if len(checked.get(column, ())) > 2 else frozenset()
        if items and any(items <= other or other <= items for other in seen_sets if other):
            continue
        seen_sets.append(items)
        out.append(column)
    return out
