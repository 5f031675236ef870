"""`govplans backup DEST` and `govplans restore SRC`: the archive copied while it runs, and put back
only when the copy proves itself.

A backup is a directory: the database (archive.sqlite by SQLite's online backup, or archive.pgdump),
warc/ and manifest.json (every file's size and SHA-256). The database is copied first: a capture row
is written only after its record is on disk, so every record the copied rows name is in the WARC
files copied after them. WARC files only grow, so a file already in DEST is extended with the bytes
it lacks; a file still being written is copied up to its last whole record (the rest comes next time).
The index is not copied: it is derived, and rebuilt on restore.

Restore checks the manifest (sizes, digests), copies the backup beside the data directory, runs
verify on the copy (the database's rows against the WARC records) and moves it into place only if
nothing was lost; otherwise it refuses and leaves the data directory as it was.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from archive.config import DataDir
from archive.store import snapshot
from archive.store.database import Archive
from archive.warc import whole_end

MANIFEST = "manifest.json"
FORMAT = 1
_COPY = 1 << 20


class BackupError(RuntimeError):
    pass


@dataclass
class BackupSummary:
    database: str
    database_bytes: int
    warc_files: int
    warc_bytes: int
    copied_bytes: int          # WARC bytes written this time (an incremental backup copies only what is new)
    unchanged_files: int
    seconds: dict[str, float] = field(default_factory=dict)


def _sha256(path: Path, start: int = 0, digest=None):
    digest = digest or hashlib.sha256()
    with open(path, "rb") as handle:
        handle.seek(start)
        while chunk := handle.read(_COPY):
            digest.update(chunk)
    return digest


def read_manifest(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def backup(data: DataDir, dest: Path) -> BackupSummary:
    dest = Path(dest)
    if dest.resolve() == data.root.resolve() or data.root.resolve() in dest.resolve().parents:
        raise BackupError("the backup must go outside the data directory")
    (dest / "warc").mkdir(parents=True, exist_ok=True)
    previous = (read_manifest(dest) or {}).get("warc", {})
    started = time.monotonic()
    database = snapshot.copy_database(data.database_url, dest)        # first: see the module's note
    after_db = time.monotonic()
    files, copied, unchanged = {}, 0, 0
    for source in sorted(data.warc_dir.glob("*.warc.gz")) if data.warc_dir.is_dir() else []:
        entry, written = _copy_warc(source, dest / "warc" / source.name, previous.get(source.name))
        files[source.name] = entry
        copied += written
        unchanged += written == 0
    counts = _counts(dest / database.name)
    manifest = {"format": FORMAT, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database": {"file": database.name, "size": database.stat().st_size,
                             "sha256": _sha256(database).hexdigest()},
                "warc": files, **counts}
    partial = dest / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(dest / MANIFEST)
    done = time.monotonic()
    return BackupSummary(database.name, database.stat().st_size, len(files), sum(f["size"] for f in files.values()),
                         copied, unchanged, {"database": after_db - started, "warc": done - after_db})


def _copy_warc(source: Path, target: Path, before: dict | None) -> tuple[dict, int]:
    """(manifest entry, bytes written): the file's whole records copied, appending when `target`
    already holds a prefix of it (as the last manifest says)."""
    size = source.stat().st_size
    have = target.stat().st_size if target.exists() else 0
    if before and have == before.get("size") and have <= size:
        if have == size:
            return before, 0
        with open(source, "rb") as handle, open(target, "rb") as mine:   # the same file, grown?
            tail = min(have, 4096)
            handle.seek(have - tail)
            mine.seek(have - tail)
            same = handle.read(tail) == mine.read(tail)
        start = have if same else 0
    else:
        start = 0
    end = whole_end(source, start, size)
    if start and end == start:
        return before, 0
    mode = "r+b" if start else "wb"
    with open(source, "rb") as handle, open(target, mode) as out:
        out.seek(start)
        out.truncate(start)
        handle.seek(start)
        left = end - start
        while left > 0:
            chunk = handle.read(min(_COPY, left))
            if not chunk:
                break
            out.write(chunk)
            left -= len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return {"size": target.stat().st_size, "sha256": _sha256(target).hexdigest()}, end - start


def _counts(database: Path) -> dict:
    """What the copy holds, for the manifest (an SQLite copy only: a dump is not opened here)."""
    if database.name != snapshot.SQLITE_FILE:
        return {}
    import sqlite3

    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {"documents": connection.execute("SELECT count(*) FROM documents").fetchone()[0],
                "captures": connection.execute("SELECT count(*) FROM captures").fetchone()[0]}
    finally:
        connection.close()


def check_manifest(src: Path) -> list[str]:
    """What does not match the manifest: files missing, of another size or digest."""
    manifest = read_manifest(src)
    if manifest is None:
        return [f"no readable {MANIFEST} in {src}"]
    if manifest.get("format") != FORMAT:
        return [f"{MANIFEST}: format {manifest.get('format')!r}, this version reads {FORMAT}"]
    problems = []
    listed = [(manifest["database"]["file"], manifest["database"])]
    listed += [(f"warc/{name}", entry) for name, entry in manifest["warc"].items()]
    for name, entry in listed:
        path = src / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != entry["size"]:
            problems.append(f"{name}: {path.stat().st_size} bytes, the manifest says {entry['size']}")
        elif _sha256(path).hexdigest() != entry["sha256"]:
            problems.append(f"{name}: SHA-256 differs from the manifest's")
    return problems


def restore(src: Path, data: DataDir) -> dict:
    """Put the backup in `src` in place as the archive of `data` (which must hold none yet);
    BackupError when the backup does not verify. Returns the verify report's figures."""
    from archive.operations.indexing import rebuild_index
    from archive.operations.verify import verify

    src = Path(src)
    problems = check_manifest(src)
    if problems:
        raise BackupError("the backup does not match its manifest: " + "; ".join(problems[:10]))
    manifest = read_manifest(src)
    dump = src / manifest["database"]["file"]
    sqlite = dump.name == snapshot.SQLITE_FILE
    if sqlite != snapshot.is_sqlite(data.database_url):
        raise BackupError(f"a backup of {'an SQLite' if sqlite else 'a PostgreSQL'} archive cannot be restored "
                          f"into {'an SQLite' if not sqlite else 'a PostgreSQL'} one")
    if any(data.warc_dir.glob("*.warc.gz")) or (sqlite and snapshot.sqlite_path(data.database_url).exists()):
        raise BackupError(f"{data.root} already holds an archive: restore into an empty data directory")
    staging = data.root.with_name(data.root.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "warc").mkdir(parents=True)
    for name in manifest["warc"]:
        shutil.copyfile(src / "warc" / name, staging / "warc" / name)
    if sqlite:
        shutil.copyfile(dump, staging / snapshot.SQLITE_FILE)
        url = f"sqlite:///{staging / snapshot.SQLITE_FILE}"
    else:
        snapshot.restore_database(dump, data.database_url)   # PostgreSQL: checked in place, below
        url = data.database_url
    archive = Archive(url)
    try:
        report = verify(DataDir(staging), check_index=False, archive=archive)
    finally:
        archive.close()
    if report.loss:
        shutil.rmtree(staging, ignore_errors=True)
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts.items()))
        raise BackupError(f"the backup does not verify ({kinds}): not restored")
    data.root.mkdir(parents=True, exist_ok=True)
    data.warc_dir.mkdir(parents=True, exist_ok=True)
    for path in (staging / "warc").iterdir():
        os.replace(path, data.warc_dir / path.name)
    if sqlite:
        snapshot.restore_database(staging / snapshot.SQLITE_FILE, data.database_url, move=True)
    shutil.rmtree(staging, ignore_errors=True)
    indexed = rebuild_index(data)
    return {"documents": report.documents, "captures": report.captures, "records": report.records,
            "warc_files": report.files, "indexed": indexed, "faults": report.counts}
