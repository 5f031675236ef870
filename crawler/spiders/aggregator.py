"""范文/文库 sites that copy government plans: lists /fanwen/<category>/ and list_N.html with a
numbered pager, copies at /fanwen/<category>/<id>.html. Kept for the record and marked by their
site's family; the archive never takes them for the canonical copy."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.spiders.generic import GenericSpider
from crawler.spiders.lists import usable_href

COPY_PATH = re.compile(r"/\d+\.s?html?$")


class AggregatorSpider(GenericSpider):
    name = "aggregator"
    family = "aggregator"

    def list_items(self, response):
        # Every copy in the list, whatever its title: these sites hold nothing but plans.
        column = urlsplit(response.request.cb_kwargs.get("column", response.url)).path
        for href in response.css("a::attr(href)").getall():
            if not usable_href(href):       # a malformed link (http://[::1) must not end the list
                continue
            url = response.urljoin(href.strip())
            path = urlsplit(url).path
            if COPY_PATH.search(path) and path.startswith(column.rsplit("/", 1)[0]) and "/download/" not in path:
                yield url, None
