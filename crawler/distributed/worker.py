"""`govplans worker`: a Celery worker taking crawl tasks from the queue.

The pool is threads: a slot only hands its site to the worker's one crawl process (child.py) and
waits for that site's crawl to end, so `--concurrency N` crawls N sites at once in one Scrapy
process (each with the per-site politeness of crawler/settings.py), and a slot whose site ended
takes the next task at once. The crawl process sends its pages to the machine's archive writer
(machine_writer.py), started here unless it runs and held for the worker's life. How many workers
per machine: deploy/README.md (one per two cores; raise --concurrency first).
"""
from __future__ import annotations

import os

from archive.config import DataDir
from crawler.distributed import child, machine_writer
from crawler.distributed.app import app, config_of, configure
from crawler.distributed.config import SITES_AT_ONCE, DistributedConfig


def start_worker(concurrency: int = SITES_AT_ONCE, broker_url: str | None = None, data: DataDir | None = None,
                 loglevel: str = "INFO") -> None:
    """Run a worker until it is stopped (SIGTERM: finish the crawls under way; a second one: stop now)."""
    configure(app, DistributedConfig.from_env(broker_url))
    data = (data or DataDir.resolve(None)).ensure()
    app.conf.govplans_data = str(data.root)
    child.prepare()
    machine_writer.hold(data.database_url)   # the machine's archive writer, up before the first task
    app.worker_main(["worker", "--pool=threads", f"--concurrency={concurrency}",
                     f"--queues={config_of(app).queue}", f"--loglevel={loglevel}",
                     f"--hostname=govplans-{os.getpid()}@%h", "--without-gossip", "--without-mingle"])
