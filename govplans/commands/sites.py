"""`govplans sites …`: the site registry (crawler/sites/*.yaml)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from archive.config import DataDir
from govplans.options import (data_option, has_archive, json_option, open_archive, pad, registry_sites,
                              sites_file_option)


@click.group()
def sites() -> None:
    """The site registry (crawler/sites/*.yaml)."""


@sites.command("list")
@sites_file_option
@data_option
@json_option
@click.option("--level", type=click.Choice(["province", "city", "county"]), default=None,
              help="With --json or --all: units of one level.")
@click.option("--province", "within", default=None, help="With --json or --all: units inside this code (430000, 431100).")
@click.option("--all", "every_unit", is_flag=True, help="One line per government unit, not per site.")
def sites_list(sites_file, data_path, as_json, level, within, every_unit) -> None:
    """One line per site: id, region, family, verified, base URL; flagged sites end with BROKEN and why,
    sites that block us with BLOCKED and the class (challenge, waf, dns, refused, reset, timeout, js_list, stub).

    After `make demo` (a data directory holding a demo): the demo's simulated sites.
    --json prints the national registry: every province, prefecture and county-level government
    with its current code, former codes and its sites (portal, family, columns, verified, URL source)."""
    from archive.store.health import site_health
    from crawler.national import national_entries

    data = DataDir.resolve(data_path)
    entries = registry_sites(sites_file, data=data)
    health, verified = {}, {}
    if has_archive(data):   # read only: never create an archive to list a registry
        from archive.read.verified import verified_sites

        with open_archive(data) as archive:
            health, verified = site_health(archive), verified_sites(archive)
    if as_json or every_unit:
        units, unplaced = national_entries(entries, verified, level, within)
        if as_json:
            counts = {lvl: sum(1 for u in units if u["level"] == lvl) for lvl in ("province", "city", "county")}
            counts.update(with_portal=sum(1 for u in units if u["portal"]), verified=sum(1 for u in units if u["verified"]))
            click.echo(json.dumps({"counts": counts, "units": units, "unplaced_sites": unplaced}, ensure_ascii=False))
            return
        for unit in units:
            click.echo(f"{unit['code']}  {unit['level']:8} {'verified' if unit['verified'] else '-':9} "
                       f"{unit['portal'] or '-':40} {unit['government']}")
        return
    from crawler.national import site_record

    for site in entries:
        record = site_record(site, verified)
        verdict = health.get(site["id"])
        flag = f"  BROKEN since {verdict.since:%Y-%m-%d %H:%M}: {verdict.reason}" if verdict and verdict.flagged else ""
        if verdict and verdict.block_class:
            runs = verdict.blocked_runs or 1
            flag = f"  BLOCKED {verdict.block_class} since {verdict.blocked_since:%Y-%m-%d %H:%M}" \
                   f" ({runs} run{'s' if runs > 1 else ''} in a row): {verdict.reason}"
        state = "verified" if record["verified"] else "unverified"
        click.echo(f"{pad(site['id'], 16)} {site.get('region') or '------'}  {pad(site['family'], 10)} "
                   f"{pad(state, 10)} {site['base_url']}  {site.get('name', '')}{flag}")


@sites.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--into", type=click.Path(dir_okay=False), default=None,
              help="The registry file to add the sites to (default crawler/sites/imported.yaml).")
@click.option("--source", default=None, help="Where the URLs come from (default: the CSV's source column, else its name).")
@sites_file_option
def sites_import(csv_file, into, source, sites_file) -> None:
    """Add a list of portals (CSV with columns name or code, url; optional family, columns, source).

    Codes may be retired ones (431121 is 祁阳市 431181); names are resolved to their unit, with the
    province or city in front where a name is shared (福州市鼓楼区). Sites come in as family
    `generic`, unverified, until `sites discover` or a crawl says more."""
    from crawler.national import IMPORTED_FILE, import_csv, read_entries, write_entries

    target = Path(into) if into else IMPORTED_FILE
    existing = read_entries(target)
    others = {site["id"] for site in registry_sites(sites_file)} - {e["id"] for e in existing}
    try:
        result = import_csv(csv_file, existing, others, source)
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error))
    write_entries(target, result.entries)
    for problem in result.problems:
        click.echo(f"skipped {problem}", err=True)
    click.echo(f"{target}: {len(result.added)} added, {len(result.updated)} updated, "
               f"{len(result.problems)} rows skipped")


@sites.command("check")
@click.argument("site_id")
@sites_file_option
@click.option("--show", type=int, default=5, help="How many of the items found to list per column.")
@data_option
def sites_check(site_id, sites_file, show, data_path) -> None:
    """Fetch a site's start pages and report what its spider finds there (items, list pages).
    After `make demo`: the demo's simulated sites (while the demo runs)."""
    from crawler.check import check_site
    from crawler.run import crawl_settings

    data = DataDir.resolve(data_path)
    (site,) = registry_sites(sites_file, [site_id], data=data)
    settings = crawl_settings(data, farm=bool(site.get("farm")))
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
    errors = {check.error for check in checks if check.error}
    if checks and len(errors) == 1 and all(check.error for check in checks):
        raise click.ClickException(errors.pop())
    if not any(check.items for check in checks):
        raise click.ClickException("the spider found no items on any start page")


@sites.command("discover")
@click.argument("url", required=False)
@click.option("--write", is_flag=True, help="Add the proposed entry to the registry (or update the site's entry).")
@click.option("--into", type=click.Path(dir_okay=False), default=None,
              help="With --write: the file for new entries (default crawler/sites/discovered.yaml).")
@click.option("--all", "every_site", is_flag=True, help="Discover every registry site (with --province: inside it).")
@click.option("--province", "within", default=None, help="With --all: sites whose region is inside this code.")
@click.option("--parallel", default=4, show_default=True, help="With --all: sites discovered at once.")
@click.option("--delay", type=float, default=1.0, show_default=True, help="Seconds between two requests to one site.")
@click.option("--test-hosts", is_flag=True, help="Send *.test names to 127.0.0.1 (the farm and replays).")
@sites_file_option
def sites_discover(url, write, into, every_site, within, parallel, delay, test_hosts, sites_file) -> None:
    """Propose a registry entry for a portal: its platform (family), the columns holding plans and
    notices, whether lists need a browser, with a confidence and what was seen on the way."""
    from govplans.discovering import discover_all, discover_one

    if bool(url) == every_site:
        raise click.UsageError("give a URL, or --all")
    if every_site:
        discover_all(registry_sites(sites_file), within, parallel, delay, test_hosts, write, sites_file)
    else:
        discover_one(url, delay, test_hosts, write, into, sites_file)


COMMANDS = (sites,)
