"""A family whose detail pages are known by their URL's shape and whose lists page by 下一页 / 尾页:
the subclass names the shape (DETAIL_HREF), the rest is shared."""
from __future__ import annotations

import re

from crawler.spiders.base import FamilySpider
from crawler.spiders.lists import read_pager, usable_href


class PatternSpider(FamilySpider):
    name = "pattern"   # a base of families, never run itself (one name per spider class)
    DETAIL_HREF: re.Pattern = re.compile(r"$^")

    def detail_links(self, response):
        if not hasattr(response, "text"):
            return
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if usable_href(href) and self.DETAIL_HREF.search(href.split("#")[0]):
                yield response.urljoin(href)

    def list_pages(self, response, column: str):
        return read_pager(response.selector.root, response.url).pages if hasattr(response, "text") else ()

    def next_page(self, response):
        return read_pager(response.selector.root, response.url).next if hasattr(response, "text") else None
