"""Keeping the search index up to date with the database (the index is derived: rebuildable any time),
and the marks that make a killed crawl's documents reach the index on the next run."""
from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from archive import index as search_index
from archive.config import DataDir
from archive.read.documents import count_documents
from archive.store.database import Archive
from archive.store.index_feed import iter_index_docs


def update_index(data: DataDir, since: datetime | None) -> int:
    """Index documents updated since a moment (all when None); idempotent."""
    archive = Archive(data.database_url)
    try:
        return search_index.index_documents(data.index_dir, iter_index_docs(archive, updated_since=since))
    finally:
        archive.close()


PENDING_DIR = "index-pending"


@contextmanager
def pending_index(data: DataDir, started: datetime) -> Iterator[datetime]:
    """Mark what a crawl writes from `started` on as not yet indexed until the block ends without an
    error (a file in DATA/index-pending/). Yields the moment the crawl's index update must start from:
    `started`, or earlier when a crawl killed before its index update (kill -9, a scheduler's crawl
    child dying with it) left its mark: its documents are indexed now, and its mark removed."""
    directory = data.root / PENDING_DIR
    directory.mkdir(parents=True, exist_ok=True)
    mine = directory / f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    mine.write_text(started.isoformat(), encoding="utf-8")
    left = _dead_marks(directory, exclude=mine)
    since = min([started] + [moment for _, moment in left])
    yield since
    for path, _ in left:
        path.unlink(missing_ok=True)
    mine.unlink(missing_ok=True)


def clear_pending_index(data: DataDir) -> None:
    """After a full index update: the marks that dead crawls left are covered."""
    directory = data.root / PENDING_DIR
    if directory.is_dir():
        for path, _ in _dead_marks(directory):
            path.unlink(missing_ok=True)


def _dead_marks(directory: Path, exclude: Path | None = None) -> list[tuple[Path, datetime]]:
    """Marks of crawls on this host whose process is gone (those of other hosts: when they are a day old)."""
    out = []
    host = socket.gethostname()
    for path in directory.iterdir():
        if path == exclude:
            continue
        try:
            moment = datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            continue
        owner_host, _, rest = path.name.rpartition("-")[0].rpartition("-")
        pid = rest
        if owner_host == host and pid.isdigit():
            if _alive(int(pid)):
                continue
        elif (datetime.now() - datetime.fromtimestamp(path.stat().st_mtime)).days < 1:
            continue
        out.append((path, moment))
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:   # a zombie (killed, not yet reaped by its parent) has stopped writing: it counts as dead
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def rebuild_index(data: DataDir, progress: bool = False, procs: int | None = None) -> int:
    """Rebuild the index from the database on `procs` processes (all cores by default),
    with a progress bar on stderr when asked."""
    archive = Archive(data.database_url)
    try:
        docs = iter_index_docs(archive)
        if progress:
            from tqdm import tqdm
            docs = tqdm(docs, total=count_documents(archive), unit="doc", desc="index", file=None)
        return search_index.rebuild(data.index_dir, docs, procs=procs or os.cpu_count() or 1)
    finally:
        archive.close()
