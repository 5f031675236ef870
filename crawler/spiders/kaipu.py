"""开普云 (KaiPu / UCAP) portals: lists /<websiteCode>/<col>/list.shtml, list_2.shtml … (下一页 / 尾页),
details /<websiteCode>/<col>/<YYYYMM>/<32 hex>.shtml with <ucaptitle> / <ucapcontent>."""
from __future__ import annotations

import re

from crawler.spiders.pattern import PatternSpider


class KaipuSpider(PatternSpider):
    name = "kaipu"
    family = "kaipu"
    DETAIL_HREF = re.compile(r"/\d{6}/[0-9a-f]{32}\.s?html?$")
