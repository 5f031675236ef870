"""The site lock and `govplans schedule`, against the machine's Redis."""
from __future__ import annotations

import base64
import json
import time

import pytest
import redis
from click.testing import CliRunner

from archive.config import DataDir
from crawler.distributed.child import task_data
from crawler.distributed.lock import SiteLock
from govplans.cli import main
from sitefarm.world import World
from tests.distributed.conftest import write_sites


@pytest.fixture
def client(redis_db):
    url, queue = redis_db
    return redis.Redis.from_url(url), queue


def test_a_locked_site_cannot_be_locked_by_another_task(client):
    db, queue = client
    first = SiteLock(db, f"{queue}:lock:qiyang", "task-1", ttl=5)
    second = SiteLock(db, f"{queue}:lock:qiyang", "task-2", ttl=5)
    assert first.acquire()
    assert not second.acquire()
    assert not second.release(), "a task must not release a lock it does not hold"
    assert first.holder() == "task-1"
    assert first.release()
    assert second.acquire()
    second.release()


def test_a_renewed_lock_outlives_its_ttl_and_an_abandoned_one_expires(client):
    db, queue = client
    kept = SiteLock(db, f"{queue}:lock:kept", "task-1", ttl=0.6)
    abandoned = SiteLock(db, f"{queue}:lock:abandoned", "task-2", ttl=0.6)
    assert kept.acquire() and abandoned.acquire()
    kept.start_renewing()
    time.sleep(1.5)
    assert kept.holder() == "task-1" and not kept.lost.is_set()
    assert abandoned.holder() is None
    kept.release()
    assert kept.holder() is None


def test_a_lock_taken_away_is_reported_lost(client):
    db, queue = client
    lock = SiteLock(db, f"{queue}:lock:stolen", "task-1", ttl=0.6)
    assert lock.acquire()
    lock.start_renewing()
    db.set(lock.key, "task-9")
    assert lock.lost.wait(5)
    lock.release()
    assert db.get(lock.key) == b"task-9", "releasing must not remove another task's lock"


def test_a_task_keeps_its_job_file_apart_and_shares_warc_and_database(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVPLANS_DATABASE_URL", "postgresql+psycopg://db.example/govplans")
    shared = DataDir(tmp_path / "data")
    data = task_data(shared, shared.root / "jobs" / "task-1")
    assert data.warc_dir == shared.warc_dir and data.index_dir == shared.index_dir
    assert data.database_url == "postgresql+psycopg://db.example/govplans"
    assert data.root == shared.root / "jobs" / "task-1"


def queued(db, queue: str) -> list[tuple[str, dict]]:
    messages = [json.loads(raw) for raw in db.lrange(queue, 0, -1)]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def test_schedule_puts_one_crawl_task_per_given_site_on_the_queue(client, tmp_path, monkeypatch):
    db, queue = client
    url = db.connection_pool.connection_kwargs
    broker = f"redis://{url['host']}:{url['port']}/{url['db']}"
    monkeypatch.setenv("GOVPLANS_QUEUE", queue)
    sites = write_sites(tmp_path / "sites.yaml", World(sites=4).registry(8800))
    result = CliRunner().invoke(main, ["schedule", "--broker", broker, "--sites-file", str(sites),
                                       "--data", str(tmp_path / "data"), "qiyang", "fushun"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [site for site, _ in lines] == ["qiyang", "fushun"]
    tasks = queued(db, queue)
    db.delete(queue)
    assert sorted(args[0]["id"] for _, args in tasks) == ["fushun", "qiyang"]
    assert {name for name, _ in tasks} == {"govplans.crawl_site"}
    # a site's first scheduled run is a full sweep; enqueued_at gives the task its queue wait
    assert [{k: v for k, v in args[1].items() if k != "enqueued_at"} for _, args in tasks] == [{"full": True}] * 2
    assert all(isinstance(args[1]["enqueued_at"], float) for _, args in tasks)


def test_schedule_rejects_unknown_sites(tmp_path):
    sites = write_sites(tmp_path / "sites.yaml", World(sites=2).registry(8800))
    result = CliRunner().invoke(main, ["schedule", "--sites-file", str(sites), "nowhere"])
    assert result.exit_code != 0 and "nowhere" in result.output
