"""One site's crawl in a fresh child process: `crawler.run.run_crawl`, as `govplans crawl` runs it.

Scrapy's Twisted reactor starts once per process, so a long-lived worker cannot crawl twice in
its own process. Each crawl runs in a child forked from a multiprocessing *fork server* that
imported this module (and with it Scrapy, trafilatura and the archive) once, when the worker
started: the child starts in milliseconds instead of the seconds a fresh interpreter spends on
imports, and it starts clean (no reactor, no threads, no open connections; the fork server
never crawls).

The child dies with the worker: it holds the reading end of a pipe whose other end only the
worker holds, and a thread in the child kills it (SIGKILL) when that pipe closes, which the
kernel does when the worker dies, however it dies; the fork server then exits too. So a worker
killed with kill -9 leaves no crawl behind that could race the redelivered task.

Every task has a job directory (DATA/jobs/<task id>/) holding `run_crawl`'s job file: a crawl
that was killed left it there, and the redelivered task (same id) resumes that crawl, fetching
only what the archive did not get since it started, exactly as `govplans crawl --resume` does.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from archive.config import DataDir
from archive.store import migrations
# The heavy imports are the point of this module being the fork server's preload.
from crawler import pipelines, spiders  # noqa: F401
from crawler.extensions import crawl_runs  # noqa: F401
from crawler.middlewares import retry, warc  # noqa: F401
from crawler.pipelines import extraction, store  # noqa: F401
from crawler.run import crawl_settings, pending_job, run_crawl
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from sqlalchemy.dialects import registry

log = logging.getLogger(__name__)

_context_lock = threading.Lock()
_context = None


class CrawlFailed(RuntimeError):
    """The child ended without finishing its crawl (exception, killed, or stopped early)."""


class CrawlStopped(RuntimeError):
    """The crawl was stopped from the worker (its site lock was lost)."""


@dataclass(frozen=True)
class TaskDataDir(DataDir):
    """The shared data directory's database, WARC files and index, with a job file of this task's
    own (root is DATA/jobs/<task id>), so concurrent crawls never share `run_crawl`'s job file."""
    shared: Path = field(default_factory=lambda: Path("data"))
    url: str = ""

    @property
    def database_url(self) -> str:
        return self.url

    @property
    def warc_dir(self) -> Path:
        return self.shared / "warc"

    @property
    def index_dir(self) -> Path:
        return self.shared / "index"


def task_data(shared: DataDir, job_dir: Path) -> TaskDataDir:
    return TaskDataDir(root=Path(job_dir), shared=shared.root, url=shared.database_url)


def context():
    """The fork-server context, this module preloaded; started on first use (or by `prepare`)."""
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload([__name__])
            _context = ctx
        return _context


def prepare() -> None:
    """Start the fork server now (a worker calls this once, before it takes tasks)."""
    context()
    from multiprocessing import forkserver
    forkserver.ensure_running()


def _die_with_worker(lifeline) -> None:
    """Kill this process when the worker's end of the lifeline closes (the worker died)."""
    def watch():
        try:
            lifeline.recv()
        except (EOFError, OSError):
            pass
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def _child_main(site: dict, data: TaskDataDir, options: dict, conn, lifeline) -> None:
    _die_with_worker(lifeline)
    resume = pending_job(data) is not None
    if resume:
        summary = run_crawl(None, data, overrides=options.get("overrides"), resume=True)
    else:
        summary = run_crawl([site], data, overrides=options.get("overrides"), full=bool(options.get("full")))
    conn.send({"site": site["id"], "pages": summary.pages, "requests": summary.requests,
               "seconds": round(summary.seconds, 3), "resumed": resume,
               "finished": pending_job(data) is None})
    conn.close()


def crawl_in_child(site: dict, data: TaskDataDir, options: dict | None = None,
                   should_stop: Callable[[], bool] = lambda: False, poll: float = 0.5) -> dict:
    """Crawl one site in a forked child and return its summary; stops the child if should_stop()."""
    data.ensure()
    ctx = context()
    reader, writer = ctx.Pipe(duplex=False)
    lifeline, keep_alive = ctx.Pipe(duplex=False)  # the child dies when keep_alive closes
    process = ctx.Process(target=_child_main, args=(site, data, dict(options or {}), writer, lifeline),
                          name=f"crawl {site['id']}", daemon=False)
    process.start()
    writer.close()
    lifeline.close()
    try:
        while process.exitcode is None:
            process.join(poll)
            if process.exitcode is None and should_stop():
                process.kill()
                process.join()
                raise CrawlStopped(f"crawl of {site['id']} stopped: its site lock was lost")
        summary = reader.recv() if reader.poll() else None
    finally:
        if process.exitcode is None:
            process.kill()
            process.join()
        reader.close()
        keep_alive.close()
    if process.exitcode != 0 or summary is None:
        raise CrawlFailed(f"crawl of {site['id']} ended with exit code {process.exitcode}")
    if not summary["finished"]:
        raise CrawlFailed(f"crawl of {site['id']} did not finish (its job file remains for a resume)")
    return summary


def _component_paths(value):
    if isinstance(value, (BaseSettings, dict)):
        for key, item in value.items():
            yield key
            yield item
    elif isinstance(value, (list, tuple)):
        yield from value
    else:
        yield value


def preload_components() -> int:
    """Import every component the crawl settings name (download handlers, middlewares, extensions,
    pipelines …): Scrapy imports them lazily, which costs a crawl about a second of CPU."""
    settings = crawl_settings(DataDir(Path("data")), farm=True)
    loaded = 0
    for name in list(settings.attributes):
        for path in _component_paths(settings[name]):
            if isinstance(path, str) and path.count(".") >= 2 and path.split(".")[0] in ("scrapy", "crawler"):
                try:
                    load_object(path)
                    loaded += 1
                except Exception:  # noqa: BLE001 - a child imports it again, and reports any error
                    pass
    return loaded


def preload_database_driver() -> None:
    """Import the PostgreSQL driver and dialect (a third of a second per crawl otherwise), by
    SQLAlchemy's name for them: the driver itself is the store's business."""
    try:
        registry.load("postgresql.psycopg").import_dbapi()
    except ImportError:  # SQLite only
        pass


# Warm, once in the fork server, what every child would otherwise do again.
preload_components()
preload_database_driver()
migrations.head()
