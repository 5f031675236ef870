"""`python -m bench.changes`: does `changed` mean the document changed? The farm crawled on schedule
over days 0..D (a full sweep each day by default), each day's events (what `govplans new` lists) and
the version counts compared with the farm's truth. Prints the table of evaluation/changes.py.

    python -m bench.changes --sites 6 --days 5 [--docs 50 100] [--full-every 1] [--data DIR]
"""
from __future__ import annotations

import argparse
import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from archive.config import DataDir
from archive.models import Document, Version
from archive.operations.schedules import ScheduleConfig
from archive.read.events import events_since
from archive.store import Archive
from crawler.recrawls import run_due
from evaluation.changes import expected_events, markdown, score, version_mismatches
from sitefarm.server import respond, start_app_in_thread
from sitefarm.world import World

START = datetime(2025, 6, 30, 4, 0)


class SwitchableFarm:
    def __init__(self, world: World):
        self.world = world

    def __call__(self, request, host, attempt):
        return respond(self.world, request, host, attempt)


def run(sites: int, days: int, docs: tuple[int, int], full_every: int, data_root: Path, seed: int = 0) -> dict:
    options = dict(sites=sites, seed=seed, docs_per_site=docs, attachments=True)
    farm = SwitchableFarm(World(**options))
    server, port = start_app_in_thread(farm)
    data = DataDir(data_root).ensure()
    registry = World(**options).registry(port)
    config = ScheduleConfig.from_mapping({"default": {"cron": "0 3 * * *", "spread_minutes": 60,
                                                      "full_every": full_every}})
    expected, reported, last_id, truth = set(), set(), 0, []
    try:
        for day in range(days + 1):
            world = World(day=day, **options)
            farm.world = world
            truth = list(world.truth(port))
            run_due(registry, data, config, now=START + timedelta(days=day))
            expected |= {(day, kind, url) for kind, url in expected_events(truth, day)}
            archive = Archive(data.database_url)
            try:
                events = events_since(archive, after_id=last_id)
            finally:
                archive.close()
            reported |= {(day, e.kind, e.url) for e in events}
            last_id = max([last_id] + [e.id for e in events])
            redesigned = [s.id for s in world.sites if world.redesigned_on(s) == day]
            print(f"day {day}: {len(events)} events{'; redesigned ' + ', '.join(redesigned) if redesigned else ''}",
                  flush=True)
    finally:
        server.shutdown()
    archive = Archive(data.database_url)
    try:
        with archive.session() as s:
            versions = dict(s.execute(select(Document.url, func.count(Version.id))
                                      .join(Version, Version.document_id == Document.id).group_by(Document.url)).all())
    finally:
        archive.close()
    table = score(expected, reported)
    wrong = sorted((e for e in reported ^ expected if e[1] == "changed"))
    return {"table": table, "version_mismatches": version_mismatches(truth, versions), "wrong_changed": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=6)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--docs", type=int, nargs=2, default=(50, 100))
    parser.add_argument("--full-every", type=int, default=1)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    root = args.data or Path(tempfile.mkdtemp(prefix="bench-changes-"))
    result = run(args.sites, args.days, tuple(args.docs), args.full_every, root)
    print(markdown(result["table"]))
    print(f"documents whose version count differs from the truth: {len(result['version_mismatches'])}")
    for url, want, got in result["version_mismatches"][:20]:
        print(f"  {url}: truth {want}, archive {got}")
    for day, kind, url in result["wrong_changed"][:20]:
        print(f"  wrong changed (day {day}): {url}")
    print(json.dumps({"table": result["table"], "version_mismatches": len(result["version_mismatches"])}))


if __name__ == "__main__":
    main()
