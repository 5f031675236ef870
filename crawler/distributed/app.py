"""The Celery app: configured from the environment (config.py), crawl tasks in tasks.py.

    celery -A crawler.distributed.app worker --pool threads   # what `govplans worker` runs
"""
from __future__ import annotations

from celery import Celery

from crawler.distributed.config import DistributedConfig

# The crawl task's name (tasks.py), which `schedule` sends without importing the crawler.
CRAWL_SITE = "govplans.crawl_site"


def configure(app: Celery, config: DistributedConfig) -> Celery:
    app.conf.update(
        broker_url=config.broker_url,
        result_backend=config.result_backend,
        broker_transport_options=config.transport_options(),
        result_backend_transport_options=config.transport_options(),
        broker_connection_retry_on_startup=True,
        task_default_queue=config.queue,
        # A task is acknowledged only when its crawl ended, and one at a time is taken per slot:
        # a worker killed mid-crawl leaves its task unacknowledged, and Redis hands it out again.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        result_expires=7 * 24 * 3600,
        task_track_started=True,
        govplans=config,
    )
    return app


def make_app(broker_url: str | None = None) -> Celery:
    """An app for the environment's configuration, the broker replaced by `broker_url` if given."""
    app = Celery("govplans", include=["crawler.distributed.tasks"])
    return configure(app, DistributedConfig.from_env(broker_url))


def config_of(app: Celery) -> DistributedConfig:
    return app.conf.govplans


app = make_app()
