"""Crawling past one machine: Celery workers on a Redis broker, one task per site.

A task crawls its site with the same spiders, pipelines and job files as the embedded `govplans
crawl`, in the worker's one long-lived crawl process (a Scrapy reactor that runs for the worker's
life, crawling every site the worker holds at once); only configuration differs:
where the broker is ($GOVPLANS_BROKER_URL), where the archive is ($GOVPLANS_DATABASE_URL) and
where the WARC files go (the data directory's warc/ on a shared filesystem).

    config.py   the settings, all from the environment
    app.py      the Celery app
    lock.py     a per-site lock in Redis (SET NX with expiry, renewed while the crawl runs)
    child.py    the worker's handle on its crawl process (forked once from a pre-loaded fork server)
    engine.py   the crawl process: one reactor, one Scrapy crawler per site, reports per site
    machine_writer.py  the archive writer shared by the machine's workers (extract + store, batches)
    tasks.py    the `crawl_site` task
    enqueue.py  `enqueue_sites(sites, broker_url)`, behind `govplans schedule`
    worker.py   `start_worker(...)`, behind `govplans worker`
"""
