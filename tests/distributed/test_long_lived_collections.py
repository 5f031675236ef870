"""A worker's long-lived processes run with the crawl's collector settings (crawler/run.py
`fewer_collections`), as `govplans crawl`'s processes do: the crawl process, and the machine's
writer, whose stages are forked inside it."""
from __future__ import annotations

import gc

import scrapy.crawler
import scrapy.utils.reactor

from crawler.distributed import engine, machine_writer
from crawler.run import GC_YOUNG_THRESHOLD


def test_the_machine_writer_serves_with_fewer_collections(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(machine_writer, "_serve", lambda *args: seen.append(gc.get_threshold()[0]))
    machine_writer.serve(f"sqlite:///{tmp_path / 'archive.db'}")
    assert seen and seen[0] >= GC_YOUNG_THRESHOLD
    assert gc.get_threshold()[0] < GC_YOUNG_THRESHOLD and gc.get_freeze_count() == 0   # undone after


def test_the_worker_crawl_process_runs_its_reactor_with_fewer_collections(monkeypatch):
    seen = []

    class Process:
        def __init__(self, settings):
            pass

        def start(self, **kwargs):
            seen.append(gc.get_threshold()[0])

    # no lifeline, pipe reader, signal handlers or reactor of its own in the test's process
    monkeypatch.setattr(engine, "die_with_worker", lambda lifeline: None)
    monkeypatch.setattr(engine, "_listen", lambda conn, crawls: None)
    monkeypatch.setattr(engine.signal, "signal", lambda *args: None)
    monkeypatch.setattr(scrapy.utils.reactor, "install_reactor", lambda *args: None)
    monkeypatch.setattr(scrapy.crawler, "CrawlerProcess", Process)
    engine.serve(conn=None, lifeline=None)
    assert seen and seen[0] >= GC_YOUNG_THRESHOLD
    assert gc.get_threshold()[0] < GC_YOUNG_THRESHOLD
