"""Pages per second the site farm serves on this machine.

Starts `python -m sitefarm.cli serve` in its own process on a free loopback port, then
several client threads with keep-alive connections fetch detail and list pages for a fixed
time. Prints one JSON line and a short table; median of 3 runs.

    python bench/farm_throughput.py [--sites 50] [--threads 8] [--seconds 5]
"""
from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govplans.ports import free_port, wait_for_port  # noqa: E402
from sitefarm.world import World  # noqa: E402


def targets(world: World, port: int) -> list[tuple[str, str]]:
    """(host, path) pairs: every detail page and every list page of every site."""
    pairs = []
    for record in world.truth(port):
        rest = record["url"].split("://", 1)[1]
        host, path = rest.split("/", 1)
        pairs.append((host, "/" + path))
    for site in world.sites:
        for column in site.columns:
            pairs.append((f"{site.host}:{port}", column.path + ("index.html" if column.path.endswith("/") else "")))
    return pairs


def client(port: int, pairs: list[tuple[str, str]], offset: int, stop_at: float, counts: list, errors: list):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n, i = 0, offset
    while time.monotonic() < stop_at:
        host, path = pairs[i % len(pairs)]
        i += 7
        try:
            conn.request("GET", path, headers={"Host": host})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            n += 1
        except (OSError, http.client.HTTPException) as error:
            errors.append(repr(error))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.close()
    counts.append(n)


def one_run(port: int, pairs, threads: int, seconds: float) -> tuple[float, int]:
    counts, errors = [], []
    start = time.monotonic()
    stop_at = start + seconds
    workers = [threading.Thread(target=client, args=(port, pairs, k * 1009, stop_at, counts, errors))
               for k in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.monotonic() - start), len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    port = free_port()
    root = Path(__file__).resolve().parents[1]
    # faults off and no attachments: the world the target list below is built from (`serve` defaults to low faults)
    server = subprocess.Popen([sys.executable, "-m", "sitefarm.cli", "serve", "--port", str(port),
                               "--sites", str(args.sites), "--faults", "off", "--no-attachments"],
                              cwd=root, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout=20)
        pairs = targets(World(sites=args.sites), port)
        one_run(port, pairs, args.threads, 1.0)  # warm-up: imports, caches
        runs = [one_run(port, pairs, args.threads, args.seconds) for _ in range(args.runs)]
    finally:
        server.terminate()
        server.wait(timeout=10)
    rates = [rate for rate, _ in runs]
    result = {"benchmark": "farm_throughput", "pages_per_second": round(statistics.median(rates), 1),
              "runs": [round(r, 1) for r in rates], "errors": sum(e for _, e in runs),
              "sites": args.sites, "threads": args.threads, "seconds": args.seconds, "urls": len(pairs)}
    print(json.dumps(result))
    print(f"{'run':>4} {'pages/s':>10}")
    for n, rate in enumerate(rates, 1):
        print(f"{n:>4} {rate:>10.1f}")
    print(f"{'med':>4} {result['pages_per_second']:>10.1f}   ({args.threads} keep-alive clients, {args.sites} sites, {len(pairs)} urls)")


if __name__ == "__main__":
    main()
