"""Dedup benchmark: precision/recall against the farm's lineages, and documents per second.

Ours: Archive.ingest into a fresh SQLite file (extraction skipped; includes the SQL band table and
the exact check). Baseline: datasketch MinHashLSH alone, in memory, clusters = connected LSH hits.

    python bench/dedup.py --sites 20 [--seed 0] [--database-url URL]
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path

from datasketch import MinHashLSH
from sqlalchemy import select

from archive.dedup import DedupSettings
from archive.dedup.evaluate import farm_truth, pair_score, to_extracted
from archive.dedup.minhash import NUM_PERM, signature
from archive.dedup.text import shingles
from archive.models import Document
from archive.store import Archive


def ours(registry: list[dict], records: list[dict], url: str) -> tuple[dict[str, int], float]:
    archive = Archive(url, DedupSettings())
    for entry in registry:
        archive.upsert_site(entry)
    started = time.perf_counter()
    for record in records:
        archive.ingest(to_extracted(record), site_id=record["site"], seen_at=datetime(2025, 6, 30))
    seconds = time.perf_counter() - started
    with archive.session() as s:
        clusters = dict(s.execute(select(Document.url, Document.cluster_id)).all())
    archive.close()
    return clusters, seconds


def datasketch_alone(records: list[dict], threshold: float) -> tuple[dict[str, int], float]:
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
        sig = signature(shingles(record["text"]))
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
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", default=None, help="Default: a fresh SQLite file in a temp dir.")
    args = parser.parse_args()
    registry, records = farm_truth(args.sites, args.seed)
    lineage = {r["url"]: r["lineage"] for r in records}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        for name, (clusters, seconds) in (
                ("govplans (ingest + SQL LSH + check)", ours(registry, records, url)),
                ("datasketch MinHashLSH 0.5 alone", datasketch_alone(records, 0.5)),
                ("datasketch MinHashLSH 0.7 alone", datasketch_alone(records, 0.7))):
            score = pair_score(clusters, lineage)
            rows.append({"method": name, "documents": len(records), "precision": round(score.precision, 4),
                         "recall": round(score.recall, 4), "wrong_pairs": score.wrong_pairs,
                         "docs_per_s": round(len(records) / seconds, 1)})
    print(json.dumps({"sites": args.sites, "seed": args.seed, "results": rows}, ensure_ascii=False))
    print(f"{'method':40} {'prec':>7} {'recall':>7} {'wrong':>7} {'docs/s':>8}")
    for r in rows:
        print(f"{r['method']:40} {r['precision']:7.3f} {r['recall']:7.3f} {r['wrong_pairs']:7d} {r['docs_per_s']:8.1f}")


if __name__ == "__main__":
    main()
