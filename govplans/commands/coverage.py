"""`govplans coverage`: the coverage ledger (archive/read/coverage.py), as /coverage shows it."""
from __future__ import annotations

import csv
import json
import sys

import click

from archive.config import DataDir
from govplans.options import data_option, open_archive, registry_sites, sites_file_option


@click.command()
@click.option("--region", default=None, help="A province, prefecture or county code (default: the whole country).")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table: one line per region one level down; json: what /coverage.json gives; "
                   "csv: every region under the scope at every level (as /coverage.csv).")
@click.option("--portals", is_flag=True, help="List the scope's portals too (a county's always are).")
@sites_file_option
@data_option
def coverage(region, output, portals, sites_file, data_path) -> None:
    """Per province / prefecture / county: portals registered, discovered, verified, blocked (by class),
    the last successful crawl, documents and the years they cover."""
    from archive import regions
    from archive.read import coverage as ledger_of

    scope = None
    if region:
        scope = ledger_of.tree().unit(regions.current_code(region)) if region.isdigit() else None
        if scope is None:
            raise click.ClickException(f"no government has the code {region!r}")
    registry = registry_sites(sites_file)
    data = DataDir.resolve(data_path).ensure()
    with open_archive(data) as archive:
        if output == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(ledger_of.CSV_COLUMNS)
            writer.writerows(ledger_of.csv_rows(ledger_of.every_row(archive, registry, scope)))
            return
        found = ledger_of.ledger(archive, registry, scope, portals)
    if output == "json":
        click.echo(json.dumps({"scope": found.scope.record(), "trail": [t.record() for t in found.trail],
                               "rows": [t.record() for t in found.rows],
                               "portals": [p.record() for p in found.portals],
                               "registry_entries": len(registry)}, ensure_ascii=False))
        return
    click.echo(_line(found.scope.record()))
    for row in found.rows:
        click.echo("  " + _line(row.record()))
    for portal in found.portals:
        p = portal.record()
        state = f"BLOCKED {p['blocked']}" if p["blocked"] else "verified" if p["verified"] else "unverified"
        click.echo(f"    {p['id']:16} {state:18} {p['documents']:>6} docs  {p['years_label'] or '-':14} "
                   f"{p['base_url'] or '(no URL)'}  {p['name']}")


def _line(r: dict) -> str:
    blocked = " ".join(f"{name}:{n}" for name, n in r["blocked"].items())
    return (f"{r['code'] or '':6} {r['name']:<12} units {r['units']:>4}  covered {r['covered']:>4}  "
            f"portals {r['portals']:>4} (registered {r['registered']}, discovered {r['discovered']}, "
            f"verified {r['verified']}, blocked {r['blocked_total']}{' ' + blocked if blocked else ''})  "
            f"docs {r['documents']:>6}  years {r['years_label'] or '-'}  last success {r['last_success'] or '-'}")


COMMANDS = (coverage,)
