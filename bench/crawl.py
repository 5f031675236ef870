"""Crawl throughput on the farm: bare Scrapy vs raw capture (WARC) vs full (capture + extract + store).

    python -m bench.crawl [--sites 10] [--runs 3]

Each mode runs in its own process (Scrapy's reactor starts once per process), modes interleaved
run by run (their order rotating) so machine noise hits all of them alike, after one unmeasured
warm-up crawl that fills the farm's caches; prints the median pages/s per mode as JSON and a table.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

MODES = {
    "bare": {"ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": {}},
    "capture": {"ITEM_PIPELINES": {}},
    "full": {},
}


def crawl_once(sites_file: str, mode: str, data_dir: str) -> dict:
    from archive.config import DataDir
    from crawler.registry import load_sites
    from crawler.run import run_crawl

    summary = run_crawl(load_sites(sites_file), DataDir.resolve(data_dir), overrides=MODES[mode] | {"LOG_LEVEL": "ERROR"})
    return {"mode": mode, "pages": summary.pages, "seconds": summary.seconds,
            "pages_per_second": summary.pages_per_second}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", nargs=3, metavar=("SITES_FILE", "MODE", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(crawl_once(*args.one)))
        return

    from govplans.demo import free_port, start_farm
    from sitefarm.world import World

    port = free_port()
    farm = start_farm(port, args.sites)
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sites_file = Path(tmp) / "sites.yaml"
            sites_file.write_text(yaml.safe_dump(World(sites=args.sites).registry(port), allow_unicode=True))
            def once(mode: str, data: Path) -> dict:
                out = subprocess.run([sys.executable, "-m", "bench.crawl", "--one", str(sites_file), mode,
                                      str(data)], capture_output=True, text=True, check=True)
                return json.loads(out.stdout.strip().splitlines()[-1])

            once("bare", Path(tmp) / "warm-up")
            modes = list(MODES)
            for run in range(args.runs):
                for mode in modes[run % len(modes):] + modes[:run % len(modes)]:
                    results[mode].append(once(mode, Path(tmp) / f"{mode}-{run}"))
    finally:
        farm.terminate()
        farm.wait()
    bare = statistics.median(r["pages_per_second"] for r in results["bare"])
    report = {}
    for mode, runs in results.items():
        median = statistics.median(r["pages_per_second"] for r in runs)
        report[mode] = {"pages": runs[0]["pages"], "median_pages_per_second": round(median, 1),
                        "ratio_to_bare": round(median / bare, 2) if bare else None, "runs": len(runs)}
    print(json.dumps({"bench": "crawl", "sites": args.sites, "modes": report}))
    print(f"\n{'mode':10} {'pages':>7} {'pages/s (median of %d)' % args.runs:>24} {'× bare':>8}")
    for mode, row in report.items():
        print(f"{mode:10} {row['pages']:>7} {row['median_pages_per_second']:>24} {row['ratio_to_bare']:>8}")


if __name__ == "__main__":
    main()
