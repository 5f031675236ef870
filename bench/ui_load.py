"""The search page under load: p50/p95 of uncached search pages, 20 clients, wrk.

    python -m bench.ui_load [--docs 30000] [--work DIR] [--connections 20] [--seconds 20]
                            [--before DIR] [--rounds 2] [--cache 0]

The archive is the benchmark's own (bench/suite.py stages `prepare` and `index.ours`: farm truth
documents bulk-loaded into SQLite and indexed), built once under --work and reused. The server
is the app `govplans serve` runs (Flask's threaded server) with the rendered-page cache off
(--cache 0), and wrk rotates over a few thousand distinct search URLs — words taken from the
archive's titles, alone or with a year, region, document type or theme filter, page 1 to 3, by
relevance or date — so even with the cache on no request would be answered from it.

--before DIR serves the same archive from another checkout of the code (e.g. a copy made before
a change) and measures both in the same run, alternating, --rounds times each: the figures to
compare were taken under the same machine load. Prints one JSON line per measurement and a table;
"cpu ms" is the server's CPU time (user + system, all its processes) per request answered.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]

WRK_SCRIPT = """
local paths = {%s}
local threads = 0
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[((offset or 0) + counter) %% #paths + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"mean_us": %%d, "errors": %%d, "non_2xx": %%d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def build(work: Path, docs: int, seed: int) -> Path:
    """The N-document data directory under `work` (built by bench/suite.py's stages, or reused)."""
    if (work / "index.json").exists():
        return work / "data"
    work.mkdir(parents=True, exist_ok=True)
    for stage in ("prepare", "index.ours"):
        log(f"building: {stage} ({docs} docs) ...")
        t = time.perf_counter()
        with open(work / f"{stage}.log", "w") as out:
            subprocess.run([sys.executable, "-m", "bench.suite", "--stage", stage, "--work", str(work),
                            "--docs", str(docs), "--dedup-docs", str(docs), "--seed", str(seed)],
                           cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True)
        log(f"  {stage}: {time.perf_counter() - t:.0f} s")
    (work / "index.json").write_text((work / "index.ours.log").read_text().strip().splitlines()[-1])
    return work / "data"


def search_urls(records: list[dict], n: int, seed: int) -> list[str]:
    """`n` distinct search URLs: words from titles, some with a filter, some on page 2-3 or by date."""
    rng = random.Random(seed)
    titles = [r["title"] for r in records if r.get("title")]
    years = sorted({r["year"] for r in records if r.get("year")})
    regions = sorted({r["region"]["code"] for r in records if r.get("region", {}).get("code")})
    provinces = sorted({c[:2] + "0000" for c in regions})
    types = sorted({r["doc_type"] for r in records if r.get("doc_type")})
    themes = sorted({t for r in records for t in r.get("themes") or ()})
    urls: set[str] = set()
    while len(urls) < n:
        title = rng.choice(titles)
        length = rng.choice((2, 2, 3, 4))
        start = rng.randrange(max(1, len(title) - length))
        params = {"q": title[start:start + length]}
        if rng.random() < 0.15:
            params["q"] += " " + rng.choice(types)
        extra = rng.random()
        if extra < 0.15:
            params["year"] = str(rng.choice(years))
        elif extra < 0.25:
            params["region"] = rng.choice(provinces if rng.random() < 0.6 else regions)
        elif extra < 0.32:
            params["doc_type"] = rng.choice(types)
        elif extra < 0.38 and themes:
            params["theme"] = rng.choice(themes)
        if rng.random() < 0.15:
            params["page"] = str(rng.choice((2, 3)))
        if rng.random() < 0.2:
            params["sort"] = "date"
        urls.add("/search?" + urlencode(params, quote_via=quote))
    return sorted(urls, key=lambda u: rng.random())


# what `govplans serve` runs (search_ui.serving: waitress, pre-forked with processes > 1; checkouts
# before waitress ran Werkzeug's server there), with the page cache set; a snippet, not this module:
# the --before checkout has no bench/ui_load.py
SERVE = """import json, sys
from search_ui import create_app
from search_ui.serving import serve
data, port, cache, processes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
config = {"DATA_DIR": data, "SEARCH_CACHE_SIZE": cache, **json.loads(sys.argv[5])}
serve(lambda: create_app(config), "127.0.0.1", port, processes)
"""


def wrk(port: int, script: Path, connections: int, seconds: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
                          "-s", str(script), f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children (the pre-forked servers), from /proc."""
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(child) for child in f.read().split()]
    except OSError:
        pass
    for one in pids:
        try:
            with open(f"/proc/{one}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure(code: Path, processes: int, data: Path, paths: list[str], warm: list[str], args) -> dict:
    from govplans.ports import free_port, wait_for_port

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(code)}
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(data), str(port), str(args.cache), str(processes),
                               json.dumps(args.config)],
                              cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=120)
        for path in warm:   # searchers opened, facet columns loaded, templates compiled (in one process)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as response:
                response.read()
        script = Path(args.work) / "rotate.lua"
        script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
        if args.warmup:   # the same rotation, not measured: postings decoded and cached, as in a running server
            wrk(port, script, args.connections, args.warmup)
        load_before = os.getloadavg()[0]
        cpu_before = cpu_seconds(server.pid)
        raw = wrk(port, script, args.connections, args.seconds)
        cpu = cpu_seconds(server.pid) - cpu_before
        return {"code": str(code), "processes": processes, "config": args.config, "docs": args.docs,
                "connections": args.connections, "seconds": args.seconds, "warmup_s": args.warmup,
                "cache": args.cache, "urls": len(paths),
                "requests": raw["requests"], "req_per_s": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
                "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
                "mean_ms": raw["mean_us"] / 1000,
                "server_cpu_ms_per_request": round(cpu * 1000 / max(1, raw["requests"]), 2),
                "errors": raw["errors"] + raw["non_2xx"],
                "load_1min": [load_before, os.getloadavg()[0]]}
    finally:
        stop_process(server)


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.ui_load", description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=30_000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/govplans-ui-bench"),
                    help="where archives are built and kept (n<DOCS>/ per size)")
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--urls", type=int, default=5000, help="distinct search URLs in the rotation")
    ap.add_argument("--cache", type=int, default=0, help="SEARCH_CACHE_SIZE of the server (0: no page cache)")
    ap.add_argument("--warmup", type=int, default=0,
                    help="seconds of unmeasured load over the same rotation first (warms the postings cache)")
    ap.add_argument("--processes", default="1",
                    help="comma-separated server process counts to measure this checkout with, e.g. 1,2")
    ap.add_argument("--before", type=Path, default=None,
                    help="another checkout to measure in the same run (always 1 process)")
    ap.add_argument("--rounds", type=int, default=1, help="measurements per checkout (alternating)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                    help="app config for the servers, e.g. --set SEARCH_CONCURRENCY=0 (repeatable)")
    args = ap.parse_args(argv)
    args.config = {}
    for item in args.set:
        key, _, value = item.partition("=")
        args.config[key] = json.loads(value)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    sys.path.insert(0, str(ROOT))
    work = args.work / f"n{args.docs}"
    args.work = work
    data = build(work, args.docs, args.seed)
    with open(work / "records.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    urls = search_urls(records, args.urls + 20, args.seed)
    warm, paths = urls[:20], urls[20:]
    setups = ([(args.before, 1)] if args.before else []) + [(ROOT, int(p)) for p in args.processes.split(",")]
    results: dict[tuple, list[dict]] = {setup: [] for setup in setups}
    for n in range(args.rounds):
        for code, processes in setups:
            log(f"round {n + 1}: {code}, {processes} process(es) ...")
            figures = measure(code, processes, data, paths, warm, args)
            results[(code, processes)].append(figures)
            print(json.dumps(figures), flush=True)
    print(f"\nuncached search page, {args.docs} docs, {args.connections} connections, {args.seconds} s "
          f"after {args.warmup} s of warm-up, {len(paths)} URLs (wrk -t2), page cache {args.cache}; "
          f"median of {args.rounds} round(s):")
    print(f"{'code':<34} {'procs':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu ms':>7} "
          f"{'errors':>6}")
    for (code, processes), runs in results.items():
        med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
        print(f"{str(code):<34} {processes:>5} {med('req_per_s'):>7.1f} {med('p50_ms'):>8.1f} {med('p95_ms'):>8.1f} "
              f"{med('p99_ms'):>8.1f} {med('server_cpu_ms_per_request'):>7.2f} {sum(r['errors'] for r in runs):>6}")


if __name__ == "__main__":
    main()
