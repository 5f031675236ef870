"""The archive writer: one long-lived process that extracts and stores what the crawl captured, so
the crawl (Scrapy's reactor, the WARC capture) never waits for the archive and the second core works.

    crawl process                                   writer process (forked as the crawl starts)
    ArchiveWriterPipeline.process_item(item) ──►   extract (crawler/pipelines/extraction.py)
      a Deferred, fired when the page is stored      ... for up to BATCH_ITEMS pages or BATCH_SECONDS
    ◄── (outcome, the document's fields) ────────   Archive.batch(): store them all, one commit

- Batches: pages are extracted as they arrive and stored together in one transaction (Archive.batch:
  one commit, each document's cluster and citations once); only then is each page answered. A
  Deferred fires after its page is committed, so what the crawl-runs extension counts is stored.
- Back-pressure: at most MAX_PENDING pages are with the writer; more wait in the crawl process,
  their Deferreds unfired, which keeps Scrapy's scraper slot full so it stops taking new requests
  (SCRAPER_SLOT_MAX_ACTIVE_SIZE) until the archive catches up.
- Errors: a page that fails (not a storage problem) rolls its batch back; the batch is stored again
  page by page, so only that page fails (logged by Scrapy as before). A storage problem (disk full,
  database locked) is every page's answer from then on: the pipeline stops the crawl
  (crawler.failures.abort_crawl) and `govplans crawl --resume` continues. A writer that dies is one too.
- Crashes: the writer dies with the crawl (PR_SET_PDEATHSIG: a kill -9 of the crawl takes it along);
  what it had not committed was never counted, and the resume fetches it again (the archive is the
  journal, crawler/run.py). Ctrl-C reaches the crawl only: the writer finishes what it was given.
"""
from __future__ import annotations

import ctypes
import dataclasses
import logging
import multiprocessing
import signal
import threading
import time
import traceback
from collections import deque
from typing import Callable

from archive.store import Archive, storage_problem

BATCH_ITEMS = 64          # pages per transaction at most
BATCH_SECONDS = 0.25      # and the longest a page waits for its batch's commit
MAX_PENDING = 256         # pages with the writer at once; more wait in the crawl process

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Stored:
    """The writer's answer for one page."""
    outcome: str | None = None
    document: object = None         # the extracted document's fields (text left out), for the run's coverage
    error: str | None = None        # the page failed: why (a traceback)
    fatal: str | None = None        # a storage problem: the crawl must stop


# --- the writer process -------------------------------------------------------------------------

def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def serve(connection, crawl_end, database_url: str, batch_items: int, batch_seconds: float) -> None:
    """The writer's loop: (seq, item, run_id) in, [(seq, Stored)] out per batch; None ends it."""
    _die_with_parent()
    crawl_end.close()   # the fork's copy of the crawl's end: the crawl's own is the only one left
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from crawler.pipelines.extraction import ExtractionPipeline

    extraction = ExtractionPipeline()
    archive, fatal = None, None
    try:
        archive = Archive(database_url)
    except Exception as error:
        fatal = storage_problem(error) or f"the archive writer could not open the archive: {error}"
    closing = False
    while not closing:
        message = connection.recv()
        if message is None:
            break
        batch, deadline = [message], time.monotonic() + batch_seconds
        while len(batch) < batch_items and connection.poll(max(0.0, deadline - time.monotonic())):
            message = connection.recv()
            if message is None:
                closing = True
                break
            batch.append(message)
        if fatal is None:
            answers, fatal = store_batch(archive, extraction, batch)
        else:
            answers = [(seq, Stored(fatal=fatal)) for seq, _, _ in batch]
        connection.send(answers)
    if archive is not None:
        archive.close()


