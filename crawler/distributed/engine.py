"""The crawl process of a worker: one Scrapy process, started once, crawling every site the worker takes.

Its Twisted reactor runs for the life of the worker; each site the worker hands over (over a pipe)
becomes a Scrapy `Crawler` of its family's spider, started in that running reactor beside the
crawls already under way, so N sites at once cost one process and one reactor, not N forks and N
interpreters' start-up. All the crawls share the process's archive handle (one engine and pool
per database: crawler/archive_handle.py) and send their pages to the machine's archive writer
(machine_writer.py: one for every worker of the machine, connected again if it went).

Messages, worker → here: ("crawl", task id, site, TaskDataDir, options), ("stop", task id).
Here → worker: ("opened", task id, wall time) when the spider opened, ("done", task id, summary)
when its crawl ended (the summary's times are wall-clock seconds: `opened`, `idle` = the crawl had
nothing left to fetch, `ended` = its pipelines and run bookkeeping closed), ("failed", task id,
message) when it could not run.

A site's crawl is a job of its own, in its task's directory (DATA/jobs/<task id>/crawl-job.json,
`crawler.run.begin_job`): a crawl killed with the process leaves it, and the redelivered task
resumes it (fetching only what the archive did not get since), as `govplans crawl --resume` does.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

from archive.config import DataDir
from crawler.distributed import machine_writer
from crawler.failures import FATAL_STAT
from crawler.run import begin_job, end_job, job_settings, pending_job

log = logging.getLogger(__name__)


def die_with_worker(lifeline) -> None:
    """Kill this process when the worker's end of the lifeline closes (the worker died)."""
    def watch():
        try:
            lifeline.recv()
        except (EOFError, OSError):
            pass
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


# Scrapy's loggers that list a crawler's settings and components as it starts (50 lines a site)
REPEATED_LISTINGS = ("scrapy.crawler", "scrapy.middleware", "scrapy.addons")


def quiet_repeated_listings() -> None:
    for name in REPEATED_LISTINGS:
        logging.getLogger(name).setLevel(logging.WARNING)


class CrawlProcess:
    """The reactor side: starts, stops and reports the crawls (every method runs in the reactor thread)."""

    def __init__(self, conn):
        self.conn = conn
        self.crawlers: dict[str, object] = {}
        self.checked: set[str] = set()     # databases found writable
        self._send_lock = threading.Lock()

    def send(self, message: tuple) -> None:
        with self._send_lock:
            self.conn.send(message)

    def start(self, task_id: str, site: dict, data: DataDir, options: dict) -> None:
        try:
            self._start(task_id, site, data, options)
        except Exception as error:  # noqa: BLE001 - reported to the task, which fails or retries
            log.exception("crawl of %s could not start", site.get("id"))
            self.crawlers.pop(task_id, None)
            self.send(("failed", task_id, f"{type(error).__name__}: {error}"))

    def _start(self, task_id: str, site: dict, data: DataDir, options: dict) -> None:
        from scrapy import signals
        from scrapy.crawler import Crawler
        from twisted.internet import reactor

        from crawler.archive_handle import archive_for
        from crawler.spiders import spider_for

        data.ensure()
        resume = pending_job(data) is not None
        sites, full, since = begin_job(data, [site], bool(options.get("full")), resume)
        settings = job_settings(data, sites, options.get("overrides"), full, since)
        # the machine's archive writer, shared by every site's crawler of every worker: none closes it
        settings.set("GOVPLANS_WRITER_ADDRESS", machine_writer.connect(data.database_url), priority="cmdline")
        settings.set("GOVPLANS_WRITER_OWNED_BY_RUN", True, priority="cmdline")
        if settings.getbool("GOVPLANS_RESOLVE_TEST_HOSTS") and hasattr(reactor.resolver, "resolve_test_hosts"):
            reactor.resolver.resolve_test_hosts = True   # the process's resolver: farm names are 127.0.0.1
        if data.database_url not in self.checked:
            # fail before the crawl starts, clearly, when the archive cannot be written
            archive_for(settings).check_writable()
            self.checked.add(data.database_url)
        crawler = Crawler(spider_for(site["family"]), settings)
        times: dict[str, float] = {}
        crawler.signals.connect(lambda spider: self._opened(task_id, times), signal=signals.spider_opened, weak=False)
        crawler.signals.connect(lambda spider: times.__setitem__("idle", time.time()), signal=signals.spider_idle,
                                weak=False)
        self.crawlers[task_id] = crawler
        started = time.monotonic()
        deferred = crawler.crawl(sites=sites)   # not process.crawl: its settings would merge into these
        quiet_repeated_listings()   # the first site's crawler listed them: the same for every site
        deferred.addBoth(lambda outcome: self._ended(task_id, site, data, crawler, times, resume, started, outcome))

    def _opened(self, task_id: str, times: dict) -> None:
        times["opened"] = time.time()
        self.send(("opened", task_id, times["opened"]))

    def _ended(self, task_id, site, data, crawler, times, resume, started, outcome) -> None:
        from twisted.python.failure import Failure

        self.crawlers.pop(task_id, None)
        if isinstance(outcome, Failure):
            self.send(("failed", task_id, outcome.getErrorMessage()))
            return
        stats = crawler.stats
        fatal = stats.get_value(FATAL_STAT)
        if fatal:   # the job stays: the task's retry resumes it
            self.send(("failed", task_id, f"{fatal}; the crawl stopped (what it stored is kept)"))
            return
        finished = stats.get_value("finish_reason") == "finished"
        if finished:
            end_job(data)
        ended = time.time()
        self.send(("done", task_id, {
            "site": site["id"], "pages": stats.get_value("response_received_count", 0),
            "requests": stats.get_value("downloader/request_count", 0),
            "seconds": round(time.monotonic() - started, 3), "resumed": resume, "finished": finished,
            "process": os.getpid(), "writer": machine_writer.service_pid(data.database_url),
            "opened": times.get("opened", ended), "idle": times.get("idle", ended), "ended": ended}))

    def stop(self, task_id: str) -> None:
        crawler = self.crawlers.get(task_id)
        if crawler is not None:
            crawler.stop()


def _listen(conn, crawls: CrawlProcess) -> None:
    """The pipe reader: hands each message to the reactor; the worker gone, the process ends."""
    from twisted.internet import reactor

    try:
        while True:
            kind, task_id, *rest = conn.recv()
            if kind == "crawl":
                reactor.callFromThread(crawls.start, task_id, *rest)
            elif kind == "stop":
                reactor.callFromThread(crawls.stop, task_id)
    except (EOFError, OSError):
        os.kill(os.getpid(), signal.SIGKILL)


def serve(conn, lifeline, settings_overrides: dict | None = None) -> None:
    """The crawl process's main: a reactor that runs until the worker goes (never stops by itself)."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.reactor import install_reactor

    from crawler.run import crawl_settings, fewer_collections

    die_with_worker(lifeline)
    # Ctrl-C reaches the whole process group: the worker decides (finish the crawls, or stop and die)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    settings = crawl_settings(DataDir(Path("data")), farm=False, overrides=settings_overrides)
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    process = CrawlerProcess(settings)   # for its reactor set-up: resolver, thread pool, logging
    crawls = CrawlProcess(conn)
    threading.Thread(target=_listen, args=(conn, crawls), name="crawl requests", daemon=True).start()
    with fewer_collections():   # as `govplans crawl`'s process: the collector ran every 700 young objects
        process.start(stop_after_crawl=False, install_signal_handlers=False)
