"""`govplans new`, `saved …` and `notify`: what crawl runs found, and telling people about it."""
from __future__ import annotations

import json
import sys

import click

from archive.config import DataDir
from govplans.options import data_option, existing_archive, open_archive, pad


@click.command()
@click.option("--since", required=True, type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
              help="Events at or after this moment (UTC).")
@click.option("--kind", type=click.Choice(["new", "changed", "withdrawn"]), multiple=True,
              help="Only these kinds (repeatable; default all).")
@click.option("--site", default=None, help="Only this site.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the events.")
@data_option
def new(since, kind, site, as_json, data_path) -> None:
    """Documents that crawl runs found new, changed or withdrawn since a date, with their URLs."""
    from archive.read.events import events_since, site_events_since

    with open_archive(existing_archive(data_path)) as archive:
        events = events_since(archive, since, kinds=kind or ("new", "changed", "withdrawn"), site=site)
        pages = site_events_since(archive, since, site=site)
    if as_json:
        click.echo(json.dumps({"since": since.isoformat(), "events": [e.to_json() for e in events],
                               "site_events": [e.to_json() for e in pages]}, ensure_ascii=False))
        return
    click.echo(f"{len(events)} events since {since:%Y-%m-%d %H:%M}")
    for e in events:
        click.echo(f"{e.kind:9} {e.at:%Y-%m-%d %H:%M}  run {e.run_id}  {pad(e.site or '-', 12)} {e.title or ''}\n"
                   f"          {e.url}")
    for e in pages:   # not edits: the pages were extracted anew (a redesign, `reextract`), no version made
        click.echo(f"{e.kind:9} {e.at:%Y-%m-%d %H:%M}  run {e.run_id or '-'}  {pad(e.site, 12)} "
                   f"{e.documents} documents re-extracted, content unchanged")


@click.group()
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
    from archive.store.saved import add_saved

    with open_archive(DataDir.resolve(data_path).ensure()) as archive:
        try:
            row = add_saved(archive, name, query, {"region": region, "year": year, "theme": theme},
                            email=email, webhook_url=webhook, owner=owner)
        except ValueError as error:
            raise click.ClickException(str(error))
    click.echo(f"{row.id} feed: /saved/{row.feed_key}.atom")


@saved.command("list")
@click.option("--json", "as_json", is_flag=True)
@data_option
def saved_list(as_json, data_path) -> None:
    """One line per saved search: id, name, query, filters, where it notifies."""
    from archive.store.saved import list_saved

    with open_archive(existing_archive(data_path)) as archive:
        rows = list_saved(archive)
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


@click.command()
@data_option
def notify(data_path) -> None:
    """Send each saved search its new matches (e-mail digest over SMTP, webhook); see README."""
    from archive.operations.notify import notify_all

    results = notify_all(DataDir.resolve(data_path))
    for r in results:
        sent = [name for name, done in (("e-mail", r.emailed), ("webhook", r.posted)) if done]
        click.echo(f"{r.saved_id} {r.name}: {r.events} new matches; sent {', '.join(sent) or 'nothing'}"
                   + "".join(f"; {e}" for e in r.errors), err=True)
    if any(r.errors for r in results):
        sys.exit(1)


COMMANDS = (new, saved, notify)
