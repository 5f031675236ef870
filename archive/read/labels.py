"""Readable names for codes in URLs: regions and sites, read from the archive itself.

The documents carry their province/city/county names and the sites table their names, so
the UI needs no tables of its own; the names are cached for a few minutes per handle.
"""
from __future__ import annotations

import threading
import time

from sqlalchemy import select

from archive import regions
from archive.models import Document, Site
from archive.store.database import Archive

CACHE_SECONDS = 300


class Labels:
    def __init__(self, archive: Archive):
        self._archive = archive
        self._regions: dict[str, str] = {}
        self._sites: dict[str, str] = {}
        self._loaded = float("-inf")
        self._lock = threading.Lock()   # one reload at a time, not one per waiting request thread

    def region(self, code: str) -> str:
        self._refresh()
        return self._regions.get(code, code)

    def site(self, site_id: str) -> str:
        self._refresh()
        return self._sites.get(site_id, site_id)

    def version(self) -> float:
        """When the names were last read: changes whenever a label may have changed."""
        self._refresh()
        return self._loaded

    def _refresh(self) -> None:
        if time.monotonic() - self._loaded < CACHE_SECONDS:
            return
        with self._lock:
            if time.monotonic() - self._loaded < CACHE_SECONDS:   # another thread just did it
                return
            self._load()

    def _load(self) -> None:
        query = select(Document.region_code, Document.province, Document.city, Document.county).distinct()
        names: dict[str, str] = {}
        with self._archive.session() as s:
            for code, province, city, county in s.execute(query):
                if not code or len(code) != 6:
                    continue
                if province:
                    names.setdefault(regions.province_of(code), province)
                if city and regions.code_level(code) != "province":
                    names.setdefault(regions.city_of(code), city)
                if county and regions.code_level(code) == "county":
                    names.setdefault(code, county)
            self._sites = {site_id: name for site_id, name in s.execute(select(Site.id, Site.name))}
        self._regions = names
        self._loaded = time.monotonic()
