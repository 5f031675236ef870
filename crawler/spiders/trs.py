"""TRS WCM portals: static lists index.html, index_1.html …, paged by createPageHTML()."""
from __future__ import annotations

import re

from crawler.spiders.base import FamilySpider
from crawler.spiders.lists import create_page_urls, usable_href

# ./202405/t20240524_123456.html — the detail URLs TRS WCM publishes
DETAIL_HREF = re.compile(r"(?:^|/)t\d{8}_\d+\.s?html?$")


class TrsSpider(FamilySpider):
    name = "trs"
    family = "trs"

    def detail_links(self, response):
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if DETAIL_HREF.search(href.split("?")[0]) and usable_href(href):
                yield response.urljoin(href)

    def list_pages(self, response, column: str):
        # Both the classic createPageHTML(count, current, "index", "html") and the 2025 template's
        # createPageHTML('page-div', count, current, 'index', 'html', total).
        return create_page_urls(response.text, response.url) or ()
