"""The `govplans` command: one click group; each command is a few lines over a library call.

This package only wires the others together (crawler, archive, sitefarm, search_ui), so that
`archive` itself never imports Scrapy or Flask.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from archive.config import DataDir

data_option = click.option("--data", "data_path", type=click.Path(file_okay=False), default=None,
                           help="Data directory (default $GOVPLANS_DATA or ./data).")


class _Group(click.Group):
    """The command group; a storage problem (disk full, database locked …) ends any command with one
    clear line and exit status 1, not a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.exceptions.ClickException:
            raise
        except Exception as error:  # noqa: BLE001 - only storage problems are turned into messages
            from archive.store import storage_problem

            problem = storage_problem(error)
            if problem is None:
                raise
            raise click.ClickException(problem) from None


@click.group(cls=_Group)
def main() -> None:
    """govplans: an archive of the plans and notices Chinese government portals publish."""


def _farm_group():
    from sitefarm.cli import farm
    return farm


class _LazyFarm(click.Group):
    """`govplans farm …` is sitefarm's own group, imported only when used."""

    def list_commands(self, ctx):
        return _farm_group().list_commands(ctx)

    def get_command(self, ctx, name):
        return _farm_group().get_command(ctx, name)


main.add_command(_LazyFarm(name="farm", help="Simulated county portals on 127.0.0.1 (serve, truth, sites)."))


@main.group()
def sites() -> None:
    """The site registry (crawler/sites/*.yaml)."""


@sites.command("list")
@click.option("--sites-file", type=click.Path(exists=True, dir_okay=False), default=None)
@data_option
def sites_list(sites_file, data_path) -> None:
    """One line per site: id, region, family, verified, base URL; flagged sites end with BROKEN and why."""
    from archive.health import site_health
    from archive.store import Archive
    from crawler.registry import RegistryError, load_sites

    try:
        entries = load_sites(sites_file)
    except (RegistryError, OSError) as error:
        raise click.ClickException(str(error))
    data = DataDir.resolve(data_path)
    health = {}
    if data.root.exists():
        archive = Archive(data.database_url)
        health = site_health(archive)
        archive.close()
    for site in entries:
        verified = "verified" if site.get("verified", site.get("farm", False)) else "unverified"
        verdict = health.get(site["id"])
        flag = f"  BROKEN since {verdict.since:%Y-%m-%d %H:%M}: {verdict.reason}" if verdict and verdict.flagged else ""
        click.echo(f"{site['id']:16} {site.get('region') or '------'}  {site['family']:10} {verified:10} "
                   f"{site['base_url']}  {site.get('name', '')}{flag}")


