"""`govplans worker`: a Celery worker taking crawl tasks from the queue.

The pool is threads: a slot only waits for its crawl's child process, so N slots are N threads
and N crawls in N child processes (`--concurrency N` crawls N sites at once, each with the
per-site politeness of crawler/settings.py).
"""
from __future__ import annotations

import os

from archive.config import DataDir
from crawler.distributed import child
from crawler.distributed.app import app, config_of, configure
from crawler.distributed.config import DistributedConfig


def start_worker(concurrency: int = 1, broker_url: str | None = None, data: DataDir | None = None,
                 loglevel: str = "INFO") -> None:
    """Run a worker until it is stopped (SIGTERM: finish the crawls under way; a second one: stop now)."""
    configure(app, DistributedConfig.from_env(broker_url))
    data = (data or DataDir.resolve(None)).ensure()
    app.conf.govplans_data = str(data.root)
    child.prepare()
    app.worker_main(["worker", "--pool=threads", f"--concurrency={concurrency}",
                     f"--queues={config_of(app).queue}", f"--loglevel={loglevel}",
                     f"--hostname=govplans-{os.getpid()}@%h", "--without-gossip", "--without-mingle"])
