"""What one run knows about one site before it starts, and what it learns about its lists.

Loaded once per site from the archive (archive/store/runs.py) when the spider starts; the walk
itself keeps its own state (page, pages to go, how many known items in a row) in cb_kwargs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from archive.store import Archive, runs


@dataclass
class SiteState:
    site_id: str
    known: dict[str, str] = field(default_factory=dict)              # url -> document status
    validators: dict[str, runs.Validators] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)                      # fetched earlier in this (resumed) run
    attachments_done: set[str] = field(default_factory=set)          # attachments already captured
    attachments_left: list = field(default_factory=list)             # (doc, file, ext) a killed run never fetched
    stored_files: dict = field(default_factory=dict)                 # doc url -> {file url: validators} (full)
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

    def unlisted(self) -> list[str]:
        """Live known documents that no list showed this run."""
        return [url for url, status in self.known.items() if status != "withdrawn" and url not in self.listed]

    def gone_at_end(self) -> list[str] | None:
        """What the end of the run withdraws: a full sweep or a list sweep that read every list concludes
        that a document no list shows any more was withdrawn (None: this walk cannot tell)."""
        if (self.full or getattr(self, "sweep", False)) and self.lists_complete and self.listed:
            return self.unlisted()
        return None


def load_states(archive: Archive | None, sites: list[dict], full: bool,
                resume_since: datetime | None) -> dict[str, SiteState]:
    if archive is None:
        return {site["id"]: SiteState(site["id"], full=full) for site in sites}
    states = {}
    for site in sites:
        state = SiteState(site["id"], known=runs.known_documents(archive, site["id"]), full=full,
                          resumed=resume_since is not None)
        state.attachments_done = runs.captured_attachments(archive, site["id"])
        state.attachments_left = runs.interrupted_attachments(archive, site["id"])
        if full:
            state.validators = runs.validators(archive, site["id"])
            state.stored_files = runs.stored_attachments(archive, site["id"])
        if resume_since is not None:
            state.done = runs.seen_since(archive, site["id"], resume_since)
        states[site["id"]] = state
    return states
