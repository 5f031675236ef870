"""The archive writer's store stage alone: CPU per page of `store_batch` over pages as it receives them.

    python -m bench.store [--sites 12] [--rounds 3] [--batch 128] [--items FILE] [--database-url URL]
                          [--dump FILE] [--profile FILE]

The farm is crawled once (bench.crawl's world) with extraction in the crawl's own process and a
pipeline that records each page as the extractor stage hands it to the store stage
(writer_stages._extracted); the pages are pickled to --items (kept: a second run, or the same
run on another worktree, replays the very same pages). Each round then stores them into a fresh
archive in batches of 128 (--batch; crawler/writer_stages.store_batch) and counts the process's CPU time
and the SQL statements sent; a second pass stores the same pages again (a recrawl: every page
unchanged). Prints the median of the rounds as JSON and a table.

--dump writes what the archive holds after both passes (documents, versions, attachments,
clusters, citations, events, templates; ids replaced by URLs) as JSON: two implementations of
the store must write the same, `diff` tells. An older checkout is measured on the same pages by
copying this file to OLD/bench/store.py and running `cd OLD && PYTHONPATH=OLD python -m bench.store`:
its figures beside this checkout's are the before and after.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BATCH = 128
RECORD_SETTING = "GOVPLANS_BENCH_RECORD"


class RecordPipeline:
    """Last in a crawl's pipelines: each extracted page appended to a file as the store stage gets it."""

    def __init__(self, path: str):
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get(RECORD_SETTING))

    def process_item(self, item):
        from crawler.writer_stages import _extracted

        with open(self.path, "ab") as out:
            pickle.dump(_extracted(item), out)
        return item


