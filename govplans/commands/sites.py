"""`govplans sites …`: the site registry (crawler/sites/*.yaml)."""
from __future__ import annotations

import click

from archive.config import DataDir
from govplans.options import data_option, open_archive, registry_sites, sites_file_option


@click.group()
def sites() -> None:
    """The site registry (crawler/sites/*.yaml)."""


@sites.command("list")
@sites_file_option
@data_option
def sites_list(sites_file, data_path) -> None:
    """One line per site: id, region, family, verified, base URL; flagged sites end with BROKEN and why,
    sites that block us with BLOCKED and the class (challenge, waf, dns, refused, reset, timeout, js_list, stub)."""
    from archive.store.health import site_health

    entries = registry_sites(sites_file)
    data = DataDir.resolve(data_path)
    health = {}
    if data.root.exists():
        with open_archive(data) as archive:
            health = site_health(archive)
    for site in entries:
        verified = "verified" if site.get("verified", site.get("farm", False)) else "unverified"
        verdict = health.get(site["id"])
        flag = f"  BROKEN since {verdict.since:%Y-%m-%d %H:%M}: {verdict.reason}" if verdict and verdict.flagged else ""
        if verdict and verdict.block_class:
            runs = verdict.blocked_runs or 1
            flag = f"  BLOCKED {verdict.block_class} since {verdict.blocked_since:%Y-%m-%d %H:%M}" \
                   f" ({runs} run{'s' if runs > 1 else ''} in a row): {verdict.reason}"
        click.echo(f"{site['id']:16} {site.get('region') or '------'}  {site['family']:10} {verified:10} "
                   f"{site['base_url']}  {site.get('name', '')}{flag}")


@sites.command("check")
@click.argument("site_id")
@sites_file_option
@click.option("--show", type=int, default=5, help="How many of the items found to list per column.")
def sites_check(site_id, sites_file, show) -> None:
    """Fetch a site's start pages and report what its spider finds there (items, list pages)."""
    from crawler.check import check_site
    from crawler.run import crawl_settings

    (site,) = registry_sites(sites_file, [site_id])
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


COMMANDS = (sites,)
