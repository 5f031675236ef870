"""The archive's tables: the database is the source of truth.

Only the store (archive/store) and the read layer (archive/read) import these; everything else asks them.
"""
from archive.models.base import Base
from archive.models.documents import (Attachment, Capture, Citation, Cluster, DedupKeys, Document, LshBucket, Site, SiteTemplate,
                                      Version)
from archive.models.operations import (EVENT_KINDS, CrawlRun, DocumentEvent, OcrJob, RunCheck, SavedSearch, Schedule, SiteEvent,
                                       SiteHealth, SiteLock, new_feed_key)

__all__ = ["Base", "Attachment", "Capture", "Citation", "Cluster", "DedupKeys", "Document", "LshBucket", "Site", "SiteTemplate",
           "Version",
           "EVENT_KINDS", "CrawlRun", "DocumentEvent", "OcrJob", "RunCheck", "SavedSearch", "Schedule", "SiteEvent", "SiteHealth",
           "SiteLock",
           "new_feed_key"]