def record(sites: int, path: Path) -> None:
    """Crawl the farm once and record its extracted pages to `path` (a stream of pickles)."""
    import yaml

    from govplans.demo import start_farm
    from govplans.ports import free_port
    from sitefarm.world import World

    port = free_port()
    farm = start_farm(port, sites, quiet=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            registry = World(sites=sites).registry(port)
            sites_file = Path(tmp) / "sites.yaml"
            sites_file.write_text(yaml.safe_dump(registry, allow_unicode=True))
            path.unlink(missing_ok=True)
            subprocess.run([sys.executable, "-m", "bench.store", "--crawl-one", str(sites_file), str(path),
                            str(Path(tmp) / "data")], check=True)
            with open(path, "ab") as out:   # the sites last: the replay registers them
                pickle.dump({"sites": registry}, out)
    finally:
        farm.terminate()
        farm.wait()


def _crawl_one(sites_file: str, path: str, data: str) -> None:
    from archive.config import DataDir
    from crawler.registry import load_sites
    from crawler.run import run_crawl

    run_crawl(load_sites(sites_file), DataDir.resolve(data),
              overrides={"ITEM_PIPELINES": {"crawler.pipelines.extraction.ExtractionPipeline": 300,
                                            "bench.store.RecordPipeline": 400},
                         RECORD_SETTING: path, "LOG_LEVEL": "ERROR"})


def load(path: Path) -> tuple[bytes, list[dict]]:
    """(the pages' pickles, each replay unpickles its own copy), the sites."""
    items, sites = [], []
    with open(path, "rb") as stream:
        while True:
            try:
                entry = pickle.load(stream)
            except EOFError:
                break
            if isinstance(entry, dict):
                sites = entry["sites"]
            else:
                items.append(entry)
    return pickle.dumps(items), sites


def one_round(items_blob: bytes, sites: list[dict], url: str, passes: int = 2,
              batch: int = BATCH) -> tuple[list[dict], object]:
    """Store the pages `passes` times into a fresh archive; per pass: CPU seconds, statements, pages."""
    from sqlalchemy import event

    from archive.store import Archive
    from archive.store.runs import start_run
    from crawler.writer_stages import store_batch

    _empty(url)
    archive = Archive(url)
    statements = [0]

    def count(*_args, **_kwargs):
        statements[0] += 1

    event.listen(archive.engine, "before_cursor_execute", count)
    for site in sites:
        archive.upsert_site(site)
    results = []
    for _ in range(passes):
        items = pickle.loads(items_blob)
        runs = {site["id"]: start_run(archive, site["id"]) for site in sites}
        batches = [[(n + i, item, runs.get(item.site_id), None) for i, item in enumerate(items[n:n + batch])]
                   for n in range(0, len(items), batch)]
        statements[0] = 0
        cpu, wall = time.process_time(), time.perf_counter()
        failed = 0
        for pages in batches:
            answers, fatal = store_batch(archive, pages, hold=1e9)
            if fatal:
                raise RuntimeError(fatal)
            failed += sum(1 for _, stored in answers if stored.error)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        results.append({"pages": len(items), "cpu_seconds": cpu, "wall_seconds": wall,
                        "statements": statements[0], "failed": failed})
    return results, archive


def _empty(url: str) -> None:
    """A fresh archive at url: a SQLite file is removed, a PostgreSQL database's tables dropped."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def dump(archive) -> dict:
    """What the archive holds, ids replaced by URLs (the same pages stored twice compare equal)."""
    from sqlalchemy import select

    from archive.models import (Attachment, Capture, Citation, Cluster, DedupKeys, Document, DocumentEvent,
                                LshBucket, SiteEvent, SiteTemplate, Version)
    from archive.models.operations import CrawlRun

    def digest(value) -> str | None:
        return None if value is None else hashlib.sha1(str(value).encode()).hexdigest()[:12]

    with archive.reading() as s:
        url = dict(s.execute(select(Document.id, Document.url)).all())
        capture = {c.id: (c.url, str(c.fetched_at)) for c in s.scalars(select(Capture))}
        run_site = dict(s.execute(select(CrawlRun.id, CrawlRun.site_id)).all())
        run_order = {run: n for n, run in enumerate(sorted(run_site))}
        members: dict[int, list[str]] = {}
        for doc_id, cluster_id in s.execute(select(Document.id, Document.cluster_id)):
            members.setdefault(cluster_id, []).append(url[doc_id])
        name = {cluster_id: min(urls) for cluster_id, urls in members.items()}
        documents = {}
        for row in s.scalars(select(Document)):
            fields = {c.name: getattr(row, c.name) for c in Document.__table__.columns
                      if c.name not in ("id", "capture_id", "cluster_id", "text")}
            fields.update(text=digest(row.text), capture=capture.get(row.capture_id),
                          cluster=name.get(row.cluster_id))
            documents[row.url] = {k: (v if isinstance(v, (str, int, float, list, dict, type(None))) else str(v))
                                  for k, v in fields.items()}
        clusters = {name[c.id]: {"size": c.size, "first_seen": str(c.first_seen), "updated_at": str(c.updated_at),
                                 "canonical": url.get(c.canonical_document_id)}
                    for c in s.scalars(select(Cluster)) if c.id in name}
        orphan_clusters = s.query(Cluster).filter(Cluster.id.notin_(list(name) or [0])).count()
        versions = sorted([url[v.document_id], v.number, v.content_hash, digest(v.title), digest(v.text),
                           str(v.seen_at), str(v.last_seen), digest(v.attachment_text), capture.get(v.capture_id)]
                          for v in s.scalars(select(Version)))
        attachments = sorted([url[a.document_id], a.url, a.name, a.ext, digest(a.text), capture.get(a.capture_id)]
                             for a in s.scalars(select(Attachment)))
        citations = sorted([url[c.document_id], c.position, c.source, c.doc_number, c.issuer, c.number_key,
                            c.title, c.title_key, url.get(c.cited_id), c.resolved_by]
                           for c in s.scalars(select(Citation)))
        events = sorted([run_order[e.run_id], run_site[e.run_id], url[e.document_id], e.kind, str(e.at)]
                        for e in s.scalars(select(DocumentEvent)))
        site_events = sorted([e.site_id, run_order.get(e.run_id), e.kind, str(e.at), e.documents, json.dumps(e.detail)]
                             for e in s.scalars(select(SiteEvent)))
        templates = sorted([t.site_id, t.pages, digest(json.dumps(t.counts, sort_keys=True)), t.cleaned_at_pages,
                            str(t.created_at), str(t.updated_at)] for t in s.scalars(select(SiteTemplate)))
        buckets = sorted([url[b.document_id], b.band, b.key] for b in s.scalars(select(LshBucket)))
        keys = sorted([url[k.document_id], digest(k.keys)] for k in s.scalars(select(DedupKeys)))
    return {"documents": documents, "clusters": clusters, "orphan_clusters": orphan_clusters, "versions": versions,
            "attachments": attachments, "citations": citations, "events": events, "site_events": site_events,
            "templates": templates, "lsh_buckets": digest(buckets), "dedup_keys": digest(keys)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=BATCH, help="pages per store_batch (the crawl's writer: up "
                                                                 "to 128, or what came in 0.5 s)")
    parser.add_argument("--items", default=None, help="the recorded pages (crawled and kept if missing); "
                                                       "default /tmp/govplans-store-items-<sites>.pickle")
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary directory; "
                                                             "a PostgreSQL database given here is emptied")
    parser.add_argument("--dump", default=None, help="write the archive's content after the last round here")
    parser.add_argument("--profile", default=None, help="cProfile the first round's first pass into this file")
    parser.add_argument("--crawl-one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.crawl_one:
        _crawl_one(*args.crawl_one)
        return

    items_path = Path(args.items or f"/tmp/govplans-store-items-{args.sites}.pickle")
    if not items_path.exists():
        record(args.sites, items_path)
    blob, sites = load(items_path)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/store.db"
        rounds = []
        for n in range(args.rounds):
            if args.profile and n == 0:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
                passes, archive = one_round(blob, sites, url, batch=args.batch)
                profiler.disable()
                profiler.dump_stats(args.profile)
            else:
                passes, archive = one_round(blob, sites, url, batch=args.batch)
            if n == args.rounds - 1 and args.dump:
                Path(args.dump).write_text(json.dumps(dump(archive), ensure_ascii=False, indent=0, sort_keys=True,
                                                      default=str))
            archive.close()
            rounds.append(passes)
    report = {"bench": "store", "sites": args.sites, "pages": rounds[0][0]["pages"], "batch": args.batch,
              "database": url.split(":", 1)[0], "rounds": args.rounds}
    for n, label in enumerate(("first", "again")):
        report[label] = {
            "cpu_ms_per_page": round(statistics.median(1000 * r[n]["cpu_seconds"] / r[n]["pages"] for r in rounds), 3),
            "statements_per_page": round(statistics.median(r[n]["statements"] / r[n]["pages"] for r in rounds), 2),
            "wall_ms_per_page": round(statistics.median(1000 * r[n]["wall_seconds"] / r[n]["pages"] for r in rounds), 3),
            "cpu_ms_per_page_rounds": [round(1000 * r[n]["cpu_seconds"] / r[n]["pages"], 3) for r in rounds],
            "failed": rounds[-1][n]["failed"]}
    print(json.dumps(report))
    print(f"\n{'pass':6} {'pages':>6} {'CPU ms/page (median)':>21} {'statements/page':>16} {'wall ms/page':>13}")
    for label in ("first", "again"):
        row = report[label]
        print(f"{label:6} {report['pages']:>6} {row['cpu_ms_per_page']:>21} {row['statements_per_page']:>16} "
              f"{row['wall_ms_per_page']:>13}")


if __name__ == "__main__":
    main()
