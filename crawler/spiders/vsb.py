"""博达 Visual SiteBuilder (VSB) sites: a column <col>.htm, its further pages <col>/<N>.htm counting
down to <col>/1.htm (<span class="p_t">1/11</span>, 下页, 尾页); details /info/<treeid>/<id>.htm."""
from __future__ import annotations

import re

from crawler.spiders.lists import read_pager
from crawler.spiders.pattern import PatternSpider

PAGE_OF = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
NUMBERED = re.compile(r"/(\d+)\.htm$")


class VsbSpider(PatternSpider):
    name = "vsb"
    family = "vsb"
    DETAIL_HREF = re.compile(r"(?:^|/)info/\d+/\d+\.htm$")

    def list_pages(self, response, column: str):
        """From the first page: page 2 is the 下页 link (<col>/<N-1>.htm), the last <col>/1.htm."""
        if not hasattr(response, "text"):
            return ()
        count = PAGE_OF.match(response.css("span.p_t::text").get() or "")
        following = read_pager(response.selector.root, response.url).next
        if not count or not following or not NUMBERED.search(following):
            return ()
        pages = int(count.group(2))
        return [NUMBERED.sub(f"/{n}.htm", following) for n in range(pages - 1, 0, -1)]
