"""The archive writer's processes (crawler/writer.py starts them): an extractor (or several, taking
pages in turn) turns each captured page into its document fields, the store writes them in batches. Messages are
(seq, item, run_id) and end with None; the store answers [(seq, Stored)] once a batch is committed.
"""
from __future__ import annotations

import ctypes
import dataclasses
import queue
import signal
import threading
import time
import traceback

from archive.extract.site_chrome import page_keys
from archive.store import Archive, storage_problem

# tries of a page stored alone: a deadlock with another worker's transaction (PostgreSQL aborts one
# of the two) passes on a second try, where a page at fault fails every time
PAGE_ATTEMPTS = 3
HOLD_SECONDS = 0.25   # the longest one transaction of the store stays open (a SQLite write lock)


@dataclasses.dataclass(frozen=True)
class Stored:
    """The writer's answer for one page."""
    outcome: str | None = None
    document: object = None         # the extracted document's fields (text left out), for the run's coverage
    error: str | None = None        # the page failed: why (a traceback)
    fatal: str | None = None        # a storage problem: the crawl must stop


def _child(close: list) -> None:
    """In a forked stage: die with the crawl (PR_SET_PDEATHSIG: a kill -9 of the crawl takes the
    stage along), leave Ctrl-C to the crawl, and close the pipe ends the fork copied but are not ours
    (so that a stage's end is seen by the next one as the end of its input)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for connection in close:
        connection.close()


def extract_stage(inbox, outbox, close: list) -> None:
    """Each page extracted (crawler/pipelines/extraction.py) and passed on in order, with the
    traceback of an extraction that raised."""
    _child(close)
    from crawler.pipelines.extraction import ExtractionPipeline

    extraction = ExtractionPipeline()
    while (message := _receive(inbox)) is not None:
        seq, item, run_id = message
        try:
            outbox.send((seq, _extracted(extraction.process_item(item)), run_id, None))
        except Exception:
            outbox.send((seq, item, run_id, traceback.format_exc()))
    outbox.send(None)
    outbox.close()


def _receive(inbox):
    """The next message; None at the end (the sender's None, or its end of the pipe closed)."""
    try:
        return inbox.recv()
    except EOFError:
        return None


def _extracted(item):
    """What the store needs of an extracted page: the page's template keys computed here (the
    store's process is the busier one) in place of its lines, and no bytes (they are in the WARC)."""
    document = item.document
    if document is not None and document.page_lines:
        item.extra["page_keys"] = page_keys(document.page_lines)
        item.document = dataclasses.replace(document, page_lines=())
    item.body = b""
    return item


def store_stage(inboxes: list, answers, close: list, database_url: str, batch_items: int,
                batch_seconds: float) -> None:
    """Extracted pages stored in batches of up to batch_items, or what came in batch_seconds;
    inboxes: the extractors' pipes, read in turn (page n came from extractor n mod N)."""
    _child(close)
    archive, fatal = None, None
    try:
        archive = Archive(database_url)
    except Exception as error:
        fatal = storage_problem(error) or f"the archive writer could not open the archive: {error}"
    closing = False
    pages = _drained(inboxes)
    while not closing and (message := pages.get()) is not None:
        batch, deadline = [message], time.monotonic() + batch_seconds
        while len(batch) < batch_items:
            try:
                message = pages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if message is None:
                closing = True
                break
            batch.append(message)
        if fatal is None:
            stored, fatal = store_batch(archive, batch)
        else:
            stored = [(seq, Stored(fatal=fatal)) for seq, *_ in batch]
        answers.send(stored)
    answers.close()
    if archive is not None:
        archive.close()


def _drained(inboxes: list) -> queue.SimpleQueue:
    """The pipes' messages, read by a thread as they come, in turn (the order the crawl sent them),
    ending with None at the first pipe's end (each extractor's None comes after the last page,
    so nothing is left in the others but their None). Read only between batches, the pipe filled
    while a batch was stored and the extractor waited on it: the two stages took turns instead of
    working at once. The queue stays small: the crawl sends at most MAX_PENDING pages before their
    answers come (crawler/writer.py)."""
    pages: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        turn = 0
        while (message := _receive(inboxes[turn])) is not None:
            pages.put(message)
            turn = (turn + 1) % len(inboxes)
        pages.put(None)

    threading.Thread(target=read, name="store-inbox", daemon=True).start()
    return pages


def store_batch(archive: Archive, batch: list, hold: float = HOLD_SECONDS) -> tuple[list, str | None]:
    """The extracted pages stored in transactions of what `hold` seconds store (a SQLite write lock
    is held that long at most, then the crawl's own writes get their turn); on an error, that
    transaction's pages again one by one (only the page at fault fails). Returns the answers and the
    storage problem, if one stopped it (the pages not committed by then are answered with it)."""
    from crawler.pipelines.store import store_item

    answers = {seq: Stored(error=error) for seq, _, _, error in batch if error}
    ready = [(seq, item, run_id) for seq, item, run_id, error in batch if not error]
    start = 0
    while start < len(ready):
        attempted = start
        try:
            with archive.batch():
                began = time.monotonic()
                archive.read_ahead(url for _, item, _ in ready[start:] for url in _document_urls(item))
                for seq, item, run_id in ready[start:]:
                    attempted += 1
                    store_item(archive, item, run_id)
                    if time.monotonic() - began >= hold:
                        break
            answers.update((seq, _stored(item)) for seq, item, _ in ready[start:attempted])
        except Exception as error:
            problem = storage_problem(error) or _one_by_one(archive, ready[start:attempted], answers)
            if problem is not None:
                answers.update((seq, Stored(fatal=problem)) for seq, *_ in batch if seq not in answers)
                return [(seq, answers[seq]) for seq, *_ in batch], problem
        start = attempted
    return [(seq, answers[seq]) for seq, *_ in batch], None


def _document_urls(item) -> tuple:
    """The URL whose document storing the page reads (crawler/pipelines/store.py): a page's own,
    an attachment's page."""
    if item.kind == "attachment":
        return () if item.status == 304 else (item.referrer,)
    if item.kind in ("unchanged", "gone"):
        return (item.url,)
    return (item.document.url,) if item.document is not None else ()


def _one_by_one(archive: Archive, pages: list, answers: dict) -> str | None:
    """Each page in its own transaction: the one at fault fails alone. A storage problem is returned."""
    from crawler.pipelines.store import store_item

    for seq, item, run_id in pages:
        for _ in range(PAGE_ATTEMPTS):
            item.outcome = None
            try:
                with archive.batch():
                    store_item(archive, item, run_id)
                answers[seq] = _stored(item)
                break
            except Exception as error:
                if (problem := storage_problem(error)) is not None:
                    return problem
                answers[seq] = Stored(error=traceback.format_exc())
    return None


def _stored(item) -> Stored:
    document = item.document
    if document is not None:   # what the run's coverage reads; the text stays here
        document = dataclasses.replace(document, text="", outline=(), page_lines=(), attachments=())
    return Stored(outcome=item.outcome, document=document)
