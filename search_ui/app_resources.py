"""What one app holds open: the archive, where the index lives, the region and site names, and the
serving machinery (search_ui/load.py). `create_app` makes one per app; views reach it with resources()."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from archive.config import DataDir
from archive.read.labels import Labels
from archive.store import Archive
from search_ui.load import PageCache, Turns


class Resources:
    """What one app holds open: the archive and where the index lives."""

    def __init__(self, data: DataDir, database_url: str | None = None):
        self.data = data.ensure()
        self.archive = Archive(database_url or data.database_url)
        self.index_dir: Path = data.index_dir
        self.labels = Labels(self.archive)
        self.pages = PageCache()
        self.search_turns = Turns()


def resources() -> Resources:
    return current_app.extensions["govplans"]
