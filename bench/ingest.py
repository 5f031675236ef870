"""One-by-one ingest as the archive grows: is a document's store cost the same at 10k, 30k and 100k?

    python -m bench.ingest [--sizes 10000,30000,100000] [--probe 500] [--seed 0]
                           [--database-url postgresql://…/test] [--profile DIR] [--work DIR]

For each size, a fresh archive (a SQLite file, or a new database on the --database-url server,
dropped afterwards) is filled in bulk with that many farm truth documents (bench/ingest_fill.py:
documents, versions, 文号/title keys, citations, site templates, then `rebuild_clusters` for the
LSH bands, dedup keys and clusters; 100k fill in 4-10 minutes, by the load). Then a probe of --probe new documents
is stored in each with `Archive.ingest`, one transaction per document as the crawl's store pipeline
calls it (site, seen_at, run_id): site template matched and learnt, chrome cut, document and
version written, dedup cluster assigned (LSH candidates, copy check, merges, canonical copy),
citations found and resolved, the citations waiting for it resolved, its run event written. The
sizes take turns (ten rounds of a tenth of the probe each), so the machine's load, which drifts on
a shared machine, weighs on every size alike. The probe is the same kinds at every size: a third
new farm documents (of sites the archive does not hold yet), a third near copies of stored ones, a
third citing a stored plan.

Printed: fill seconds, probe docs/s, ms per document (median, p90, max), outcomes, how many near
copies joined their original's cluster and how many citing probes resolved their reference (a
quality check: a faster path that stops finding copies is no gain), the 1-minute load average
(median over the rounds), and the
ratio of docs/s at the largest size to the smallest (issue #21 wants >= 0.8), as one JSON line and
a table. With --profile DIR, each size's probe is run under cProfile (DIR/ingest-<size>.prof; the
figures are then slower, compare them between sizes only).

What keeps the cost flat (ARCHITECTURE.md, "Ingest cost"): every per-document query is an indexed
lookup whose result is bounded, not by the archive's size (see archive/store/clusters.py and
archive/store/citations.py for the caps).
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from archive.models import Citation, CrawlRun, Document
from archive.store import Archive
from bench.ingest_fill import extracted, fill, probe, with_citations

FILLED_AT = datetime(2025, 6, 30)
PROBED_AT = datetime(2025, 7, 1)
ROUNDS = 10


@contextmanager
def fresh_database(base_url: str | None, tmp: Path, size: int) -> Iterator[str]:
    """A new empty database: a SQLite file, or a database made on base_url's server and dropped after."""
    if base_url is None:
        yield f"sqlite:///{tmp / f'ingest{size}.sqlite'}"
        return
    url = make_url(base_url)
    name = f"bench_ingest_{os.getpid()}_{size}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))   # even after a failed run
        admin.dispose()


class Subject:
    """One size's archive, filled, and its probe as it is ingested round by round."""

    def __init__(self, url: str, registry: list[dict], stored: list[dict], pool: list[dict], seed: int,
                 profile: bool):
        names = {e["id"]: e["name"] for e in registry}
        self.stored = stored
        self.archive = Archive(url)
        started = time.perf_counter()
        fill(self.archive, registry, stored, FILLED_AT)
        self.fill_s = time.perf_counter() - started
        with self.archive.session() as s:
            run = CrawlRun(site_id=pool[0]["site"], started=PROBED_AT, errors={})
            s.add(run)
            s.flush()
            self.run_id = run.id
        self.probes = [(kind, record, extracted(record, names[record["site"]]))
                       for kind, record in probe(pool, stored, seed)]
        self.profiler = cProfile.Profile() if profile else None
        self.seconds: list[float] = []
        self.loads: list[float] = []
        self.outcomes: Counter = Counter()

    def ingest(self, start: int, end: int) -> None:
        self.loads.append(os.getloadavg()[0])
        for _kind, record, doc in self.probes[start:end]:
            if self.profiler:
                self.profiler.enable()
            t = time.perf_counter()
            result = self.archive.ingest(doc, site_id=record["site"], seen_at=PROBED_AT, run_id=self.run_id)
            self.seconds.append(time.perf_counter() - t)
            if self.profiler:
                self.profiler.disable()
            self.outcomes[result.outcome] += 1

    def result(self, profile: Path | None) -> dict:
        if self.profiler:
            self.profiler.dump_stats(str(profile / f"ingest-{len(self.stored)}.prof"))
        quality = _quality(self.archive, self.probes, self.stored)
        self.archive.close()
        ms = sorted(1000 * x for x in self.seconds)
        return {"stored": len(self.stored), "fill_s": round(self.fill_s, 1), "probe": len(ms),
                "docs_per_s": round(len(ms) / (sum(ms) / 1000), 1), "ms_median": round(statistics.median(ms), 2),
                "ms_p90": round(ms[int(0.9 * (len(ms) - 1))], 2), "ms_max": round(ms[-1], 1),
                "outcomes": dict(self.outcomes), "load_avg_1min": round(statistics.median(self.loads), 2),
                **quality}


