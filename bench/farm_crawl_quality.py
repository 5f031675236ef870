"""What a full crawl of the farm stores, scored against its truth: clusters, fields, navigation.

    python -m bench.farm_crawl_quality [--sites 12] [--seed 0] [--families trs,county] [--data DIR]

Crawls World(sites, seed, attachments=True) with faults off into a fresh data directory (or
scores DIR again when it holds a finished crawl) and prints one JSON object: cluster pair
precision/recall against the planted lineages, per-field accuracy (文号 included), body line
recall (page and attachment documents), and how many stored texts hold the site's navigation
(three or more of the chrome lines the truth names, or of the farm's common navigation words).
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

NAV = ("首页", "政务公开", "政务动态", "办事服务", "互动交流", "网站地图", "联系我们", "今天是：", "搜索")
FIELDS = ("title", "published", "agency", "doc_number", "index_number", "year", "doc_type")


def score(world, port: int, data) -> dict:
    from sqlalchemy import select

    from archive.models import Document
    from archive.store import Archive
    from evaluation.dedup import pair_score

    truth = [json.loads(json.dumps(t, default=str)) for t in world.truth(port)]
    archive = Archive(data.database_url)
    try:
        with archive.reading() as s:
            rows = {r.url: r for r in s.scalars(select(Document))}
    finally:
        archive.close()
    found = [t for t in truth if t["status"] != "withdrawn" and not t.get("defence") and t["url"] in rows]
    pairs = pair_score({t["url"]: rows[t["url"]].cluster_id for t in found},
                       {t["url"]: t["lineage"] for t in found})
    fields = {name: sum(_same(getattr(rows[t["url"]], name), t[name]) for t in found) / len(found)
              for name in FIELDS}
    nav = [t["url"] for t in found if _chrome_count(rows[t["url"]].text or "", t) >= 3]
    recall = {kind: _mean([_line_recall(rows[t["url"]].text or "", t["text"]) for t in found if t["text_in"] == kind])
              for kind in ("page", "attachment")}
    return {"documents": len(found), "truth": len(truth), "pair_precision": round(pairs.precision, 4),
            "pair_recall": round(pairs.recall, 4), "fields": {k: round(v, 4) for k, v in fields.items()},
            "body_line_recall": recall, "texts_with_navigation": len(nav), "examples": nav[:3]}


def _same(stored, truth) -> bool:
    return (str(stored) if stored is not None else None) == (str(truth) if truth not in (None, "") else None)


def _chrome_count(text: str, record: dict) -> int:
    chrome = set(record.get("chrome") or NAV)
    return sum(line.strip() in chrome for line in text.splitlines())


def _line_recall(text: str, truth: str) -> float:
    flat = re.sub(r"\s+", "", text)
    lines = [re.sub(r"\s+", "", line) for line in truth.splitlines() if line.strip()]
    return sum(line in flat for line in lines) / max(len(lines), 1)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--families", default=None, help="comma-separated; default the seeded world's")
    parser.add_argument("--data", default=None, help="data directory (kept; scored again if crawled)")
    args = parser.parse_args()

    from archive.config import DataDir
    from crawler.run import run_crawl
    from sitefarm.server import start_in_thread
    from sitefarm.world import World

    families = tuple(args.families.split(",")) if args.families else None
    world = World(sites=args.sites, seed=args.seed, attachments=True, families=families)
    root = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="farm-quality-"))
    data = DataDir.resolve(str(root))
    server, port = start_in_thread(world, port=0)
    try:
        done = root / "crawled-port"
        if done.exists():
            port = int(done.read_text())      # the truth's URLs carry the port the crawl saw
        else:
            run_crawl(world.registry(port), data, overrides={"LOG_LEVEL": "ERROR"})
            done.write_text(str(port))
        print(json.dumps(score(world, port, data), ensure_ascii=False))
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
