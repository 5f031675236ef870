"""A full disk and a locked SQLite database end `govplans crawl` and `govplans index` with one clear
line and a non-zero exit, not a traceback; once the condition clears, `govplans crawl --resume`
(or `govplans index`) leaves nothing lost, nothing twice, and an index equal to a rebuild.

A real full disk needs root (a small tmpfs); without it the crawl runs with the WARC writer made to
fail with ENOSPC, which is what the kernel would say."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from evaluation.crashes import (CRASH_WORLD, ROOT, CrashOutcome, attachments_lost, check_archive,
                                compare_index, count_documents, govplans, serve_paced, start, stderr_of,
                                truth_of, wait_for, write_registry)

FAST_LOCK = {"GOVPLANS_SQLITE_BUSY_TIMEOUT": "1"}


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    from sitefarm.world import World

    world = World(**CRASH_WORLD)
    server, port, _ = serve_paced(world, hold=0.01)
    sites_file = write_registry(tmp_path_factory.mktemp("storage-sites") / "sites.yaml", world.registry(port))
    yield truth_of(world, port), sites_file
    server.shutdown()


def _clean_exit(result_or_stderr: str) -> None:
    assert "Traceback" not in result_or_stderr, result_or_stderr[-3000:]


def _survived(data, truth) -> CrashOutcome:
    outcome = CrashOutcome("storage", 0, check=check_archive(data, truth))
    outcome.attachments_lost = attachments_lost(data, truth)
    compare_index(data, data.parent / f"{data.name}-rebuilt", outcome)
    check = outcome.check
    assert check.lost == [] and check.duplicated == [] and check.outside == [] and check.wrong == []
    assert outcome.attachments_lost == [] and check.warc_unreadable == []
    assert outcome.index_equal and outcome.indexed == check.stored
    return outcome


class ExclusiveLock:
    """Another process's write lock on the archive database, held until released."""

    def __init__(self, database: str):
        self.connection = sqlite3.connect(database, timeout=0.001, isolation_level=None, check_same_thread=False)

    def take(self, seconds: float = 60) -> "ExclusiveLock":
        # asked again at once, not after SQLite's growing busy sleeps: the crawl's archive writer commits
        # back to back, and only a prompt asker gets the lock between two of its transactions
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.connection.execute("BEGIN EXCLUSIVE")
                return self
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise

    def release(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def test_crawl_of_a_locked_database_says_so_and_writes_nothing(farm, tmp_path):
    truth, sites_file = farm
    data = tmp_path / "data"
    assert govplans("index", data=data).returncode == 0            # an empty archive, migrated
    lock = ExclusiveLock(str(data / "archive.sqlite")).take()
    try:
        result = govplans("crawl", "--sites-file", str(sites_file), data=data, env=FAST_LOCK)
    finally:
        lock.release()
    assert result.returncode == 1
    assert "locked by another process" in result.stderr.splitlines()[-1]
    _clean_exit(result.stderr)
    assert not (data / "crawl-job.json").exists()               # nothing started: nothing to resume


def test_database_locked_mid_crawl_stops_it_clearly_and_resume_loses_nothing(farm, tmp_path):
    truth, sites_file = farm
    data = tmp_path / "data"
    process = start("crawl", "--sites-file", str(sites_file), data=data, env=FAST_LOCK)
    assert wait_for(lambda: count_documents(data) >= 10, 120, process)
    lock = ExclusiveLock(str(data / "archive.sqlite")).take()
    try:
        process.wait(timeout=120)
    finally:
        lock.release()
    err = stderr_of(process)
    assert process.returncode == 1, err[-3000:]
    assert "locked by another process" in err.splitlines()[-1] and "--resume" in err.splitlines()[-1]
    _clean_exit(err)
    stored = count_documents(data)
    assert 10 <= stored < sum(1 for doc in truth if doc["status"] != "withdrawn")
    result = govplans("crawl", "--resume", data=data)
    assert result.returncode == 0, result.stderr[-3000:]
    _survived(data, truth)


@pytest.fixture
def small_disk(tmp_path):
    """A 900 KiB tmpfs (root only) and a function that grows it; or None."""
    if os.geteuid() != 0:
        yield None
        return
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=900k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        yield None
        return

    def grow():
        subprocess.run(["mount", "-o", "remount,size=64m", str(mount)], check=True)

    try:
        yield mount, grow
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


_FULL_AFTER = """
import errno
from archive import warc
writes = {"n": 0}
original = warc.WarcWriter.write
def write(self, *args, **kwargs):
    writes["n"] += 1
    if writes["n"] > LIMIT:
        raise OSError(errno.ENOSPC, "No space left on device", str(self.directory))
    return original(self, *args, **kwargs)
warc.WarcWriter.write = write
from govplans.cli import main
main()
"""


def _crawl_on_full_disk(data, sites_file, limit: int) -> subprocess.CompletedProcess:
    """`govplans crawl` whose WARC writes fail with ENOSPC after `limit` captures."""
    code = _FULL_AFTER.replace("LIMIT", str(limit))
    env = dict(os.environ, GOVPLANS_DATA=str(data))
    return subprocess.run([sys.executable, "-c", code, "crawl", "--sites-file", str(sites_file)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_disk_full_mid_crawl_stops_it_clearly_and_resume_loses_nothing(farm, small_disk, tmp_path):
    truth, sites_file = farm
    if small_disk is None:                                     # not root: ENOSPC from the WARC writer
        data = tmp_path / "data"
        result = _crawl_on_full_disk(data, sites_file, limit=30)
    else:
        mount, grow = small_disk
        data = mount / "data"
        result = govplans("crawl", "--sites-file", str(sites_file), data=data)
    assert result.returncode == 1, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: disk full") and "--resume" in last, last
    _clean_exit(result.stderr)
    assert count_documents(data) < sum(1 for doc in truth if doc["status"] != "withdrawn")
    if small_disk is not None:
        grow()
    result = govplans("crawl", "--resume", data=data)
    assert result.returncode == 0, result.stderr[-3000:]
    _survived(data, truth)


def test_index_on_a_full_disk_says_so_and_a_rerun_equals_a_rebuild(farm, small_disk, tmp_path):
    truth, sites_file = farm
    if small_disk is None:
        pytest.skip("needs root for a small tmpfs")
    mount, grow = small_disk
    source = tmp_path / "source"
    assert govplans("crawl", "--sites-file", str(sites_file), data=source).returncode == 0
    data = mount / "data"
    data.mkdir()
    with sqlite3.connect(source / "archive.sqlite") as connection:
        connection.execute("VACUUM INTO ?", (str(data / "archive.sqlite"),))
    (data / "warc").symlink_to(source / "warc")                # the evidence elsewhere; the index here
    filler = mount / "filler"
    free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
    filler.write_bytes(b"\0" * max(0, free - 64 * 1024))        # leave 64 KiB: too little for the index
    result = govplans("index", "--rebuild", data=data)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: disk full"), result.stderr[-2000:]
    _clean_exit(result.stderr)
    filler.unlink()
    grow()
    result = govplans("index", data=data)
    assert result.returncode == 0, result.stderr[-3000:]
    _survived(data, truth)


def test_storage_problems_are_told_in_one_sentence_and_other_errors_are_not():
    import errno

    from sqlalchemy.exc import OperationalError

    from archive.store import storage_problem

    assert storage_problem(OSError(errno.ENOSPC, "No space left", "/d/warc/x.warc.gz")).startswith("disk full")
    wrapped = OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))
    assert "locked by another process" in storage_problem(wrapped)
    full = OperationalError("INSERT …", {}, sqlite3.OperationalError("database or disk is full"))
    assert storage_problem(full).startswith("disk full")
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left")
        except OSError as inner:
            raise RuntimeError("while writing") from inner
    except RuntimeError as outer:
        assert storage_problem(outer).startswith("disk full")
    assert storage_problem(ValueError("a bug")) is None
    assert storage_problem(OSError(errno.ENOENT, "missing")) is None
