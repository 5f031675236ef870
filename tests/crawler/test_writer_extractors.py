"""The archive writer with several extractor processes: pages taken in turn, stored in the order sent."""
from __future__ import annotations

import os
import signal
import sys
import threading

from sqlalchemy import select

import crawler.writer as writer_module
from archive.models import Document
from crawler.writer import ArchiveWriter, extractor_count
from tests.crawler.test_writer import _archive, _page


class _NoReactor:
    """Answers handed over at once (the test has no Twisted reactor running)."""

    def __init__(self):
        self.lock = threading.Lock()

    def callFromThread(self, function, *args):
        with self.lock:
            function(*args)


def test_pages_split_over_three_extractors_are_stored_in_the_order_sent(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "_reactor", _NoReactor)
    _archive(tmp_path).close()
    url = f"sqlite:///{tmp_path / 'archive.sqlite'}"
    answered: dict[int, str] = {}
    done = threading.Event()
    pages = 31

    def answer_for(n):
        def answer(stored):
            answered[n] = stored.outcome or stored.error or stored.fatal
            if len(answered) == pages:
                done.set()
        return answer

    writer = ArchiveWriter(url, batch_items=4, batch_seconds=0.05, extractors=3)
    assert [p.name for p in writer.processes].count("govplans-extractor") == 3
    for n in range(pages):
        writer.submit(_page(n), None, answer_for(n))
    assert done.wait(60), f"{pages - len(answered)} pages unanswered"
    writer.close()
    assert set(answered.values()) == {"new"}
    archive = _archive(tmp_path)
    with archive.reading() as session:
        urls = list(session.scalars(select(Document.url).order_by(Document.id)))
    archive.close()
    assert urls == [f"http://q.test/{n}.html" for n in range(pages)]


def test_an_extractor_killed_mid_crawl_stops_the_writer_and_every_page_gets_an_answer(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "_reactor", _NoReactor)
    monkeypatch.setitem(sys.modules, "twisted.internet.reactor", object())   # "the crawl has started"
    _archive(tmp_path).close()
    answered: dict[int, object] = {}
    writer = ArchiveWriter(f"sqlite:///{tmp_path / 'archive.sqlite'}", batch_items=4, batch_seconds=0.05,
                           extractors=2)
    second = writer.processes[1]
    os.kill(second.pid, signal.SIGKILL)
    second.join(10)
    for n in range(10):
        writer.submit(_page(n), None, lambda stored, n=n: answered.__setitem__(n, stored))
    deadline = threading.Event()
    for _ in range(300):
        if len(answered) == 10:
            break
        deadline.wait(0.1)
    writer.close(timeout=10)
    assert sorted(answered) == list(range(10)), "a page went unanswered"
    failed = [stored.fatal for stored in answered.values() if stored.fatal]
    assert failed and all("archive writer's processes stopped" in why for why in failed)
    assert writer.dead and "-9" in writer.dead


def test_extractor_count_is_configurable_and_defaults_to_the_cores(monkeypatch):
    monkeypatch.setenv("GOVPLANS_EXTRACTORS", "3")
    assert extractor_count() == 3
    monkeypatch.delenv("GOVPLANS_EXTRACTORS")
    monkeypatch.setattr(writer_module.os, "sched_getaffinity", lambda pid: set(range(6)))
    assert extractor_count() == 6
    monkeypatch.setattr(writer_module.os, "sched_getaffinity", lambda pid: set(range(64)))
    assert extractor_count() == writer_module.MAX_EXTRACTORS
