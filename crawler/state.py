"""What one run knows about one site before it starts, and what it learns about its lists.

Loaded once per site from the archive (archive/crawl_state.py) when the spider starts; the walk
itself keeps its own state (page, pages to go, how many known items in a row) in cb_kwargs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from archive import crawl_state
from archive.store import Archive


@dataclass
class SiteState:
    site_id: str
    known: dict[str, str] = field(default_factory=dict)              # url -> document status
    validators: dict[str, crawl_state.Validators] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)                      # fetched earlier in this (resumed) run
    attachments_done: set[str] = field(default_factory=set)          # attachments already captured
    attachments_left: list = field(default_factory=list)             # (doc, file, ext) a killed run never fetched
    full: bool = False                                               # a full sweep: every detail, every page
    resumed: bool = False
    listed: set[str] = field(default_factory=set)                    # detail URLs the lists showed this run
    list_failures: int = 0                                           # list pages that failed for good

    @property
    def walk_all(self) -> bool:
        """Walk every list page (in parallel) rather than newest-first until the known items begin."""
        return self.full or self.resumed or not self.known

    def wants(self, url: str) -> bool:
        """Whether a detail page listed this run should be fetched."""
        if url in self.done:
            return False
        return self.full or url not in self.known

    @property
    def lists_complete(self) -> bool:
        """Every list page of every column was read: a document missing from them is gone."""
        return self.walk_all and self.list_failures == 0


def load_states(database_url: str | None, sites: list[dict], full: bool,
                resume_since: datetime | None) -> dict[str, SiteState]:
    if not database_url:
        return {site["id"]: SiteState(site["id"], full=full) for site in sites}
    archive = Archive(database_url)
    try:
        states = {}
        for site in sites:
            state = SiteState(site["id"], known=crawl_state.known_documents(archive, site["id"]), full=full,
                              resumed=resume_since is not None)
            state.attachments_done = crawl_state.captured_attachments(archive, site["id"])
            state.attachments_left = crawl_state.interrupted_attachments(archive, site["id"])
            if full:
                state.validators = crawl_state.validators(archive, site["id"])
            if resume_since is not None:
                state.done = crawl_state.seen_since(archive, site["id"], resume_since)
            states[site["id"]] = state
        return states
    finally:
        archive.close()
