"""Extraction benchmark on real pages: ours (extract_document) vs bare trafilatura.extract and
readability-lxml (when installed), side by side.

    python bench/extraction.py [--realdata ../shared/realdata] [--json]
    python bench/extraction.py --loso [--gold OTHER/gold.jsonl]   leave-one-site-out figures

Prints a table (and JSON with --json): per-field accuracy, body recall and chrome leak on
the labelled gov pages; char-bigram F1 on bench/immortal and bench/magic; median ms/page, and
ours' throughput as a share of bare trafilatura's (pages/s ours ÷ pages/s trafilatura), against
its extract + extract_metadata and against trafilatura.extract alone. --pages adds each
full-text page's F1 for the three, worst for ours (against the better of the other two) first.

Like with like: every side starts from the page's bytes and decodes them with
archive.extract.decode inside the timed call (trafilatura alone mis-decodes the UTF-16 pages),
then parses on its own. Ours returns the whole record (title, dates, agency, 文号, 索引号, region,
attachments, outline, themes and the body); bare trafilatura.extract only the body text.
The process runs on one core (pinned where the OS allows), so the ratio is single-core throughput.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from archive.extract import RawPage, decode, extract_document  # noqa: E402
from evaluation.extraction import FIELDS, bigram_f1, load_gold, score  # noqa: E402


def ours(body: bytes, url: str) -> tuple[dict, str]:
    doc = extract_document(RawPage(url, body)).to_dict()
    return doc, doc["text"]


def bare(body: bytes, url: str) -> tuple[dict, str]:
    """trafilatura 2.3 defaults, given text we decoded (it mis-decodes UTF-16 pages on its own)."""
    html, _ = decode(body, {})
    text = trafilatura.extract(html, url=url or None) or ""
    meta = trafilatura.extract_metadata(html, default_url=url or None)
    return {"title": meta.title if meta else None, "published": meta.date if meta else None}, text


def readability(body: bytes, url: str) -> tuple[dict, str]:
    """readability-lxml's summary as text and its short title, on text we decoded."""
    from types import SimpleNamespace

    from evaluation.extraction import run_readability

    return run_readability(SimpleNamespace(body=body, url=url))


def runners() -> dict:
    return {"ours": ours, "trafilatura": bare, "readability": readability}


def timed(run, body: bytes, url: str, times: list[float]):
    start = time.perf_counter()
    result = run(body, url)
    times.append((time.perf_counter() - start) * 1000)
    return result


def bench_pages(realdata: Path) -> dict[str, list[tuple[bytes, str, str]]]:
    """name -> [(html bytes, url, gold text)] for the full-text benchmarks."""
    sets: dict[str, list] = {"immortal": [], "magic": []}
    immortal = realdata / "bench" / "immortal"
    for html in sorted((immortal / "original").glob("*.html")):
        gold = immortal / "cleaned" / f"{html.stem}.txt"
        if gold.exists():
            sets["immortal"].append((html.read_bytes(), "", gold.read_text(encoding="utf-8", errors="replace")))
    magic = realdata / "bench" / "magic"
    if (magic / "base.json").exists():
        for sha, item in json.loads((magic / "base.json").read_text(encoding="utf-8")).items():
            html = magic / "htmls" / f"{sha}.html"
            if html.exists():
                sets["magic"].append((html.read_bytes(), item.get("url") or "", item.get("content") or ""))
    return sets


