"""Dedup benchmark: documents per second and pair precision/recall against the farm's lineages.

    python -m bench.dedup [--docs 10000] [--seed 0] [--repeat 3] [--ingest-docs 1000] [--database-url URL]

On the first --docs truth records of the smallest farm that holds them, in one run, alternating:

- dedup, ours: `rebuild_clusters` over the stored documents (masked-sentence MinHash, LSH bands written to
  SQL, exact Jaccard check, clusters and canonical copies written back); the documents are stored
  beforehand without clusters (not timed);
- dedup, peer: datasketch alone, in memory: MinHash-128 of 5-character shingles, MinHashLSH(0.5),
  clusters = connected LSH hits (no check, nothing stored);
- ingest, ours: `Archive.ingest` one document at a time (commit per document, incremental dedup)
  of the last --ingest-docs documents into an archive already holding the others, clustered.

Figures are medians over --repeat runs; the JSON line carries every run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from archive.dedup import DedupSettings
from archive.dedup.text import normalise
from archive.models import Document
from archive.store import Archive
from evaluation.dedup import pair_score, store_unclustered, to_extracted

SEEN_AT = datetime(2025, 6, 30)
NUM_PERM = 128


def records_for(docs: int, seed: int) -> tuple[list[dict], list[dict]]:
    # imported here so that bench.suite's datasketch stage, which imports this module, does not load the farm
    from evaluation.farm import truth_records

    registry, records = truth_records(docs, seed)
    return registry, records


def ours(registry: list[dict], records: list[dict], url: str) -> tuple[dict[str, int], float]:
    """rebuild_clusters over the stored records: (cluster by URL, seconds)."""
    archive = Archive(url, DedupSettings())
    try:
        store_unclustered(archive, registry, records, SEEN_AT)
        started = time.perf_counter()
        archive.rebuild_clusters()
        seconds = time.perf_counter() - started
        clusters = _clusters(archive)
    finally:
        archive.close()
    return clusters, seconds


def ingest(registry: list[dict], records: list[dict], last: int, url: str) -> tuple[dict[str, int], float]:
    """Archive.ingest of the last `last` records into an archive holding the others: (clusters, seconds)."""
    archive = Archive(url, DedupSettings())
    try:
        store_unclustered(archive, registry, records[:-last], SEEN_AT)
        archive.rebuild_clusters()
        started = time.perf_counter()
        for record in records[-last:]:
            archive.ingest(to_extracted(record), site_id=record["site"], seen_at=SEEN_AT)
        seconds = time.perf_counter() - started
        clusters = _clusters(archive)
    finally:
        archive.close()
    return clusters, seconds


def _clusters(archive: Archive) -> dict[str, int | None]:
    with archive.session() as s:
        return dict(s.execute(select(Document.url, Document.cluster_id)).all())


@lru_cache(maxsize=1)
def _permutations():
    from datasketch import MinHash
    return MinHash(num_perm=NUM_PERM, seed=1).permutations  # made once, as datasketch's docs advise


def datasketch_alone(records: list[dict], threshold: float) -> tuple[dict[str, int], float]:
    from datasketch import MinHash, MinHashLSH

    permutations = _permutations()
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    parent: dict[str, str] = {}

    def root(url: str) -> str:
        while parent[url] != url:
            parent[url] = parent[parent[url]]
            url = parent[url]
        return url

    for record in records:
        url = record["url"]
        flat = normalise(record["text"])
        sig = MinHash(num_perm=NUM_PERM, seed=1, permutations=permutations)
        sig.update_batch([flat[i:i + 5].encode("utf-8") for i in range(max(1, len(flat) - 4))])
        parent[url] = url
        for other in lsh.query(sig):
            parent[root(other)] = root(url)
        lsh.insert(url, sig)
    seconds = time.perf_counter() - started
    roots = {url: root(url) for url in parent}
    ids = {r: n for n, r in enumerate(sorted(set(roots.values())))}
    return {url: ids[r] for url, r in roots.items()}, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ingest-docs", type=int, default=1000, help="ingested one by one at the end (0: skip)")
    parser.add_argument("--database-url", default=None, help="Default: a fresh SQLite file per run in a temp dir.")
    parser.add_argument("--no-peer", action="store_true",
                        help="skip datasketch (its docs/s falls as the archive grows: every query returns whole buckets)")
    args = parser.parse_args()
    started = time.perf_counter()
    registry, records = records_for(args.docs, args.seed)
    generate_s = time.perf_counter() - started
    lineage = {r["url"]: r["lineage"] for r in records}
    n = len(records)
    runs: dict[str, list[dict]] = {"dedup ours": [], "dedup datasketch": [], "ingest ours": []}

    def record(name: str, clusters: dict, seconds: float, docs: int) -> None:
        score = pair_score(clusters, lineage)
        runs[name].append({"seconds": round(seconds, 3), "docs_per_s": round(docs / seconds, 1),
                           "precision": round(score.precision, 4), "recall": round(score.recall, 4),
                           "wrong_pairs": score.wrong_pairs, "true_pairs": score.true_pairs})

    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.repeat):
            url = args.database_url or f"sqlite:///{Path(tmp) / f'dedup{run}.sqlite'}"
            record("dedup ours", *ours(registry, records, url), n)
            if not args.no_peer:
                record("dedup datasketch", *datasketch_alone(records, 0.5), n)
            if args.ingest_docs:
                url = args.database_url or f"sqlite:///{Path(tmp) / f'ingest{run}.sqlite'}"
                record("ingest ours", *ingest(registry, records, args.ingest_docs, url), args.ingest_docs)
            if args.database_url:
                break  # one database given: one run
    medians = {name: {key: statistics.median(r[key] for r in rs) for key in rs[0]}
               for name, rs in runs.items() if rs}
    peer = medians.get("dedup datasketch")
    ratio = medians["dedup ours"]["docs_per_s"] / peer["docs_per_s"] if peer else None
    print(json.dumps({"docs": n, "seed": args.seed, "generate_s": round(generate_s, 1), "repeat": args.repeat,
                      "ingest_docs": args.ingest_docs, "median": medians, "runs": runs,
                      "dedup_ratio_ours_to_datasketch": round(ratio, 2) if ratio else None}, ensure_ascii=False))
    print(f"{n} documents (seed {args.seed}), medians of {len(runs['dedup ours'])} runs")
    print(f"{'':24} {'docs/s':>9} {'prec':>7} {'recall':>7} {'wrong':>7}")
    for name, m in medians.items():
        docs = f" (last {args.ingest_docs} into {n - args.ingest_docs})" if name == "ingest ours" else ""
        print(f"{name:24} {m['docs_per_s']:9.1f} {m['precision']:7.3f} {m['recall']:7.3f} "
              f"{m['wrong_pairs']:7.0f}{docs}")
    if ratio:
        print(f"dedup ours / datasketch alone: {ratio:.2f}x")


if __name__ == "__main__":
    main()
