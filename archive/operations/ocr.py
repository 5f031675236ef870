"""Recognising the queued scans, off the crawl's path: `govplans ocr` (and anything else that
calls run_ocr) drains the OCR queue (archive/store/ocr.py) with worker processes.

The parent claims jobs, reads each file's bytes from the WARC files and hands them to a pool of
spawned processes (one recogniser each, single-threaded: one per core); at most two files per
worker are in flight, so memory holds a few files and one page image per worker. Each file has a
page limit and a time limit (archive/ocr/recognise.py). A worker killed mid-file leaves its job
leased; the lease runs out and the job is claimed again (three tries, then failed).
When the queue is drained the documents whose text changed are indexed.
"""
from __future__ import annotations

import os
import socket
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Callable

from archive.clock import utcnow
from archive.config import DataDir
from archive.ocr.recognise import MAX_PAGES, SECONDS
from archive.store import ocr as queue
from archive.store.database import Archive
from archive.warc import read_response


@dataclass
class OcrSummary:
    files: int = 0
    done: int = 0
    failed: int = 0
    pages: int = 0
    recognised_pages: int = 0
    seconds: float = 0.0
    indexed: int = 0
    errors: list[str] = field(default_factory=list)


def recognise_bytes(body: bytes, max_pages: int, seconds: float) -> dict:
    """In a worker process: one file's recognition as a plain dict (picklable)."""
    from archive.ocr.engine import engine_name
    from archive.ocr.recognise import recognise_file

    result = recognise_file(body, max_pages=max_pages, seconds=seconds)
    return {"text": result.text, "confidence": result.confidence, "pages": result.pages,
            "recognised_pages": result.recognised_pages, "errors": result.errors, "engine": engine_name()}


def _quiet_worker() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def run_ocr(data: DataDir, workers: int = 2, everything: bool = False, max_pages: int = MAX_PAGES,
            seconds: float = SECONDS, progress: Callable[[int, int], None] | None = None,
            index: bool = True) -> OcrSummary:
    """Recognise every pending file (with everything: every file ever queued, again).
    progress(done, total) is called after each file."""
    summary = OcrSummary()
    started = utcnow()
    clock = time.monotonic()
    archive = Archive(data.database_url)
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    try:
        if everything:
            queue.requeue(archive, everything=True)
        total = sum(n for status, n in queue.counts(archive).items() if status in ("pending", "running"))
        if progress:
            progress(0, total)
        inflight: dict[Future, queue.JobInput] = {}
        with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=get_context("spawn"),
                                 initializer=_quiet_worker) as pool:
            exhausted = False
            while True:
                while not exhausted and len(inflight) < 2 * max(1, workers):
                    jobs = queue.claim(archive, worker_id, limit=1)
                    if not jobs:
                        exhausted = True
                        break
                    job = jobs[0]
                    body = _body(data, job, archive, summary)
                    if body is not None:
                        inflight[pool.submit(recognise_bytes, body, max_pages, seconds)] = job
                if not inflight:
                    break
                finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                for future in finished:
                    job = inflight.pop(future)
                    _record(archive, job, future, summary)
                    if progress:
                        progress(summary.files, max(total, summary.files))
        summary.seconds = time.monotonic() - clock
        if index and summary.done:
            from archive.operations.indexing import update_index

            archive.close()
            summary.indexed = update_index(data, since=started)
    finally:
        archive.close()
    return summary


def _body(data: DataDir, job: queue.JobInput, archive: Archive, summary: OcrSummary) -> bytes | None:
    if not job.warc_file or job.warc_offset is None:
        error = "no capture of the file in the WARC files"
    else:
        try:
            return read_response(data.warc_dir, job.warc_file, job.warc_offset).body
        except (OSError, ValueError) as exc:
            error = f"WARC: {exc}"
    queue.fail(archive, job.job_id, error)
    summary.files += 1
    summary.failed += 1
    summary.errors.append(f"{job.url}: {error}")
    return None


def _record(archive: Archive, job: queue.JobInput, future: Future, summary: OcrSummary) -> None:
    summary.files += 1
    try:
        result = future.result()
    except BrokenProcessPool:
        raise                          # a worker died: the lease brings the job back next run
    except Exception as exc:           # noqa: BLE001 - one file's failure is recorded, the rest go on
        queue.fail(archive, job.job_id, f"{type(exc).__name__}: {exc}")
        summary.failed += 1
        summary.errors.append(f"{job.url}: {exc}")
        return
    error = "; ".join(result["errors"]) or None
    if not result["text"].strip() and error is None:
        error = "no text recognised"
    queue.finish(archive, job.job_id, result["text"], result["confidence"], result["engine"],
                 result["pages"], result["recognised_pages"], error)
    summary.pages += result["pages"]
    summary.recognised_pages += result["recognised_pages"]
    if result["text"].strip():
        summary.done += 1
    else:
        summary.failed += 1
        summary.errors.append(f"{job.url}: {error}")
