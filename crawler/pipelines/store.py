"""Captured pages -> the archive database: the capture row, then what the page means for its document.

detail: the extracted document is ingested (new / changed / unchanged, an event of the site's run);
unchanged (a 304): the known document is still there; gone (404/410 of a known document): withdrawn;
attachment: tied to its document with its text; fetched again with other bytes and other text, a new
version of its document (`changed`); a 304 leaves it as stored. The outcome is left on the item for the crawl-runs
extension (crawler/extensions/crawl_runs.py), which counts it.

A storage problem (a full disk, a locked database) stops the crawl at once: every further page would
be lost too (crawler.failures.abort_crawl); `govplans crawl --resume` continues.
"""
from __future__ import annotations

from scrapy.exceptions import DropItem

from archive.store import storage_problem
from archive.store.runs import mark_withdrawn
from crawler.archive_handle import archive_for
from crawler.extensions.crawl_runs import CrawlRunsExtension
from crawler.failures import FATAL_STAT, abort_crawl


def require_database(crawler):
    """The crawler, once its settings name an archive to store into (both storing pipelines ask)."""
    if not crawler.settings.get("GOVPLANS_DATABASE_URL"):
        raise ValueError("GOVPLANS_DATABASE_URL is not set: the pipeline has nowhere to store documents")
    return crawler


class StorePipeline:
    def __init__(self, crawler=None):
        self.crawler = crawler
        self.archive = None
        self.runs: CrawlRunsExtension | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(require_database(crawler))

    def open_spider(self, spider=None) -> None:
        self.archive = archive_for(self.crawler.settings)
        self.runs = self.crawler.get_extension(CrawlRunsExtension)

    def process_item(self, item):
        problem = self._stats().get(FATAL_STAT)
        if problem:                                 # the crawl is stopping: do not wait on the storage again
            raise DropItem(problem)
        try:
            return self._store(item)
        except Exception as error:
            problem = storage_problem(error)
            if problem is None:
                raise
            abort_crawl(self.crawler, problem)      # the database cannot take it: stop, resume later
            raise DropItem(problem) from None

    def _store(self, item):
        run_id = self.runs.run_id(item.site_id) if self.runs is not None else None
        return store_item(self.archive, item, run_id)

    def _stats(self) -> dict:
        stats = getattr(self.crawler, "stats", None)
        return stats.get_stats() if stats else {}


def store_item(archive, item, run_id: int | None):
    """One captured page into the archive (its capture row, then what it means for its document);
    sets item.outcome. The archive writer (crawler/writer.py) calls it inside a batch."""
    capture_id = archive.record_capture(item.url, item.status, item.headers, item.warc,
                                        site_id=item.site_id, fetched_at=item.fetched_at)
    if item.kind == "attachment" and item.status == 304:
        pass                                    # the file as stored: its capture row says it was asked
    elif item.kind == "attachment":
        digest = item.warc.payload_digest if item.warc is not None else None
        if archive.link_attachment_capture(item.referrer, item.url, capture_id, text=item.text, run_id=run_id,
                                           digest=digest, at=item.fetched_at, ocr=item.ocr) == "changed":
            item.outcome = "changed"
    elif item.kind == "unchanged":
        if archive.mark_seen(item.url, item.fetched_at) is not None:
            item.outcome = "unchanged"
    elif item.kind == "gone":
        if mark_withdrawn(archive, [item.url], item.fetched_at, run_id=run_id):
            item.outcome = "withdrawn"
    elif item.document is not None:
        outcome = archive.ingest(item.document, site_id=item.site_id, capture_id=capture_id,
                                 seen_at=item.fetched_at, run_id=run_id,
                                 page_keys=item.extra.get("page_keys")).outcome
        item.outcome = "unchanged" if outcome == "reextracted" else outcome   # same content: no edit
    return item
