"""The crawl task: one site, crawled in the worker's crawl process, under one site lock.

Delivery is at least once: a task is acknowledged when its crawl has ended, so a worker killed
mid-crawl leaves it to be handed out again (after the broker's visibility timeout). Running a
crawl twice stores nothing twice (the archive ingests per URL, idempotently), and one task is not
crawled twice: a task that finished leaves a done mark `<queue>:done:<task id>` holding its
summary, which a late redelivery finds and answers with; a redelivery that arrives while the
first delivery still crawls finds the site locked and waits its turn (retry after a pause).

A worker runs as many tasks at once as its pool has threads (`govplans worker --concurrency`):
each thread hands its site to the one crawl process (child.py, engine.py) and waits for it, so the
worker crawls that many sites at once in one Scrapy process. A task's summary carries its timing
(`timing`: queue wait, start-up, crawl, store; see `task_timing`).
"""
from __future__ import annotations

import json
import logging
import shutil
import time
from functools import lru_cache

import redis

from archive.config import DataDir
from crawler.distributed.app import CRAWL_SITE, app, config_of
from crawler.distributed.child import CrawlFailed, CrawlStopped, engine, task_data
from crawler.distributed.lock import SiteLock

log = logging.getLogger(__name__)

# How many times a crawl whose child crashed is tried again (resuming) before the task fails.
CRASH_RETRIES = 2
# How long a done mark lasts: longer than any redelivery can come late.
DONE_SECONDS = 7 * 24 * 3600


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def data_dir() -> DataDir:
    """The worker's data directory (`govplans worker --data`, else $GOVPLANS_DATA, else ./data)."""
    return DataDir.resolve(app.conf.get("govplans_data"))


@app.task(bind=True, name=CRAWL_SITE, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def crawl_site(self, site_entry: dict, options: dict | None = None) -> dict:
    """Crawl one site (a registry entry) into the archive; options: {"full": bool, "overrides": {...}}."""
    received = time.time()
    options = dict(options or {})
    config = config_of(self.app)
    client = _redis(config.lock_redis_url)
    task_id = self.request.id
    site_id = site_entry["id"]
    shared = data_dir()
    job_dir = shared.root / "jobs" / task_id
    done_key = f"{config.key_prefix}:done:{task_id}"
    done = client.get(done_key)
    if done is not None:  # a late redelivery: answer what the delivery that crawled answered
        shutil.rmtree(job_dir, ignore_errors=True)
        return dict(json.loads(done), redelivered=True)
    lock = SiteLock(client, f"{config.key_prefix}:lock:{site_id}", task_id, config.lock_ttl)
    if not lock.acquire():
        log.info("site %s is being crawled (by %s); task %s waits", site_id, lock.holder(), task_id)
        raise self.retry(countdown=max(1.0, config.lock_ttl / 2))
    try:
        done = client.get(done_key)  # the first delivery may have finished while we took the lock
        if done is not None:
            return dict(json.loads(done), redelivered=True)
        lock.start_renewing()
        crawled = engine().crawl(task_id, site_entry, task_data(shared, job_dir), options,
                                 should_stop=lock.lost.is_set)
        summary = task_summary(crawled, options.get("enqueued_at"), received)
        client.set(done_key, json.dumps(summary), ex=DONE_SECONDS)
        summary["timing"]["store"] = round(time.time() - crawled["idle"], 3)
    except CrawlStopped as error:
        raise self.retry(exc=error, countdown=max(1.0, config.lock_ttl / 2))
    except CrawlFailed as error:
        crashes = int(options.get("crashes", 0))
        if crashes >= CRASH_RETRIES:
            raise
        log.warning("%s; trying again (resuming)", error)
        raise self.retry(args=[site_entry, dict(options, crashes=crashes + 1)], exc=error, countdown=5)
    finally:
        lock.release()
    shutil.rmtree(job_dir, ignore_errors=True)
    return summary


def task_summary(crawled: dict, enqueued_at: float | None, received: float) -> dict:
    """What the crawl process reported, its wall times turned into the task's timing, in seconds:
    queue_wait = enqueued (the `enqueued_at` option `enqueue_sites` sets) to taken by a worker;
    startup = taken to the spider open (site lock, job file, crawler and its components, run rows);
    crawl = spider open to the moment it had nothing left to fetch;
    store = from then to the done mark written (pipelines closing, run bookkeeping, the mark)."""
    summary = {key: value for key, value in crawled.items() if key not in ("opened", "idle", "ended")}
    summary["timing"] = {
        "queue_wait": round(received - enqueued_at, 3) if enqueued_at else None,
        "startup": round(crawled["opened"] - received, 3),
        "crawl": round(crawled["idle"] - crawled["opened"], 3),
        "store": round(crawled["ended"] - crawled["idle"], 3),   # to the mark: set once it is written
    }
    return summary
