"""The coverage ledger at national size: milliseconds per page and SQL statements per page.

    python -m bench.coverage [--counties 2850] [--docs-per-site 3] [--rounds 15] [--work DIR]

Builds evaluation/national.py's archive (a registry entry per province and prefecture government
and per county-level one, half of them crawled, some blocked) once under --work, then asks the app
(in process, Flask's test client: the view, its queries and the template, no network) for each
page --rounds times after one warm-up, and prints one JSON line per page and a table: median and
p90 wall milliseconds, median CPU milliseconds, statements per request. /status over the same
archive is measured beside it for comparison.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.config import DataDir  # noqa: E402
from evaluation.national import build_national, national_registry  # noqa: E402

PAGES = ("/coverage", "/coverage.json", "/coverage?region=430000", "/coverage?region=431100",
         "/coverage?region=431181", "/coverage?region=430000&portals=1", "/coverage.csv", "/status", "/status.json")


def measure(client, engine, url: str, rounds: int) -> dict:
    from sqlalchemy import event

    client.get(url)                                          # warm: first-use work (registry, tree, templates)
    walls, cpus, statements = [], [], []

    def count(*_):
        statements[-1] += 1
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(rounds):
            statements.append(0)
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    walls.sort()
    return {"url": url, "median_ms": round(statistics.median(walls), 1),
            "p90_ms": round(walls[int(0.9 * (len(walls) - 1))], 1), "cpu_ms": round(statistics.median(cpus), 1),
            "statements": max(statements), "bytes": len(response.data)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=None, help="county-level entries (default: every one)")
    parser.add_argument("--docs-per-site", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--work", default=None, help="where the archive is built (default: a temporary folder)")
    args = parser.parse_args(argv)

    from search_ui import create_app

    root = Path(args.work or tempfile.mkdtemp(prefix="govplans-coverage-"))
    started = time.perf_counter()
    place = root / f"national-{args.counties}-{args.docs_per_site}"
    if (place / "built").exists():                          # the same deterministic archive, made earlier
        data, registry = DataDir(place), national_registry(args.counties)
    else:
        shutil.rmtree(place, ignore_errors=True)
        data, registry = build_national(place, args.counties, docs_per_site=args.docs_per_site)
        (place / "built").touch()
    crawled = sum(1 for e in registry if e.get("base_url")) // 2
    print(f"# {len(registry)} registry entries, ~{crawled} crawled, {args.docs_per_site} documents each "
          f"(built in {time.perf_counter() - started:.1f}s)", file=sys.stderr)
    app = create_app({"DATA_DIR": str(data.root), "REGISTRY": registry, "TESTING": True})
    try:
        client, engine = app.test_client(), app.extensions["govplans"].archive.engine
        results = [measure(client, engine, url, args.rounds) for url in PAGES]
    finally:
        app.extensions["govplans"].archive.close()
    for result in results:
        print(json.dumps(dict(result, entries=len(registry)), ensure_ascii=False))
    print(f"{'page':40} {'median ms':>9} {'p90 ms':>8} {'cpu ms':>8} {'SQL':>4} {'KB':>6}", file=sys.stderr)
    for r in results:
        print(f"{r['url']:40} {r['median_ms']:9.1f} {r['p90_ms']:8.1f} {r['cpu_ms']:8.1f} {r['statements']:4d} "
              f"{r['bytes'] / 1024:6.0f}", file=sys.stderr)


if __name__ == "__main__":
    main()
