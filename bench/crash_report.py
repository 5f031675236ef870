"""Reliability figures: faults injected by kind and survived, kill -9 points tried, documents lost or
stored twice after the restarts, WARC records read back and cut-off records detected.

    python -m bench.crash_report [--crawler-seeds 3] [--indexer-seeds 4] [--scheduler-seeds 2] [--json]

Everything runs on 127.0.0.1 (sitefarm in this process, `govplans` in child processes); the same
harness as tests/reliability, evaluation/crashes.py. Prints one JSON object (--json) or tables;
never asserts.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from evaluation.crashes import (CRASH_WORLD, FAULT_WORLD, RECORDED_AS, check_archive, crash_crawler,
                                crash_indexer, crash_scheduler, govplans, high_faults, query, serve_paced,
                                truth_of, write_registry)


def fault_figures(work: Path) -> dict:
    """One crawl of a farm with every fault kind on 30% of pages and files: per kind, how many
    were injected and how many ended as they should (stored whole, or recorded as that failure)."""
    from sitefarm.server import start_in_thread
    from sitefarm.world import World

    world = World(**FAULT_WORLD, faults=high_faults())
    server, port = start_in_thread(world, port=0)
    data = work / "faults"
    try:
        started = time.monotonic()
        result = govplans("crawl", "--sites-file", str(write_registry(work / "fault-sites.yaml",
                                                                      world.registry(port))), data=data)
        seconds = time.monotonic() - started
        truth = truth_of(world, port)
    finally:
        server.shutdown()
    stored = {url for (url,) in query(data, "select url from documents")}
    captured = {url for (url,) in query(data, "select url from captures where status = 200")}
    errors = {site: (json.loads(e) if isinstance(e, str) else e) for site, e in
              query(data, "select site_id, errors from crawl_runs")}
    kinds: dict[str, Counter] = defaultdict(Counter)
    for doc in truth:
        closed = any(f["kind"] == "robots" for f in doc["faults"])
        page_ok = all(f["reachable"] for f in doc["faults"] if f["url"] == doc["url"])
        for fault in doc["faults"]:
            kind, url = fault["kind"], fault["url"]
            entry = kinds[kind]
            entry["injected"] += 1
            page = url == doc["url"]
            reachable = all(f["reachable"] for f in doc["faults"] if f["url"] == url)
            if kind == "robots":
                ok = url not in stored and url not in captured and "robots" in errors.get(doc["site"], {})
            elif closed:
                entry["behind_robots"] += 1
                continue
            elif not page and not page_ok:
                entry["on_unreachable_page"] += 1          # a file whose page fails for good: never found
                continue
            elif reachable:
                ok = (url in stored) if page else (url in captured)
            elif fault["reachable"]:
                entry["with_unreachable_fault"] += 1       # e.g. session ids on a page that answers 500
                continue
            else:
                ok = (url not in stored and url not in captured
                      and bool(RECORDED_AS[kind] & set(errors.get(doc["site"], {}))))
            entry["survived" if ok else "not_survived"] += 1
    check = check_archive(data, truth)
    return {"exit_code": result.returncode, "seconds": round(seconds, 1), "documents_expected": check.expected,
            "documents_stored": check.stored, "lost": len(check.lost), "duplicated": len(check.duplicated),
            "outside_truth": len(check.outside), "wrong_fields": len(check.wrong),
            "warc_records": check.warc_records, "warc_unreadable": len(check.warc_unreadable),
            "errors_recorded": {site: dict(e) for site, e in errors.items()},
            "by_kind": {kind: dict(counts) for kind, counts in sorted(kinds.items())}}


def crash_figures(work: Path, crawler_seeds: int, indexer_seeds: int, scheduler_seeds: int) -> dict:
    from sitefarm.world import World

    world = World(**CRASH_WORLD)
    server, port, _ = serve_paced(world, hold=0.01)
    outcomes = []
    try:
        truth = truth_of(world, port)
        sites_file = write_registry(work / "crash-sites.yaml", world.registry(port))
        source = None
        for seed in range(crawler_seeds):
            data = work / f"crawler-{seed}" / "data"
            outcomes.append(crash_crawler(data, sites_file, truth, seed, kills=2))
            source = source or data
        for seed in range(indexer_seeds):
            if source is None:
                source = work / "indexer-source"
                govplans("crawl", "--sites-file", str(sites_file), data=source)
            data = work / f"indexer-{seed}" / "data"
            data.mkdir(parents=True)
            with sqlite3.connect(source / "archive.sqlite") as connection:
                connection.execute("VACUUM INTO ?", (str(data / "archive.sqlite"),))
            shutil.copytree(source / "warc", data / "warc")
            shutil.copytree(source / "index", data / "index")
            outcomes.append(crash_indexer(data, truth, seed, kills=2))
        for seed in range(scheduler_seeds):
            outcomes.append(crash_scheduler(work / f"scheduler-{seed}" / "data", sites_file, truth, seed, kills=1))
    finally:
        server.shutdown()
    out = {}
    for target in ("crawler", "indexer", "scheduler"):
        mine = [o for o in outcomes if o.target == target]
        if not mine:
            continue
        out[target] = {
            "seeds": len(mine), "kill_points": sum(len(o.kills) for o in mine),
            "points": [point for o in mine for point in o.kills],
            "documents_expected": sum(o.check.expected for o in mine),
            "lost": sum(len(o.check.lost) for o in mine), "duplicated": sum(len(o.check.duplicated) for o in mine),
            "wrong_fields": sum(len(o.check.wrong) for o in mine),
            "attachments_lost": sum(len(o.attachments_lost) for o in mine),
            "index_equal_to_rebuild": sum(o.index_equal for o in mine),
            "warc_records": sum(o.check.warc_records for o in mine),
            "warc_unreadable": sum(len(o.check.warc_unreadable) for o in mine),
            "restart_failures": sum(1 for o in mine if o.errors or any(c != 0 for c in o.exit_codes)),
        }
    return out


def truncation_figures(work: Path) -> dict:
    """Cut a WARC file at every byte of its last record pair: each cut must be detected and skipped,
    every earlier record read back whole."""
    from archive.warc import WarcWriter, WarcRecordError, iter_responses, payload_digest, read_response

    source = work / "warc-source"
    archive = WarcWriter(source)
    bodies = [os.urandom(2000) + bytes([n]) for n in range(3)]
    locations = [archive.write(f"http://x.test/{n}", 200, "OK", {}, body, request_headers={})
                 for n, body in enumerate(bodies)]
    archive.close()
    data = (source / locations[0].file).read_bytes()
    last = locations[-1]
    cuts = detected = silent = boundary = 0
    for cut in range(last.offset + 1, len(data)):
        directory = work / "warc-cut"
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir()
        (directory / last.file).write_bytes(data[:cut])
        problems = []
        got = list(iter_responses(directory, problems))
        whole = all(payload_digest(r.body) == loc.payload_digest for (_, _, r), loc in zip(got, locations))
        try:
            read_response(directory, last.file, last.offset)
            last_readable = True
        except WarcRecordError:
            last_readable = False
        cuts += 1
        # a cut inside the response record must hide it; a cut in the request record after it leaves it whole
        in_response = cut < last.offset + last.length
        if cut == last.offset + last.length:
            boundary += 1                                  # between two whole records: nothing is damaged
        elif whole and problems and (not last_readable if in_response else last_readable):
            detected += 1
        else:
            silent += 1
    return {"cut_points": cuts, "detected_and_skipped": detected, "at_record_boundary": boundary,
            "silently_corrupt": silent}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crawler-seeds", type=int, default=3)
    parser.add_argument("--indexer-seeds", type=int, default=4)
    parser.add_argument("--scheduler-seeds", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args(argv)
    import logging
    logging.getLogger("archive.warc").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="crash-report-") as tmp:
        work = Path(tmp)
        report = {"faults": fault_figures(work),
                  "crashes": crash_figures(work, args.crawler_seeds, args.indexer_seeds, args.scheduler_seeds),
                  "warc_truncation": truncation_figures(work)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    faults = report["faults"]
    print(f"faults: one crawl, exit {faults['exit_code']}, {faults['seconds']} s; "
          f"{faults['documents_stored']} of {faults['documents_expected']} servable documents stored; "
          f"lost {faults['lost']}, twice {faults['duplicated']}, outside truth {faults['outside_truth']}, "
          f"wrong fields {faults['wrong_fields']}; {faults['warc_records']} WARC records, "
          f"{faults['warc_unreadable']} unreadable")
    print(f"{'fault kind':20} {'injected':>8} {'survived':>8} {'not':>5} {'not asked*':>10}")
    for kind, counts in faults["by_kind"].items():
        skipped = sum(counts.get(k, 0) for k in ("behind_robots", "on_unreachable_page", "with_unreachable_fault"))
        print(f"{kind:20} {counts.get('injected', 0):8} {counts.get('survived', 0):8} "
              f"{counts.get('not_survived', 0):5} {skipped:10}")
    print("* behind a robots.txt Disallow, a file of a page that fails for good, or sharing its URL with such a fault")
    print()
    print(f"{'kill -9 of':10} {'seeds':>5} {'points':>6} {'docs':>5} {'lost':>4} {'twice':>5} {'att.lost':>8} "
          f"{'index=rebuild':>13} {'WARC recs':>9} {'unreadable':>10} {'restart fail':>12}")
    for target, row in report["crashes"].items():
        print(f"{target:10} {row['seeds']:5} {row['kill_points']:6} {row['documents_expected']:5} {row['lost']:4} "
              f"{row['duplicated']:5} {row['attachments_lost']:8} {row['index_equal_to_rebuild']:>6}/{row['seeds']:<6} "
              f"{row['warc_records']:9} {row['warc_unreadable']:10} {row['restart_failures']:12}")
    cut = report["warc_truncation"]
    print(f"\nWARC cut at {cut['cut_points']} points of its last record pair: {cut['detected_and_skipped']} detected "
          f"and skipped, {cut['at_record_boundary']} between whole records, {cut['silently_corrupt']} silently corrupt")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
