"""`govplans crawl`, `schedule` and `worker`: fetching pages from the portals."""
from __future__ import annotations

import os
import sys

import click

from archive.clock import utcnow
from archive.config import DataDir
from crawler.distributed.config import SITES_AT_ONCE
from govplans.options import broker_option, data_option, registry_sites, sites_file_option


@click.command()
@click.argument("site_ids", nargs=-1)
@sites_file_option
@click.option("--full", is_flag=True, help="Full sweep: every list page and every known page, to find edits and removals.")
@click.option("--resume", is_flag=True, help="Continue the crawl that was interrupted in this data directory.")
@data_option
def crawl(site_ids, sites_file, full, resume, data_path) -> None:
    """Crawl sites with their family spiders, store documents, update the index."""
    from archive.operations.indexing import pending_index, update_index
    from crawler.run import NoJobToResume, run_crawl

    data = DataDir.resolve(data_path).ensure()
    sites = None
    if not resume:
        sites = registry_sites(sites_file, site_ids)
    elif site_ids or sites_file or full:
        raise click.UsageError("--resume takes the sites and mode of the interrupted crawl; give nothing else")
    with pending_index(data, utcnow()) as since:      # a crawl killed before indexing is indexed by the next
        try:
            summary = run_crawl(sites, data, full=full, resume=resume)
        except NoJobToResume as error:
            raise click.ClickException(str(error))
        indexed = update_index(data, since=None if resume else since)
    click.echo(f"crawled {summary.sites} sites: {summary.requests} requests, {summary.pages} responses in "
               f"{summary.seconds:.1f}s ({summary.pages_per_second:.0f} pages/s); {indexed} documents indexed",
               err=True)


@click.command()
@click.option("--concurrency", type=int, default=SITES_AT_ONCE, show_default=True,
              help="Sites crawled at once, all in the worker's one crawl process (one worker per core).")
@broker_option
@data_option
def worker(concurrency, broker, data_path) -> None:
    """Crawl the sites put on the broker's queue (a Celery worker; see deploy/README.md)."""
    from crawler.distributed.worker import start_worker

    start_worker(concurrency, broker, DataDir.resolve(data_path))


@click.command()
@click.argument("site_ids", nargs=-1)
@sites_file_option
@click.option("--schedule-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="YAML with the default and group schedules (default $GOVPLANS_SCHEDULE_FILE).")
@click.option("--once", is_flag=True, help="Run what is due now and exit (for cron or a systemd timer).")
@click.option("--full", is_flag=True, help="With SITE_IDS: full sweeps.")
@click.option("--no-notify", is_flag=True, help="Do not send saved-search digests after the crawls.")
@broker_option
@data_option
def schedule(site_ids, sites_file, schedule_file, once, full, no_notify, broker, data_path) -> None:
    """Recrawl sites on their schedules (cron per site, group or default), one crawl of a site at a time.

    Runs until stopped, or with --once runs what is due and exits. SITE_IDS: run these now, whatever
    their schedule, and exit. With --broker (or $GOVPLANS_BROKER_URL) the due sites are put on the
    workers' queue (prints site and task id) instead of crawled here."""
    from archive.operations.schedules import ScheduleConfig
    from crawler.recrawls import run_due, run_forever

    sites = registry_sites(sites_file, site_ids)
    try:
        config = ScheduleConfig.load(schedule_file)
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error))
    broker = broker or os.environ.get("GOVPLANS_BROKER_URL") or None
    data = DataDir.resolve(data_path).ensure()
    if not (once or site_ids):
        click.echo(f"scheduling {len(sites)} sites{' onto ' + broker if broker else ''}; Ctrl-C stops", err=True)
        run_forever(sites, data, config, broker=broker, notify=not no_notify, on_tick=_echo_tick)
        return
    result = run_due(sites, data, config, broker=broker, force=list(site_ids), force_full=full,
                     notify=not no_notify)
    _echo_tick(result)
    if result.failed:
        sys.exit(1)


def _echo_tick(result) -> None:
    for site_id, task_id in result.tasks.items():
        click.echo(f"{site_id}\t{task_id}")
    if result.enqueued:
        click.echo(f"enqueued {len(result.tasks)} sites", err=True)
    elif result.due:
        click.echo(f"due {len(result.due)}: crawled {', '.join(result.crawled) or '-'}"
                   + (f"; busy {', '.join(result.busy)}" if result.busy else "")
                   + (f"; failed {', '.join(result.failed)}" if result.failed else ""), err=True)


COMMANDS = (crawl, worker, schedule)
