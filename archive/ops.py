"""Operations that span the store and the index (kept out of both so each stays single-purpose)."""
from __future__ import annotations

import os
from datetime import datetime

from archive import index as search_index
from archive.config import DataDir
from archive.store import Archive


def update_index(data: DataDir, since: datetime | None) -> int:
    """Index documents updated since a moment (all when None); idempotent."""
    archive = Archive(data.database_url)
    try:
        return search_index.index_documents(data.index_dir, archive.iter_index_docs(updated_since=since))
    finally:
        archive.close()


def rebuild_index(data: DataDir, progress: bool = False, procs: int | None = None) -> int:
    """Rebuild the index from the database on `procs` processes (all cores by default),
    with a progress bar on stderr when asked."""
    archive = Archive(data.database_url)
    try:
        docs = archive.iter_index_docs()
        if progress:
            from tqdm import tqdm
            docs = tqdm(docs, total=archive.count_documents(), unit="doc", desc="index", file=None)
        return search_index.rebuild(data.index_dir, docs, procs=procs or os.cpu_count() or 1)
    finally:
        archive.close()
