"""A consistent copy of the archive's database while crawls and the server write to it, and the
copy put back: SQLite's online backup API (pages copied under the database's own locking, so the
copy is one committed state, never a torn file), or pg_dump / pg_restore on PostgreSQL."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import make_url

from archive.config import sqlite_busy_timeout

SQLITE_FILE = "archive.sqlite"
PG_FILE = "archive.pgdump"


class SnapshotError(RuntimeError):
    pass


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise SnapshotError(f"not an SQLite file: {url.render_as_string(hide_password=True)}")
    return Path(url.database)


def copy_database(database_url: str, directory: Path) -> Path:
    """The database copied into `directory` as one committed state; returns the file written."""
    if is_sqlite(database_url):
        return _sqlite_backup(sqlite_path(database_url), directory / SQLITE_FILE)
    return _pg_dump(database_url, directory / PG_FILE)


def _sqlite_backup(source: Path, target: Path) -> Path:
    if not source.is_file():
        raise SnapshotError(f"no archive at {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=sqlite_busy_timeout())
    dst = sqlite3.connect(partial)
    try:
        # one step: the copy reads one WAL snapshot start to end (in steps, every write another
        # process commits would restart it, and a busy crawl could starve it); writers go on meanwhile
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")    # one self-contained file
    finally:
        dst.close()
        src.close()
    partial.replace(target)
    return target


def _libpq(database_url: str) -> tuple[str, str | None]:
    """(a libpq URI for the command-line tools, the schema named by a search_path option)."""
    url = make_url(database_url)
    schema = None
    options = url.query.get("options")
    if isinstance(options, str) and "search_path=" in unquote(options):
        schema = unquote(options).split("search_path=", 1)[1].split()[0].split(",")[0]
    return url.set(drivername="postgresql").render_as_string(hide_password=False), schema


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SnapshotError(f"{name} not found: install the PostgreSQL client (scripts/install-postgres-client.sh)")
    return found


def _pg_dump(database_url: str, target: Path) -> Path:
    uri, schema = _libpq(database_url)
    partial = target.with_name(target.name + ".partial")
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={uri}"]
    if schema:
        command.append(f"--schema={schema}")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SnapshotError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
    partial.replace(target)
    return target


def restore_database(dump: Path, database_url: str, move: bool = False) -> None:
    """Put a copy back: an SQLite file in place of the database file (its old WAL dropped; `move`
    takes the file itself, on the same file system), or pg_restore into the configured database
    (objects dropped and made again)."""
    if dump.name == SQLITE_FILE:
        target = sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        if move:
            os.replace(dump, partial)
        else:
            shutil.copyfile(dump, partial)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        partial.replace(target)
        return
    uri, _ = _libpq(database_url)
    result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                             f"--dbname={uri}", str(dump)], capture_output=True, text=True)
    if result.returncode != 0:
        raise SnapshotError(f"pg_restore failed: {result.stderr.strip()[-500:]}")
