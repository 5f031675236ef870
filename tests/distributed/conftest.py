"""Services for the distributed tests: the machine's Redis and PostgreSQL, used for real.

Unreachable services skip these tests with the reason shown, except under CI=true, where they
fail: CI must run them. Each test session gets its own Redis queue (and key prefix) on a Redis
database of its own, and each test its own PostgreSQL database, dropped afterwards.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

REDIS_URL = os.environ.get("GOVPLANS_TEST_REDIS_URL", "redis://127.0.0.1:6379")
POSTGRES_URL = os.environ.get("GOVPLANS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def require(service: str, error: Exception | str) -> None:
    """Skip (saying why) when a service is missing; fail instead under CI=true."""
    reason = f"{service} unreachable: {error}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the distributed tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_db():
    """(redis URL of a database of our own, queue name); our keys are removed afterwards."""
    try:
        import redis
        probe = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        probe.ping()
        databases = int(probe.config_get("databases").get("databases", 16))
    except Exception as error:  # noqa: BLE001 - any failure means: no Redis to test with
        require("Redis at " + REDIS_URL, error)
    queue = f"govplans-test-{uuid.uuid4().hex[:10]}"
    number = 1 + uuid.uuid4().int % max(1, databases - 1)
    url = f"{REDIS_URL}/{number}"
    yield url, queue
    client = redis.Redis.from_url(url)
    ids = [task_id.decode() for task_id in client.smembers(f"{queue}:tasks")]
    keys = [f"celery-task-meta-{task_id}" for task_id in ids]
    keys += list(client.scan_iter(match=f"{queue}*", count=1000))
    keys += list(client.scan_iter(match=f"_kombu.binding.{queue}*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def pg_database():
    """The SQLAlchemy URL of a fresh PostgreSQL database, dropped after the test."""
    try:
        import psycopg
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except Exception as error:  # noqa: BLE001
        require("PostgreSQL at " + POSTGRES_URL, error)
    name = f"govplans_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Cluster:
    """Worker processes (`govplans worker`) sharing one broker, database and data directory."""

    def __init__(self, redis_url: str, queue: str, database_url: str, data: Path, **env):
        self.redis_url, self.queue, self.data = redis_url, queue, data
        self.env = dict(os.environ, GOVPLANS_BROKER_URL=redis_url, GOVPLANS_RESULT_BACKEND=redis_url,
                        GOVPLANS_QUEUE=queue, GOVPLANS_DATABASE_URL=database_url, GOVPLANS_DATA=str(data),
                        **{k: str(v) for k, v in env.items()})
        self.workers: list[subprocess.Popen] = []
        self.logs = data / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def start_worker(self, concurrency: int = 1) -> subprocess.Popen:
        log = open(self.logs / f"worker-{len(self.workers)}.log", "wb")
        process = subprocess.Popen([sys.executable, "-m", "govplans.cli", "worker", "--concurrency", str(concurrency)],
                                   env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.workers.append(process)
        return process

    def enqueue(self, sites: list[dict], options: dict | None = None) -> list[str]:
        from crawler.distributed.enqueue import enqueue_sites

        saved = {name: os.environ.get(name) for name in ("GOVPLANS_QUEUE",)}
        os.environ["GOVPLANS_QUEUE"] = self.queue
        try:
            ids = enqueue_sites(sites, self.redis_url, options)
        finally:
            for name, value in saved.items():
                os.environ.pop(name) if value is None else os.environ.__setitem__(name, value)
        import redis
        redis.Redis.from_url(self.redis_url).sadd(f"{self.queue}:tasks", *ids)  # for the cleanup
        return ids

    def results(self):
        from celery import Celery

        from crawler.distributed.app import configure
        from crawler.distributed.config import DistributedConfig

        return configure(Celery("govplans-test"), DistributedConfig(broker_url=self.redis_url,
                                                                     result_backend=self.redis_url,
                                                                     queue=self.queue))

    def wait(self, task_ids: list[str], timeout: float) -> list[dict]:
        """Each task's result, once every one has ended (a liveness deadline, not a measurement)."""
        app = self.results()
        try:
            pending = {task_id: app.AsyncResult(task_id) for task_id in task_ids}
            deadline = time.monotonic() + timeout
            while not all(r.ready() for r in pending.values()):
                dead = [w for w in self.workers if w.poll() is not None and w.returncode != -signal.SIGKILL]
                assert not dead, f"a worker exited: {self.log_tail()}"
                assert time.monotonic() < deadline, (
                    f"{sum(not r.ready() for r in pending.values())} tasks still running after {timeout:.0f}s: "
                    f"{self.log_tail()}")
                time.sleep(0.5)
            failed = {task_id: r.result for task_id, r in pending.items() if not r.successful()}
            assert not failed, f"failed tasks: {failed}\n{self.log_tail()}"
            return [r.result for r in pending.values()]
        finally:
            app.close()

    def log_tail(self, chars: int = 3000) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-chars:]}" for p in sorted(self.logs.glob("*.log")))

    def stop(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT)  # cold shutdown: unacknowledged tasks go back
        for process in self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def write_sites(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def descendants(pid: int) -> set[int]:
    """Every process below pid (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
