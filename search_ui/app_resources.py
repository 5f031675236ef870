"""What one app holds open: the archive, where the index lives, the region and site names, and the
serving machinery (search_ui/load.py). `create_app` makes one per app; views reach it with resources()."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable

from flask import current_app

from archive.config import DataDir
from archive.read.labels import Labels
from archive.store import Archive
from search_ui.load import PageCache, Turns


class Resources:
    """What one app holds open: the archive and where the index lives."""

    def __init__(self, data: DataDir, database_url: str | None = None,
                 registry: list[dict] | Callable[[], list[dict]] | None = None, registry_seconds: float = 60.0):
        self.data = data.ensure()
        self.archive = Archive(database_url or data.database_url)
        self.index_dir: Path = data.index_dir
        self.labels = Labels(self.archive)
        self.pages = PageCache()
        self.search_turns = Turns()
        self._registry = registry
        self._registry_seconds = registry_seconds
        self._registry_cache: tuple[float, list[dict]] | None = None
        self._registry_lock = threading.Lock()

    def registry(self) -> list[dict]:
        """The site registry's entries (the coverage ledger counts them): the app's REGISTRY, a list or
        a loader (`govplans serve` hands crawler.registry's), asked again at most every
        REGISTRY_SECONDS; a loader that fails leaves the last entries (or none) and logs why."""
        if not callable(self._registry):
            return list(self._registry or [])
        with self._registry_lock:
            now = time.monotonic()
            if self._registry_cache is None or now - self._registry_cache[0] > self._registry_seconds:
                try:
                    entries = list(self._registry())
                except Exception as error:  # noqa: BLE001 - a bad registry file must not break the page
                    logging.getLogger(__name__).warning("site registry not read: %s", error)
                    entries = self._registry_cache[1] if self._registry_cache else []
                self._registry_cache = (now, entries)
            return self._registry_cache[1]


def resources() -> Resources:
    return current_app.extensions["govplans"]
