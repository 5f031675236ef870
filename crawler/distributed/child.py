"""The worker's crawl process, seen from the worker: started once, fed sites, watched.

Scrapy's Twisted reactor starts once per process, and a worker's Celery threads are no place for
it: the crawls run in one long-lived child process (crawler/distributed/engine.py) with its
reactor running, to which each task hands its site and then waits for that site's crawl to end.
The child is forked from a multiprocessing *fork server* that imported the crawler (Scrapy,
trafilatura, the archive) once: it starts clean (no threads, no open connections) and fast. If it
dies, every crawl under way fails (each task retries, resuming its crawl) and the next task starts
a new one.

The child dies with the worker: it holds the reading end of a pipe whose other end only the
worker holds, and a thread in the child kills it (SIGKILL) when that pipe closes, which the
kernel does when the worker dies, however it dies; the fork server then exits too. So a worker
killed with kill -9 leaves no crawl behind that could race the redelivered tasks.

Every task has a job directory (DATA/jobs/<task id>/) holding its crawl's job file: a crawl that
was killed left it there, and the redelivered task (same id) resumes that crawl.
"""
from __future__ import annotations

import logging
import multiprocessing
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
from crawler.run import crawl_settings
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
            ctx.set_forkserver_preload([__name__, "crawler.distributed.engine"])
            _context = ctx
        return _context


def prepare() -> None:
    """Start the fork server and the crawl process now (a worker calls this once, before it takes tasks)."""
    context()
    from multiprocessing import forkserver
    forkserver.ensure_running()
    engine().start()


class CrawlEngine:
    """The worker's handle on its crawl process: `crawl` blocks its task's thread until the site ends."""

    def __init__(self):
        self._lock = threading.Lock()
        self._conn = None
        self._process = None
        self._keep_alive = None
        self._waiting: dict[str, dict] = {}   # task id -> {"event", "opened", "summary", "error"}

    def start(self) -> None:
        """Start the crawl process unless it runs (a worker calls this before it takes tasks)."""
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        ctx = context()
        conn, theirs = ctx.Pipe(duplex=True)
        lifeline, keep_alive = ctx.Pipe(duplex=False)  # the process dies when keep_alive closes
        from crawler.distributed.engine import serve
        process = ctx.Process(target=serve, args=(theirs, lifeline), name="crawl process", daemon=False)
        process.start()
        # multiprocessing joins its live children when the worker exits, and this one never ends by
        # itself: untracked, it dies with the worker through its lifeline instead
        multiprocessing.process._children.discard(process)
        theirs.close()
        lifeline.close()
        self._conn, self._process, self._keep_alive = conn, process, keep_alive
        threading.Thread(target=self._listen, args=(conn, process), name="crawl reports", daemon=True).start()

    def close(self) -> None:
        """Kill the crawl process (the worker is exiting: a crawl still running is redelivered)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None and process.exitcode is None:
            process.kill()
            process.join()

    def _listen(self, conn, process) -> None:
        try:
            while True:
                kind, task_id, value = conn.recv()
                with self._lock:
                    waiting = self._waiting.get(task_id)
                if waiting is None:
                    continue
                if kind == "opened":
                    waiting["opened"] = value
                    continue
                waiting["summary" if kind == "done" else "error"] = value
                waiting["event"].set()
        except (EOFError, OSError):
            pass
        process.join(5)
        with self._lock:   # the process died: every crawl it ran is lost (their tasks retry, resuming)
            if self._process is process:
                self._process = None
                self._keep_alive.close()
            for waiting in self._waiting.values():
                if waiting["process"] is process and not waiting["event"].is_set():
                    waiting["error"] = f"the crawl process ended (exit code {process.exitcode})"
                    waiting["event"].set()

    def crawl(self, task_id: str, site: dict, data: TaskDataDir, options: dict | None = None,
              should_stop: Callable[[], bool] = lambda: False, poll: float = 0.5) -> dict:
        """Crawl one site in the crawl process; its summary with `opened`, `idle`, `ended` wall times.
        Stops the site's crawl if should_stop() (CrawlStopped); CrawlFailed if it did not finish."""
        waiting = {"event": threading.Event(), "opened": None, "summary": None, "error": None}
        with self._lock:
            self._start_locked()
            waiting["process"] = self._process
            self._waiting[task_id] = waiting
            try:
                self._conn.send(("crawl", task_id, site, data, dict(options or {})))
            except OSError as error:
                self._waiting.pop(task_id, None)
                raise CrawlFailed(f"crawl of {site['id']}: the crawl process is gone ({error})")
        stopping = False
        try:
            while not waiting["event"].wait(poll):
                if not stopping and should_stop():
                    stopping = True
                    with self._lock:
                        if waiting["process"] is self._process:
                            try:
                                self._conn.send(("stop", task_id, None))
                            except OSError:   # the process is gone: its listener reports the crawl lost
                                pass
        finally:
            with self._lock:
                self._waiting.pop(task_id, None)
        if stopping:
            raise CrawlStopped(f"crawl of {site['id']} stopped: its site lock was lost")
        if waiting["error"] is not None:
            raise CrawlFailed(f"crawl of {site['id']}: {waiting['error']}")
        summary = waiting["summary"]
        if not summary["finished"]:
            raise CrawlFailed(f"crawl of {site['id']} did not finish (its job file remains for a resume)")
        return summary


_engine = CrawlEngine()


def engine() -> CrawlEngine:
    """This worker's crawl process (one per worker process)."""
    return _engine


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