@sites.command("check")
@click.argument("site_id")
@click.option("--sites-file", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--show", type=int, default=5, help="How many of the items found to list per column.")
def sites_check(site_id, sites_file, show) -> None:
    """Fetch a site's start pages and report what its spider finds there (items, list pages)."""
    from crawler.check import check_site
    from crawler.registry import RegistryError, load_sites, select_sites
    from crawler.run import crawl_settings

    try:
        (site,) = select_sites(load_sites(sites_file), [site_id])
    except (RegistryError, OSError) as error:
        raise click.ClickException(str(error))
    settings = crawl_settings(DataDir.resolve(None), farm=bool(site.get("farm")))
    checks = check_site(site, settings.get("USER_AGENT"), test_hosts=settings.getbool("GOVPLANS_RESOLVE_TEST_HOSTS"))
    click.echo(f"{site['id']} ({site['family']}) {site['base_url']}")
    for check in checks:
        status = check.error or f"HTTP {check.status}"
        paging = f"{check.pages} more list pages" if check.pages else (f"next page {check.next_page}"
                                                                       if check.next_page else "no further pages")
        click.echo(f"  {check.url}: {status}; {len(check.items)} items; {paging}")
        if check.via:
            click.echo(f"    items from {check.via}")
        for url in check.items[:show]:
            click.echo(f"    {url}")
    if not any(check.items for check in checks):
        raise click.ClickException("the spider found no items on any start page")


@main.command()
@data_option
def reextract(data_path) -> None:
    """Rebuild every document from the WARC files with today's extraction (no network)."""
    from archive.ops import rebuild_index
    from crawler.reextract import ReextractError, reextract as rebuild

    data = DataDir.resolve(data_path)
    try:
        summary = rebuild(data)
    except ReextractError as error:
        raise click.ClickException(str(error))
    indexed = rebuild_index(data)
    outcomes = ", ".join(f"{count} {name}" for name, count in sorted(summary.outcomes.items()))
    click.echo(f"replayed {summary.captures} captures ({outcomes}; {summary.missing} unreadable): "
               f"{summary.documents} documents, {indexed} indexed", err=True)


@main.command()
@click.argument("site_ids", nargs=-1)
@click.option("--sites-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A registry YAML file (default: every file in crawler/sites/).")
@click.option("--full", is_flag=True, help="Full sweep: every list page and every known page, to find edits and removals.")
@click.option("--resume", is_flag=True, help="Continue the crawl that was interrupted in this data directory.")
@data_option
def crawl(site_ids, sites_file, full, resume, data_path) -> None:
    """Crawl sites with their family spiders, store documents, update the index."""
    from crawler.registry import RegistryError, load_sites, select_sites
    from crawler.run import NoJobToResume, run_crawl
    from archive.ops import pending_index, update_index

    data = DataDir.resolve(data_path).ensure()
    sites = None
    if not resume:
        try:
            sites = select_sites(load_sites(sites_file), list(site_ids))
        except (RegistryError, OSError) as error:
            raise click.ClickException(str(error))
    elif site_ids or sites_file or full:
        raise click.UsageError("--resume takes the sites and mode of the interrupted crawl; give nothing else")
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    with pending_index(data, started) as since:      # a crawl killed before indexing is indexed by the next
        try:
            summary = run_crawl(sites, data, full=full, resume=resume)
        except NoJobToResume as error:
            raise click.ClickException(str(error))
        indexed = update_index(data, since=None if resume else since)
    click.echo(f"crawled {summary.sites} sites: {summary.requests} requests, {summary.pages} responses in "
               f"{summary.seconds:.1f}s ({summary.pages_per_second:.0f} pages/s); {indexed} documents indexed",
               err=True)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--url", default=None, help="The URL the page was fetched from.")
def extract(path, url) -> None:
    """Extract one saved page (raw bytes, any encoding) and print one JSON object."""
    from archive.extract import extract_document
    from archive.extract.document import RawPage

    try:
        body = Path(path).read_bytes()
    except OSError as error:
        click.echo(json.dumps({"error": f"cannot read {path}: {error.strerror}"}, ensure_ascii=False))
        sys.exit(2)
    document = extract_document(RawPage(url or Path(path).resolve().as_uri(), body))
    record = document.to_dict()
    unreadable = any(error.startswith(("decode:", "empty")) for error in document.errors)
    if not document.title and (unreadable or not document.text.strip()):
        click.echo(json.dumps({"error": "no document found in this page", "errors": record["errors"]},
                              ensure_ascii=False))
        sys.exit(2)
    click.echo(json.dumps(record, ensure_ascii=False))


@main.command("eval-extract")
@click.option("--gold", "gold_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled pages, JSON lines (file, url, title, published …, body_with, body_without).")
@click.option("--root", required=True, type=click.Path(exists=True, file_okay=False),
              help="The folder the labels' file paths are relative to.")
@click.option("--bench", "bench_dir", type=click.Path(file_okay=False), default=None,
              help="Full-text benchmarks (immortal/, magic/) for char-bigram F1; default ROOT/bench if present.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
def eval_extract(gold_file, root, bench_dir, as_json) -> None:
    """Score extraction on labelled pages and full-text benchmarks: ours, trafilatura defaults and
    readability-lxml side by side."""
    from evaluation.extraction import compare, compare_bigram, comparison_table, load_bench, load_gold_file

    report = compare(list(load_gold_file(Path(gold_file), Path(root))))
    bench = Path(bench_dir) if bench_dir else Path(root) / "bench"
    for name, scores in compare_bigram(load_bench(bench) if bench.is_dir() else {}).items():
        report[name].update(scores)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else comparison_table(report))


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild the whole index from the database.")
@data_option
def index(rebuild, data_path) -> None:
    """Bring the search index up to date with the database."""
    from archive.ops import clear_pending_index, rebuild_index, update_index

    data = DataDir.resolve(data_path).ensure()
    count = rebuild_index(data, progress=True) if rebuild else update_index(data, since=None)
    clear_pending_index(data)
    click.echo(f"{count} documents indexed", err=True)


@main.command()
@click.argument("query")
@click.option("--region", default=None, help="Region code: 430000 province, 431100 city, 431121 county.")
@click.option("--year", type=int, default=None)
@click.option("--theme", default=None)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--page", type=int, default=1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with total and hits.")
@data_option
def search(query, region, year, theme, sort, page, as_json, data_path) -> None:
    """Search the archive."""
    from archive import index as search_index
    from archive.index.api import SearchFilters

    data = DataDir.resolve(data_path)
    results = search_index.search(data.index_dir, query, SearchFilters(region=region, year=year, theme=theme),
                                  sort=sort, page=page)
    if as_json:
        click.echo(json.dumps(_results_json(results), ensure_ascii=False))
    else:
        if results.error:
            click.echo(f"error: {results.error}", err=True)
        click.echo(f"{results.total} documents")
        for hit in results.hits:
            date = hit.published.isoformat() if hit.published else "----------"
            click.echo(f"{date}  {hit.county or hit.city or hit.province or '':8}  {hit.title}\n            {hit.url}")
    if results.error:
        sys.exit(2)


