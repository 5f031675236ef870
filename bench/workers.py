"""Crawl throughput of 1, 2 … Celery workers beside a one-process `govplans crawl` of the same farm sites.

    python -m bench.workers [--sites 30] [--docs 10-15] [--runs 3] [--workers 1,2] [--concurrency 16,32]
                            [--cores-per-worker K]

Every configuration writes into a fresh PostgreSQL database (the same archive kind):
- `crawl`: `govplans crawl --sites-file` in one process; pages/s is what it prints (its responses
  over its crawl's wall time, imports and the index update after it excluded);
- N workers: a fresh Redis queue, N `govplans worker --concurrency C` processes (started and ready
  before the clock starts), every site enqueued, the clock stopped when the last task has ended;
  pages/s = responses of all tasks / that wall time. `--concurrency` may list several C (each
  worker count runs at each; the rows are then named `N workers ×C`, and × 1 worker pairs a row
  with one worker at the same C); by default the worker's own default.
The farm serves from a process of its own (so its CPU does not compete with the bench's polling).
`--cores-per-worker K` measures scale-out apart from this machine's core count: each worker is a
machine of K cores (worker n and every process it starts pinned to cores nK … nK+K-1, wrapping round
the machine's cores, and a machine writer of its own: its own TMPDIR, so its own socket, with an
extractor per core it may use), and the one-process crawl is pinned to the first worker's cores;
the farm, PostgreSQL and Redis stay unpinned (the portals and the shared archive, which other
machines would host). Unpinned (the default), one worker and its writer already fill 2 cores.
Configurations are interleaved run by run (the order rotates) so machine noise hits them alike.
Printed: each run as JSON (stderr), then the medians as JSON and a table with each configuration's
pages/s, its ratio to the one-process crawl and to one worker (medians of the ratios paired within a
run), and each task's timing, median over the tasks of every run (seconds): queue_wait = enqueued to
taken by a worker, startup = taken to the spider open, crawl = open to nothing left to fetch,
store = from then to the task's done mark (crawler/distributed/tasks.py `task_summary`).
CPU is counted for every process of a configuration over its timed window (bench/process_cpu.py):
the crawl process(es), the archive writer's extractor and store (the workers' one machine writer,
crawler/distributed/machine_writer.py, and its relay), the Celery workers, the farm, PostgreSQL
(its background processes and this database's backends) and Redis; printed as CPU ms per page
(less noisy than pages/s on a shared machine), by process, and as cores kept busy, ours and the
whole machine's (`machine`: everyone's, other users' too). The load average before and after is
printed: the machine may be shared (and with the kernel's autogroup scheduling, this benchmark's
processes share one session's part of the CPU however many there are). Needs Redis on 127.0.0.1:6379
and PostgreSQL on 127.0.0.1:5432 (as the tests).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import yaml

from bench.process_cpu import ProcessCpu
from crawler.distributed.config import SITES_AT_ONCE

ROOT = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("GOVPLANS_TEST_REDIS_URL", "redis://127.0.0.1:6379")
POSTGRES = os.environ.get("GOVPLANS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PHASES = ("queue_wait", "startup", "crawl", "store")


@contextmanager
def fresh_database():
    import psycopg

    name = f"govplans_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(POSTGRES, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}", name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def worker_cores(worker: int, per_worker: int, cores: list[int]) -> list[int]:
    """The cores worker number `worker` is pinned to: the next `per_worker` of the machine's, wrapping round."""
    return [cores[(worker * per_worker + k) % len(cores)] for k in range(per_worker)]


def pinned(command: list[str], cores: list[int] | None) -> list[str]:
    """command run on those cores only (taskset: every process it starts inherits the mask)."""
    return command if not cores else ["taskset", "--cpu-list", ",".join(map(str, cores)), *command]


