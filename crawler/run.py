"""Run the family spiders over a set of sites in this process (the reactor starts once per process).

A crawl is a job: before it starts, `DATA/crawl-job.json` records its sites, whether it is a full
sweep and when it started; a crawl that ends removes it. If the process dies (kill -9, power cut),
`run_crawl(resume=True)` reads it back and crawls the same sites again, reading every list page
but fetching only what the archive did not get since the job started, into the same crawl_runs
rows. (Scrapy's JOBDIR survives only a clean shutdown: its disk queues and the requests in flight
are lost on kill -9, so the archive itself is the journal.)

A full disk or a locked database stops the crawl at once (crawler.failures.abort_crawl) and
`run_crawl` raises StorageError with a clear message; the job stays for `--resume`.
"""
from __future__ import annotations

import gc
import json
import os
import signal
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.clock import utcnow
from archive.config import DataDir
from archive.store import StorageError
from crawler import settings as default_settings
from crawler.archive_handle import crawl_archive
from crawler.failures import FATAL_STAT
from crawler.render import browser_settings, renders
from crawler.spiders import spider_for
from crawler.writer import close_writer, writer_for

JOB_FILE = "crawl-job.json"
WRITER_PIPELINE = "crawler.pipelines.writer.ArchiveWriterPipeline"
# Settings the environment may set (the operator's configuration), as for GOVPLANS_DATA.
ENVIRONMENT_SETTINGS = ("GOVPLANS_CONTACT_URL", "GOVPLANS_STOP_AFTER_SEEN", "GOVPLANS_CHROMIUM")


class NoJobToResume(RuntimeError):
    pass


@dataclass(frozen=True)
class CrawlSummary:
    sites: int
    pages: int
    seconds: float
    requests: int = 0
    finished: bool = True   # False: stopped early (a signal, a storage problem); the job stays for --resume

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def user_agent(settings: Settings) -> str:
    return settings.get("GOVPLANS_USER_AGENT").format(contact=settings.get("GOVPLANS_CONTACT_URL"))