def _results_json(results) -> dict:
    return {
        "query": results.query, "total": results.total, "page": results.page, "error": results.error,
        "hits": [{"id": h.doc_id, "url": h.url, "title": h.title,
                  "published": h.published.isoformat() if h.published else None, "year": h.year,
                  "region": {"province": h.province, "city": h.city, "county": h.county, "code": h.region_code},
                  "doc_type": h.doc_type, "themes": list(h.themes), "site": h.site} for h in results.hits],
        "facets": {name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
                   for name, values in results.facets.items()},
    }


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=8000)
@click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes sharing the port (one Python process uses one core).")
@data_option
def serve(host, port, processes, data_path) -> None:
    """Serve the search UI."""
    from search_ui import create_app
    from search_ui.serving import serve as serve_app

    from archive.store import Archive

    data = DataDir.resolve(data_path).ensure()
    root = str(data.root)
    Archive(data.database_url).close()   # migrate once here, not in every forked server at once
    click.echo(f"govplans UI on http://{host}:{port}/ ({processes} process{'es' if processes > 1 else ''})", err=True)
    serve_app(lambda: create_app({"DATA_DIR": root}), host, port, processes)


broker_option = click.option("--broker", default=None,
                             help="Broker URL (default $GOVPLANS_BROKER_URL or redis://127.0.0.1:6379/0).")


@main.command()
@click.option("--concurrency", type=int, default=1, show_default=True,
              help="Sites crawled at once, each in its own child process.")
@broker_option
@data_option
def worker(concurrency, broker, data_path) -> None:
    """Crawl the sites put on the broker's queue (a Celery worker; see deploy/README.md)."""
    from crawler.distributed.worker import start_worker

    start_worker(concurrency, broker, DataDir.resolve(data_path))


@main.command()
@click.argument("site_ids", nargs=-1)
@click.option("--sites-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A registry YAML file (default: every file in crawler/sites/).")
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
    import os

    from archive.schedules import ScheduleConfig
    from crawler.registry import RegistryError, load_sites, select_sites
    from crawler.schedule import run_due, run_forever

    try:
        sites = select_sites(load_sites(sites_file), list(site_ids))
        config = ScheduleConfig.load(schedule_file)
    except (RegistryError, OSError, ValueError) as error:
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


@main.command()
@click.option("--since", required=True, type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
              help="Events at or after this moment (UTC).")
@click.option("--kind", type=click.Choice(["new", "changed", "withdrawn"]), multiple=True,
              help="Only these kinds (repeatable; default all).")