def machine_env(env: dict, worker: int, tmp: Path) -> dict:
    """env for a worker that is a machine of its own: a TMPDIR of its own, so a machine writer of its
    own (crawler/distributed/machine_writer.py keeps its socket under the temporary directory)."""
    own = tmp / f"machine-{worker}"
    own.mkdir(exist_ok=True)
    return dict(env, TMPDIR=str(own))


def crawl_once(sites_file: Path, tmp: Path, farm_pid: int, cores: list[int] | None = None) -> dict:
    """One-process `govplans crawl` of the sites into a fresh PostgreSQL database; its CPU counted
    from its first spider open to its last spider close (its timed window: imports and the index
    update after it are left out, as from its pages/s)."""
    with fresh_database() as (database_url, name):
        data = tmp / name
        env = dict(os.environ, GOVPLANS_DATABASE_URL=database_url, GOVPLANS_DATA=str(data))
        command = [sys.executable, "-m", "govplans.cli", "crawl", "--sites-file", str(sites_file)]
        process = subprocess.Popen(pinned(command, cores), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        cpu = ProcessCpu({process.pid: "crawl", farm_pid: "farm"}, database=name)
        cpu.start()
        said, opened, closed, tail = None, 0, 0, []
        for line in process.stderr:
            tail = (tail + [line])[-40:]
            if "Spider opened" in line:
                opened += 1
                if opened == 1:
                    cpu.open_window()
            elif "Spider closed" in line:
                closed += 1
                if closed == opened:
                    cpu.stop()
            said = said or re.search(r"crawled \d+ sites: \d+ requests, (\d+) responses in ([\d.]+)s", line)
        process.wait()
        cpu.stop()
        if process.returncode != 0 or said is None:
            raise RuntimeError(f"govplans crawl failed ({process.returncode}):\n{''.join(tail)}")
    pages, seconds = int(said.group(1)), float(said.group(2))
    return {"config": "crawl", "pages": pages, "seconds": seconds, "pages_per_second": round(pages / seconds, 1),
            **cpu_fields(cpu, pages, seconds)}


def cpu_fields(cpu: ProcessCpu, pages: int, seconds: float) -> dict:
    """CPU by role, its sum per page, and how many cores the whole machine kept busy (everyone's)."""
    mine = sum(cpu.seconds.values())
    return {"cpu": cpu.seconds, "cpu_ms_per_page": round(1000 * mine / pages, 2) if pages else None,
            "cores_busy": round(mine / seconds, 2), "machine_cores_busy": round(cpu.machine / seconds, 2)}


def workers_once(sites: list[dict], workers: int, concurrency: int, tmp: Path, farm_pid: int,
                 named: str = "", cores_per_worker: int = 0) -> dict:
    import redis
    from celery import Celery

    from crawler.distributed.app import configure
    from crawler.distributed.config import DistributedConfig
    from crawler.distributed.enqueue import enqueue_sites

    queue = f"govplans-bench-{uuid.uuid4().hex[:10]}"
    broker = f"{REDIS}/14"
    with fresh_database() as (database_url, name):
        data = tmp / name
        env = dict(os.environ, GOVPLANS_BROKER_URL=broker, GOVPLANS_RESULT_BACKEND=broker, GOVPLANS_QUEUE=queue,
                   GOVPLANS_DATABASE_URL=database_url, GOVPLANS_DATA=str(data))
        data.mkdir(parents=True)
        logs = [data / f"worker-{n}.log" for n in range(workers)]
        processes = []
        cores = sorted(os.sched_getaffinity(0))
        for n, log in enumerate(logs):
            command = [sys.executable, "-m", "govplans.cli", "worker", "--concurrency", str(concurrency)]
            if cores_per_worker:
                command = pinned(command, worker_cores(n, cores_per_worker, cores))
            with open(log, "wb") as out:
                processes.append(subprocess.Popen(
                    command, env=machine_env(env, n, data) if cores_per_worker else env, cwd=ROOT, stdout=out,
                    stderr=subprocess.STDOUT))
        app = configure(Celery("bench"), DistributedConfig(broker_url=broker, result_backend=broker, queue=queue))
        try:
            while not all(" ready." in log.read_text(errors="replace") for log in logs):
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError("a worker exited:\n" + "\n".join(log.read_text()[-2000:] for log in logs))
                time.sleep(0.2)
            os.environ["GOVPLANS_QUEUE"] = queue
            cpu = ProcessCpu({p.pid: "worker" for p in processes} | {farm_pid: "farm"}, database=name)
            with cpu:
                started = time.monotonic()
                ids = enqueue_sites(sites, broker)
                results = [app.AsyncResult(task_id) for task_id in ids]
                while not all(r.ready() for r in results):
                    time.sleep(0.1)
                seconds = time.monotonic() - started
            failed = [r.result for r in results if not r.successful()]
            if failed:
                raise RuntimeError(f"failed tasks: {failed[:3]}")
            summaries = [r.result for r in results]
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
    pages = sum(s["pages"] for s in summaries)
    return {"config": f"{workers} worker{'s' if workers > 1 else ''}{named}", "workers": workers,
            "concurrency": concurrency, "pages": pages,
            "seconds": round(seconds, 2), "pages_per_second": round(pages / seconds, 1),
            "sites_by_worker": sites_by_worker(summaries), **cpu_fields(cpu, pages, seconds),
            "tasks": [s["timing"] for s in summaries if "timing" in s]}   # (none from a worker before timing)


def sites_by_worker(summaries: list[dict]) -> list[int]:
    """How many sites each worker's crawl process took, most first: Celery hands a task to whichever
    worker asks first, so with fewer sites than slots one worker may take most of them."""
    return sorted(Counter(s.get("process") for s in summaries).values(), reverse=True)


def _serve_farm(sites: int, docs: tuple[int, int], port: int) -> None:
    from sitefarm.server import make_server, serve_forever
    from sitefarm.world import World

    serve_forever(make_server(World(sites=sites, seed=5, docs_per_site=docs), "127.0.0.1", port))


def start_farm(sites: int, docs: tuple[int, int]):
    """The farm in a child process; (process, port) once it answers."""
    import multiprocessing
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = multiprocessing.get_context("spawn").Process(target=_serve_farm, args=(sites, docs, port), daemon=True)
    process.start()
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the farm did not start")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def one_worker(runs: list[dict], name: str) -> str:
    """The one-worker row at the same concurrency as row `name`."""
    concurrency = runs[0][name].get("concurrency")
    return next((other for other, result in runs[0].items()
                 if result.get("workers") == 1 and result.get("concurrency") == concurrency), "1 worker")


def paired(runs: list[dict], config: str, base: str) -> float | None:
    """Median over runs of config's pages/s / base's pages/s in the same run."""
    ratios = [r[config]["pages_per_second"] / r[base]["pages_per_second"] for r in runs if config in r and base in r]
    return round(statistics.median(ratios), 3) if ratios else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--docs", default="10-15", help="documents per site, LOW-HIGH")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--concurrency", default=str(SITES_AT_ONCE),
                        help="sites at once per worker; a list (16,32) runs each worker count at each")
    parser.add_argument("--no-crawl", action="store_true", help="leave out the one-process `govplans crawl` row")
    parser.add_argument("--cores-per-worker", type=int, default=0,
                        help="pin each worker (and the crawl row) to this many cores, each worker a machine with "
                             "its own writer; 0: unpinned")
    args = parser.parse_args()

    from sitefarm.world import World

    low, high = (int(x) for x in args.docs.split("-"))
    counts = [int(n) for n in args.workers.split(",")]
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    configs = ([] if args.no_crawl else ["crawl"]) + [(n, c) for c in concurrencies for n in counts]
    named = (lambda c: f" ×{c}") if len(concurrencies) > 1 else (lambda c: "")  # noqa: E731
    farm, port = start_farm(args.sites, (low, high))
    world = World(sites=args.sites, seed=5, docs_per_site=(low, high))   # the same world, for its registry
    runs: list[dict] = []
    load_before = load()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sites = world.registry(port)
            sites_file = Path(tmp) / "sites.yaml"
            sites_file.write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
            for run in range(args.runs):
                this_run = {}
                for config in configs[run % len(configs):] + configs[:run % len(configs)]:
                    if config == "crawl":
                        result = crawl_once(sites_file, Path(tmp), farm.pid, worker_cores(
                            0, args.cores_per_worker, sorted(os.sched_getaffinity(0))) or None)
                    else:
                        workers, concurrency = config
                        result = workers_once(sites, workers, concurrency, Path(tmp), farm.pid, named(concurrency),
                                              args.cores_per_worker)
                    result["load"] = load()
                    print(json.dumps({k: v for k, v in result.items() if k != "tasks"}), file=sys.stderr, flush=True)
                    this_run[result["config"]] = result
                runs.append(this_run)
    finally:
        farm.kill()
        farm.join()
    names = [r for r in runs[0]]
    names.sort(key=lambda n: (n != "crawl", runs[0][n].get("concurrency") or 0, n))
    rows = {}
    for name in names:
        row = {"pages_per_second": statistics.median(r[name]["pages_per_second"] for r in runs),
               "x_crawl": paired(runs, name, "crawl"), "x_one_worker": paired(runs, name, one_worker(runs, name))}
        tasks = [t for r in runs for t in r[name].get("tasks", [])]
        for phase in PHASES:
            values = [t[phase] for t in tasks if t.get(phase) is not None]
            row[phase] = round(statistics.median(values), 3) if values else None
        for field in ("cpu_ms_per_page", "cores_busy", "machine_cores_busy"):
            row[field] = statistics.median(r[name][field] for r in runs)
        roles = sorted({role for r in runs for role in r[name]["cpu"]})
        row["cpu_ms_per_page_by_process"] = {role: round(statistics.median(
            1000 * r[name]["cpu"].get(role, 0.0) / r[name]["pages"] for r in runs), 2) for role in roles}
        rows[name] = row
    print(json.dumps({"sites": args.sites, "docs_per_site": [low, high], "runs": args.runs, "cores": os.cpu_count(),
                      "concurrency": concurrencies, "cores_per_worker": args.cores_per_worker or None,
                      "load_before": load_before, "load_after": load(),
                      "medians": rows}, ensure_ascii=False))
    print(f"{'config':>14} {'pages/s':>8} {'x crawl':>8} {'x 1 worker':>10} "
          + " ".join(f"{p:>10}" for p in PHASES) + "   (per task, median s)")
    for name, row in rows.items():
        cells = [f"{row[p]:>10.3f}" if row[p] is not None else f"{'-':>10}" for p in PHASES]
        ratio = lambda v: f"{v:.2f}x" if v is not None else "-"  # noqa: E731
        print(f"{name:>14} {row['pages_per_second']:>8.1f} {ratio(row['x_crawl']):>8} "
              f"{ratio(row['x_one_worker']):>10} " + " ".join(cells))
    print(f"\n{'config':>14} {'CPU ms/page':>11} {'cores busy':>10} {'machine':>8}   CPU ms/page by process (median)")
    for name, row in rows.items():
        by_process = ", ".join(f"{role} {value:.1f}" for role, value in row["cpu_ms_per_page_by_process"].items()
                               if value >= 0.05)
        print(f"{name:>14} {row['cpu_ms_per_page']:>11.1f} {row['cores_busy']:>10.2f} {row['machine_cores_busy']:>8.2f}"
              f"   {by_process}")
    print(f"load average before {load_before}, after {load()}; `machine` is every process's CPU (others' too)")


if __name__ == "__main__":
    main()