def crawl_settings(data: DataDir, farm: bool, overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("GOVPLANS_DATABASE_URL", data.database_url, priority="cmdline")
    settings.set("GOVPLANS_WARC_DIR", str(data.warc_dir), priority="cmdline")
    for name in ENVIRONMENT_SETTINGS:
        if os.environ.get(name):
            settings.set(name, os.environ[name], priority="cmdline")
    if farm:
        settings.update(default_settings.FARM_OVERRIDES, priority="cmdline")
    settings.update(overrides or {}, priority="cmdline")
    if "USER_AGENT" not in (overrides or {}):
        settings.set("USER_AGENT", user_agent(settings), priority="cmdline")
    return settings


def job_path(data: DataDir) -> Path:
    return data.root / JOB_FILE


def pending_job(data: DataDir) -> dict | None:
    """The crawl that was interrupted in this data directory, if any."""
    path = job_path(data)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


@contextmanager
def _own_signal_handlers():
    """Scrapy leaves its Ctrl-C / SIGTERM handlers behind when the crawl ends; they only stop
    crawlers that no longer run, so a process that goes on (demo, schedule) could not be stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def begin_job(data: DataDir, sites: list[dict] | None, full: bool, resume: bool) -> tuple[list[dict], bool, str | None]:
    """(sites, full, resume_since) of the crawl about to start: with resume, the interrupted job's;
    else a new job file records these sites (a crawl that finishes removes it: `end_job`)."""
    if resume:
        job = pending_job(data)
        if job is None:
            raise NoJobToResume(f"no interrupted crawl in {data.root}")
        return job["sites"], job["full"], job["started"]
    started = utcnow().isoformat()
    job_path(data).write_text(json.dumps({"started": started, "full": full, "sites": sites},
                                         ensure_ascii=False, default=str), encoding="utf-8")
    return sites, full, None


def end_job(data: DataDir) -> None:
    job_path(data).unlink(missing_ok=True)


def job_settings(data: DataDir, sites: list[dict], overrides: dict | None, full: bool,
                 resume_since: str | None) -> Settings:
    """The settings of a crawl of these sites (farm ones, rendered ones, a full sweep, a resume)."""
    farm = bool(sites) and all(site.get("farm") for site in sites)
    settings = crawl_settings(data, farm, overrides)
    if any(renders(site) for site in sites):
        settings.update(browser_settings(settings), priority="cmdline")
    settings.set("GOVPLANS_FULL_SWEEP", full, priority="cmdline")
    settings.set("GOVPLANS_RESUME_SINCE", resume_since, priority="cmdline")
    return settings


def run_crawl(sites: list[dict] | None, data: DataDir, overrides: dict | None = None, full: bool = False,
              resume: bool = False) -> CrawlSummary:
    """Crawl every site with its family's spider; documents land in the data directory.

    full: re-walk every list and re-ask every known page (conditionally) to find edits and removals.
    resume: continue the interrupted job of this data directory (its sites and mode).
    """
    data.ensure()
    with crawl_archive(data.database_url) as archive:
        # fail before the crawl starts, clearly, when the archive cannot be written (locked, read-only)
        archive.check_writable()
        return _crawl(sites, data, overrides, full, resume)


def _crawl(sites: list[dict] | None, data: DataDir, overrides: dict | None, full: bool,
           resume: bool) -> CrawlSummary:
    sites, full, resume_since = begin_job(data, sites, full, resume)
    settings = job_settings(data, sites, overrides, full, resume_since)
    with fewer_collections(), crawl_writer(settings):
        return _run(settings, sites, data)


# Young objects the cyclic collector lets pile up before it runs (Python's default is 700). A crawl
# allocates fast (Twisted's Deferreds, Scrapy's requests, lxml trees, SQLAlchemy rows) and almost all
# of it is freed by reference counting; at the default, the collector took 1.3 s of a 12-site crawl's
# 5.8 s of CPU in the crawl process, 0.4 s at this threshold.
GC_YOUNG_THRESHOLD = 10_000


@contextmanager
def fewer_collections():
    """For the crawl: what exists when it starts (modules, settings) frozen out of the collector's
    scans, and a collection every GC_YOUNG_THRESHOLD young objects; the writer's processes, forked
    in here, keep both. Undone afterwards (a process may crawl again: nothing stays frozen)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(GC_YOUNG_THRESHOLD, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@contextmanager
def crawl_writer(settings: Settings):
    """The archive writer process (crawler/writer.py) of a crawl whose pipelines use it: forked before
    Scrapy starts (no reactor, no threads yet), shared by the crawl's spiders, closed (and waited for)
    when the crawl ends."""
    url = settings.get("GOVPLANS_DATABASE_URL")
    if WRITER_PIPELINE not in settings.getdict("ITEM_PIPELINES") or not url:
        yield
        return
    settings.set("GOVPLANS_WRITER_OWNED_BY_RUN", True, priority="cmdline")
    writer_for(url)
    try:
        yield
    finally:
        close_writer(url)


def _run(settings: Settings, sites: list[dict], data: DataDir) -> CrawlSummary:
    process = CrawlerProcess(settings)   # installs the root log handler (LOG_INSTALL_ROOT_HANDLER)
    by_family: dict[str, list[dict]] = defaultdict(list)
    for site in sites:
        by_family[site["family"]].append(site)
    crawlers = []
    for family, family_sites in by_family.items():
        crawler = process.create_crawler(spider_for(family))
        crawlers.append(crawler)
        process.crawl(crawler, sites=family_sites)
    started_at = time.monotonic()
    with _own_signal_handlers():
        process.start()
    seconds = time.monotonic() - started_at
    stats = [c.stats for c in crawlers if c.stats]
    fatal = next((s.get_value(FATAL_STAT) for s in stats if s.get_value(FATAL_STAT)), None)
    if fatal:
        raise StorageError(f"{fatal}; the crawl stopped (what it stored is kept): fix this, then run "
                           f"`govplans crawl --resume`")
    finished = all(s.get_value("finish_reason") == "finished" for s in stats)
    if finished:
        end_job(data)
    pages = sum(s.get_value("response_received_count", 0) for s in stats)
    requests = sum(s.get_value("downloader/request_count", 0) for s in stats)
    return CrawlSummary(len(sites), pages, seconds, requests, finished)
