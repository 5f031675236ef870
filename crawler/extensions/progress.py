"""A progress bar per site while crawling (the demo's), driven by signals like the run bookkeeping.

GOVPLANS_PROGRESS maps each site id to [documents it already has in the archive, documents it is
expected to have] (the demo knows its farm's truth); None turns the extension off. A bar counts
the documents the archive holds, so it ends at the truth when the crawl got everything. On a
terminal the bars redraw in place; elsewhere one line per site is printed when its spider closes.
"""
from __future__ import annotations

import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured

NEW_OUTCOMES = ("new",)   # what adds a document to the archive (changed and unchanged ones were there)


class ProgressExtension:
    def __init__(self, expected: dict[str, list[int]], stream=None):
        self.expected = expected
        self.stream = stream or sys.stderr
        self.held = {site: have for site, (have, _) in expected.items()}
        self.bars: dict = {}

    @classmethod
    def from_crawler(cls, crawler):
        expected = crawler.settings.getdict("GOVPLANS_PROGRESS")
        if not expected:
            raise NotConfigured
        extension = cls(expected)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def interactive(self) -> bool:
        return hasattr(self.stream, "isatty") and self.stream.isatty()

    def position(self, site_id: str) -> int:
        """Each site's line on the terminal: the crawl runs one spider per CMS family, each with its bars."""
        ordered = list(self.expected)
        return ordered.index(site_id) if site_id in ordered else len(ordered)

    def spider_opened(self, spider) -> None:
        if not self.interactive():
            return
        from tqdm import tqdm

        for site in getattr(spider, "sites", ()):
            have, total = self.expected.get(site["id"], (0, None))
            self.bars[site["id"]] = tqdm(total=total, initial=have, desc=f"{site['id']:>12}", unit="doc",
                                         file=self.stream, position=self.position(site["id"]), leave=True,
                                         dynamic_ncols=True)

    def item_scraped(self, item, response=None, spider=None) -> None:
        if getattr(item, "outcome", None) not in NEW_OUTCOMES:
            return
        self.held[item.site_id] = self.held.get(item.site_id, 0) + 1
        bar = self.bars.get(item.site_id)
        if bar is not None:
            bar.update()

    def spider_closed(self, spider, reason: str) -> None:
        for site in getattr(spider, "sites", ()):
            bar = self.bars.pop(site["id"], None)
            if bar is not None:
                bar.close()
            else:
                total = self.expected.get(site["id"], (0, None))[1]
                self.stream.write(f"{site['id']:>12}: {self.held.get(site['id'], 0)}"
                                  f"{f'/{total}' if total is not None else ''} documents\n")
        self.stream.flush()
