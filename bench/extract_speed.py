"""CPU the extraction stage spends per captured item: ExtractionPipeline.process_item alone, replayed.

    python -m bench.extract_speed [--sites 12] [--rounds 5] [--realdata ../shared/realdata]
                                  [--items FILE] [--dump FILE]

The farm's items are what its crawl hands the pipelines: the farm is started, crawled once in
capture mode with a recording pipeline in place of the archive's, and every item (detail pages and
attachments, bytes as served) is pickled (--items FILE keeps them for the next run: later runs
replay the same items). The saved real pages (gold.jsonl's, and the Chinese extraction
benchmarks' under bench/) are replayed as detail pages; they are longer than the farm's.

Each round runs process_item over every item in turn, on a fresh copy of it, with a fresh pipeline
(as each crawl's extractor starts), and counts the process's CPU time (not wall time: the machine is
shared) per item; a group's figure is the median over rounds of its mean ms/item. The farm's
attachments are timed twice: as the crawl reads them (a file whose very bytes were read earlier in
the round gets that text: crawler/pipelines/extraction.FileTexts; on the farm about a fifth of the
files are byte-identical copies) and every file read anew ("each read"). --dump FILE pickles every item's results (the whole
ExtractedDocument, page_lines included, or an attachment's text and OCR verdict) for an equality
check between two versions of the code.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"


class RecordingPipeline:
    """Pickles each captured item, as the extraction pipeline would get it, to one file."""

    def __init__(self, path: str):
        self.out = open(path, "ab")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("BENCH_RECORD_TO"))

    def process_item(self, item):
        pickle.dump(item, self.out)
        return item

    def close_spider(self, spider=None):
        self.out.close()


def record_once(sites_file: str, data_dir: str, items_file: str) -> None:
    """One capture-mode crawl (WARC capture kept) whose items go to items_file."""
    from archive.config import DataDir
    from crawler.registry import load_sites
    from crawler.run import run_crawl

    run_crawl(load_sites(sites_file), DataDir.resolve(data_dir), overrides={
        "ITEM_PIPELINES": {"bench.extract_speed.RecordingPipeline": 300}, "EXTENSIONS": {},
        "BENCH_RECORD_TO": items_file, "LOG_LEVEL": "ERROR"})


def farm_items(sites: int, items_file: Path) -> list:
    """The farm's captured items: read from items_file, or crawled into it first."""
    if not items_file.exists():
        import yaml

        from govplans.demo import start_farm
        from govplans.ports import free_port
        from sitefarm.world import World

        port = free_port()
        farm = start_farm(port, sites, quiet=True)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                sites_file = Path(tmp) / "sites.yaml"
                sites_file.write_text(yaml.safe_dump(World(sites=sites).registry(port), allow_unicode=True))
                partial = items_file.with_suffix(".partial")
                partial.unlink(missing_ok=True)
                subprocess.run([sys.executable, "-m", "bench.extract_speed", "--record", str(sites_file),
                                str(Path(tmp) / "data"), str(partial)], check=True, cwd=ROOT)
                partial.rename(items_file)
        finally:
            farm.terminate()
            farm.wait()
    items = []
    with open(items_file, "rb") as f:
        while True:
            try:
                items.append(pickle.load(f))
            except EOFError:
                return items


def real_items(realdata: Path) -> list:
    """Saved real pages as detail items: gold.jsonl's, then the extraction benchmarks' originals."""
    from crawler.items import CapturedPage

    pages = []
    gold = realdata / "gold.jsonl"
    if gold.exists():
        for line in gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                pages.append((record.get("url") or "", realdata / record["file"]))
    magic = realdata / "bench" / "magic"
    urls = json.loads((magic / "base.json").read_text(encoding="utf-8")) if (magic / "base.json").exists() else {}
    for path in sorted((realdata / "bench" / "immortal" / "original").glob("*.html")):
        pages.append(("", path))
    for path in sorted((magic / "htmls").glob("*.html")):
        pages.append(((urls.get(path.stem) or {}).get("url") or "", path))
    return [CapturedPage(url=url, body=path.read_bytes(), headers={}, status=200, site_id="real", kind="detail",
                         extra={"file": str(path.relative_to(realdata))}) for url, path in pages]


