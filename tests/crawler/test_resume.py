"""A crawl killed with SIGKILL midway resumes with `govplans crawl --resume`: nothing lost, nothing twice."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, run_govplans
from tests.crawler.conftest import document_urls, runs, truth_of, write_registry


class SlowFarm:
    def __init__(self, world, hold: float):
        from sitefarm.server import respond

        self.world, self.hold, self._respond = world, hold, respond
        self.asked: dict[str, int] = {}

    def __call__(self, request, host, attempt):
        time.sleep(self.hold)
        key = host.split(":")[0] + request.path + (f"?{request.query}" if request.query else "")
        self.asked[key] = self.asked.get(key, 0) + 1
        return self._respond(self.world, request, host, attempt)


def _stored_urls(database: str) -> set[str]:
    try:
        with sqlite3.connect(database, timeout=1) as connection:
            return {row[0] for row in connection.execute("select url from documents")}
    except sqlite3.Error:
        return set()


def _count_documents(database: str) -> int:
    try:
        with sqlite3.connect(database, timeout=1) as connection:
            return connection.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory):
    from sitefarm.server import start_app_in_thread
    from sitefarm.world import World

    world = World(sites=4, seed=0, docs_per_site=(30, 40))
    farm = SlowFarm(world, hold=0.1)
    server, port = start_app_in_thread(farm)
    data = tmp_path_factory.mktemp("resume")
    sites_file = write_registry(data / "sites.yaml", world.registry(port))
    env = dict(os.environ, GOVPLANS_DATA=str(data))
    try:
        process = subprocess.Popen([sys.executable, "-m", "govplans.cli", "crawl", "--sites-file", str(sites_file)],
                                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while _count_documents(str(data / "archive.sqlite")) < 25 and time.monotonic() < deadline:
            assert process.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        stored = _stored_urls(str(data / "archive.sqlite"))
        asked_before = dict(farm.asked)
        at_kill = {"documents": len(stored), "stored": stored, "asked": asked_before,
                   "job_left": (data / "crawl-job.json").exists(),
                   "open_runs": sum(1 for run in runs(data) if run.finished is None)}
        farm.hold = 0.0
        result = run_govplans("crawl", "--resume", data=data)
    finally:
        server.shutdown()
    return world, port, data, at_kill, result, farm.asked


def test_the_killed_crawl_left_its_job_and_open_runs(killed_and_resumed):
    world, port, _, at_kill, _, _ = killed_and_resumed
    live = sum(1 for doc in truth_of(world, port) if doc["status"] != "withdrawn")
    assert 25 <= at_kill["documents"] < live
    assert at_kill["job_left"] and at_kill["open_runs"] == len(world.sites)


def test_resume_stores_every_document_once(killed_and_resumed):
    world, port, data, _, result, _ = killed_and_resumed
    assert result.returncode == 0, result.stderr[-3000:]
    truth = [doc["url"] for doc in truth_of(world, port) if doc["status"] != "withdrawn"]
    urls = document_urls(data)
    assert len(urls) == len(set(urls))
    assert sorted(urls) == sorted(truth)


def test_resume_finishes_the_interrupted_runs_and_the_job(killed_and_resumed):
    world, _, data, _, _, _ = killed_and_resumed
    rows = runs(data)
    assert len(rows) == len(world.sites)          # the same rows, continued
    assert all(run.finished is not None for run in rows)
    assert not (data / "crawl-job.json").exists()


def test_resume_does_not_fetch_again_what_was_stored_before_the_kill(killed_and_resumed):
    world, port, _, at_kill, _, asked = killed_and_resumed
    key = lambda url: url.split("://", 1)[1].replace(f":{port}", "")  # noqa: E731
    stored = {key(url) for url in at_kill["stored"]}
    assert stored and all(at_kill["asked"].get(url, 0) >= 1 for url in stored)
    again = sorted(url for url in stored if asked.get(url, 0) > at_kill["asked"].get(url, 0))
    assert again == []
    # what was fetched but not yet committed when the crawl died is fetched again, and only once more
    details = {key(doc["url"]) for doc in truth_of(world, port)}
    assert all(asked.get(url, 0) <= 2 for url in details)


def test_resume_without_an_interrupted_crawl_says_so(tmp_path):
    result = run_govplans("crawl", "--resume", data=tmp_path)
    assert result.returncode != 0 and "no interrupted crawl" in result.stderr
