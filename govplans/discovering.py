"""What `govplans sites discover` prints and writes: one portal's proposal, or a polite parallel
run over the registry (one thread per site at a time, a pause between requests to one site)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
import yaml

from archive.config import DataDir
from archive.regions import code_prefix


def _settings(test_hosts: bool):
    from crawler.run import crawl_settings

    settings = crawl_settings(DataDir.resolve(None), farm=test_hosts)
    return settings.get("USER_AGENT"), settings.get("GOVPLANS_CHROMIUM")


def _chromium(path: str | None) -> str | None:
    return path if path and Path(path).exists() else None


def discover_one(url: str, delay: float, test_hosts: bool, write: bool, into: str | None, sites_file) -> None:
    from crawler.discover import discover

    user_agent, chromium = _settings(test_hosts)
    proposal = discover(url, user_agent, test_hosts, delay, _chromium(chromium))
    for seen in proposal.seen:
        click.echo(f"  saw {seen.url}  {seen.what}", err=True)
    if not proposal.entry:
        raise click.ClickException(f"{url}: no homepage to discover from")
    scores = ", ".join(f"{family} {score}" for family, score in sorted(proposal.scores.items(), key=lambda x: -x[1]))
    click.echo(f"# confidence {proposal.confidence:.2f}; platform markers: {scores or 'none'}")
    click.echo(yaml.safe_dump([proposal.entry], allow_unicode=True, sort_keys=False), nl=False)
    if write:
        click.echo(f"written to {_write([proposal.entry], into, sites_file)}", err=True)


def discover_all(sites: list[dict], within: str | None, parallel: int, delay: float, test_hosts: bool,
                 write: bool, sites_file) -> None:
    from crawler.discover import discover

    chosen = [s for s in sites if not within or (s.get("region") or "").startswith(code_prefix(within))]
    user_agent, chromium = _settings(test_hosts)
    chromium = _chromium(chromium)

    def one(site: dict):
        try:
            return site, discover(site["base_url"], user_agent, test_hosts, delay, chromium)
        except Exception as error:       # one site's surprise must not end the run
            return site, error

    proposals = []
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for site, proposal in pool.map(one, chosen):
            if isinstance(proposal, Exception):
                click.echo(f"{site['id']:16} failed: {type(proposal).__name__}: {proposal}")
                continue
            entry = proposal.entry
            if not entry:
                click.echo(f"{site['id']:16} unreachable: {proposal.seen[-1].what if proposal.seen else '?'}")
                continue
            entry.update(id=site["id"], region=site.get("region") or entry.get("region"), name=site.get("name") or entry["name"])
            proposals.append(entry)
            click.echo(f"{site['id']:16} {entry['family']:8} {proposal.confidence:.2f}  "
                       f"{len(entry['columns'])} columns{'  render: browser' if entry.get('render') else ''}  "
                       f"{' '.join(entry['columns'][:4])}")
    click.echo(f"discovered {len(proposals)} of {len(chosen)} sites", err=True)
    if write and proposals:
        click.echo(f"written to {_write(proposals, None, sites_file)}", err=True)


def _write(entries: list[dict], into: str | None, sites_file) -> str:
    """Update each entry where its site already is (by id, else by host); new ones go to `into`."""
    from urllib.parse import urlsplit

    from crawler.national import read_entries, write_entries
    from crawler.registry import REGISTRY_DIR

    files = [Path(sites_file)] if sites_file else sorted(REGISTRY_DIR.glob("*.yaml"))
    target = Path(into) if into else (Path(sites_file) if sites_file else REGISTRY_DIR / "discovered.yaml")
    contents = {path: read_entries(path) for path in {*files, target}}
    written = set()
    for entry in entries:
        host = urlsplit(entry["base_url"]).hostname
        place = next(((path, n) for path, rows in contents.items() for n, row in enumerate(rows)
                      if row.get("id") == entry["id"] or urlsplit(row.get("base_url", "")).hostname == host), None)
        if place:
            path, n = place
            old = contents[path][n]
            contents[path][n] = dict(old, family=entry["family"], columns=entry["columns"],
                                     **({"render": entry["render"]} if entry.get("render") else {}))
            written.add(path)
        else:
            contents[target].append(entry)
            written.add(target)
    for path in written:
        header = _header(path)
        write_entries(path, contents[path], header)
    return ", ".join(str(p) for p in sorted(written))


def _header(path: Path) -> str:
    """The comment lines a registry file starts with, kept across a rewrite."""
    if not path.exists():
        return ""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line + "\n")
    return "".join(lines)
