"""One spider class per CMS family; `spider_for(family)` picks it."""
from __future__ import annotations

from crawler.spiders.aggregator import AggregatorSpider
from crawler.spiders.empire import EmpireSpider
from crawler.spiders.generic import GenericSpider
from crawler.spiders.gkmlpt import GkmlptSpider
from crawler.spiders.hanweb import HanwebSpider
from crawler.spiders.kaipu import KaipuSpider
from crawler.spiders.legacy import LegacySpider
from crawler.spiders.trs import TrsSpider
from crawler.spiders.vsb import VsbSpider
from crawler.spiders.xxgk import XxgkSpider

SPIDERS = {spider.family: spider for spider in (TrsSpider, XxgkSpider, LegacySpider, HanwebSpider,
                                                 GenericSpider, AggregatorSpider, GkmlptSpider, KaipuSpider,
                                                 VsbSpider, EmpireSpider)}


def spider_for(family: str):
    try:
        return SPIDERS[family]
    except KeyError:
        raise KeyError(f"no spider for family {family!r}; known: {', '.join(sorted(SPIDERS))}") from None
