"""Crawl throughput with 1, 2 and 3 Celery workers on the same farm (Redis broker, PostgreSQL archive).

    python -m bench.workers [--sites 30] [--docs 10-15] [--runs 3] [--workers 1,2,3]

Each run: a fresh PostgreSQL database, a fresh Redis queue, N `govplans worker --concurrency 1`
processes (started and ready before the clock starts), every site enqueued, the clock stopped
when the last task has ended. pages/s = responses of all crawls / that wall time. Worker counts
are interleaved run by run so machine noise hits them alike; prints the median per count as JSON
and a table. Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (as the tests).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("GOVPLANS_TEST_REDIS_URL", "redis://127.0.0.1:6379")
POSTGRES = os.environ.get("GOVPLANS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def run_once(sites: list[dict], workers: int, tmp: Path) -> dict:
    import psycopg
    import redis
    from celery import Celery

    from crawler.distributed.app import configure
    from crawler.distributed.config import DistributedConfig
    from crawler.distributed.enqueue import enqueue_sites

    name = f"govplans_bench_{uuid.uuid4().hex[:10]}"
    queue = f"govplans-bench-{uuid.uuid4().hex[:10]}"
    broker = f"{REDIS}/14"
    admin = psycopg.connect(POSTGRES, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    database_url = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
    data = tmp / name
    env = dict(os.environ, GOVPLANS_BROKER_URL=broker, GOVPLANS_RESULT_BACKEND=broker, GOVPLANS_QUEUE=queue,
               GOVPLANS_DATABASE_URL=database_url, GOVPLANS_DATA=str(data))
    data.mkdir(parents=True)
    logs = [data / f"worker-{n}.log" for n in range(workers)]
    processes = []
    for log in logs:
        with open(log, "wb") as out:
            processes.append(subprocess.Popen([sys.executable, "-m", "govplans.cli", "worker", "--concurrency", "1"],
                                              env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT))
    app = configure(Celery("bench"), DistributedConfig(broker_url=broker, result_backend=broker, queue=queue))
    try:
        while not all(" ready." in log.read_text(errors="replace") for log in logs):
            if any(p.poll() is not None for p in processes):
                raise RuntimeError("a worker exited:\n" + "\n".join(log.read_text()[-2000:] for log in logs))
            time.sleep(0.2)
        os.environ["GOVPLANS_QUEUE"] = queue
        started = time.monotonic()
        ids = enqueue_sites(sites, broker, {"overrides": {"LOG_LEVEL": "WARNING"}})
        results = [app.AsyncResult(task_id) for task_id in ids]
        while not all(r.ready() for r in results):
            time.sleep(0.1)
        seconds = time.monotonic() - started
        failed = [r.result for r in results if not r.successful()]
        if failed:
            raise RuntimeError(f"failed tasks: {failed[:3]}")
        pages = sum(r.result["pages"] for r in results)
        for r in results:
            r.forget()
    finally:
        for process in processes:
            process.send_signal(signal.SIGQUIT)
        for process in processes:
            process.wait()
        app.close()
        client = redis.Redis.from_url(broker)
        keys = list(client.scan_iter(match=f"{queue}*")) + list(client.scan_iter(match=f"_kombu.binding.{queue}*"))
        if keys:
            client.delete(*keys)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return {"workers": workers, "pages": pages, "seconds": round(seconds, 2),
            "pages_per_second": round(pages / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--docs", default="10-15", help="documents per site, LOW-HIGH")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1,2,3")
    args = parser.parse_args()

    from sitefarm.server import start_in_thread
    from sitefarm.world import World

    low, high = (int(x) for x in args.docs.split("-"))
    counts = [int(n) for n in args.workers.split(",")]
    world = World(sites=args.sites, seed=5, docs_per_site=(low, high))
    server, port = start_in_thread(world, port=0)
    runs: dict[int, list[dict]] = {n: [] for n in counts}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(args.runs):
                for n in counts[run % len(counts):] + counts[:run % len(counts)]:
                    result = run_once(world.registry(port), n, Path(tmp))
                    print(json.dumps(result), file=sys.stderr, flush=True)
                    runs[n].append(result)
    finally:
        server.shutdown()
    summary = {
        "sites": args.sites, "docs_per_site": [low, high], "runs": args.runs, "cores": os.cpu_count(),
        "median_pages_per_second": {str(n): statistics.median(r["pages_per_second"] for r in runs[n]) for n in counts},
        "runs_by_workers": {str(n): runs[n] for n in counts},
    }
    print(json.dumps(summary, ensure_ascii=False))
    base = summary["median_pages_per_second"][str(counts[0])]
    print(f"{'workers':>8} {'pages/s (median)':>17} {'speed-up':>9}")
    for n in counts:
        value = summary["median_pages_per_second"][str(n)]
        print(f"{n:>8} {value:>17.1f} {value / base:>8.2f}x")


if __name__ == "__main__":
    main()
