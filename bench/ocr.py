"""OCR on the farm's scans: character-bigram F1 per noise kind against the truth, pages per minute
with N worker processes (as `govplans ocr` runs them), and the workers' peak memory.

Files: one file of each (noise, format) the farm serves (World(scans=True)), read by a pool of
spawned workers (archive.operations.ocr.recognise_bytes). Prints a JSON line and a table.

--crawl: the whole path. A farm with scans is crawled (`govplans crawl`: scans are only queued),
then `govplans ocr`'s run_ocr recognises the queue; each scanned file's stored text is scored
against the truth per noise kind, and for each scanned document a word that is only in its scan
(in no document's page text) is searched for.

    python -m bench.ocr [--sites 6] [--workers 2] [--per-kind 1]
    python -m bench.ocr --crawl [--sites 3] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from archive.operations.ocr import recognise_bytes
from evaluation.ocr import bigram_f1
from sitefarm import attachments
from sitefarm.world import World


def samples(sites: int, per_kind: int) -> list[tuple[str, str, bytes, str]]:
    """(noise kind, format, bytes, truth text) of the farm's scans, per_kind of each kind."""
    world = World(sites=sites, scans=True)
    taken: dict[tuple[str, str], int] = defaultdict(int)
    out = []
    for site in world.sites:
        for doc in world.documents(site):
            for f in world.attachments(doc):
                if not f.noise:
                    continue
                kind = "image_body" if f.role == "body" else f.noise
                if taken[(kind, f.ext)] >= per_kind:
                    continue
                taken[(kind, f.ext)] += 1
                out.append((kind, f.ext, attachments.render(world, doc, f), attachments.scan_text(world, doc, f)))
    return out


def crawl_and_recognise(sites: int, workers: int) -> dict:
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    import yaml
    from sqlalchemy import select

    from archive import index as search_index
    from archive.config import DataDir
    from archive.operations.ocr import run_ocr
    from archive.read.documents import recognition
    from archive.store import Archive
    from archive.store.index_feed import iter_documents
    from sitefarm.server import start_in_thread

    world = World(sites=sites, scans=True, docs_per_site=(30, 40))
    server, port = start_in_thread(world, port=0)
    try:
        root = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
        data = DataDir(root).ensure()
        sites_file = root / "sites.yaml"
        sites_file.write_text(yaml.safe_dump(world.registry(port), allow_unicode=True), encoding="utf-8")
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "govplans.cli", "crawl", "--sites-file", str(sites_file)],
                              env=dict(os.environ, GOVPLANS_DATA=str(root)), capture_output=True, text=True)
        crawl_seconds = time.monotonic() - started
        if done.returncode:
            raise SystemExit(done.stderr[-3000:])
        truth = list(world.truth(port))
    finally:
        server.shutdown()
    summary = run_ocr(data, workers=workers)
    archive = Archive(data.database_url)
    try:
        pages_text = "\n".join(row.text or "" for row in iter_documents(archive))
        stored, states = {}, {}
        for row in iter_documents(archive):
            ocr = recognition(archive, row.id)
            with archive.reading() as s:
                from archive.models import Attachment
                for att in s.scalars(select(Attachment).where(Attachment.document_id == row.id)):
                    stored[att.url] = att.text or ""
                    states[att.url] = ocr.get(att.id)
    finally:
        archive.close()
    by_kind: dict[str, list[float]] = defaultdict(list)
    confidence: dict[str, list[float]] = defaultdict(list)
    searched = found = 0
    for doc in truth:
        if doc["status"] == "withdrawn":
            continue
        for a in doc["attachments"]:
            if not a.get("scanned") or a["url"] not in stored:
                continue
            kind = "image_body" if a["name"] == doc["title"] else a["noise"]
            by_kind[kind].append(bigram_f1(stored[a["url"]], a["text"]))
            if states.get(a["url"]) and states[a["url"]]["confidence"] is not None:
                confidence[kind].append(states[a["url"]]["confidence"])
            word = _scan_only_word(a["text"], pages_text)
            if word:
                searched += 1
                hits = search_index.search(data.index_dir, word, page_size=50)
                found += any(hit.url == doc["url"] for hit in hits.hits)
    return {"crawl_seconds": round(crawl_seconds, 1), "ocr_seconds": round(summary.seconds, 1),
            "files": summary.files, "recognised": summary.done, "failed": summary.failed,
            "pages": summary.recognised_pages,
            "pages_per_minute": round(60 * summary.recognised_pages / summary.seconds, 2) if summary.seconds else None,
            "f1_min": {k: round(min(v), 4) for k, v in sorted(by_kind.items())},
            "f1_mean": {k: round(sum(v) / len(v), 4) for k, v in sorted(by_kind.items())},
            "files_per_kind": {k: len(v) for k, v in sorted(by_kind.items())},
            "confidence_mean": {k: round(sum(v) / len(v), 4) for k, v in sorted(confidence.items())},
            "scan_only_words_searched": searched, "found": found, "worker_peak_mb":
            round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}


def _scan_only_word(text: str, pages_text: str) -> str | None:
    """A run of 4 to 16 characters of the scan's text that no page's own text has (so only the scan
    can match it)."""
    import re

    for size in range(4, 17):
        for run in re.findall(r"[\u4e00-\u9fff]{%d,}" % size, text):
            for i in range(len(run) - size + 1):
                word = run[i:i + size]
                if word not in pages_text:
                    return word
    return None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-kind", type=int, default=1)
    parser.add_argument("--crawl", action="store_true", help="Crawl a farm with scans, then recognise its queue.")
    args = parser.parse_args(argv)
    if args.crawl:
        print(json.dumps(crawl_and_recognise(args.sites, args.workers), ensure_ascii=False))
        return
    files = samples(args.sites, args.per_kind)
    with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
        list(pool.map(recognise_bytes, [files[0][2]] * args.workers, [1] * args.workers, [60] * args.workers))
        started = time.monotonic()     # models loaded in every worker: the steady state is timed
        results = list(pool.map(recognise_bytes, [f[2] for f in files], [100] * len(files), [600] * len(files)))
        seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    by_kind: dict[str, list[float]] = defaultdict(list)
    for (kind, ext, _, truth), result in zip(files, results):
        by_kind[kind].append(bigram_f1(result["text"], truth))
    pages = sum(r["recognised_pages"] for r in results)
    figures = {"files": len(files), "pages": pages, "workers": args.workers, "seconds": round(seconds, 1),
               "pages_per_minute": round(60 * pages / seconds, 2), "worker_peak_mb": round(peak_mb),
               "f1": {k: round(min(v), 4) for k, v in sorted(by_kind.items())},
               "f1_mean": round(sum(sum(v) for v in by_kind.values()) / sum(len(v) for v in by_kind.values()), 4),
               "engine": results[0]["engine"] if results else None}
    print(json.dumps(figures, ensure_ascii=False))
    print(f"{'noise kind':<12} {'files':>5} {'min F1':>7}")
    for kind, values in sorted(by_kind.items()):
        print(f"{kind:<12} {len(values):>5} {min(values):>7.4f}")
    print(f"{pages} pages in {seconds:.1f} s on {args.workers} workers: {figures['pages_per_minute']} pages/min; "
          f"worker peak {figures['worker_peak_mb']} MB")


if __name__ == "__main__":
    main()