def store_batch(archive: Archive, extraction, batch: list) -> tuple[list, str | None]:
    """Extract each page, then store them all in one transaction; on an error, page by page."""
    from crawler.pipelines.store import store_item

    answers: dict[int, Stored] = {}
    ready = []
    for seq, item, run_id in batch:
        try:
            ready.append((seq, extraction.process_item(item), run_id))
        except Exception:
            answers[seq] = Stored(error=traceback.format_exc())
    try:
        with archive.batch():
            for seq, item, run_id in ready:
                store_item(archive, item, run_id)
        answers.update((seq, _stored(item)) for seq, item, _ in ready)
    except Exception as error:
        if (problem := storage_problem(error)) is not None:
            return [(seq, Stored(fatal=problem)) for seq, _, _ in batch], problem
        for seq, item, run_id in ready:          # which page it was: each alone
            item.outcome = None
            try:
                with archive.batch():
                    store_item(archive, item, run_id)
                answers[seq] = _stored(item)
            except Exception as error:
                if (problem := storage_problem(error)) is not None:
                    return [(seq, Stored(fatal=problem)) for seq, _, _ in batch], problem
                answers[seq] = Stored(error=traceback.format_exc())
    return [(seq, answers[seq]) for seq, _, _ in batch], None


def _stored(item) -> Stored:
    document = item.document
    if document is not None:   # what the run's coverage reads; the text stays in the writer
        document = dataclasses.replace(document, text="", outline=(), page_lines=(), attachments=())
    return Stored(outcome=item.outcome, document=document)


# --- the crawl's side -----------------------------------------------------------------------------

class ArchiveWriter:
    """The crawl process's end: submit(item, run_id, answer) sends a page to the writer; answer(Stored)
    is called in the reactor's thread once the page is stored (or failed, or the crawl must stop)."""

    def __init__(self, database_url: str, batch_items: int = BATCH_ITEMS, batch_seconds: float = BATCH_SECONDS,
                 max_pending: int = MAX_PENDING):
        context = multiprocessing.get_context("fork")   # the modules are loaded already: no re-import
        self._connection, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs, self._connection, database_url, batch_items, batch_seconds),
                                       name="govplans-archive-writer", daemon=True)
        self.process.start()
        theirs.close()
        self.max_pending = max_pending
        self._seq = 0
        self._answers: dict[int, Callable[[Stored], None]] = {}
        self._waiting: deque = deque()                # pages over max_pending, not sent yet
        self._send_lock = threading.Lock()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="archive-writer-answers", daemon=True)
        self._reader.start()

    @property
    def pending(self) -> int:
        return len(self._answers)

    def submit(self, item, run_id: int | None, answer: Callable[[Stored], None]) -> None:
        """Called in the reactor's thread."""
        self._seq += 1
        self._answers[self._seq] = answer
        if len(self._answers) - len(self._waiting) > self.max_pending:
            self._waiting.append((self._seq, item, run_id))
        else:
            self._send((self._seq, item, run_id))

    def _send(self, message) -> None:
        try:
            with self._send_lock:
                self._connection.send(message)
        except (OSError, ValueError):
            self._answer([(message[0], Stored(fatal=self._death()))])

    def _read(self) -> None:
        while True:
            try:
                answers = self._connection.recv()
            except (EOFError, OSError):
                break
            _reactor().callFromThread(self._answer, answers)
        if not self._closed and self._answers:   # answers come only once the crawl (its reactor) runs
            _reactor().callFromThread(self._writer_died)

    def _answer(self, answers) -> None:
        for seq, stored in answers:
            answer = self._answers.pop(seq, None)
            if answer is not None:
                answer(stored)
        while self._waiting and len(self._answers) - len(self._waiting) <= self.max_pending:
            self._send(self._waiting.popleft())

    def _writer_died(self) -> None:
        self._waiting.clear()
        self._answer([(seq, Stored(fatal=self._death())) for seq in list(self._answers)])

    def _death(self) -> str:
        self.process.join(timeout=1)
        return f"the archive writer process stopped (exit code {self.process.exitcode})"

    def close(self, timeout: float = 600) -> None:
        """Let the writer finish what it was given, then stop it and wait for it (its CPU then
        counts in the crawl process's RUSAGE_CHILDREN)."""
        if self._closed:
            return
        self._closed = True
        try:
            with self._send_lock:
                self._connection.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self._connection.close()
        self._reader.join(timeout=5)


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