def run(realdata: Path, per_page: bool = False) -> dict:
    pages = list(load_gold(realdata))
    report: dict = {"pages": len(pages)}
    sides = runners()
    times: dict[str, list[float]] = {name: [] for name in sides}
    for name, runner in sides.items():
        scores = score(pages, lambda p: timed(runner, p.body, p.url, times[name]))
        report[name] = {
            **{f: round(scores.accuracy(f), 3) for f in FIELDS},
            **{f"{f}_false_positives": scores.false_positive[f] for f in FIELDS},
            "body_recall": round(scores.body_recall, 3),
            "chrome_leak": round(scores.chrome_leak, 3),
        }
    rows: dict[tuple[str, int], dict[str, float]] = {}
    for set_name, items in bench_pages(realdata).items():
        report[f"{set_name}_pages"] = len(items)
        for name, runner in sides.items():
            f1s = [bigram_f1(timed(runner, body, url, times[name])[1], gold) for body, url, gold in items]
            report[name][f"{set_name}_bigram_f1"] = round(statistics.mean(f1s), 3) if f1s else None
            for n, f1 in enumerate(f1s):
                rows.setdefault((set_name, n), {})[name] = round(f1, 3)
    if per_page:
        report["per_page"] = sorted(
            ({"set": s, "page": n, **f} for (s, n), f in rows.items()),
            key=lambda r: r["ours"] - max(r["trafilatura"], r["readability"]))
    for name in times:
        report[name]["median_ms_per_page"] = round(statistics.median(times[name]), 1)
        report[name]["pages_per_s"] = round(len(times[name]) / (sum(times[name]) / 1000), 2)
    report["ours"]["throughput_vs_trafilatura"] = round(
        report["ours"]["pages_per_s"] / report["trafilatura"]["pages_per_s"], 3)
    every = [(p.body, p.url) for p in pages] + [(b, u) for items in bench_pages(realdata).values() for b, u, _ in items]
    report["ours"]["throughput_vs_trafilatura_extract_only"] = paired_throughput(every)
    return report


def extract_only(body: bytes, url: str) -> None:
    html, _ = decode(body, {})
    trafilatura.extract(html, url=url or None)


def paired_throughput(pages: list[tuple[bytes, str]], rounds: int = 2) -> float:
    """Ours' pages/s over bare trafilatura.extract's (no metadata), both timed on each page in
    turn, the faster of `rounds` runs per page: steadier on a busy machine than two passes.
    Both sides get the same bytes and decode them with archive.extract.decode in the timed call."""
    total = {"ours": 0.0, "bare": 0.0}
    for body, url in pages:
        best = {"ours": float("inf"), "bare": float("inf")}
        for _ in range(rounds):
            for name, run in (("ours", ours), ("bare", extract_only)):
                start = time.perf_counter()
                run(body, url)
                best[name] = min(best[name], time.perf_counter() - start)
        for name in total:
            total[name] += best[name]
    return round(total["bare"] / total["ours"], 3) if total["ours"] else 0.0


def table(report: dict) -> str:
    rows = [k for k in report["ours"] if not k.endswith("false_positives")]
    rows += [k for k in report["ours"] if k.endswith("false_positives")]
    sides = [name for name in ("ours", "trafilatura", "readability") if name in report]
    lines = [f"{'metric':34}" + "".join(f" {name:>12}" for name in sides), "-" * (34 + 13 * len(sides))]
    for key in rows:
        lines.append(f"{key:34}" + "".join(f" {_fmt(report[name].get(key)):>12}" for name in sides))
    lines.append(f"(gov pages: {report['pages']}, immortal: {report.get('immortal_pages')}, "
                 f"magic: {report.get('magic_pages')}; fields scored where gold is set)")
    return "\n".join(lines)


def _fmt(value) -> str:
    return "-" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--pages", action="store_true", help="also print each full-text page's F1")
    parser.add_argument("--loso", action="store_true",
                        help="only the leave-one-site-out figures (evaluation.loso): thresholds fitted on the other "
                             "sites, the held-out site scored; bigram F1 on the full-gold sets' held-back halves")
    parser.add_argument("--gold", type=Path, help="with --loso: another gold.jsonl, its files relative to it")
    args = parser.parse_args()
    if args.loso:
        from evaluation.loso import report as loso_report, table as loso_table

        print(loso_table(loso_report(args.realdata, args.gold, args.gold.parent if args.gold else None)))
        return
    if not (args.realdata / "gold.jsonl").exists():
        sys.exit(f"no gold.jsonl under {args.realdata}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # single-core figures
    report = run(args.realdata, per_page=args.pages)
    print(table(report))
    if args.pages:
        print(f"\n{'set':9} {'page':>4} {'ours':>6} {'trafilatura':>11} {'readability':>11}")
        for r in report["per_page"]:
            print(f"{r['set']:9} {r['page']:>4} {r['ours']:>6} {r['trafilatura']:>11} {r['readability']:>11}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
