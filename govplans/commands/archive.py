"""`govplans extract`, `eval-extract`, `reextract`, `index`, `search`, `export`, `stats`, `dedup` and `citations`:
reading and keeping up the archive."""
from __future__ import annotations

import csv
import json
import math
import sys
from datetime import datetime
from pathlib import Path

import click

from archive.config import DataDir
from govplans.options import data_option, existing_archive, open_archive, pad

@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--url", default=None, help="The URL the page was fetched from.")
@click.option("--site-of", "site_of", default=None, type=click.Path(file_okay=False),
              help="A data directory whose archive knows the page's site (by the --url host): its learnt "
                   "template's chrome is cut from the text.")
def extract(path, url, site_of) -> None:
    """Extract one saved page (raw bytes, any encoding) and print one JSON object."""
    from archive.extract import extract_document
    from archive.extract.document import RawPage

    try:
        body = Path(path).read_bytes()
    except OSError as error:
        click.echo(json.dumps({"error": f"cannot read {path}: {error.strerror}"}, ensure_ascii=False))
        sys.exit(2)
    document = extract_document(RawPage(url or Path(path).resolve().as_uri(), body))
    if site_of:
        from archive.store.site_templates import with_site_template

        if not url:
            raise click.UsageError("--site-of needs --url: the site is found by the page's host")
        with open_archive(existing_archive(site_of)) as archive:
            document, site_id = with_site_template(archive, document)
        if site_id is None:
            click.echo(f"no site of {url} in {site_of}: the page's own reading", err=True)
    record = document.to_dict()
    unreadable = any(error.startswith(("decode:", "empty")) for error in document.errors)
    if not document.title and (unreadable or not document.text.strip()):
        click.echo(json.dumps({"error": "no document found in this page", "errors": record["errors"]},
                              ensure_ascii=False))
        sys.exit(2)
    click.echo(json.dumps(record, ensure_ascii=False))


@click.command("eval-extract")
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
    from evaluation.extraction import (compare, compare_bigram, comparison_table, load_bench,
                                            load_gold_file)

    report = compare(list(load_gold_file(Path(gold_file), Path(root))))
    bench = Path(bench_dir) if bench_dir else Path(root) / "bench"
    for name, scores in compare_bigram(load_bench(bench) if bench.is_dir() else {}).items():
        report[name].update(scores)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else comparison_table(report))


@click.command()
@data_option
def reextract(data_path) -> None:
    """Rebuild every document from the WARC files with today's extraction (no network)."""
    from archive.operations.indexing import rebuild_index
    from archive.store.reextract import ReextractError, reextract as rebuild

    data = DataDir.resolve(data_path)
    try:
        summary = rebuild(data)
    except ReextractError as error:
        raise click.ClickException(str(error))
    indexed = rebuild_index(data)
    outcomes = ", ".join(f"{count} {name}" for name, count in sorted(summary.outcomes.items()))
    click.echo(f"replayed {summary.captures} captures ({outcomes}; {summary.missing} unreadable): "
               f"{summary.documents} documents, {indexed} indexed", err=True)


@click.command()
@click.option("--rebuild", is_flag=True, help="Rebuild the whole index from the database.")
@data_option
def index(rebuild, data_path) -> None:
    """Bring the search index up to date with the database."""
    from archive.operations.indexing import clear_pending_index, rebuild_index, update_index

    data = DataDir.resolve(data_path).ensure()
    count = rebuild_index(data, progress=True) if rebuild else update_index(data, since=None)
    clear_pending_index(data)
    click.echo(f"{count} documents indexed", err=True)


MAX_PAGE = 500   # as the UI (search_ui/query.py): deeper pages cost the index a lot and help no reader


@click.command()
@click.argument("query")
@click.option("--region", default=None, help="Region code: 430000 province, 431100 city, 431181 county.")
@click.option("--year", type=int, default=None)
@click.option("--theme", default=None)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--page", type=click.IntRange(1, MAX_PAGE), default=1, help=f"Page of 20 hits, 1 to {MAX_PAGE}.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with total and hits.")
@data_option
def search(query, region, year, theme, sort, page, as_json, data_path) -> None:
    """Search the archive."""
    from archive import index as search_index
    from archive.index.api import SearchFilters

    data = existing_archive(data_path)
    if not data.index_dir.is_dir():
        raise click.ClickException(f"no index in {data.index_dir}: build it with `govplans index --rebuild`")
    results = search_index.search(data.index_dir, query, SearchFilters(region=region, year=year, theme=theme),
                                  sort=sort, page=page)
    pages = math.ceil(results.total / results.page_size) if results.page_size else 0
    if page > 1 and page > pages:
        raise click.ClickException(f"page {page} does not exist: {results.total} documents make "
                                   f"{pages} page{'s' if pages != 1 else ''} of {results.page_size}")
    if as_json:
        click.echo(json.dumps(_results_json(results), ensure_ascii=False))
    else:
        if results.error:
            click.echo(f"error: {results.error}", err=True)
        click.echo(f"{results.total} documents" + (f", page {page} of {pages}" if pages > 1 else ""))
        for hit in results.hits:
            date = hit.published.isoformat() if hit.published else "----------"
            click.echo(f"{date}  {pad(hit.county or hit.city or hit.province or '', 12)}  {hit.title}\n"
                       f"            {hit.url}")
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


CSV_COLUMNS = ("id", "url", "site", "title", "published", "written", "agency", "doc_number", "index_number",
               "subject", "validity", "region_code", "province", "city", "county", "year", "doc_type", "themes", "status", "first_seen",
               "last_seen", "withdrawn_at", "cluster", "canonical", "captured_at", "warc_file", "warc_offset",
               "warc_length", "payload_digest", "text", "attachments")


