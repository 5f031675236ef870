"""Run counts written off the reactor's thread.

The crawl's progress (crawl_runs counts, every second) waits for the archive's write lock, which the
archive writer's store process holds while it commits a batch (up to a quarter of a second on
SQLite). Written in the reactor's thread, each wait stalled every download of the crawl. Here one
thread writes the newest counts of every run in one transaction; a snapshot that comes while one is
being written replaces the one waiting (only the newest counts matter).
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from archive.store import runs, storage_problem

logger = logging.getLogger(__name__)


class ProgressWriter:
    def __init__(self, archive, on_storage_problem: Callable[[str], None]):
        self.archive = archive
        self.on_storage_problem = on_storage_problem   # called in the writing thread
        self._waiting: dict[int, dict] | None = None
        self._busy = False
        self._closed = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._write_forever, name="crawl-progress", daemon=True)
        self._thread.start()

    def offer(self, values_by_run: dict[int, dict]) -> None:
        """The newest counts of the runs: written soon, in the background."""
        with self._changed:
            self._waiting = values_by_run
            self._changed.notify_all()

    def flush(self, timeout: float | None = None) -> None:
        """Wait until what was offered is written (before a run's final counts are: a late
        progress write would take them back)."""
        with self._changed:
            self._changed.wait_for(lambda: self._waiting is None and not self._busy, timeout)

    def close(self) -> None:
        self.flush()
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join(timeout=5)

    def _write_forever(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting is not None or self._closed)
                if self._waiting is None:
                    return
                values, self._waiting, self._busy = self._waiting, None, True
            try:
                runs.save_progress_of_runs(self.archive, values)
            except Exception as error:
                problem = storage_problem(error)
                if problem is not None:
                    self.on_storage_problem(problem)
                else:
                    logger.exception("the crawl's progress could not be written")
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()
