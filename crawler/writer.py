"""The archive writer: long-lived processes that extract and store what the crawl captured, so
the crawl (Scrapy's reactor, the WARC capture) never waits for the archive and every core works.

    crawl process                            extractor processes          store process
    ArchiveWriterPipeline.process_item ──►   bytes -> document fields ──► Archive.batch(): up to
      a Deferred, fired once stored          (crawler/pipelines/           BATCH_ITEMS pages or
    ◄── (outcome, the document's fields) ─── extraction.py), in turn     BATCH_SECONDS, one commit

They are forked from the crawl before Scrapy starts (crawler/run.py), with the modules loaded, and
live as long as the crawl; crawler/writer_stages.py holds their loops.

- Batches: pages are stored together in one transaction (Archive.batch: one commit, each
  document's cluster and citations once); only then is each page answered. A Deferred fires after
  its page is committed, so what the crawl-runs extension counts is stored. Pages keep their order
  (a page is stored before the files it links, as in the crawl).
- Extractors: one per core (extractor_count). Page n goes to extractor n mod N and the store
  reads the extractors' pipes in the same turn, so the order holds whatever each page costs.
- Back-pressure: at most MAX_PENDING pages are with the writer; more wait in the crawl process,
  their Deferreds unfired, which keeps Scrapy's scraper slot full so it stops taking new requests
  (SCRAPER_SLOT_MAX_ACTIVE_SIZE) until the archive catches up. A thread sends the pages, so a full
  pipe never blocks the reactor; a thread of the store reads its pipe while a batch is stored, so the
  extractor never waits for a commit (the two stages work at once, not in turns).
- Errors: a page that fails (not a storage problem) rolls its batch back; the batch is stored again
  page by page, so only that page fails (logged by Scrapy as before). A storage problem (disk full,
  database locked) is every page's answer from then on: the pipeline stops the crawl
  (crawler.failures.abort_crawl) and `govplans crawl --resume` continues. A stage that dies is one too.
- Crashes: the stages die with the crawl (PR_SET_PDEATHSIG: a kill -9 of the crawl takes them
  along); what they had not committed was never counted, and the resume fetches it again (the
  archive is the journal, crawler/run.py). Ctrl-C reaches the crawl only: the stages finish what
  they were given.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
from collections import deque
from typing import Callable

from crawler.writer_stages import Stored, extract_stage, store_stage

BATCH_ITEMS = 128         # pages per transaction at most
BATCH_SECONDS = 0.5       # and the longest a page waits for its batch's commit
MAX_PENDING = 256         # pages with the writer at once; more wait in the crawl process
MAX_EXTRACTORS = 8


def extractor_count() -> int:
    """Extractor processes: $GOVPLANS_EXTRACTORS, else one per core this process may use, at most
    MAX_EXTRACTORS. Extraction is most of the writer's CPU on real pages (a saved government page
    takes ~15-20 ms, its crawl and store a few), so one extractor kept a 2-core machine's second
    core half idle there; on the farm's light pages two extractors cost no more than one."""
    value = os.environ.get("GOVPLANS_EXTRACTORS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, min(MAX_EXTRACTORS, len(os.sched_getaffinity(0))))


def batch_size() -> int:
    """Pages per transaction: BATCH_ITEMS, or $GOVPLANS_WRITER_BATCH (the crash tests use small
    batches so that their kill points fall between commits, as a long real crawl's do)."""
    value = os.environ.get("GOVPLANS_WRITER_BATCH", "")
    return int(value) if value.isdigit() and int(value) > 0 else BATCH_ITEMS


class PageSender:
    """The crawl process's side of a writer: pages numbered and sent, at most max_pending at once
    (more wait here, their Deferreds unfired: back-pressure), each answer handed to its page; once
    the writer is gone (`dead` says why) every page, waiting or to come, is answered with it.
    Subclasses send a message with _send; submit and _answer run in the reactor's thread."""

    def __init__(self, max_pending: int = MAX_PENDING):
        self.max_pending = max_pending
        self.dead: str | None = None
        self._seq = 0
        self._answers: dict[int, Callable[[Stored], None]] = {}
        self._waiting: deque = deque()                # pages over max_pending, not sent yet

    @property
    def pending(self) -> int:
        return len(self._answers)

    def submit(self, item, run_id: int | None, answer: Callable[[Stored], None]) -> None:
        if self.dead:
            answer(Stored(fatal=self.dead))
            return
        self._seq += 1
        self._answers[self._seq] = answer
        if len(self._answers) - len(self._waiting) > self.max_pending:
            self._waiting.append((self._seq, item, run_id))
        else:
            self._send((self._seq, item, run_id))

    def _send(self, message) -> None:
        raise NotImplementedError

    def _answer(self, answers) -> None:
        for seq, stored in answers:
            answer = self._answers.pop(seq, None)
            if answer is not None:
                answer(stored)
        while self._waiting and len(self._answers) - len(self._waiting) <= self.max_pending:
            self._send(self._waiting.popleft())

    def _fail_all(self, why: str) -> None:
        self.dead = why
        self._waiting.clear()
        self._answer([(seq, Stored(fatal=why)) for seq in list(self._answers)])


class ArchiveWriter(PageSender):
    """The crawl process's end: submit(item, run_id, answer) sends a page to the writer; answer(Stored)
    is called in the reactor's thread once the page is stored (or failed, or the crawl must stop)."""

    def __init__(self, database_url: str, batch_items: int | None = None, batch_seconds: float = BATCH_SECONDS,
                 max_pending: int = MAX_PENDING, extractors: int | None = None):
        batch_items = batch_items or batch_size()
        extractors = extractors or extractor_count()
        if extractors > 1:
            from crawler.pipelines.extraction import warm_up

            warm_up()   # once here, not once in each extractor
        context = multiprocessing.get_context("fork")   # the modules are loaded already: no re-import
        to_extract, self._pages = zip(*(context.Pipe(duplex=False) for _ in range(extractors)))  # (reading, writing)
        to_store, extracted = zip(*(context.Pipe(duplex=False) for _ in range(extractors)))
        self._stored, answers = context.Pipe(duplex=False)
        ends = [*to_extract, *self._pages, *to_store, *extracted, self._stored, answers]
        self.processes = [
            context.Process(target=extract_stage, name="govplans-extractor", daemon=True,
                            args=(inbox, outbox, [e for e in ends if e not in (inbox, outbox)]))
            for inbox, outbox in zip(to_extract, extracted)]
        self.processes.append(
            context.Process(target=store_stage, name="govplans-archive-writer", daemon=True,
                            args=(list(to_store), answers, [e for e in ends if e not in (*to_store, answers)],
                                  database_url, batch_items, batch_seconds)))
        for process in self.processes:
            process.start()
        for end in (*to_extract, *to_store, *extracted, answers):   # the stages' ends: theirs alone
            end.close()
        super().__init__(max_pending)
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()   # sent by a thread: a full pipe never blocks the reactor
        self._closed = False
        self._threads = [threading.Thread(target=self._write, name="archive-writer-pages", daemon=True),
                         threading.Thread(target=self._read, name="archive-writer-answers", daemon=True)]
        for thread in self._threads:
            thread.start()

    def _send(self, message) -> None:
        self._outbox.put(message)

    def _write(self) -> None:
        # page n goes to extractor n mod N; the store reads them back in the same turn, so pages keep
        # their order however many extractors there are
        turn = 0
        while (message := self._outbox.get()) is not None:
            try:
                self._pages[turn].send(message)
            except (OSError, ValueError):
                break                               # an extractor is gone: _read tells the crawl
            turn = (turn + 1) % len(self._pages)
        for pages in self._pages:
            try:
                pages.send(None)
            except (OSError, ValueError):
                pass
            pages.close()

    def _read(self) -> None:
        while True:
            try:
                answers = self._stored.recv()
            except (EOFError, OSError):
                break
            _reactor().callFromThread(self._answer, answers)
        if self._closed:
            return
        if "twisted.internet.reactor" in sys.modules:   # else the crawl has not started: nothing waits
            _reactor().callFromThread(self._writer_died)
        else:
            self.dead = self._death()

    def _writer_died(self) -> None:
        self._fail_all(self._death())

    def _death(self) -> str:
        for process in self.processes:
            process.join(timeout=1)
        codes = ", ".join(f"{p.name} {p.exitcode}" for p in self.processes)
        return f"the archive writer's processes stopped (exit codes: {codes})"

    def close(self, timeout: float = 600) -> None:
        """Let the writer finish what it was given, then wait for its processes (their CPU then
        counts in the crawl process's RUSAGE_CHILDREN)."""
        if self._closed:
            return
        self._closed = True
        self._outbox.put(None)
        for process in self.processes:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join()
        for thread in self._threads:
            thread.join(timeout=5)
        self._stored.close()


def _reactor():
    # imported here, not when the writer starts: that is before Scrapy installs its reactor
    from twisted.internet import reactor

    return reactor


_writers: dict[str, ArchiveWriter] = {}
_lock = threading.Lock()


def writer_for(database_url: str) -> ArchiveWriter:
    """The crawl's writer for this database (started on first ask, shared by every spider of the
    crawl, like crawler/archive_handle.py's archive)."""
    with _lock:
        writer = _writers.get(database_url)
        if writer is None or writer._closed:
            writer = _writers[database_url] = ArchiveWriter(database_url)
        return writer


def close_writer(database_url: str) -> None:
    with _lock:
        writer = _writers.pop(database_url, None)
    if writer is not None:
        writer.close()

