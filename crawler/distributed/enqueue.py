"""Putting sites on the workers' queue (what `govplans schedule` does)."""
from __future__ import annotations

import time

from crawler.distributed.app import CRAWL_SITE, config_of, make_app


def enqueue_sites(sites: list[dict], broker_url: str | None = None, options: dict | None = None) -> list[str]:
    """One crawl task per site on the broker (default $GOVPLANS_BROKER_URL); their task ids, in order.
    The options carry `enqueued_at` (epoch seconds), from which a task reports its queue wait."""
    options = dict(options or {}, enqueued_at=time.time())   # for the task's queue-wait time
    app = make_app(broker_url)
    queue = config_of(app).queue
    try:
        with app.producer_or_acquire() as producer:
            return [app.send_task(CRAWL_SITE, args=[site, options], queue=queue,
                                  producer=producer).id for site in sites]
    finally:
        app.close()
