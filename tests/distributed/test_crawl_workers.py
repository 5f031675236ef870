"""Crawling with Celery workers on Redis into PostgreSQL: the same crawl, only configured apart."""
from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import create_engine, func, select

from archive.models import CrawlRun, Document, Version
from sitefarm.faults import Faults
from sitefarm.server import start_in_thread
from sitefarm.world import World
from tests.distributed.conftest import Cluster, alive, descendants

QUIET = {"overrides": {"LOG_LEVEL": "WARNING"}}
# Small enough that a task of a killed worker comes back within seconds, not the default hours.
FAST_REDELIVERY = dict(GOVPLANS_VISIBILITY_TIMEOUT=8, GOVPLANS_SITE_LOCK_TTL=6)


@pytest.fixture
def make_cluster(redis_db, pg_database, tmp_path):
    url, queue = redis_db
    made = []

    def make(**env) -> Cluster:
        made.append(Cluster(url, queue, pg_database, tmp_path / "data", **env))
        return made[-1]

    yield make
    for cluster in made:
        cluster.stop()


def stored(database_url: str) -> dict:
    """URL -> (rows with that URL, versions of it), crawl runs per site."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            rows = db.execute(select(Document.url, func.count(Document.id)).group_by(Document.url)).all()
            versions = dict(db.execute(select(Document.url, func.count(Version.id))
                                       .join(Version, Version.document_id == Document.id).group_by(Document.url)).all())
            runs = dict(db.execute(select(CrawlRun.site_id, func.count(CrawlRun.id)).group_by(CrawlRun.site_id)).all())
    finally:
        engine.dispose()
    return {"rows": dict(rows), "versions": versions, "runs": runs}


def count_documents(database_url: str, site_id: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            return db.scalar(select(func.count(Document.id)).where(Document.site_id == site_id)) or 0
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return 0
    finally:
        engine.dispose()


def assert_stored_exactly_once(database_url: str, truth: list[dict]) -> None:
    found = stored(database_url)
    expected = {doc["url"] for doc in truth if doc["status"] != "withdrawn"}
    lost = expected - set(found["rows"])
    assert not lost, f"{len(lost)} of {len(expected)} documents lost, e.g. {sorted(lost)[:3]}"
    unexpected = set(found["rows"]) - expected
    assert not unexpected, f"documents the farm does not have: {sorted(unexpected)[:3]}"
    twice = {url: n for url, n in found["rows"].items() if n != 1}
    assert not twice, f"URLs stored more than once: {twice}"
    versions = {url: n for url, n in found["versions"].items() if n != 1}
    assert not versions, f"a re-crawl made new versions of unchanged pages: {dict(list(versions.items())[:3])}"


def test_three_workers_crawl_200_sites_storing_every_document_once(make_cluster, pg_database):
    cluster = make_cluster(GOVPLANS_VISIBILITY_TIMEOUT=30, GOVPLANS_SITE_LOCK_TTL=10)
    world = World(sites=200, seed=3, docs_per_site=(3, 5))
    server, port = start_in_thread(world, port=0)
    try:
        for _ in range(3):
            cluster.start_worker(concurrency=2)
        sites = world.registry(port)
        task_ids = cluster.enqueue(sites, QUIET)
        results = cluster.wait(task_ids, timeout=600)
        truth = list(world.truth(port))
    finally:
        server.shutdown()
    assert {r["site"] for r in results} == {site["id"] for site in sites}
    assert_stored_exactly_once(pg_database, truth)
    assert set(stored(pg_database)["runs"]) == {site["id"] for site in sites}
    # govplans-<stamp>-<pid>-<serial>.warc.gz
    used = {path.name.split("-")[-2] for path in (cluster.data / "warc").glob("*.warc.gz")}
    assert len(used) > 1, "the WARC files of the shared data directory come from one process only"


def test_a_worker_killed_mid_crawl_loses_no_document(make_cluster, pg_database):
    cluster = make_cluster(**FAST_REDELIVERY)
    # One site whose every document page answers slowly: its crawl takes many seconds.
    world = World(sites=1, seed=0, docs_per_site=(40, 40), families=("trs",),
                  faults=Faults(rate=1.0, kinds=("slow",), slow_seconds=0.5))
    server, port = start_in_thread(world, port=0)
    try:
        (site,) = world.registry(port)
        first = cluster.start_worker()
        (task_id,) = cluster.enqueue([site], QUIET)
        deadline = time.monotonic() + 120
        while count_documents(pg_database, site["id"]) < 3:
            assert first.poll() is None and time.monotonic() < deadline, cluster.log_tail()
            time.sleep(0.1)
        crawl = descendants(first.pid)
        assert crawl, "the worker runs its crawl in child processes"
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        truth = list(world.truth(port))
        deadline = time.monotonic() + 60
        while any(alive(pid) for pid in crawl):
            assert time.monotonic() < deadline, f"orphaned crawl processes: {[p for p in crawl if alive(p)]}"
            time.sleep(0.1)
        # The crawl died with its worker, midway (an orphaned crawl would have gone on to the end).
        assert count_documents(pg_database, site["id"]) < len(truth)

        cluster.start_worker()
        (result,) = cluster.wait([task_id], timeout=180)
    finally:
        server.shutdown()
    assert result["resumed"], "the redelivered task resumes the killed crawl"
    assert_stored_exactly_once(pg_database, truth)


def test_one_worker_crawls_its_sites_in_one_long_lived_crawl_process(make_cluster, pg_database):
    cluster = make_cluster(GOVPLANS_VISIBILITY_TIMEOUT=30, GOVPLANS_SITE_LOCK_TTL=10)
    world = World(sites=8, seed=4, docs_per_site=(3, 5))
    server, port = start_in_thread(world, port=0)
    try:
        worker = cluster.start_worker(concurrency=4)
        sites = world.registry(port)
        first = cluster.wait(cluster.enqueue(sites[:4], QUIET), timeout=300)
        processes = descendants(worker.pid)
        second = cluster.wait(cluster.enqueue(sites[4:], {"overrides": {"LOG_LEVEL": "INFO"}}), timeout=300)
        truth = list(world.truth(port))
    finally:
        server.shutdown()
    results = first + second
    assert {r["site"] for r in results} == {site["id"] for site in sites}
    assert len({r["process"] for r in results}) == 1, "every site of the worker in its one crawl process"
    assert results[0]["process"] in processes
    assert descendants(worker.pid) == processes, "no process was started for the later tasks"
    for result in results:   # each task says where its time went
        timing = result["timing"]
        assert set(timing) == {"queue_wait", "startup", "crawl", "store"}
        assert all(value >= 0 for value in timing.values()), timing
        assert result["pages"] > 0
    log = (cluster.logs / "worker-0.log").read_text(errors="replace")
    assert log.count("Spider opened") == 4, "each later site's crawl is logged (at INFO)"
    assert "Enabled downloader middlewares" not in log, "Scrapy's listings come with a process's first site only"
    assert_stored_exactly_once(pg_database, truth)


def test_workers_on_one_machine_store_through_one_archive_writer(make_cluster, pg_database):
    cluster = make_cluster(GOVPLANS_VISIBILITY_TIMEOUT=30, GOVPLANS_SITE_LOCK_TTL=10)
    world = World(sites=8, seed=6, docs_per_site=(3, 5))
    server, port = start_in_thread(world, port=0)
    try:
        workers = [cluster.start_worker(concurrency=2) for _ in range(2)]
        sites = world.registry(port)
        results = cluster.wait(cluster.enqueue(sites, QUIET), timeout=300)
        truth = list(world.truth(port))
        below_workers = set().union(*(descendants(worker.pid) for worker in workers))
    finally:
        server.shutdown()
    assert len({r["process"] for r in results}) == 2, "both workers crawled (each in its crawl process)"
    writers = {r["writer"] for r in results}
    assert len(writers) == 1 and None not in writers, f"one archive writer for the machine, not {writers}"
    (writer,) = writers
    assert writer not in below_workers, "the machine's writer is no worker's child (one worker's end is not the other's)"
    assert_stored_exactly_once(pg_database, truth)
    cluster.stop()
    deadline = time.monotonic() + 30
    while alive(writer):   # with no worker left on the machine, it leaves by itself
        assert time.monotonic() < deadline, "the machine's writer outlived the workers"
        time.sleep(0.2)
