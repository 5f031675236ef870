"""Crawl throughput on the farm: bare Scrapy vs raw capture (WARC) vs full (capture + extract + store).

    python -m bench.crawl [--sites 20] [--runs 7] [--inline] [--extractors 2,3] [--real]

`full` is what `govplans crawl` runs: the crawl process captures and hands each page to the archive
writer's two processes (crawler/writer.py: an extractor, and a store writing in batches).
`--inline` adds `full-inline`, the same work in the crawl's own process page by page
(ExtractionPipeline + StorePipeline), measured in the same rounds. `--extractors 2,3` adds
`full-e2`, `full-e3`: the full path with that many extractor processes in the writer
(GOVPLANS_EXTRACTORS; `full` runs with the writer's default, crawler/writer.extractor_count).
`--real` crawls portals of real government pages (bench/real_portals.py: the labelled pages of
../shared/realdata, heavier to extract than the farm's) in place of the farm's.

CPU is counted for every process of a crawl: the crawl process's own (RUSAGE_SELF) plus its
children's (RUSAGE_CHILDREN: the writer's processes, which run_crawl joins before it returns, so
the kernel has added their CPU by then); `writer_cpu_seconds_per_1000_pages` is the children's
share.

Each mode runs in its own process (Scrapy's reactor starts once per process), modes interleaved
run by run (their order rotating) so machine noise hits all of them alike, after one unmeasured
warm-up crawl that fills the farm's caches. Prints per mode as JSON and a table: the median
pages/s, its ratio to bare's median, the median of the per-run ratios (each run's mode against the
bare crawl of the same round: drift in the machine's speed cancels), the range of those ratios,
and CPU seconds per 1,000 pages (the crawl process's own, less noisy than wall time).
A 10-site crawl lasts ~5 s, so its ratios swing by 10 % from run to run; 20 sites and 7 runs
are the default for that reason.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# bare and capture store nothing: no pipelines and no crawl-runs extension (run bookkeeping)
MODES = {
    "bare": {"ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": {}, "EXTENSIONS": {}},
    "capture": {"ITEM_PIPELINES": {}, "EXTENSIONS": {}},
    "full": {},
}
# the full path in the crawl's own process, page by page (what `full` was before the archive writer)
INLINE = {"ITEM_PIPELINES": {"crawler.pipelines.extraction.ExtractionPipeline": 300,
                             "crawler.pipelines.store.StorePipeline": 400}}


def crawl_once(sites_file: str, mode: str, data_dir: str) -> dict:
    from archive.config import DataDir
    from crawler.registry import load_sites
    from crawler.run import run_crawl

    before = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    overrides = INLINE if mode == "full-inline" else MODES["full" if extractors_of(mode) else mode]
    summary = run_crawl(load_sites(sites_file), DataDir.resolve(data_dir), overrides=overrides | {"LOG_LEVEL": "ERROR"})
    crawl = _cpu(resource.RUSAGE_SELF) - before[0]
    writer = _cpu(resource.RUSAGE_CHILDREN) - before[1]   # the archive writer, joined when run_crawl ended
    return {"mode": mode, "pages": summary.pages, "seconds": summary.seconds,
            "pages_per_second": summary.pages_per_second, "cpu_seconds": crawl + writer,
            "crawl_cpu_seconds": crawl, "writer_cpu_seconds": writer}


def extractors_of(mode: str) -> str | None:
    """N of a `full-eN` mode (the full path with N extractor processes), else None."""
    return mode[len("full-e"):] if mode.startswith("full-e") else None


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--inline", action="store_true",
                        help="also the full path in the crawl's own process (full-inline), side by side")
    parser.add_argument("--extractors", default="",
                        help="also the full path with these numbers of extractor processes (full-eN), side by side")
    parser.add_argument("--real", action="store_true",
                        help="portals of real government pages (../shared/realdata) in place of the farm's")
    parser.add_argument("--one", nargs=3, metavar=("SITES_FILE", "MODE", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(crawl_once(*args.one)))
        return

    if args.real:
        from bench.real_portals import start_real_portals

        server, registry = start_real_portals(ROOT.parent / "shared" / "realdata", args.sites)
        stop = server.shutdown
    else:
        from govplans.demo import start_farm
        from govplans.ports import free_port
        from sitefarm.world import World

        port = free_port()
        farm = start_farm(port, args.sites)
        registry = World(sites=args.sites).registry(port)

        def stop():
            farm.terminate()
            farm.wait()
    modes = list(MODES) + (["full-inline"] if args.inline else []) + [
        f"full-e{n}" for n in args.extractors.split(",") if n.strip()]
    results: dict[str, list[dict]] = {mode: [] for mode in modes}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sites_file = Path(tmp) / "sites.yaml"
            sites_file.write_text(yaml.safe_dump(registry, allow_unicode=True))

            def once(mode: str, data: Path) -> dict:
                extractors = {"GOVPLANS_EXTRACTORS": extractors_of(mode)} if extractors_of(mode) else {}
                out = subprocess.run([sys.executable, "-m", "bench.crawl", "--one", str(sites_file), mode,
                                      str(data)], capture_output=True, text=True, check=True,
                                     env=os.environ | extractors)
                return json.loads(out.stdout.strip().splitlines()[-1])

            once("bare", Path(tmp) / "warm-up")
            for run in range(args.runs):
                for mode in modes[run % len(modes):] + modes[:run % len(modes)]:
                    results[mode].append(once(mode, Path(tmp) / f"{mode}-{run}"))
    finally:
        stop()
    summary = summarize(results, args.sites) | {"pages": "real" if args.real else "farm"}
    print(json.dumps(summary))
    print_table(summary["modes"], args.runs)


def summarize(results: dict[str, list[dict]], sites: int) -> dict:
    bare_runs = [r["pages_per_second"] for r in results["bare"]]
    bare = statistics.median(bare_runs)
    report = {}
    for mode, runs in results.items():
        speeds = [r["pages_per_second"] for r in runs]
        paired = [mine / theirs for mine, theirs in zip(speeds, bare_runs) if theirs]
        report[mode] = {"pages": runs[0]["pages"], "median_pages_per_second": round(statistics.median(speeds), 1),
                        "ratio_to_bare": round(statistics.median(speeds) / bare, 2) if bare else None,
                        "median_paired_ratio": round(statistics.median(paired), 2) if paired else None,
                        "paired_ratio_range": [round(min(paired), 2), round(max(paired), 2)] if paired else None,
                        "cpu_seconds_per_1000_pages": round(statistics.median(
                            1000 * r["cpu_seconds"] / r["pages"] for r in runs if r["pages"]), 2),
                        "writer_cpu_seconds_per_1000_pages": round(statistics.median(
                            1000 * r["writer_cpu_seconds"] / r["pages"] for r in runs if r["pages"]), 2),
                        "pages_per_second_runs": [round(v, 1) for v in speeds], "runs": len(runs)}
    return {"bench": "crawl", "sites": sites, "modes": report}


def print_table(report: dict, runs: int) -> None:
    print(f"\n{'mode':11} {'pages':>6} {'pages/s (median of %d)' % runs:>23} {'× bare':>7} {'paired × bare':>14} "
          f"{'range':>11} {'CPU s/1000 pages':>17} {'of it writer':>13}")
    for mode, row in report.items():
        low, high = row["paired_ratio_range"]
        print(f"{mode:11} {row['pages']:>6} {row['median_pages_per_second']:>23} {row['ratio_to_bare']:>7} "
              f"{row['median_paired_ratio']:>14} {f'{low}-{high}':>11} {row['cpu_seconds_per_1000_pages']:>17} "
              f"{row['writer_cpu_seconds_per_1000_pages']:>13}")


if __name__ == "__main__":
    main()
