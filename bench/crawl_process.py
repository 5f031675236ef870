"""CPU of a worker's crawl process per page: a crawler per site (as tasks hand them over) against
one crawler per family holding all the sites, the same farm sites, in this one process.

    python -m bench.crawl_process [--sites 30] [--concurrency 16] [--runs 3] [--profile DIR]

No Celery, no Redis: the worker's crawl-process side (crawler/distributed/engine.py `CrawlProcess`)
is fed the sites `--concurrency` at once, a new one as each ends, and sends its pages to the
machine's archive writer as a worker's does; `family` builds a crawler per spider family instead,
as `govplans crawl` does. Each run is a fresh process and a fresh PostgreSQL database; the modes
alternate run by run. Printed per run and as medians: CPU ms per page of this process (every
thread: reactor, progress, archive threads, the writer's client; not the writer's processes),
the PostgreSQL connections it opened, and pages/s. --profile DIR writes a cProfile (thread CPU
clock, the reactor's thread) of each run there. Needs PostgreSQL on 127.0.0.1:5432 (as the tests).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def crawl_once(mode: str, concurrency: int, sites_count: int, profile: str | None) -> dict:
    """One run in this process (a reactor starts once per process)."""
    import cProfile

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from bench.workers import fresh_database, start_farm
    from sitefarm.world import World

    farm, port = start_farm(sites_count, (10, 15))
    sites = World(sites=sites_count, seed=5, docs_per_site=(10, 15)).registry(port)
    connects = [0]
    event.listen(Engine, "connect", lambda *args: connects.__setitem__(0, connects[0] + 1))
    try:
        with fresh_database() as (url, _name), tempfile.TemporaryDirectory() as tmp:
            os.environ["GOVPLANS_DATABASE_URL"] = url
            pages, cpu, wall = _crawl(mode, concurrency, sites, url, Path(tmp),
                                      cProfile.Profile(time.thread_time) if profile else None, profile)
    finally:
        farm.kill()
    return {"mode": mode, "pages": pages, "cpu_ms_per_page": round(1000 * cpu / pages, 2),
            "pages_per_second": round(pages / wall, 1), "connects": connects[0]}


def _crawl(mode, concurrency, sites, url, tmp, profiler, profile_path):
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.utils.reactor import install_reactor

    from archive.config import DataDir
    from crawler.distributed import machine_writer
    from crawler.distributed.child import task_data
    from crawler.run import begin_job, crawl_settings, job_settings
    from crawler.spiders import spider_for

    shared = DataDir(tmp).ensure()
    machine_writer.hold(url)
    settings = crawl_settings(DataDir(Path("data")), farm=False)
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    process = CrawlerProcess(settings)
    from twisted.internet import reactor

    from crawler.distributed.engine import CrawlProcess

    todo, done, marks = list(enumerate(sites)), {}, {}

    def finish(pages: int) -> None:
        marks["cpu"], marks["wall"] = time.process_time() - marks["cpu"], time.monotonic() - marks["wall"]
        if profiler:
            profiler.disable()
        marks["pages"] = pages
        reactor.stop()

    class Reports:   # the worker's end of the pipe
        def send(self, message):
            kind, task_id, value = message
            if kind == "failed":
                raise RuntimeError(f"{task_id}: {value}")
            if kind == "done":
                done[task_id] = value["pages"]
                reactor.callLater(0, next_site)
                if len(done) == len(sites):
                    finish(sum(done.values()))

    crawls = CrawlProcess(Reports())

    def next_site():
        if todo:
            number, site = todo.pop(0)
            crawls.start(f"task{number}", site, task_data(shared, shared.root / "jobs" / f"task{number}"), {})

    def by_family():
        data = task_data(shared, shared.root / "jobs" / "family")
        data.ensure()
        job_sites, full, since = begin_job(data, sites, False, False)
        family_settings = job_settings(data, job_sites, None, full, since)
        family_settings.set("GOVPLANS_WRITER_ADDRESS", machine_writer.connect(url), priority="cmdline")
        family_settings.set("GOVPLANS_WRITER_OWNED_BY_RUN", True, priority="cmdline")
        reactor.resolver.resolve_test_hosts = True
        families = defaultdict(list)
        for site in sites:
            families[site["family"]].append(site)
        crawlers = [Crawler(spider_for(family), family_settings) for family in families]
        left = [len(crawlers)]

        def ended(_):
            left[0] -= 1
            if left[0] == 0:
                finish(sum(c.stats.get_value("response_received_count", 0) for c in crawlers))
        for crawler, family_sites in zip(crawlers, families.values()):
            crawler.crawl(sites=family_sites).addBoth(ended)

    def begin():
        marks["cpu"], marks["wall"] = time.process_time(), time.monotonic()
        if profiler:
            profiler.enable()
        if mode == "tasks":
            for _ in range(concurrency):
                next_site()
        else:
            by_family()

    reactor.callWhenRunning(begin)
    process.start(stop_after_crawl=False, install_signal_handlers=False)
    if profiler:
        profiler.dump_stats(profile_path)
    return marks["pages"], marks["cpu"], marks["wall"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=16, help="sites at once in `tasks` mode")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="a directory for each run's cProfile")
    parser.add_argument("--one", choices=("tasks", "family"), help=argparse.SUPPRESS)   # a run, in a child
    parser.add_argument("--profile-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(crawl_once(args.one, args.concurrency, args.sites, args.profile_file)))
        return
    results = defaultdict(list)
    for run in range(args.runs):
        for mode in (("tasks", "family") if run % 2 == 0 else ("family", "tasks")):
            command = [sys.executable, "-m", "bench.crawl_process", "--one", mode, "--sites", str(args.sites),
                       "--concurrency", str(args.concurrency)]
            if args.profile:
                Path(args.profile).mkdir(parents=True, exist_ok=True)
                command += ["--profile-file", str(Path(args.profile) / f"{mode}-{run}.prof")]
            out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-3000:])
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["load"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
            print(json.dumps(result), file=sys.stderr, flush=True)
            results[mode].append(result)
    print(f"{'mode':>8} {'CPU ms/page':>11} {'connects':>8} {'pages/s':>8}   (medians of {args.runs} runs; "
          f"tasks: {args.concurrency} sites at once)")
    for mode, rows in results.items():
        median = lambda key: statistics.median(r[key] for r in rows)  # noqa: E731
        print(f"{mode:>8} {median('cpu_ms_per_page'):>11.2f} {median('connects'):>8.0f} {median('pages_per_second'):>8.1f}")


if __name__ == "__main__":
    main()
