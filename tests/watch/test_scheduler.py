"""The scheduler: one crawl of a site at a time, state in the database (kill -9 loses nothing),
--once runs what is due, a broker gets the due sites instead of a local crawl."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from archive.operations import schedules
from archive.config import DataDir
from archive.models import CrawlRun
from archive.operations.schedules import ScheduleConfig
from archive.store import Archive
from archive.models import Schedule, SiteLock
from crawler.recrawls import run_due
from tests.conftest import ROOT

SITES = [{"id": "alpha", "base_url": "http://a.test", "family": "trs"},
         {"id": "beta", "base_url": "http://b.test", "family": "trs"}]
CONFIG = ScheduleConfig.from_mapping({"default": {"cron": "0 3 * * *", "full_every": 2}})
NOW = datetime(2025, 7, 1, 4, 0)


@pytest.fixture()
def data(tmp_path) -> DataDir:
    return DataDir(tmp_path / "data").ensure()


def test_lock_refuses_a_second_owner_until_released(data):
    archive = Archive(data.database_url)
    me = schedules.owner_id()
    other = f"{me.rsplit(':', 1)[0]}:other"          # same live process, another scheduler
    assert schedules.acquire(archive, "alpha", me)
    assert not schedules.acquire(archive, "alpha", other)
    schedules.release(archive, "alpha", other)        # not its lock: nothing happens
    assert schedules.lock_holder(archive, "alpha") == me
    schedules.release(archive, "alpha", me)
    assert schedules.acquire(archive, "alpha", other)
    archive.close()


def test_lock_of_a_dead_process_or_past_its_expiry_is_taken_over(data):
    archive = Archive(data.database_url)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_owner = f"{schedules.owner_id().split(':')[0]}:{gone.stdout.strip()}:x"
    assert schedules.acquire(archive, "alpha", dead_owner)
    assert schedules.acquire(archive, "alpha", schedules.owner_id())
    remote = "elsewhere.example:1:x"                   # another host: only its expiry frees it
    assert schedules.acquire(archive, "beta", remote, ttl=timedelta(hours=1))
    assert not schedules.acquire(archive, "beta", schedules.owner_id())
    assert schedules.acquire(archive, "beta", schedules.owner_id(), now=datetime.utcnow() + timedelta(hours=2))
    archive.close()


def test_a_site_being_crawled_is_not_crawled_again_by_another_scheduler(data):
    crawled, inner = [], {}

    def slow_crawl(sites, data_dir, full):
        # while this "crawl" runs, a second scheduler (e.g. `--once` from cron) ticks
        inner["tick"] = run_due(SITES, data_dir, CONFIG, now=NOW, crawl=lambda s, d, f: crawled.append(("inner", s)) or 0)
        crawled.append(("outer", [s["id"] for s in sites]))
        return 0

    outer = run_due(SITES, data, CONFIG, now=NOW, crawl=slow_crawl)
    assert sorted(outer.crawled) == ["alpha", "beta"]
    assert sorted(inner["tick"].busy) == ["alpha", "beta"] and inner["tick"].crawled == []
    assert [who for who, _ in crawled] == ["outer"]
    archive = Archive(data.database_url)
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(SiteLock)) == 0     # released afterwards
    archive.close()


def test_once_runs_only_what_is_due_and_every_nth_run_is_a_full_sweep(data):
    calls = []
    crawl = lambda sites, d, full: calls.append((sorted(s["id"] for s in sites), full)) or 0  # noqa: E731
    first = run_due(SITES, data, CONFIG, now=NOW, crawl=crawl)
    assert sorted(first.crawled) == ["alpha", "beta"] and calls == [(["alpha", "beta"], True)]
    assert run_due(SITES, data, CONFIG, now=NOW + timedelta(hours=1), crawl=crawl).due == []
    run_due(SITES, data, CONFIG, now=NOW + timedelta(days=1), crawl=crawl)
    run_due(SITES, data, CONFIG, now=NOW + timedelta(days=2), crawl=crawl)
    assert [full for _, full in calls] == [True, False, True]
    forced = run_due(SITES, data, CONFIG, now=NOW + timedelta(days=2, hours=1), force=["beta"], force_full=True,
                     crawl=crawl)
    assert forced.crawled == ["beta"] and calls[-1] == (["beta"], True)


def test_broker_gets_the_due_sites_instead_of_a_local_crawl(data, monkeypatch):
    sent = []
    import crawler.distributed.enqueue as enqueue

    monkeypatch.setattr(enqueue, "enqueue_sites",
                        lambda sites, broker, options: [sent.append((s["id"], broker, options)) or f"t-{s['id']}"
                                                        for s in sites])
    result = run_due(SITES, data, CONFIG, now=NOW, broker="redis://127.0.0.1:1/0",
                     crawl=lambda *a: pytest.fail("crawled locally"))
    assert result.tasks == {"alpha": "t-alpha", "beta": "t-beta"} and result.enqueued
    assert {options["full"] for _, _, options in sent} == {True}
    assert run_due(SITES, data, CONFIG, now=NOW, broker="redis://127.0.0.1:1/0").due == []


# -- the real command, killed -------------------------------------------------------------------------

def _scheduler(data: Path, sites_file: Path, schedule_file: Path, *args: str) -> subprocess.Popen | subprocess.CompletedProcess:
    command = [sys.executable, "-m", "govplans.cli", "schedule", "--sites-file", str(sites_file),
               "--schedule-file", str(schedule_file), "--data", str(data), "--no-notify", *args]
    env = {k: v for k, v in os.environ.items() if k != "GOVPLANS_BROKER_URL"}
    if "--once" in args:
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(predicate, limit: float = 180.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("the scheduler never got there")


def _rows(data: DataDir):
    archive = Archive(data.database_url)
    try:
        with archive.session() as s:
            return (list(s.scalars(select(Schedule).order_by(Schedule.site_id))), list(s.scalars(select(SiteLock))),
                    list(s.scalars(select(CrawlRun).order_by(CrawlRun.id))))
    finally:
        archive.close()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


@pytest.mark.skipif(sys.platform != "linux", reason="uses /proc and PR_SET_PDEATHSIG")
def test_schedule_survives_kill_9_mid_crawl_and_once_finishes_the_job(tmp_path):
    from sitefarm.server import start_app_in_thread
    from sitefarm.world import World
    from tests.watch.conftest import DAY_WORLD, DayFarm

    farm = DayFarm(World(**dict(DAY_WORLD, sites=2)), delay=0.1)     # slow enough to be killed mid-crawl
    server, port = start_app_in_thread(farm)
    data = DataDir(tmp_path / "data").ensure()
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text(yaml.safe_dump(farm.world.registry(port), allow_unicode=True), encoding="utf-8")
    schedule_file = tmp_path / "schedule.yaml"
    schedule_file.write_text(yaml.safe_dump({"default": {"cron": "0 3 * * *", "spread_minutes": 0}}), encoding="utf-8")
    try:
        scheduler = _scheduler(data.root, sites_file, schedule_file)
        try:
            _wait_for(lambda: _rows(data)[1] and _rows(data)[2])       # locks taken, the crawl has started
            crawl_children = _wait_for(lambda: _children(scheduler.pid))
        finally:
            scheduler.send_signal(signal.SIGKILL)
            scheduler.wait()
        for child in crawl_children:                                   # the crawl dies with its scheduler
            _wait_for(lambda: not _alive(child), limit=30)
        rows, locks, runs = _rows(data)
        assert [r.runs for r in rows] == [0, 0] and len(locks) == 2  # nothing was marked done
        assert all(run.finished is None for run in runs)
        due_at = {r.site_id: r.next_run_at for r in rows}

        once = _scheduler(data.root, sites_file, schedule_file, "--once")
        assert once.returncode == 0, once.stderr[-3000:]
        rows, locks, runs = _rows(data)
        assert locks == []                                             # the dead owner's locks were taken over
        assert [r.runs for r in rows] == [1, 1]
        assert all(r.next_run_at > due_at[r.site_id] + timedelta(hours=12) for r in rows)
        assert {run.site_id for run in runs if run.finished} == {r.site_id for r in rows}

        again = _scheduler(data.root, sites_file, schedule_file, "--once")   # nothing is due any more
        assert again.returncode == 0
        assert len(_rows(data)[2]) == len(runs)
    finally:
        server.shutdown()
