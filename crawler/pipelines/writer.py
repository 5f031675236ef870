"""Captured pages -> the archive writer process (crawler/writer.py): extraction and storage off the
crawl's reactor. The pipeline answers each page with a Deferred that fires once the writer stored it,
with item.outcome set (the crawl-runs extension counts it) and item.document holding the extracted
fields (the text stays in the writer). A storage problem stops the crawl, as StorePipeline's does.

A worker's crawl (GOVPLANS_WRITER_ADDRESS set) sends to the machine's writer instead, shared by the
machine's workers (crawler/distributed/machine_writer.py), with the same `submit`.

The same work in this process, page by page: ExtractionPipeline + StorePipeline (what the bench's
`full-inline` mode runs).
"""
from __future__ import annotations

from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.extensions.crawl_runs import CrawlRunsExtension
from crawler.failures import FATAL_STAT, abort_crawl
from crawler.pipelines.store import require_database
from crawler.writer import Stored, close_writer, writer_for


class WriterFailed(Exception):
    """A page the writer could not store (not a storage problem): its traceback."""


class ArchiveWriterPipeline:
    def __init__(self, crawler=None):
        self.crawler = crawler
        self.database_url = crawler.settings.get("GOVPLANS_DATABASE_URL") if crawler else None
        self.writer_address = crawler.settings.get("GOVPLANS_WRITER_ADDRESS") if crawler else None
        self.writer = None
        self.runs: CrawlRunsExtension | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(require_database(crawler))

    def open_spider(self, spider=None) -> None:
        if self.writer_address:   # a worker's crawl: the machine's writer, shared by its workers
            from crawler.distributed.machine_writer import machine_writer
            self.writer = machine_writer(self.writer_address)
        else:
            self.writer = writer_for(self.database_url)   # run_crawl started it; else started here
        self.runs = self.crawler.get_extension(CrawlRunsExtension)

    def close_spider(self, spider=None) -> None:
        # every page was answered (Scrapy waits for them); run_crawl closes the writer it started
        if not self.crawler.settings.getbool("GOVPLANS_WRITER_OWNED_BY_RUN"):
            close_writer(self.database_url)

    async def process_item(self, item):
        problem = self._stats().get(FATAL_STAT)
        if problem:                                 # the crawl is stopping: send nothing more
            raise DropItem(problem)
        run_id = self.runs.run_id(item.site_id) if self.runs is not None else None
        done = Deferred()
        self.writer.submit(item, run_id, lambda stored: self._answered(item, stored, done))
        # a coroutine (Scrapy deprecates pipelines that return Deferreds); either reactor awaits it
        return await maybe_deferred_to_future(done)

    def _answered(self, item, stored: Stored, done: Deferred) -> None:
        if stored.fatal:
            abort_crawl(self.crawler, stored.fatal)   # the archive cannot take it: stop, resume later
            done.errback(DropItem(stored.fatal))
        elif stored.error:
            done.errback(WriterFailed(stored.error))
        else:
            item.outcome, item.document = stored.outcome, stored.document
            done.callback(item)

    def _stats(self) -> dict:
        stats = getattr(self.crawler, "stats", None)
        return stats.get_stats() if stats else {}