def _quality(archive: Archive, probes: list[tuple[str, dict, object]], stored: list[dict]) -> dict:
    """Near copies in their original's cluster; citing probes whose stored plan was resolved."""
    stored_urls = {r["url"] for r in stored}
    with archive.reading() as s:
        cluster = dict(s.execute(select(Document.url, Document.cluster_id)).all())
        ids = {url: i for i, url in s.execute(select(Document.id, Document.url)).all()}
        copies = [(r["url"], r["url"].split("?copy=")[0]) for kind, r, _ in probes if kind == "near copy"]
        joined = sum(1 for url, original in copies if original in stored_urls and cluster.get(url) == cluster.get(original))
        citing = [ids[r["url"]] for kind, r, _ in probes if kind == "citing"]
        resolved = set(s.scalars(select(Citation.document_id).where(Citation.document_id.in_(citing),
                                                                    Citation.cited_id.is_not(None))))
    return {"near_copies_joined": f"{joined}/{len(copies)}", "citing_resolved": f"{len(resolved)}/{len(citing)}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--probe", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server's URL (a database is made per size)")
    parser.add_argument("--profile", type=Path, default=None, help="a folder for cProfile stats of each probe")
    parser.add_argument("--work", type=Path, default=None, help="where the SQLite files go (default: a temp dir)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    from evaluation.farm import truth_records

    registry, records = truth_records(max(sizes) + args.probe, args.seed)
    records = with_citations(records, args.seed)
    pool = records[max(sizes):]
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.work) as tmp, ExitStack() as stack:
        subjects = [Subject(stack.enter_context(fresh_database(args.database_url, Path(tmp), size)), registry,
                            records[:size], pool, args.seed, bool(args.profile)) for size in sizes]
        # the sizes take turns, ROUNDS times, so a change in the machine's load falls on all of them
        step = -(-args.probe // ROUNDS)
        for start in range(0, args.probe, step):
            for subject in subjects:
                subject.ingest(start, start + step)
        results = [subject.result(args.profile) for subject in subjects]
    first, last = results[0], results[-1]
    ratio = last["docs_per_s"] / first["docs_per_s"]
    backend = make_url(args.database_url).get_backend_name() if args.database_url else "sqlite"
    print(json.dumps({"backend": backend, "probe": args.probe, "seed": args.seed, "results": results,
                      f"ratio_{last['stored']}_to_{first['stored']}": round(ratio, 3)}, ensure_ascii=False))
    print(f"one-by-one ingest of {args.probe} documents ({backend}){' under cProfile' if args.profile else ''}")
    print(f"{'stored':>8} {'fill s':>7} {'docs/s':>7} {'ms med':>7} {'ms p90':>7} {'ms max':>7} "
          f"{'copies':>8} {'cites':>8}  load (1 min, median of rounds)")
    for r in results:
        print(f"{r['stored']:8d} {r['fill_s']:7.1f} {r['docs_per_s']:7.1f} {r['ms_median']:7.2f} {r['ms_p90']:7.2f} "
              f"{r['ms_max']:7.1f} {r['near_copies_joined']:>8} {r['citing_resolved']:>8}  {r['load_avg_1min']}")
    print(f"docs/s at {last['stored']} / at {first['stored']}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
