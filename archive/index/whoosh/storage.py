"""Where the live Whoosh index is, and who may write it.

    index_dir/CURRENT        name of the live generation, replaced atomically
    index_dir/gen-000007/    a complete Whoosh index, with FORMAT naming how its terms are made
    index_dir/write.lock     flock held by the one writer (threads and processes alike)

A rebuild fills a new generation and then switches CURRENT, so readers see the old index
or the new one, never half of one; a crash mid-build leaves a stray directory that the next
rebuild removes.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from archive.index.api import IndexFormatError

CURRENT = "CURRENT"
_PREFIX = "gen-"
FORMAT = "substring-2"   # bigrams + run-final characters (terms.py), raw positions (substring.py)


def check_format(generation: Path) -> None:
    try:
        found = (generation / "FORMAT").read_text().strip()
    except FileNotFoundError:
        found = "substring-1"
    if found != FORMAT:
        raise IndexFormatError(f"索引格式已更新，请运行 govplans index --rebuild / The index format changed "
                               f"({found} -> {FORMAT}): run govplans index --rebuild")


def live_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    path = index_dir / name
    return path if path.is_dir() else None


def new_generation(index_dir: Path) -> Path:
    numbers = [int(p.name[len(_PREFIX):]) for p in index_dir.glob(_PREFIX + "*")
               if p.name[len(_PREFIX):].isdigit()]
    path = index_dir / f"{_PREFIX}{max(numbers, default=0) + 1:06d}"
    path.mkdir()
    (path / "FORMAT").write_text(FORMAT + "\n")
    return path


def make_live(index_dir: Path, generation: Path) -> None:
    """Switch CURRENT to `generation` atomically and remove every other generation."""
    tmp = index_dir / (CURRENT + ".tmp")
    tmp.write_text(generation.name + "\n")
    with open(tmp) as f:
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / CURRENT)
    for old in index_dir.glob(_PREFIX + "*"):
        if old != generation:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def write_lock(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "write.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
