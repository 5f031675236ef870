"""Run counts written off the reactor's thread, by one thread for every crawl of the process.

The crawl's progress (crawl_runs counts, every second) waits for the archive's write lock, which the
archive writer's store process holds while it commits a batch (up to a quarter of a second on
SQLite). Written in the reactor's thread, each wait stalled every download of the crawl. Here one
thread writes the newest counts of every run in one transaction; a snapshot that comes while one is
being written replaces the one waiting (only the newest counts matter).

The thread is shared by all the crawls of the process on one archive handle (a worker's crawl
process runs a crawler per site, 16 at once): with a thread each, their writes came at once and
took more connections than the pool keeps, so each second some of them opened a PostgreSQL
connection and closed it again (27 connections for a 30-site run instead of 4). It starts with the
first crawl and ends with the last one's `close`.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from archive.store import runs, storage_problem

logger = logging.getLogger(__name__)

_shared: dict[int, "_SharedWriter"] = {}   # id(archive) -> the thread writing its runs' counts
_shared_lock = threading.Lock()


class ProgressWriter:
    """One crawl's view of the shared writer: its runs' counts, its storage-problem callback."""

    def __init__(self, archive, on_storage_problem: Callable[[str], None]):
        self.on_storage_problem = on_storage_problem   # called in the writing thread
        self._runs: set[int] = set()
        self._closed = False
        with _shared_lock:
            shared = _shared.get(id(archive))
            if shared is None or shared.archive is not archive:
                shared = _shared[id(archive)] = _SharedWriter(archive)
            shared.users += 1
        self._shared = shared

    def offer(self, values_by_run: dict[int, dict]) -> None:
        """The newest counts of the runs: written soon, in the background."""
        self._runs.update(values_by_run)
        self._shared.offer(values_by_run, self.on_storage_problem)

    def flush(self, timeout: float | None = None) -> None:
        """Wait until what was offered is written (before a run's final counts are: a late
        progress write would take them back)."""
        self._shared.flush(self._runs, timeout)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.flush()
        self._shared.forget(self._runs)
        with _shared_lock:
            self._shared.users -= 1
            last = self._shared.users == 0
            if last and _shared.get(id(self._shared.archive)) is self._shared:
                del _shared[id(self._shared.archive)]
        if last:
            self._shared.close()


class _SharedWriter:
    def __init__(self, archive):
        self.archive = archive
        self.users = 0                                   # open ProgressWriters (under _shared_lock)
        self._waiting: dict[int, dict] = {}              # run id -> newest counts not yet written
        self._callbacks: dict[int, Callable[[str], None]] = {}
        self._writing: set[int] = set()
        self._closed = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._write_forever, name="crawl-progress", daemon=True)
        self._thread.start()

    def offer(self, values_by_run: dict[int, dict], on_storage_problem: Callable[[str], None]) -> None:
        with self._changed:
            self._waiting.update(values_by_run)
            self._callbacks.update(dict.fromkeys(values_by_run, on_storage_problem))
            self._changed.notify_all()

    def flush(self, run_ids: set[int], timeout: float | None = None) -> None:
        with self._changed:
            self._changed.wait_for(lambda: not (run_ids & (self._waiting.keys() | self._writing)), timeout)

    def forget(self, run_ids: set[int]) -> None:
        with self._changed:
            for run_id in run_ids:
                self._callbacks.pop(run_id, None)

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join(timeout=5)

    def _write_forever(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting or self._closed)
                if not self._waiting:
                    return
                values, self._waiting = self._waiting, {}
                self._writing = set(values)
                told = {id(callback): callback for run, callback in self._callbacks.items() if run in values}
            try:
                runs.save_progress_of_runs(self.archive, values)
            except Exception as error:
                problem = storage_problem(error)
                if problem is not None:
                    for on_storage_problem in told.values():   # each crawl whose counts it held
                        on_storage_problem(problem)
                else:
                    logger.exception("the crawl's progress could not be written")
            finally:
                with self._changed:
                    self._writing = set()
                    self._changed.notify_all()
