"""Crawling past one machine: Celery workers on a Redis broker, one task per site.

A task runs the same `crawler.run.run_crawl` the embedded `govplans crawl` runs, for one site, in
a fresh child process (Scrapy's reactor starts once per process); only configuration differs:
where the broker is ($GOVPLANS_BROKER_URL), where the archive is ($GOVPLANS_DATABASE_URL) and
where the WARC files go (the data directory's warc/ on a shared filesystem).

    config.py   the settings, all from the environment
    app.py      the Celery app
    lock.py     a per-site lock in Redis (SET NX with expiry, renewed while the crawl runs)
    child.py    one site's crawl in a child process forked from a pre-loaded fork server
    tasks.py    the `crawl_site` task
    enqueue.py  `enqueue_sites(sites, broker_url)`, behind `govplans schedule`
    worker.py   `start_worker(...)`, behind `govplans worker`
"""