def groups(farm: list, real: list) -> dict[str, list]:
    return {"farm pages": [i for i in farm if i.kind == "detail"],
            "farm attachments": [i for i in farm if i.kind == "attachment" and i.status == 200],
            "farm other": [i for i in farm if i.kind not in ("detail", "attachment")
                           or (i.kind == "attachment" and i.status != 200)],
            "real pages": real}


def cpu_ms_per_item(new_pipeline, items: list, rounds: int) -> list[float]:
    """Per round, the mean CPU milliseconds process_item spends on one item (a fresh copy each time,
    a fresh pipeline from new_pipeline() each round)."""
    figures = []
    for _ in range(rounds):
        pipeline = new_pipeline()
        fresh = [dataclasses.replace(item) for item in items]
        spent = 0.0
        for item in fresh:
            start = time.process_time()
            pipeline.process_item(item)
            spent += time.process_time() - start
        figures.append(1000 * spent / len(items) if items else 0.0)
    return figures


def results_of(pipeline, items: list) -> list:
    """What extraction made of each item, comparable between two versions of the code."""
    out = []
    for item in items:
        done = pipeline.process_item(dataclasses.replace(item))
        document = done.document
        out.append({"url": item.url, "kind": item.kind, "file": item.extra.get("file"),
                    "document": (document.to_dict() | {"page_lines": list(document.page_lines)})
                    if document is not None else None,
                    "text": done.text, "ocr": done.ocr})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--items", type=Path, help="the farm's captured items: kept here, reused when present")
    parser.add_argument("--realdata", type=Path, default=REALDATA, help="saved real pages ('' for none)")
    parser.add_argument("--dump", type=Path, help="pickle every item's results here (no timing)")
    parser.add_argument("--record", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.record:
        record_once(*args.record)
        return

    from crawler.pipelines.extraction import ExtractionPipeline

    with tempfile.TemporaryDirectory() as tmp:
        farm = farm_items(args.sites, args.items or Path(tmp) / "items.pickle")
    real = real_items(args.realdata) if str(args.realdata) and args.realdata.is_dir() else []
    pipeline = ExtractionPipeline()   # as a crawl's extractor: a file's copies get the text read first
    if args.dump:
        with open(args.dump, "wb") as f:
            pickle.dump({"farm": results_of(pipeline, farm), "real": results_of(pipeline, real)}, f)
        print(f"{len(farm)} farm items and {len(real)} real pages -> {args.dump}")
        return

    report = {}
    timed = groups(farm, real)
    timed["farm attachments (each read)"] = timed["farm attachments"]
    for name, items in timed.items():
        if items:
            runs = cpu_ms_per_item(lambda: ExtractionPipeline(reuse_file_texts="each read" not in name),
                                   items, args.rounds)
            report[name] = {"items": len(items), "cpu_ms_per_item": round(statistics.median(runs), 3),
                            "rounds": [round(r, 3) for r in runs]}
    crawled = report.get("farm pages", {}).get("items", 0) + report.get("farm attachments", {}).get("items", 0)
    if crawled:
        report["farm (pages + attachments)"] = {"items": crawled, "cpu_ms_per_item": round(sum(
            report[g]["cpu_ms_per_item"] * report[g]["items"] for g in ("farm pages", "farm attachments")
            if g in report) / crawled, 3)}
    print(json.dumps({"bench": "extract_speed", "sites": args.sites, "rounds": args.rounds, "groups": report}))
    print(f"\n{'group':28} {'items':>6} {'CPU ms/item (median of %d)' % args.rounds:>28}")
    for name, row in report.items():
        print(f"{name:28} {row['items']:>6} {row['cpu_ms_per_item']:>28}")


if __name__ == "__main__":
    main()