def _progress(total: int, desc: str):
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="doc", file=sys.stderr, disable=None)  # silent when not a terminal


def _csv_row(record: dict) -> dict:
    region, provenance = record["region"], record["provenance"]
    row = {name: record.get(name) for name in CSV_COLUMNS}
    row.update(region_code=region["code"], province=region["province"], city=region["city"],
               county=region["county"], themes=";".join(record["themes"]), canonical=int(record["canonical"]),
               **{k: provenance[k] for k in ("captured_at", "warc_file", "warc_offset", "warc_length",
                                             "payload_digest")},
               attachments=json.dumps(record.get("attachments", []), ensure_ascii=False))  # one cell: a JSON list
    return row


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "wacz"]), default="jsonl",
              help="wacz: a package ReplayWeb.page and pywb open (WARC records, CDXJ index, pages), to --output.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="The file to write (wacz only; the other formats go to stdout).")
@click.option("--bom/--no-bom", default=True, show_default=True,
              help="CSV: start with a byte-order mark, as /search.csv does, so spreadsheets read UTF-8.")
@click.option("--region", default=None, help="Region code: 430000 a province, 431100 a city, 431181 a county.")
@click.option("--year", type=int, default=None, help="The year the plan is for.")
@click.option("--site", default=None, help="Site id.")
@click.option("--status", type=click.Choice(["active", "changed", "withdrawn"]), default=None)
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None,
              help="Only documents new, changed or withdrawn since this date.")
@data_option
def export(fmt, output, bom, region, year, site, status, since, data_path) -> None:
    """Stream documents with provenance, cluster and canonical flag (JSON lines or CSV) to stdout,
    or write a WACZ package of their captures (--format wacz --output FILE)."""
    from archive.read.export import ExportFilters, count_export, export_records

    data = existing_archive(data_path)
    filters = ExportFilters(region=region, year=year, site=site, status=status, since=since)
    if fmt == "wacz":
        _export_wacz(data, output, filters)
        return
    if output:
        raise click.UsageError("--output is for --format wacz; JSON lines and CSV go to stdout")
    out = sys.stdout
    writer = None
    if fmt == "csv":
        if bom:
            out.write("\ufeff")
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
    with open_archive(data) as archive, _progress(count_export(archive, filters), "export") as bar:
        for record in export_records(archive, filters):
            if writer:
                writer.writerow(_csv_row(record))
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            bar.update()


def _export_wacz(data: DataDir, output: str | None, filters) -> None:
    from archive.operations.wacz import WaczError, export_wacz

    if not output:
        raise click.UsageError("--format wacz needs --output FILE.wacz")
    try:
        summary = export_wacz(data, Path(output), filters)
    except WaczError as error:
        raise click.ClickException(str(error))
    unmatched = f" ({summary.unmatched} without a record, left out)" if summary.unmatched else ""
    click.echo(f"{summary.pages} pages{unmatched}, {summary.records} records in {summary.warc_files} WARC files: "
               f"{output} ({summary.bytes:,} bytes)", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@data_option
def stats(as_json, data_path) -> None:
    """Counts of documents by site, province, year (in order), theme and status, and of clusters."""
    from archive.read.documents import count_documents
    from archive.read.export import stats as archive_stats

    with open_archive(existing_archive(data_path)) as archive:
        figures = archive_stats(archive)
        total = count_documents(archive)
    figures["year"] = dict(sorted(figures["year"].items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
    if as_json:
        click.echo(json.dumps({"documents": total, **{k: {str(n): c for n, c in v.items()}
                                                      for k, v in figures.items()}}, ensure_ascii=False))
        return
    click.echo(f"{total} documents")
    for facet, counts in figures.items():
        click.echo(f"by {facet}:")
        for name, count in counts.items():
            click.echo(f"  {pad('-' if name is None else str(name), 24)} {count:>7}")


@click.command()
@click.option("--rebuild", is_flag=True, required=True, help="Recompute every cluster from the documents.")
@data_option
def dedup(rebuild, data_path) -> None:
    """Near-duplicate clusters (MinHash LSH); ingest keeps them current, --rebuild recomputes them all."""
    from archive.read.documents import count_documents
    from archive.read.export import stats as archive_stats

    started = datetime.now()
    with open_archive(DataDir.resolve(data_path)) as archive:
        with _progress(count_documents(archive), "dedup") as bar:
            clusters = archive.rebuild_clusters(progress=bar.update)
        figures = archive_stats(archive)["clusters"]
    click.echo(f"{clusters} clusters, {figures['with copies']} with copies holding {figures['documents in them']} "
               f"documents ({(datetime.now() - started).total_seconds():.1f}s)", err=True)


@click.command()
@click.option("--rebuild", is_flag=True, help="Find and resolve every document's references again first.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@data_option
def citations(rebuild, as_json, data_path) -> None:
    """The 文号 citation graph: references found, resolved by 文号 or title, unresolved; ingest keeps
    it current, --rebuild recomputes it (an archive made before the graph)."""
    from archive.read.citations import graph_figures
    from archive.read.documents import count_documents

    with open_archive(existing_archive(data_path)) as archive:
        if rebuild:
            with _progress(count_documents(archive), "citations") as bar:
                archive.rebuild_citations(progress=bar.update)
        figures = graph_figures(archive)
    if as_json:
        click.echo(json.dumps(figures))
        return
    for name, value in figures.items():
        click.echo(f"{pad(name.replace('_', ' '), 24)} {value:>8}")


COMMANDS = (extract, eval_extract, reextract, index, search, export, stats, dedup, citations)
