"""Portals with no configuration beyond their start columns.

A list page is a page with many dated links; its items are the dated links whose text looks like
a plan or notice (GOVPLANS_GENERIC_KEYWORDS, or the site's `keywords`); its other pages come from
createPageHTML, 下一页 / 尾页 (or numbered) links, index_N.html or ?page=N. A start page that is no
list page (a home page, a 政务公开 hub) leads to the column pages it links to, one level deep.

A site entry may override what is guessed:

    selectors: {items: "ul.list li a", next: "a.next-page"}   # CSS selecting <a> elements
    keywords: [方案, 通知]
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.spiders.base import FamilySpider
from crawler.spiders.hanweb import JpageLists, is_datastore, records_root
from crawler.spiders.lists import clean, create_page_urls, dated_links, read_pager, usable_href

# Link texts of a column page on a home page or hub.
COLUMN_TEXTS = re.compile(r"^(?:更多|more|more\s*>+|>+\s*更多|更多\s*>+)$|公开|通知|公告|文件|政策|规划|计划|方案|"
                          r"总结|要点|动态|专栏|主题|法规", re.I)
TRUNCATED = ("…", "...", "..")
MAX_DISCOVERED = 40


class GenericSpider(JpageLists, FamilySpider):
    name = "generic"
    family = "generic"

    def __init__(self, *args, keywords: list[str] | None = None, min_list_links: int = 4, **kwargs):
        super().__init__(*args, **kwargs)
        self.keywords = list(keywords or ())
        self.min_list_links = min_list_links

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        kwargs.setdefault("keywords", crawler.settings.getlist("GOVPLANS_GENERIC_KEYWORDS"))
        kwargs.setdefault("min_list_links", crawler.settings.getint("GOVPLANS_GENERIC_MIN_LIST_LINKS", 4))
        return super().from_crawler(crawler, *args, **kwargs)

    # a start page: a list, or a hub that links to lists ---------------------------------
    def list_request(self, url, site, column, page=1, pending=None, seen_run=0, discover=True):
        request = super().list_request(url, site, column, page, pending, seen_run)
        if page == 1 and pending is None and discover:
            request.cb_kwargs["discover"] = True
        return request

    def parse_list(self, response, site: dict, column: str, page: int = 1, pending=None, seen_run: int = 0,
                   discover: bool = False):
        if not hasattr(response, "text"):
            return
        if page == 1 and pending is None and not is_datastore(response) \
                and (jpage := self.jpage_request(response, site, column, seen_run)) is not None:
            yield jpage  # a 大汉 column page: its items come from the dataproxy
            return
        yield from super().parse_list(response, site, column, page, pending, seen_run)
        if discover and (self._is_hub(response, site) or urlsplit(response.url).path in ("", "/")):
            yield from self.discover(response, site)

    def _is_hub(self, response, site: dict) -> bool:
        return len(dated_links(response.selector.root, response.url)) < self.min_list_links \
            and not site.get("selectors", {}).get("items")

    def discover(self, response, site: dict):
        """Column pages a home page or hub links to: read each as a list of its own (not deeper)."""
        found = 0
        for anchor in response.selector.root.iter("a"):
            href, text = anchor.get("href"), clean(anchor.text_content())
            if not usable_href(href) or not text or len(text) > 12 or not COLUMN_TEXTS.search(text):
                continue
            url = response.urljoin(href.strip())
            if not self.in_site(url) or url == response.url:
                continue
            found += 1
            if found > MAX_DISCOVERED:
                break
            request = self.list_request(url, site, url, discover=False)
            request.meta["govplans_kind"] = "discovered"  # a guess: its failure is no site error
            yield request

    # reading a list -----------------------------------------------------------------
    def list_items(self, response):
        if not hasattr(response, "text"):
            return []
        site = self._site_of(response)
        selector = (site.get("selectors") or {}).get("items")
        if selector:
            return [(response.urljoin(href.strip()), None)
                    for href in response.css(f"{selector}::attr(href)").getall() if usable_href(href)]
        keywords = site.get("keywords") or self.keywords
        root = records_root(response.text) if is_datastore(response) else response.selector.root
        if root is None:
            return []
        return [(link.url, {"published": link.date}) for link in dated_links(root, response.url)
                if self.looks_like_document(link.label, link.text, keywords)]

    @staticmethod
    def looks_like_document(label: str, text: str, keywords: list[str]) -> bool:
        if not keywords or any(word in label for word in keywords):
            return True
        return text.endswith(TRUNCATED) and label == text  # cut short, and no title attribute to tell

    def list_pages(self, response, column: str):
        if not hasattr(response, "text"):
            return ()
        if is_datastore(response):
            return self.datastore_pages(response)
        pages = create_page_urls(response.text, response.url)
        if pages is not None:
            return pages
        if (self._site_of(response).get("selectors") or {}).get("next"):
            return ()
        return read_pager(response.selector.root, response.url).pages

    def next_page(self, response):
        if is_datastore(response):
            return None
        selector = (self._site_of(response).get("selectors") or {}).get("next")
        if selector:
            href = response.css(f"{selector}::attr(href)").get()
            return response.urljoin(href.strip()) if usable_href(href) else None
        return read_pager(response.selector.root, response.url).next

    def _site_of(self, response) -> dict:
        return response.request.cb_kwargs.get("site") or {} if response.request else {}
