"""`govplans sites …`: the site registry (crawler/sites/*.yaml)."""
from __future__ import annotations

import click

from archive.config import DataDir
from govplans.options import data_option, open_archive, pad, registry_sites, sites_file_option


@click.group()
def sites() -> None:
    """The site registry (crawler/sites/*.yaml)."""


@sites.command("list")
@sites_file_option
@data_option
def sites_list(sites_file, data_path) -> None:
    """One line per site: id, region, family, verified, base URL; flagged sites end with BROKEN and why.
    After `make demo` (a data directory holding a demo): the demo's simulated sites."""
    from archive.store.health import site_health

    data = DataDir.resolve(data_path)
    entries = registry_sites(sites_file, data=data)
    health = {}
    if (data.root / "archive.sqlite").is_file():   # read only: never create an archive to list a registry
        with open_archive(data) as archive:
            health = site_health(archive)
    for site in entries:
        verified = "verified" if site.get("verified", site.get("farm", False)) else "unverified"
        verdict = health.get(site["id"])
        flag = f"  BROKEN since {verdict.since:%Y-%m-%d %H:%M}: {verdict.reason}" if verdict and verdict.flagged else ""
        click.echo(f"{pad(site['id'], 16)} {site.get('region') or '------'}  {pad(site['family'], 10)} "
                   f"{pad(verified, 10)} {site['base_url']}  {site.get('name', '')}{flag}")


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


COMMANDS = (sites,)
