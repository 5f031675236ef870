"""Scheduled recrawls: run what is due, in this process's children or on the workers' queue.

When a site is due, its locks and its rows are archive.operations.schedules' business; this module
only runs the crawls it says are due (it launches crawls, so it lives with the crawler).

`run_due` is one tick: bring the `schedules` rows in line with the registry, take the sites
whose next run time has come, lock each (site_locks: one crawl of a site at a time, across
schedulers and `--once` runs), crawl them with `govplans crawl` in a child process (Scrapy's
reactor starts once per process; the child dies with us, so a kill -9 leaves no crawl running
behind a stale lock), then move each site's next run time on. With a broker the due sites are
enqueued for the workers instead (crawler.distributed.enqueue_sites; the workers lock sites in
Redis). `run_forever` ticks until stopped, sleeping until the next run time.

Everything a tick decides is in the database before and after it, so a scheduler killed at
any point loses nothing: the next one finds the same sites due (a killed crawl's site was never
moved on) and takes over the dead owner's locks.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import yaml

from archive.clock import utcnow
from archive.config import DataDir
from archive.operations import schedules
from archive.operations.schedules import ScheduleConfig
from archive.store import Archive
from archive.store.runs import latest_runs_since

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
MAX_SLEEP = 60.0        # seconds between looks at the schedule even when nothing is due sooner
RENEW_EVERY = 300.0     # seconds between lock renewals while a crawl runs


@dataclass
class TickResult:
    due: list[str] = field(default_factory=list)        # sites whose time had come
    crawled: list[str] = field(default_factory=list)    # crawled here (or enqueued, with a broker)
    busy: list[str] = field(default_factory=list)       # locked by another crawl: left due
    failed: list[str] = field(default_factory=list)     # the crawl child failed
    runs: dict[str, int] = field(default_factory=dict)  # site -> crawl_runs id of this tick
    tasks: dict[str, str] = field(default_factory=dict)  # site -> task id (broker)
    enqueued: bool = False


def crawl_in_child(sites: list[dict], data: DataDir, full: bool) -> int:
    """`govplans crawl` of these sites in a child process that dies with this one; its exit code."""
    data.ensure()
    sites_file = data.root / f"schedule-sites-{os.getpid()}.yaml"
    sites_file.write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
    args = [sys.executable, "-m", "govplans.cli", "crawl", "--sites-file", str(sites_file), "--data", str(data.root)]
    if full:
        args.append("--full")
    try:
        child = subprocess.Popen(args, cwd=ROOT, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        return _wait(child)
    finally:
        sites_file.unlink(missing_ok=True)


_renew: Callable[[], None] | None = None


def _wait(child: subprocess.Popen) -> int:
    while True:
        try:
            return child.wait(timeout=RENEW_EVERY)
        except subprocess.TimeoutExpired:
            if _renew:
                _renew()
        except BaseException:
            child.terminate()
            child.wait()
            raise


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it when the scheduler dies (Linux PR_SET_PDEATHSIG)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def run_due(sites: list[dict], data: DataDir, config: ScheduleConfig = ScheduleConfig(),
            now: datetime | None = None, broker: str | None = None, force: list[str] | None = None,
            force_full: bool = False, crawl: Callable[[list[dict], DataDir, bool], int] = crawl_in_child,
            notify: bool = False) -> TickResult:
    """One tick: crawl (or enqueue) every site that is due at `now` (default: the clock).
    force: site ids to run now whatever their schedule (`govplans schedule SITE…`), as full sweeps
    with force_full."""
    global _renew
    fixed = now is not None     # a given `now` (tests, catch-up) also times the next runs
    now = now or utcnow()
    by_id = {site["id"]: site for site in sites}
    archive = Archive(data.database_url)
    result = TickResult()
    try:
        schedules.sync(archive, sites, config, now)
        due = {d.site_id: d.full for d in schedules.due(archive, sites, config, now)}
        for site_id in force or ():
            due[site_id] = force_full or due.get(site_id, False)
        result.due = list(due)
        if not due:
            return result
        if broker:
            return _enqueue(archive, [by_id[i] for i in due], due, config, broker, now, result)
        owner = schedules.owner_id()
        locked = [i for i in due if schedules.acquire(archive, i, owner)]
        result.busy = [i for i in due if i not in locked]
        _renew = lambda: [schedules.acquire(archive, i, owner) for i in locked]  # noqa: E731
        try:
            for full in (True, False):
                batch = [by_id[i] for i in locked if due[i] == full]
                if not batch:
                    continue
                started = utcnow()
                code = crawl(batch, data, full)
                runs = latest_runs_since(archive, [s["id"] for s in batch], started)
                for site in batch:
                    (result.crawled if code == 0 else result.failed).append(site["id"])
                    if site["id"] in runs:
                        result.runs[site["id"]] = runs[site["id"]]
                    # moved on even after a failure: a broken site waits for its next turn, not every tick
                    schedules.mark_ran(archive, site, config, started, runs.get(site["id"]),
                                       now=now if fixed else utcnow())
        finally:
            _renew = None
            for site_id in locked:
                schedules.release(archive, site_id, owner)
    finally:
        archive.close()
    if notify and result.crawled:
        from archive.operations.notify import notify_all
        notify_all(data)
    return result


def _enqueue(archive: Archive, due_sites: list[dict], full: dict[str, bool], config: ScheduleConfig,
             broker: str, now: datetime, result: TickResult) -> TickResult:
    from crawler.distributed.enqueue import enqueue_sites

    for mode in (True, False):
        batch = [site for site in due_sites if full[site["id"]] == mode]
        if not batch:
            continue
        for site, task_id in zip(batch, enqueue_sites(batch, broker, {"full": mode})):
            result.tasks[site["id"]] = task_id
            result.crawled.append(site["id"])
            schedules.mark_ran(archive, site, config, now, None, now=now)
    result.enqueued = True
    return result


_ocr_child: subprocess.Popen | None = None


def ocr_beside(data: DataDir, workers: int = 1) -> subprocess.Popen | None:
    """Scans the crawls queued are recognised beside them: one `govplans ocr --pending` child at a time
    (dying with us), started when files are waiting and none runs. Returns the running child."""
    global _ocr_child
    if _ocr_child is not None and _ocr_child.poll() is None:
        return _ocr_child
    from archive.store.ocr import counts

    archive = Archive(data.database_url)
    try:
        waiting = counts(archive).get("pending", 0)
    finally:
        archive.close()
    if not waiting:
        _ocr_child = None
        return None
    args = [sys.executable, "-m", "govplans.cli", "ocr", "--pending", "--workers", str(workers),
            "--data", str(data.root)]
    _ocr_child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    return _ocr_child


def run_forever(sites: list[dict], data: DataDir, config: ScheduleConfig = ScheduleConfig(),
                broker: str | None = None, stop: threading.Event | None = None,
                on_tick: Callable[[TickResult], None] | None = None, notify: bool = True,
                ocr_workers: int = 1) -> None:
    """Tick, then sleep until the next site is due (at most MAX_SLEEP), until `stop` is set.
    Queued scans are recognised beside the crawls (ocr_beside; ocr_workers=0: not here)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        result = run_due(sites, data, config, broker=broker, notify=notify)
        if ocr_workers:
            ocr_beside(data, ocr_workers)
        if on_tick:
            on_tick(result)
        archive = Archive(data.database_url)
        try:
            wake = schedules.next_wakeup(archive, [site["id"] for site in sites])
        finally:
            archive.close()
        pause = MAX_SLEEP if wake is None else (wake - utcnow()).total_seconds()
        stop.wait(min(max(pause, 1.0), MAX_SLEEP) if not result.busy else min(MAX_SLEEP, 10.0))
