"""The archive's one door to SQL for writing, and for the queries the crawler and the operations
need (archive/read answers what the UI and the CLI show).

    database.py   Archive: engine, sessions, migrations; sites, captures, documents, withdrawals
    documents.py  the content hash (what counts as an edit) and a document row from a page
    clusters.py   near-duplicate clusters kept in SQL (dedup's arithmetic is archive/dedup)
    composition.py   a document's text kept composed of its page's and its attachments' texts
    site_templates.py   each site's templates learnt from its pages; their chrome cut from stored texts
    captures.py   what a crawl needs of earlier captures (revisit records)
    runs.py       crawl_runs and what a run needs to know of a site
    health.py, schedules.py, saved.py   the rows of archive/operations
    errors.py     storage problems an operator must fix, in one sentence
    migrations/   Alembic, run when an Archive opens
"""
from archive.store.database import Archive
from archive.store.documents import IngestResult, content_hash
from archive.store.errors import StorageError, storage_problem

__all__ = ["Archive", "IngestResult", "StorageError", "content_hash", "storage_problem"]