@click.option("--site", default=None, help="Only this site.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the events.")
@data_option
def new(since, kind, site, as_json, data_path) -> None:
    """Documents that crawl runs found new, changed or withdrawn since a date, with their URLs."""
    from archive.notify import events_since
    from archive.store import Archive

    archive = Archive(DataDir.resolve(data_path).database_url)
    events = events_since(archive, since, kinds=kind or ("new", "changed", "withdrawn"), site=site)
    archive.close()
    if as_json:
        click.echo(json.dumps({"since": since.isoformat(), "events": [e.to_json() for e in events]},
                              ensure_ascii=False))
        return
    click.echo(f"{len(events)} events since {since:%Y-%m-%d %H:%M}")
    for e in events:
        click.echo(f"{e.kind:9} {e.at:%Y-%m-%d %H:%M}  run {e.run_id}  {e.site or '-':12} {e.title or ''}\n"
                   f"          {e.url}")


@main.group()
def saved() -> None:
    """Saved searches: a feed of new matches, and optionally an e-mail digest or a webhook."""


@saved.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--region", default=None)
@click.option("--year", type=int, default=None)
@click.option("--theme", default=None)
@click.option("--email", default=None, help="Send digests of new matches to this address.")
@click.option("--webhook", default=None, help="POST new matches as JSON to this URL.")
@click.option("--owner", default=None)
@data_option
def saved_add(name, query, region, year, theme, email, webhook, owner, data_path) -> None:
    """Save a search; prints its id and feed path. Matches found from now on are notified."""
    from archive.notify import add_saved
    from archive.store import Archive

    archive = Archive(DataDir.resolve(data_path).ensure().database_url)
    try:
        row = add_saved(archive, name, query, {"region": region, "year": year, "theme": theme},
                        email=email, webhook_url=webhook, owner=owner)
    except ValueError as error:
        raise click.ClickException(str(error))
    finally:
        archive.close()
    click.echo(f"{row.id} feed: /saved/{row.feed_key}.atom")


@saved.command("list")
@click.option("--json", "as_json", is_flag=True)
@data_option
def saved_list(as_json, data_path) -> None:
    """One line per saved search: id, name, query, filters, where it notifies."""
    from archive.notify import list_saved
    from archive.store import Archive

    archive = Archive(DataDir.resolve(data_path).database_url)
    rows = list_saved(archive)
    archive.close()
    records = [{"id": r.id, "feed": f"/saved/{r.feed_key}.atom", "name": r.name, "query": r.query,
                "filters": r.filters, "email": r.email,
                "webhook": r.webhook_url, "owner": r.owner,
                "last_notified_at": r.last_notified_at.isoformat() if r.last_notified_at else None} for r in rows]
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False))
        return
    for r in records:
        filters = " ".join(f"{k}={v}" for k, v in (r["filters"] or {}).items())
        click.echo(f"{r['id']:4} {r['name']}  「{r['query']}」 {filters}  "
                   f"{r['email'] or ''} {r['webhook'] or ''}  last {r['last_notified_at'] or 'never'}  {r['feed']}")


@main.command()
@data_option
def notify(data_path) -> None:
    """Send each saved search its new matches (e-mail digest over SMTP, webhook); see README."""
    from archive.notify import notify_all

    results = notify_all(DataDir.resolve(data_path))
    for r in results:
        sent = [name for name, done in (("e-mail", r.emailed), ("webhook", r.posted)) if done]
        click.echo(f"{r.saved_id} {r.name}: {r.events} new matches; sent {', '.join(sent) or 'nothing'}"
                   + "".join(f"; {e}" for e in r.errors), err=True)
    if any(r.errors for r in results):
        sys.exit(1)


@main.command()
@click.option("--port", type=int, default=8000, help="Port of the UI.")
@click.option("--farm-port", type=int, default=8800, help="Port of the simulated portals.")
@click.option("--sites", type=int, default=12, help="How many simulated portals.")
@click.option("--no-serve", is_flag=True, help="Stop after crawling and indexing.")
@data_option
def demo(port, farm_port, sites, no_serve, data_path) -> None:
    """Start the farm, crawl it, index, and serve the UI."""
    from govplans.demo import run_demo

    run_demo(DataDir.resolve(data_path), ui_port=port, farm_port=farm_port, sites=sites, serve=not no_serve)


from govplans.archive_commands import dedup, export, stats  # noqa: E402  (commands over the archive)

main.add_command(export)
main.add_command(stats)
main.add_command(dedup)

if __name__ == "__main__":
    main()
