"""The farm's values: a site, its columns, a document, and day 0 of every world.

Families render these and the world makes them (sitefarm/world.py); both import them from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from archive.extract.document import Region
from sitefarm import texts

# Day 0 of every world; --day D moves "today" D days on.
EPOCH = date(2025, 6, 30)


@dataclass(frozen=True)
class Column:
    path: str
    name: str


@dataclass(frozen=True)
class Site:
    index: int
    id: str              # qiyang
    host: str            # www.qiyang.gov.cn.test
    name: str            # 祁阳市人民政府
    region: Region
    site_code: str       # SiteIDCode: a renamed county keeps its old code there, as real portals do
    family: str
    columns: tuple[Column, ...]
    base_docs: int       # documents on day 0
    first_doc_id: int
    defence: str | None = None   # how the site keeps crawlers out (sitefarm/defences.py); None: it does not
    level: str = "county"        # province / city: the portals World(citations=True) adds above the counties


@dataclass(frozen=True)
class Doc:
    site: Site
    seq: int             # 0 is the oldest document of the site
    doc_id: int          # the number in t20240524_<doc_id>.html
    column: Column
    header: texts.Header
    pub_time: str        # 10:08
    index_number: str
    version: int         # 1, then one more on each day the text was edited
    status: str          # active / changed / withdrawn
    added_day: int = 0               # the day it appeared (0: already there on day 0)
    changed_day: int | None = None   # the last day it changed (its text, or a file replaced)
    withdrawn_day: int | None = None
    gone: bool = False               # withdrawn as 404 (else only taken off the lists)
    text_day: int | None = None      # the last day its text was edited
    file_edits: int = 0              # times one of its forms/tables was replaced (same URL, new bytes)
    chrome_day: int | None = None    # the last day only its page's chrome changed (not the document)

    @property
    def text_version(self) -> int:
        """1, then one more for each edit of the text (a replaced file is a version, not a text edit)."""
        return self.version - self.file_edits

    @property
    def published(self) -> date:
        return self.header.published

    @property
    def listed_on(self) -> date:
        """The date the lists show: the day of the last edit (re-publish), else the publish date."""
        return EPOCH + timedelta(days=self.changed_day) if self.changed_day else self.header.published
