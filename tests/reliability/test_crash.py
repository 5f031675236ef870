"""kill -9 of the crawler, the indexer and the scheduler at random points (several seeds), then a
restart: no document lost or stored twice, no reachable attachment lost, the index equal to a
rebuild from the same database, and every capture readable from the WARC files.

The CI set is small (one crawler seed killed twice, two indexer seeds, one scheduler seed: about
60 s on two cores); GOVPLANS_LONG=1 tries many more seeds."""
from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from evaluation.crashes import (CRASH_WORLD, crash_crawler, crash_indexer, crash_scheduler, query,
                                serve_paced, truth_of, write_registry)

LONG = os.environ.get("GOVPLANS_LONG") == "1"
CRAWLER_SEEDS = range(1, 8) if LONG else [pytest.param(1, marks=pytest.mark.skip(reason="GOVPLANS_LONG=1"))]
INDEXER_SEEDS = range(12) if LONG else range(2)
SCHEDULER_SEEDS = range(4) if LONG else range(1)


@pytest.fixture(scope="module")
def crash_farm(tmp_path_factory):
    """A paced 3-site farm with attachments: (port, truth, sites file)."""
    from sitefarm.world import World

    world = World(**CRASH_WORLD)
    server, port, _ = serve_paced(world, hold=0.01)
    sites_file = write_registry(tmp_path_factory.mktemp("crash-sites") / "sites.yaml", world.registry(port))
    yield port, truth_of(world, port), sites_file
    server.shutdown()


@pytest.fixture(scope="module")
def crawler_killed(crash_farm, tmp_path_factory):
    """Seed 0: `govplans crawl` killed twice (the resume too), then resumed to the end."""
    _, truth, sites_file = crash_farm
    data = tmp_path_factory.mktemp("crawler-killed") / "data"
    return data, crash_crawler(data, sites_file, truth, seed=0, kills=2)


def _copy(source, target):
    target.mkdir(parents=True)
    with sqlite3.connect(source / "archive.sqlite") as connection:      # a consistent copy of a WAL database
        connection.execute("VACUUM INTO ?", (str(target / "archive.sqlite"),))
    shutil.copytree(source / "warc", target / "warc")
    shutil.copytree(source / "index", target / "index")


def _assert_survived(outcome):
    check = outcome.check
    assert outcome.errors == [], outcome.errors
    assert outcome.exit_codes and all(code == 0 for code in outcome.exit_codes)
    assert check.lost == [] and check.duplicated == [] and check.outside == [] and check.wrong == []
    assert outcome.attachments_lost == []
    assert check.warc_unreadable == []
    assert outcome.index_equal, outcome.index_diff[:20]
    assert outcome.indexed == check.stored


def test_crawler_killed_twice_then_resumed_loses_and_doubles_nothing(crawler_killed):
    _, outcome = crawler_killed
    assert len(outcome.kills) == 2
    _assert_survived(outcome)


@pytest.mark.parametrize("seed", CRAWLER_SEEDS)
def test_crawler_killed_at_more_points(crash_farm, tmp_path, seed):
    _, truth, sites_file = crash_farm
    outcome = crash_crawler(tmp_path / "data", sites_file, truth, seed, kills=2)
    assert outcome.kills
    _assert_survived(outcome)


@pytest.mark.parametrize("seed", INDEXER_SEEDS)
def test_indexer_killed_while_writing_then_rerun_equals_a_rebuild(crash_farm, crawler_killed, tmp_path, seed):
    _, truth, _ = crash_farm
    source, _ = crawler_killed
    data = tmp_path / "data"
    _copy(source, data)
    outcome = crash_indexer(data, truth, seed, kills=2 if LONG else 1)
    _assert_survived(outcome)


@pytest.mark.parametrize("seed", SCHEDULER_SEEDS)
def test_scheduler_killed_then_rerun_loses_and_doubles_nothing(crash_farm, tmp_path, seed):
    _, truth, sites_file = crash_farm
    outcome = crash_scheduler(tmp_path / "data", sites_file, truth, seed, kills=1)
    assert outcome.kills
    _assert_survived(outcome)
    # the killed child's crawl_runs rows are closed by the next run, marked interrupted
    rows = query(tmp_path / "data", "select site_id, finished is not null, errors from crawl_runs")
    assert all(finished for _, finished, _ in rows)
    assert any("interrupted" in errors for _, _, errors in rows)


def test_a_crawl_indexes_what_a_killed_crawl_stored_and_left_unindexed(tmp_path):
    import socket
    from datetime import datetime, timedelta

    from archive.config import DataDir
    from archive.operations.indexing import PENDING_DIR, pending_index

    data = DataDir.resolve(tmp_path).ensure()
    now = datetime(2026, 1, 2, 3, 4, 5)
    (data.root / PENDING_DIR).mkdir()
    dead = data.root / PENDING_DIR / f"{socket.gethostname()}-999999999-abcd1234"   # no such process
    dead.write_text((now - timedelta(hours=1)).isoformat())
    with pending_index(data, now) as since:
        assert since == now - timedelta(hours=1)
        with pending_index(data, now + timedelta(minutes=1)) as other:   # a live crawl's mark is not taken
            assert other == now - timedelta(hours=1)
    assert list((data.root / PENDING_DIR).iterdir()) == []
    with pending_index(data, now) as since:
        assert since == now
