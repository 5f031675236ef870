"""Body lengths of real government pages beside the benchmark corpora's (what sitefarm/lengths.py fits).

    python -m bench.lengths [--realdata ../shared/realdata] [--docs 10000] [--json]

Real: the labelled gov pages of gold.jsonl (their bodies as our extractor reads them: body recall
1.00, chrome leak 0.00 on these pages), the 60 www.gov.cn 政策 records of bench/govcn-zhengce (the
text of their `content` HTML), and the gold texts of bench/immortal and bench/magic (news and
portal articles, for contrast). Lengths are characters without whitespace. Generated: the farm's
truth texts (World, default and lengths="real") and evaluation/corpus.py's realistic corpus.
Prints count, p10, median, p90, p99 and max per set.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SPACE = re.compile(r"\s+")
TAG = re.compile(r"<[^>]+>")
GOVCN_COLUMNS = ("id, crawl_url, crawl_time, index_number, title, release_office, release_number, policy_basis, "
                 "wiritten_time, release_time, effect_time, content, image_url, status, html, remark")


def chars(text: str) -> int:
    return len(SPACE.sub("", text or ""))


def gold_page_lengths(realdata: Path) -> list[int]:
    from archive.extract import RawPage, extract_document
    from evaluation.extraction import load_gold

    return [chars(extract_document(RawPage(page.url, page.body)).text) for page in load_gold(realdata)]


def govcn_lengths(realdata: Path) -> list[int]:
    """The records' `content` column (an HTML fragment of the policy's text), as text."""
    sql = (realdata / "bench" / "govcn-zhengce" / "records.sql").read_text(encoding="utf-8")
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE ge_policy_raw ({GOVCN_COLUMNS})")
    db.executescript(sql)
    return [chars(html.unescape(TAG.sub("", content or ""))) for (content,) in
            db.execute("SELECT content FROM ge_policy_raw")]


def bench_text_lengths(realdata: Path) -> dict[str, list[int]]:
    from evaluation.extraction import load_bench

    return {name: [chars(page.label["text"]) for page in pages]
            for name, pages in load_bench(realdata / "bench").items()}


def farm_lengths(docs: int, lengths: str) -> tuple[list[int], list[int]]:
    """(page-held texts, attachment-held texts) of the farm's first `docs` truth records."""
    from evaluation.farm import truth_records

    records = truth_records(docs, lengths=lengths)[1]
    return ([chars(r["text"]) for r in records if r["text_in"] == "page"],
            [chars(r["text"]) for r in records if r["text_in"] == "attachment"])


def quantiles(values: list[int]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {"count": 0}
    at = lambda p: ordered[min(len(ordered) - 1, int(p * len(ordered)))]  # noqa: E731
    return {"count": len(ordered), "p10": at(0.1), "median": at(0.5), "p90": at(0.9), "p99": at(0.99),
            "max": ordered[-1], "mean": round(sum(ordered) / len(ordered))}


def measure(realdata: Path, docs: int) -> dict[str, dict]:
    from evaluation.corpus import generate_realistic

    sets: dict[str, list[int]] = {}
    if (realdata / "gold.jsonl").exists():
        sets["real: gold.jsonl gov pages"] = gold_page_lengths(realdata)
    if (realdata / "bench" / "govcn-zhengce" / "records.sql").exists():
        sets["real: govcn-zhengce policies"] = govcn_lengths(realdata)
    for name, values in bench_text_lengths(realdata).items():
        sets[f"real: {name} gold texts"] = values
    for lengths in ("farm", "real"):
        pages, files = farm_lengths(docs, lengths)
        sets[f"farm lengths={lengths}: page bodies"] = pages
        sets[f"farm lengths={lengths}: attachment-held plans"] = files
    for lengths in ("farm", "real"):
        sets[f"corpus.py realistic lengths={lengths}"] = [chars(d.text) for d in
                                                          generate_realistic(docs, lengths=lengths)]
    return {name: quantiles(values) for name, values in sets.items()}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    ap.add_argument("--docs", type=int, default=10_000, help="generated documents measured")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    figures = measure(args.realdata, args.docs)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(f"{'set':48} {'count':>6} {'p10':>7} {'median':>7} {'p90':>8} {'p99':>8} {'max':>8} {'mean':>7}")
    for name, q in figures.items():
        if q["count"]:
            print(f"{name:48} {q['count']:6} {q['p10']:7} {q['median']:7} {q['p90']:8} {q['p99']:8} "
                  f"{q['max']:8} {q['mean']:7}")


if __name__ == "__main__":
    main()
