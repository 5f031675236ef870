"""The crawl's progress is written by a thread of its own: the caller never waits for the archive's
write lock, the newest counts win, and a locked archive is reported as a storage problem."""
from __future__ import annotations

import sqlite3
import threading
import time

from archive.models import CrawlRun
from archive.store import Archive, runs
from crawler.extensions.progress_writer import ProgressWriter


def _archive(tmp_path, monkeypatch, busy_seconds: str = "5"):
    monkeypatch.setenv("GOVPLANS_SQLITE_BUSY_TIMEOUT", busy_seconds)
    path = tmp_path / "archive.sqlite"
    archive = Archive(f"sqlite:///{path}")
    archive.upsert_site({"id": "s1", "base_url": "http://s1.test/"})
    return archive, path, runs.start_run(archive, "s1")


def _pages(archive, run_id) -> int:
    with archive.reading() as s:
        return s.get(CrawlRun, run_id).pages


def test_offer_returns_while_the_archive_is_locked_and_the_newest_counts_land(tmp_path, monkeypatch):
    archive, path, run_id = _archive(tmp_path, monkeypatch)
    problems = []
    writer = ProgressWriter(archive, problems.append)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        began = time.monotonic()
        for pages in range(1, 6):                  # the first waits for the lock; the rest replace each other
            writer.offer({run_id: {"pages": pages}})
        assert time.monotonic() - began < 0.5      # written in the reactor's thread, each would wait
        time.sleep(0.3)
        assert _pages(archive, run_id) in (0, None)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    writer.flush(timeout=10)
    assert _pages(archive, run_id) == 5
    writer.close()
    assert problems == []
    archive.close()


def test_flush_waits_for_a_write_under_way(tmp_path, monkeypatch):
    archive, path, run_id = _archive(tmp_path, monkeypatch)
    writer = ProgressWriter(archive, lambda problem: None)
    lock = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    lock.execute("BEGIN EXCLUSIVE")
    writer.offer({run_id: {"pages": 7}})
    threading.Timer(0.5, lambda: (lock.execute("ROLLBACK"), lock.close())).start()
    writer.flush(timeout=10)                      # returns only once the write is committed
    assert _pages(archive, run_id) == 7
    writer.close()
    archive.close()


def test_a_locked_archive_is_a_storage_problem(tmp_path, monkeypatch):
    archive, path, run_id = _archive(tmp_path, monkeypatch, busy_seconds="0.2")
    problems = []
    writer = ProgressWriter(archive, problems.append)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        writer.offer({run_id: {"pages": 3}})
        writer.flush(timeout=10)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert len(problems) == 1 and "locked" in problems[0]
    writer.close()
    archive.close()


def _progress_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "crawl-progress" and thread.is_alive())


def test_the_crawls_of_a_process_share_one_thread_which_ends_with_the_last(tmp_path, monkeypatch):
    archive, path, first_run = _archive(tmp_path, monkeypatch)
    archive.upsert_site({"id": "s2", "base_url": "http://s2.test/"})
    second_run = runs.start_run(archive, "s2")
    before = _progress_threads()
    first, second = ProgressWriter(archive, lambda problem: None), ProgressWriter(archive, lambda problem: None)
    assert _progress_threads() == before + 1      # a worker's 16 crawls at once: one thread, one connection
    first.offer({first_run: {"pages": 4}})
    second.offer({second_run: {"pages": 9}})
    first.close()
    assert _pages(archive, first_run) == 4
    second.offer({second_run: {"pages": 10}})     # the other crawl's counts still go out
    second.flush(timeout=10)
    assert _pages(archive, second_run) == 10
    assert _progress_threads() == before + 1
    second.close()
    for _ in range(50):
        if _progress_threads() == before:
            break
        time.sleep(0.1)
    assert _progress_threads() == before
    third = ProgressWriter(archive, lambda problem: None)   # a later crawl starts it again
    third.offer({first_run: {"pages": 5}})
    third.close()
    assert _pages(archive, first_run) == 5
    archive.close()


def test_a_locked_archive_stops_every_crawl_whose_counts_were_waiting(tmp_path, monkeypatch):
    archive, path, first_run = _archive(tmp_path, monkeypatch, busy_seconds="0.2")
    archive.upsert_site({"id": "s2", "base_url": "http://s2.test/"})
    second_run = runs.start_run(archive, "s2")
    told_first, told_second = [], []
    first, second = ProgressWriter(archive, told_first.append), ProgressWriter(archive, told_second.append)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        first.offer({first_run: {"pages": 1}})
        second.offer({second_run: {"pages": 2}})
        first.flush(timeout=10)
        second.flush(timeout=10)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert told_first and told_second and all("locked" in problem for problem in told_first + told_second)
    first.close()
    second.close()
    archive.close()
