"""Commands over the archive database: export, stats and dedup."""
from __future__ import annotations

import csv
import json
import sys
from datetime import datetime

import click

from archive.config import DataDir

data_option = click.option("--data", "data_path", type=click.Path(file_okay=False), default=None,
                           help="Data directory (default $GOVPLANS_DATA or ./data).")

CSV_COLUMNS = ("id", "url", "site", "title", "published", "written", "agency", "doc_number", "index_number",
               "subject", "validity", "region_code", "province", "city", "county", "year", "doc_type", "themes", "status", "first_seen",
               "last_seen", "withdrawn_at", "cluster", "canonical", "captured_at", "warc_file", "warc_offset",
               "warc_length", "payload_digest", "text")


def _progress(total: int, desc: str):
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="doc", file=sys.stderr, disable=None)  # silent when not a terminal


def _csv_row(record: dict) -> dict:
    region, provenance = record["region"], record["provenance"]
    row = {name: record.get(name) for name in CSV_COLUMNS}
    row.update(region_code=region["code"], province=region["province"], city=region["city"],
               county=region["county"], themes=";".join(record["themes"]), canonical=int(record["canonical"]),
               **{k: provenance[k] for k in ("captured_at", "warc_file", "warc_offset", "warc_length",
                                             "payload_digest")})
    return row


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option("--region", default=None, help="Region code: 430000 a province, 431100 a city, 431121 a county.")
@click.option("--year", type=int, default=None, help="The year the plan is for.")
@click.option("--site", default=None, help="Site id.")
@click.option("--status", type=click.Choice(["active", "changed", "withdrawn"]), default=None)
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None,
              help="Only documents new, changed or withdrawn since this date.")
@data_option
def export(fmt, region, year, site, status, since, data_path) -> None:
    """Stream documents with provenance, cluster and canonical flag (JSON lines or CSV) to stdout."""
    from archive.store import Archive, ExportFilters

    archive = Archive(DataDir.resolve(data_path).database_url)
    filters = ExportFilters(region=region, year=year, site=site, status=status, since=since)
    out = sys.stdout
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
    with _progress(archive.count_export(filters), "export") as bar:
        for record in archive.export_records(filters):
            if writer:
                writer.writerow(_csv_row(record))
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            bar.update()
    archive.close()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@data_option
def stats(as_json, data_path) -> None:
    """Counts of documents by site, province, year, theme and status, and of clusters."""
    from archive.store import Archive

    archive = Archive(DataDir.resolve(data_path).database_url)
    figures = archive.stats()
    total = archive.count_documents()
    archive.close()
    if as_json:
        click.echo(json.dumps({"documents": total, **{k: {str(n): c for n, c in v.items()}
                                                      for k, v in figures.items()}}, ensure_ascii=False))
        return
    click.echo(f"{total} documents")
    for facet, counts in figures.items():
        click.echo(f"by {facet}:")
        for name, count in counts.items():
            click.echo(f"  {'-' if name is None else name!s:24} {count}")


@click.command()
@click.option("--rebuild", is_flag=True, required=True, help="Recompute every cluster from the documents.")
@data_option
def dedup(rebuild, data_path) -> None:
    """Near-duplicate clusters (MinHash LSH); ingest keeps them current, --rebuild recomputes them all."""
    from archive.store import Archive

    archive = Archive(DataDir.resolve(data_path).database_url)
    started = datetime.now()
    with _progress(archive.count_documents(), "dedup") as bar:
        clusters = archive.rebuild_clusters(progress=bar.update)
    figures = archive.stats()["clusters"]
    archive.close()
    click.echo(f"{clusters} clusters, {figures['with copies']} with copies holding {figures['documents in them']} "
               f"documents ({(datetime.now() - started).total_seconds():.1f}s)", err=True)
