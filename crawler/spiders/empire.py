"""帝国 EmpireCMS sites: lists /e/action/ListInfo/?classid=N, then index.php?page=P&classid=N
(0-based pages; numbers, 下一页, 尾页); details /<classpath>/<YYYY-MM-DD>/<id>.html."""
from __future__ import annotations

import re

from crawler.spiders.pattern import PatternSpider


class EmpireSpider(PatternSpider):
    name = "empire"
    family = "empire"
    DETAIL_HREF = re.compile(r"/\d{4}-\d{2}-\d{2}/\d+\.html?$")
