"""Putting sites on the workers' queue (what `govplans schedule` does)."""
from __future__ import annotations

from crawler.distributed.app import CRAWL_SITE, config_of, make_app


def enqueue_sites(sites: list[dict], broker_url: str | None = None, options: dict | None = None) -> list[str]:
    """One crawl task per site on the broker (default $GOVPLANS_BROKER_URL); their task ids, in order."""
    app = make_app(broker_url)
    queue = config_of(app).queue
    try:
        with app.producer_or_acquire() as producer:
            return [app.send_task(CRAWL_SITE, args=[site, dict(options or {})], queue=queue,
                                  producer=producer).id for site in sites]
    finally:
        app.close()
