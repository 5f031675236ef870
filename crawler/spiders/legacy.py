"""Old ASP portals: GBK pages in table layout, lists at list.asp?s=COLUMN&page=N, details at
ins.asp?i=ID&s=COLUMN; the pager names 尾页 with the last page number."""
from __future__ import annotations

import re

from crawler.spiders.base import FamilySpider
from crawler.spiders.lists import read_pager, usable_href

# ins.asp?i=123&s=12, show.asp?id=123, ArticleShow.asp?ArticleID=123 …
DETAIL_HREF = re.compile(r"(?:^|/)(?:ins|show|view|detail|content|article\w*|news\w*)\.aspx?\?(?:[^#]*&)?"
                         r"(?:i|id|newsid|articleid)=\d+", re.I)


class LegacySpider(FamilySpider):
    name = "legacy"
    family = "legacy"

    def detail_links(self, response):
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if DETAIL_HREF.search(href) and usable_href(href):
                yield response.urljoin(href)

    def list_pages(self, response, column: str):
        return read_pager(response.selector.root, response.url).pages

    def next_page(self, response):
        return read_pager(response.selector.root, response.url).next
