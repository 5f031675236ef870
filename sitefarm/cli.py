"""`govplans farm …`: serve the simulated portals, print their truth or their site registry,
or replay saved real pages."""
from __future__ import annotations

import json

import click

from sitefarm import server
from sitefarm.defences import DEFENCES
from sitefarm.replay import Replay
from sitefarm.world import World

sites_option = click.option("--sites", default=10, show_default=True, help="How many county sites.")
seed_option = click.option("--seed", default=0, show_default=True, help="Seed of the whole world.")
day_option = click.option("--day", default=0, show_default=True, help="Days after day 0 (new, changed, withdrawn documents).")
port_option = click.option("--port", default=8800, show_default=True, help="The port the farm is (or will be) served on.")
aggregators_option = click.option("--aggregators", default=0, show_default=True,
                                  help="How many 范文/文库 sites copying the planted plans (after the county sites).")


families_option = click.option("--families", default=None,
                                help="Comma-separated families the county sites are drawn from (default: trs, xxgk, "
                                     "legacy, hanweb); gkmlpt, kaipu, vsb, empire and jslist only when named.")


def _families(value: str | None) -> tuple[str, ...] | None:
    return tuple(f.strip() for f in value.split(",") if f.strip()) if value else None


attachments_option = click.option("--attachments/--no-attachments", default=True, show_default=True,
                                  help="Attached files (pdf, docx, xlsx, ofd …) under some documents.")


def _defences(ctx, param, value: str) -> tuple[str, ...]:
    kinds = tuple(DEFENCES) if value.strip() == "all" else tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in DEFENCES]
    if unknown:
        raise click.BadParameter(f"unknown {', '.join(unknown)}; choose from {', '.join(DEFENCES)} or all")
    return kinds


defended_option = click.option("--defended", default="", callback=_defences,
                               help="Comma-separated defences, one more TRS site each (challenge_412, challenge_521, "
                                    "waf_aliyun, reset, stub, js_list …, or all); see sitefarm/defences.py.")


citations_option = click.option("--citations", is_flag=True,
                                help="Add the counties' provinces' and cities' portals; county plans cite their plans "
                                     "by 文号 and title (sitefarm/citations.py), the truth lists them (`cites`).")


def faults_option(default: str):
    return click.option("--faults", type=click.Choice(["off", "low", "high"]), default=default, show_default=True,
                        help="Server faults: 5xx, stalls, resets, redirect loops, bad encodings … (see sitefarm/faults.py).")


@click.group(name="farm")
def farm():
    """Simulated county government portals on 127.0.0.1."""


scans_option = click.option("--scans", is_flag=True, default=False,
                            help="Some documents' text only in a scan: noisy images, image-only PDFs, broken "
                                 "ToUnicode maps, article bodies that are one picture (sitefarm/scans.py).")


lengths_option = click.option("--lengths", type=click.Choice(["farm", "real"]), default="farm", show_default=True,
                              help="real: bodies and attachment-held plans at the lengths of real government texts "
                                   "(sitefarm/lengths.py), as the benchmarks use them.")


@farm.command()
@port_option
@sites_option
@seed_option
@day_option
@aggregators_option
@attachments_option
@faults_option("low")
@families_option
@defended_option
@scans_option
@citations_option
@lengths_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; keep it on loopback.")
@click.option("--parent", "parent_pid", type=int, default=None,
              help="Stop when the process with this id (the one that started the farm) is gone.")
def serve(port, sites, seed, day, aggregators, attachments, faults, families, defended, scans, citations, lengths, host,
          parent_pid):
    """Serve every site on one port; the Host header picks the site."""
    world = World(sites=sites, seed=seed, day=day, aggregators=aggregators, faults=faults, attachments=attachments,
                  families=_families(families), defended=defended, scans=scans, citations=citations, lengths=lengths)
    farm_server = server.make_server(world, host, port)
    if parent_pid:
        server.stop_with_parent(farm_server, parent_pid)
    click.echo(f"serving {len(world.sites)} sites on http://{host}:{port} (e.g. http://{world.sites[0].host}:{port}/), "
               f"day {day}, faults {faults}", err=True)
    server.serve_forever(farm_server)


@farm.command()
@port_option
@sites_option
@seed_option
@day_option
@aggregators_option
@attachments_option
@faults_option("low")
@families_option
@defended_option
@scans_option
@citations_option
@lengths_option
def truth(port, sites, seed, day, aggregators, attachments, faults, families, defended, scans, citations, lengths):
    """Every document as JSON lines: what a perfect crawl and extraction would find.
    Give it the options `farm serve` was given (the defaults match)."""
    world = World(sites=sites, seed=seed, day=day, aggregators=aggregators, faults=faults, attachments=attachments,
                  families=_families(families), defended=defended, scans=scans, citations=citations, lengths=lengths)
    for record in world.truth(port):
        click.echo(json.dumps(record, ensure_ascii=False))


@farm.command()
@port_option
@sites_option
@seed_option
@aggregators_option
@families_option
@defended_option
@citations_option
def sites(port, sites, seed, aggregators, families, defended, citations):
    """The site registry (YAML) for the crawler."""
    world = World(sites=sites, seed=seed, aggregators=aggregators, families=_families(families), defended=defended,
                  citations=citations)
    click.echo(world.registry_yaml(port), nl=False)


@farm.command()
@click.option("--root", required=True, type=click.Path(exists=True, file_okay=False),
              help="A saved site: a folder with urls.tsv (url<TAB>file), e.g. ../shared/realdata/pingtan.")
@click.option("--port", default=8800, show_default=True)
@click.option("--host", default=None, help="Serve every page under this host name (default: original host + .test).")
def replay(root, port, host):
    """Serve saved real pages at their original paths under .test hosts, bytes untouched."""
    site = Replay(root, host)
    click.echo(f"replaying {len(site.pages)} URLs of {', '.join(site.hosts)} on http://127.0.0.1:{port}/", err=True)
    server.serve_forever(server.make_app_server(site.respond, "127.0.0.1", port))


if __name__ == "__main__":
    farm()
