"""Run bookkeeping, driven by signals (as Scrapy's CoreStats): one crawl_runs row per site.

It registers the crawl's sites and opens their runs as the spider opens (or continues the runs an
interrupted crawl left, `govplans crawl --resume`), counts requests and what the store pipeline made
of each item, writes the counts every second from a thread (progress_writer.py, one for all the
process's crawls: a crawl killed midway leaves them behind, and the reactor never waits for the
archive's lock), and when the
spider closes finishes each run: coverage, the withdrawals its walk concluded (the spider's
`walk_finished` signal), and the site's health verdict.

crawl_runs columns as filled here: requests = HTTP requests sent for the site (retries too);
pages = detail responses (200, 304, 404/410 of known documents); new / changed / unchanged /
withdrawn = documents; errors = failed attempts by kind plus `gave_up` (requests lost for good);
coverage = share of this run's documents with each field; newest_item = newest 发布日期 seen;
block_class / block_detail = how the site blocked the run, from the signals the blocking
middleware and the spider counted (archive/operations/blocking.py `run_block`), else None.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import datetime

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future

from archive.operations.blocking import run_block
from archive.operations.health import COVERAGE_FIELDS, update_site_health
from archive.store import runs, storage_problem
from archive.store.health import record_check
from crawler import signals as govplans_signals
from crawler.archive_handle import archive_for, in_archive_thread
from crawler.blocking import site_signals
from crawler.extensions.progress_writer import ProgressWriter
from crawler.failures import FATAL_STAT, abort_crawl

PROGRESS_SECONDS = 1.0
PAGE_KINDS = ("detail", "unchanged", "gone")   # what counts as a detail response of the run


class CrawlRunsExtension:
    def __init__(self, crawler, resume_since: datetime | None = None, full: bool = False):
        self.crawler = crawler
        self.resume_since = resume_since
        self.full = full
        self.archive = None
        self.runs: dict[str, int] = {}
        self.base: dict[str, dict] = {}                       # counts a resumed run already had
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.seen: dict[str, list[str]] = defaultdict(list)   # document URLs this run, for coverage
        self.newest: dict[str, object] = {}
        self.fields: dict[str, Counter] = defaultdict(Counter)  # pages extracted this run having each field
        self.walks: dict[str, dict] = {}                      # site -> walk_finished's listed / gone
        self.progress: ProgressWriter | None = None
        self._saved = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        since = crawler.settings.get("GOVPLANS_RESUME_SINCE")
        extension = cls(crawler, datetime.fromisoformat(since) if since else None,
                        crawler.settings.getbool("GOVPLANS_FULL_SWEEP"))
        if crawler.settings.get("GOVPLANS_DATABASE_URL"):
            crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
            # left the downloader: sent (answered or failed), not merely queued in a slot
            crawler.signals.connect(extension.request_sent, signal=signals.request_left_downloader)
            crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
            crawler.signals.connect(extension.walk_finished, signal=govplans_signals.walk_finished)
            crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def run_id(self, site_id: str) -> int | None:
        return self.runs.get(site_id)

    async def spider_opened(self, spider):
        """Open the runs in an archive thread (the spider starts once they are open): their database round
        trips would stall every other crawl of the process (a worker opens a crawler per site)."""
        self.archive = archive_for(self.crawler.settings)
        await maybe_deferred_to_future(in_archive_thread(self._open_runs, list(getattr(spider, "sites", ()))))

    def _open_runs(self, sites: list[dict]) -> None:
        resumed = runs.open_runs(self.archive, [s["id"] for s in sites], self.resume_since) \
            if self.resume_since else {}
        for site in sites:
            self.archive.upsert_site(site)
            if site["id"] in resumed:
                self.runs[site["id"]] = resumed[site["id"]]
                self.base[site["id"]] = runs.run_counts(self.archive, resumed[site["id"]])
            else:
                self.runs[site["id"]] = runs.start_run(self.archive, site["id"], self.full)
        self.progress = ProgressWriter(self.archive, self._stop_for)

    def _stop_for(self, problem: str) -> None:
        """A storage problem met by the progress thread: the crawl stops (in the reactor's thread)."""
        from twisted.internet import reactor

        reactor.callFromThread(abort_crawl, self.crawler, problem)

    def request_sent(self, request, spider=None) -> None:
        site_id = request.meta.get("site_id")
        if site_id in self.runs:
            self.counts[site_id]["requests"] += 1

    def item_scraped(self, item, response=None, spider=None) -> None:
        counts = self.counts[item.site_id]
        if item.kind == "attachment":
            counts["attachments"] += 1
            if item.outcome == "changed":           # a replaced file: its document changed
                counts["changed"] += 1
        elif item.kind in PAGE_KINDS:
            counts["pages"] += 1
            if item.outcome:
                counts[item.outcome] += 1
            if item.kind == "unchanged" and item.outcome:
                self.seen[item.site_id].append(item.url)
            if item.kind == "detail" and item.document is not None:
                self._extracted(item.site_id, item.document)
        if time.monotonic() - self._saved > PROGRESS_SECONDS and not self._stats().get(FATAL_STAT):
            self._saved = time.monotonic()
            self.progress.offer(self._progress_values())

    def _extracted(self, site_id: str, document) -> None:
        fields = self.fields[site_id]
        fields["_pages"] += 1
        fields.update(name for name in COVERAGE_FIELDS if getattr(document, name, None) not in (None, ""))
        self.seen[site_id].append(document.url)
        if document.published and (self.newest.get(site_id) is None or document.published > self.newest[site_id]):
            self.newest[site_id] = document.published

    def walk_finished(self, site_id: str, listed: int | None = None, gone: list[str] | None = None) -> None:
        self.walks[site_id] = {"listed": listed, "gone": gone}

    def run_values(self, site_id: str) -> dict:
        counts, base = self.counts[site_id], self.base.get(site_id, {})
        values = {name: base.get(name, 0) + counts[name] for name in runs.RUN_COUNTS}
        errors = dict(base.get("errors", {}))
        for kind, value in _site_errors(self._stats(), site_id).items():
            errors[kind] = errors.get(kind, 0) + value
        values["errors"] = errors
        if site_id in self.newest:
            values["newest_item"] = self.newest[site_id]
        return values

    def _progress_values(self) -> dict[int, dict]:
        return {run_id: self.run_values(site_id) for site_id, run_id in self.runs.items()}

    def save_progress(self) -> None:
        """Every run's counts written now (after any background write still under way)."""
        self._saved = time.monotonic()
        if self.progress is not None:
            self.progress.flush()
        runs.save_progress_of_runs(self.archive, self._progress_values())

    def _try_save_progress(self) -> None:
        """save_progress, unless the storage problem that stopped the crawl stops this too."""
        if self._locked():
            return                                  # it would only wait for the lock again
        try:
            self.save_progress()
        except Exception as error:
            if storage_problem(error) is None:
                raise

    async def spider_closed(self, spider, reason: str):
        """Finish the runs; a crawl stopped early (Ctrl-C, a full disk …) leaves them open for --resume.
        In an archive thread, as their opening (Scrapy waits for it before the crawl counts as closed)."""
        if self.archive is not None:
            await maybe_deferred_to_future(in_archive_thread(self._close_runs, reason))

    def _close_runs(self, reason: str) -> None:
        if self.progress is not None and not self._locked():
            self.progress.close()                   # its last write lands before the final counts
        if reason != "finished":
            self._try_save_progress()
            return
        for site_id, run_id in self.runs.items():
            walk = self.walks.get(site_id, {})
            if walk.get("gone"):
                self.counts[site_id]["withdrawn"] += runs.mark_withdrawn(self.archive, walk["gone"], run_id=run_id)
            values = self.run_values(site_id)
            values["coverage"] = runs.coverage(self.archive, self.seen[site_id])
            values["full_sweep"] = self.full
            signals, evidence = site_signals(self._stats(), site_id)
            block = run_block(signals, values["errors"], walk.get("listed"), values["pages"], evidence)
            values["block_class"], values["block_detail"] = (block.name, block.detail) if block else (None, None)
            runs.finish_run(self.archive, run_id, **values)
            runs.close_interrupted_runs(self.archive, site_id, before_run=run_id)
            self.check_health(site_id, run_id, walk.get("listed"))

    def check_health(self, site_id: str, run_id: int, listed: int | None) -> None:
        """Keep what the run saw of the site's pages and judge the site on its last runs."""
        fields = self.fields[site_id]
        pages = fields["_pages"]
        coverage = {name: round(fields[name] / pages, 4) for name in COVERAGE_FIELDS} if pages else {}
        record_check(self.archive, run_id, site_id, listed, pages, coverage)
        update_site_health(self.archive, site_id)

    def _locked(self) -> bool:
        """The crawl stopped because the archive is locked."""
        return "locked" in (self._stats().get(FATAL_STAT) or "")

    def _stats(self) -> dict:
        stats = getattr(self.crawler, "stats", None)
        return stats.get_stats() if stats else {}


def _site_errors(stats: dict, site_id: str) -> dict[str, int]:
    """Failed attempts of one site by kind, and `gave_up` (counted by the spider and the retry middleware)."""
    prefix = f"govplans/errors/{site_id}/"
    return {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix)}
